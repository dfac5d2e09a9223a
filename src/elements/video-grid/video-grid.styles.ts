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
    /* Columns as wide as the layout's tile, so the rows fit the height too. */
    grid-template-columns: repeat(var(--_columns, 1), minmax(0, var(--_tile-width, 1fr)));
    align-content: center;
    justify-content: center;
    height: 100%;
  }
  .paged {
    display: grid;
    grid-template-rows: minmax(0, 1fr) auto;
    height: 100%;
    gap: var(--_gap);
  }
  [part='pager'] {
    display: flex;
    align-items: center;
    justify-content: center;
    gap: 12px;
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
  .presentation {
    display: grid;
    grid-template-rows: minmax(0, 1fr) auto;
    gap: var(--_gap);
    height: 100%;
  }
  [part='screen'] {
    position: relative;
    margin: 0;
    min-height: 200px;
    border-radius: var(--_radius);
    overflow: hidden;
    background: #000;
  }
  [part='screen-video'] {
    position: absolute;
    inset: 0;
    width: 100%;
    height: 100%;
    object-fit: contain;
  }
  [part='screen-placeholder'] {
    display: grid;
    place-items: center;
    height: 100%;
    color: var(--_tile-text);
    background: var(--_tile-background);
  }
  [part='screen-caption'] {
    position: absolute;
    left: 8px;
    bottom: 8px;
    padding: 2px 8px;
    border-radius: calc(var(--_radius) / 2);
    background: rgb(0 0 0 / 0.65);
    color: #fff;
  }
  .screen-actions {
    position: absolute;
    right: 8px;
    bottom: 8px;
    display: flex;
    gap: 6px;
  }
  [part='screen-preview'] {
    position: absolute;
    right: 8px;
    bottom: 8px;
    z-index: 2;
    width: 160px;
    margin: 0;
    border-radius: calc(var(--_radius) / 2);
    overflow: hidden;
    background: rgb(0 0 0 / 0.75);
    color: #fff;
    font-size: 0.8rem;
  }
  [part='screen-preview'] video {
    display: block;
    width: 100%;
    aspect-ratio: 16 / 9;
    object-fit: contain;
  }
  [part='screen-preview'] figcaption {
    display: flex;
    align-items: center;
    gap: 4px;
    padding: 4px 6px;
  }
  /* A phone: a smaller stage minimum and strip tiles, so the strip stays below the stage. */
  @container (max-width: 480px) {
    participant-tile[data-main] {
      min-height: 120px;
    }
    [part='strip'] participant-tile {
      flex-basis: var(--video-grid-strip-tile-width, 120px);
    }
  }
`;
