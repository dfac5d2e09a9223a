import { css } from 'lit';

export const videoGridStyles = css`
  :host {
    display: block;
    position: relative;
    min-height: 240px;
    height: 100%;
    container-type: inline-size;
  }
  [part='grid'] {
    display: grid;
    gap: var(--_gap);
    grid-template-columns: repeat(var(--_columns, 1), minmax(0, 1fr));
    align-content: center;
    justify-content: center;
    height: 100%;
  }
  .stage {
    display: grid;
    grid-template-rows: minmax(0, 1fr) auto;
    gap: var(--_gap);
    height: 100%;
  }
  participant-tile[data-main] {
    aspect-ratio: auto;
    min-height: 200px;
    height: 100%;
  }
  [part='strip'] {
    display: flex;
    gap: var(--_gap);
    overflow-x: auto;
  }
  [part='strip'] participant-tile {
    flex: 0 0 var(--video-grid-strip-tile-width, 160px);
  }
  [part='waiting'],
  [part='empty'] {
    display: grid;
    place-items: center;
    height: 100%;
    min-height: 200px;
    border-radius: var(--_radius);
    background: var(--_tile-background);
    color: var(--_tile-text);
    font-size: 1.1rem;
  }
  [part='enable-audio'] {
    position: absolute;
    left: 50%;
    top: 12px;
    transform: translateX(-50%);
    z-index: 2;
  }
`;
