import { SessionChat } from './session-chat.js';

if (!customElements.get('session-chat')) customElements.define('session-chat', SessionChat);

declare global {
  interface HTMLElementTagNameMap {
    'session-chat': SessionChat;
  }
}

export { SessionChat };
