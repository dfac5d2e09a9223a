import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { property } from 'lit/decorators.js';
import { ContextConsumer } from '@lit/context';
import type { LiveSession } from '../../core/live-session.js';
import type { Participant } from '../../core/events.js';
import { SessionSubscriber } from '../../controllers/session-subscriber.js';
import { sessionContext } from '../../controllers/session-context.js';
import { themeStyles } from '../shared/base.styles.js';
import { icons } from '../shared/icons.js';
import { mergeStrings, type LiveSessionStrings } from '../shared/strings.js';
import { participantListStyles } from './participant-list.styles.js';

/**
 * @summary Everyone in the room with role, microphone state and raised hand,
 * then the raised hands in the order they were raised.
 *
 * Inside `<live-session>` it follows the session from context; on its own, set
 * the `session` property to a `LiveSession`.
 *
 * @csspart heading - The "Participants (n)" and "Raised hands" headings.
 * @csspart list - The list of participants.
 * @csspart participant - One participant in the list.
 * @csspart role - The role of a participant.
 * @csspart hand-queue - The ordered list of raised hands.
 *
 * @cssprop --live-session-text - Text colour.
 * @cssprop --live-session-muted-text - Colour of the roles.
 */
export class ParticipantList extends LitElement {
  static override styles = [themeStyles, participantListStyles];

  /** The session to list; taken from an enclosing `<live-session>` when not set. */
  @property({ attribute: false })
  session: LiveSession | undefined;

  /** Replaces visible strings (see `LiveSessionStrings`). */
  @property({ attribute: false })
  strings: Partial<LiveSessionStrings> | undefined;

  readonly #subscriber = new SessionSubscriber(this);
  readonly #fromContext = new ContextConsumer(this, {
    context: sessionContext,
    subscribe: true,
    callback: () => this.requestUpdate(),
  });

  get #session(): LiveSession | undefined {
    return this.session ?? this.#fromContext.value;
  }

  protected override willUpdate(_changed: PropertyValues<this>): void {
    this.#subscriber.session = this.#session;
  }

  protected override render() {
    const s = mergeStrings(this.strings);
    const session = this.#session;
    const participants = session?.participants ?? [];
    const queue = (session?.handQueue ?? [])
      .map((id) => participants.find((p) => p.id === id))
      .filter((p): p is Participant => p !== undefined);
    return html`<h2 part="heading">${s.participants} (${participants.length})</h2>
      <ul part="list">
        ${participants.map(
          (p) => html`<li part="participant" data-participant=${p.id}>
            <span>${p.isLocal ? `${p.name} (${s.you})` : p.name}</span>
            <span part="role">${p.role === 'tutor' ? s.tutor : s.student}</span>
            <span role="img" aria-label=${p.isAudioOn ? s.microphoneOn : s.microphoneOff}>${p.isAudioOn ? icons.mic : icons.micOff}</span>
            ${p.isHandRaised ? html`<span role="img" aria-label=${s.handPosition(p.handPosition)}>${icons.hand}</span>` : nothing}
          </li>`,
        )}
      </ul>
      ${queue.length > 0
        ? html`<h2 part="heading">${s.handQueue}</h2>
            <ol part="hand-queue">
              ${queue.map((p, index) => html`<li>${index + 1}. ${p.isLocal ? s.you : p.name}</li>`)}
            </ol>`
        : nothing}`;
  }
}
