import { ParticipantList } from './participant-list.js';

if (!customElements.get('participant-list')) customElements.define('participant-list', ParticipantList);

declare global {
  interface HTMLElementTagNameMap {
    'participant-list': ParticipantList;
  }
}

export { ParticipantList };
