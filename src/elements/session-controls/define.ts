import { SessionControls } from './session-controls.js';

if (!customElements.get('session-controls')) customElements.define('session-controls', SessionControls);

declare global {
  interface HTMLElementTagNameMap {
    'session-controls': SessionControls;
  }
}

export { SessionControls };
