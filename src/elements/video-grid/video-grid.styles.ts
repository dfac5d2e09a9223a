import { css } from 'lit';
import { speakingRing } from '../shared/base.styles.js';

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
    gap: var(--live-session-gap);
    grid-template-columns: repeat(var(--_columns, 1), minmax(0, 1fr));
    align-content: center;
    justify-content: center;
    height: 100%;
  }
  [part~='tile'] {
    position: relative;
    aspect-ratio: 16 / 9;
    border-radius: var(--live-session-radius);
    overflow: hidden;
    background: var(--live-session-tile-background);
    color: var(--live-session-tile-text);
  }
  [part~='tile']::after {
    ${speakingRing}
  }
  [part~='tile'][data-speaking]::after {
    opacity: 1;
  }
  [part~='tile'] video {
    width: 100%;
    height: 100%;
    object-fit: cover;
    display: block;
    background: #000;
  }
  [part='placeholder'] {
    position: absolute;
    inset: 0;
    display: grid;
    place-items: center;
  }
  [part='initials'] {
    display: grid;
    place-items: center;
    width: 64px;
    height: 64px;
    border-radius: 50%;
    background: color-mix(in srgb, var(--live-session-accent) 70%, black);
    font-size: 1.4rem;
    font-weight: 600;
  }
  [part='name'] {
    position: absolute;
    left: 8px;
    bottom: 8px;
    display: inline-flex;
    align-items: center;
    gap: 6px;
    max-width: calc(100% - 16px);
    padding: 2px 8px;
    border-radius: 999px;
    background: rgb(0 0 0 / 55%);
    color: #fff;
    font-size: 0.85rem;
    white-space: nowrap;
    overflow: hidden;
    text-overflow: ellipsis;
  }
  [part='indicator'][data-off] {
    color: #fca5a5;
  }
  [part='hand-badge'] {
    position: absolute;
    top: 8px;
    left: 8px;
    display: inline-flex;
    align-items: center;
    gap: 4px;
    padding: 2px 8px;
    border-radius: 999px;
    background: var(--live-session-warning);
    color: #111;
    font-weight: 600;
  }
  [part='tile-actions'] {
    position: absolute;
    top: 6px;
    right: 6px;
    display: flex;
    gap: 4px;
  }
  [part='tile-actions'] button {
    min-height: 32px;
    padding: 0 8px;
    background: rgb(0 0 0 / 55%);
    color: #fff;
    border-color: transparent;
  }
  [part='tile-actions'] button:hover {
    background: rgb(0 0 0 / 80%);
  }
  .stage {
    display: grid;
    grid-template-rows: minmax(0, 1fr) auto;
    gap: var(--live-session-gap);
    height: 100%;
  }
  [part~='tile'][data-main] {
    aspect-ratio: auto;
    min-height: 200px;
    height: 100%;
  }
  [part='strip'] {
    display: flex;
    gap: var(--live-session-gap);
    overflow-x: auto;
  }
  [part='strip'] [part~='tile'] {
    flex: 0 0 var(--video-grid-strip-tile-width, 160px);
  }
  [part='waiting'],
  [part='empty'] {
    display: grid;
    place-items: center;
    height: 100%;
    min-height: 200px;
    border-radius: var(--live-session-radius);
    background: var(--live-session-tile-background);
    color: var(--live-session-tile-text);
    font-size: 1.1rem;
  }
  [part='enable-audio'] {
    position: absolute;
    left: 50%;
    top: 12px;
    transform: translateX(-50%);
    z-index: 2;
  }
  [part='connection-badge'] {
    position: absolute;
    right: 8px;
    bottom: 8px;
    padding: 2px 8px;
    border-radius: 999px;
    background: rgb(0 0 0 / 55%);
    color: #fde68a;
    font-size: 0.75rem;
  }
`;
