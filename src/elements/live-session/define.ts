import { LiveSessionElement } from './live-session.js';

if (!customElements.get('live-session')) customElements.define('live-session', LiveSessionElement);

declare global {
  interface HTMLElementTagNameMap {
    'live-session': LiveSessionElement;
  }
}

export { LiveSessionElement };
