import { VideoGrid } from './video-grid.js';

if (!customElements.get('video-grid')) customElements.define('video-grid', VideoGrid);

declare global {
  interface HTMLElementTagNameMap {
    'video-grid': VideoGrid;
  }
}

export { VideoGrid };
