import { SelfPreview } from './self-preview.js';

if (!customElements.get('self-preview')) customElements.define('self-preview', SelfPreview);

declare global {
  interface HTMLElementTagNameMap {
    'self-preview': SelfPreview;
  }
}

export { SelfPreview };
