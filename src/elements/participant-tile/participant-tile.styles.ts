import { css } from 'lit';

export const participantTileStyles = css`
  :host {
    display: block;
    position: relative;
    aspect-ratio: 16 / 9;
    border-radius: var(--_radius);
    overflow: hidden;
    background: var(--_tile-background);
    color: var(--_tile-text);
  }
  [part='video'] {
    background: #000;
  }
  :host([local]) [part='video'] {
    transform: scaleX(-1);
  }
  [part='initials'] {
    display: grid;
    place-items: center;
    width: 64px;
    height: 64px;
    border-radius: 50%;
    background: color-mix(in srgb, var(--_accent) 70%, black);
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
  }
  /* A long name is cut with an ellipsis; the indicators after it stay in view. */
  [part='name'] > span:first-child {
    min-width: 0;
    overflow: hidden;
    text-overflow: ellipsis;
    unicode-bidi: isolate;
  }
  [part='name'] > :not(:first-child) {
    flex: none;
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
    background: var(--_warning);
    color: #111;
    font-weight: 600;
  }
  [part='floor-badge'] {
    position: absolute;
    bottom: 40px;
    left: 8px;
    padding: 2px 8px;
    border-radius: 999px;
    background: var(--_speaking);
    color: #111;
    font-size: 0.8rem;
    font-weight: 600;
  }
  [part='reaction-badge'] {
    position: absolute;
    top: 8px;
    left: 50%;
    transform: translateX(-50%);
    padding: 2px 8px;
    border-radius: 999px;
    background: color-mix(in srgb, var(--_tile-background) 70%, transparent);
    font-size: 1.4rem;
    line-height: 1.3;
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
  [part='pin-button'] {
    position: absolute;
    right: 6px;
    bottom: 6px;
    min-height: 32px;
    min-width: 32px;
    padding: 0 6px;
    background: rgb(0 0 0 / 55%);
    color: #fff;
    border-color: transparent;
  }
  [part='pin-button']:hover,
  [part='pin-button'][aria-pressed='true'] {
    background: rgb(0 0 0 / 80%);
  }
  [part='pin-button'][aria-pressed='true'] {
    outline: 2px solid var(--_accent, #2563eb);
  }
  :host([pinnable]) [part='name'] {
    max-width: calc(100% - 58px);
  }
  :host([pinnable]) [part='connection-badge'] {
    right: 46px;
  }
  [part='quality'] {
    display: inline-flex;
    align-items: flex-end;
    gap: 1px;
    height: 12px;
  }
  [part='quality'] i {
    width: 3px;
    border-radius: 1px;
    background: rgb(255 255 255 / 35%);
  }
  [part='quality'] i:nth-child(1) { height: 5px; }
  [part='quality'] i:nth-child(2) { height: 8px; }
  [part='quality'] i:nth-child(3) { height: 12px; }
  [part='quality'][data-quality='good'] i {
    background: var(--live-session-quality-good, #4ade80);
  }
  [part='quality'][data-quality='fair'] i:nth-child(-n + 2) {
    background: var(--live-session-quality-fair, #facc15);
  }
  [part='quality'][data-quality='poor'] i:nth-child(1) {
    background: var(--live-session-quality-poor, #f87171);
  }
`;
