import { css } from 'lit';

export const selfPreviewStyles = css`
  :host {
    display: block;
    position: relative;
    width: var(--self-preview-width, 200px);
    aspect-ratio: 4 / 3;
    border-radius: var(--_radius);
    overflow: hidden;
    background: var(--_tile-background);
    color: var(--_tile-text);
    box-shadow: 0 4px 16px rgb(0 0 0 / 25%);
  }
  :host(:not([unmirrored])) [part='video'] {
    transform: scaleX(-1);
  }
  [part='placeholder'] {
    align-content: center;
    gap: 4px;
    font-size: 0.9rem;
    color: var(--_tile-text);
  }
  [part='initials'] {
    display: grid;
    place-items: center;
    width: 48px;
    height: 48px;
    border-radius: 50%;
    background: color-mix(in srgb, var(--_accent) 70%, black);
    font-weight: 600;
  }
  [part='reaction-badge'] {
    position: absolute;
    top: 4px;
    right: 6px;
    font-size: 1.2rem;
  }
  [part='label'] {
    position: absolute;
    left: 6px;
    bottom: 6px;
    display: inline-flex;
    align-items: center;
    gap: 4px;
    padding: 2px 8px;
    border-radius: 999px;
    background: rgb(0 0 0 / 55%);
    color: #fff;
    font-size: 0.8rem;
  }
  [part='mic-indicator'][data-off] {
    color: #fca5a5;
  }
`;
