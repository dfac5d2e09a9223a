import { html, nothing } from 'lit';
import type { Participant } from '../../core/events.js';
import { themeStyles } from '../shared/base.styles.js';
import { icons } from '../shared/icons.js';
import { SessionElement } from '../shared/session-element.js';
import { REACTION_SYMBOLS } from '../shared/strings.js';
import { REACTIONS } from '../../protocol/index.js';
import { participantListStyles } from './participant-list.styles.js';

/**
 * @customElement participant-list
 * @summary Everyone in the room with role, microphone state, raised hand and
 * reaction, the tutor's count of current reactions, then the raised hands in
 * the order they were raised.
 *
 * Inside `<live-session>` it follows the session from context; on its own, set
 * the `session` property to a `LiveSession`.
 *
 * @csspart heading - The "Participants (n)" and "Raised hands" headings.
 * @csspart list - The list of participants.
 * @csspart participant - One participant in the list.
 * @csspart role - The role of a participant.
 * @csspart hand-queue - The ordered list of raised hands.
 * @csspart reaction - A participant's current reaction.
 * @csspart floor - "has the floor" or "invited to speak" beside a student.
 * @csspart reaction-tally - The tutor's count of current reactions (thumbs up, clap, confused, slower).
 *
 * @cssprop --live-session-text - Text colour.
 * @cssprop --live-session-muted-text - Colour of the roles.
 */
export class ParticipantList extends SessionElement {
  static override styles = [themeStyles, participantListStyles];

  #reaction(id: string) {
    const reaction = this.currentSession?.reactionOf(id) ?? null;
    if (!reaction) return nothing;
    return html`<span part="reaction" role="img" aria-label=${this.text.reactionNames[reaction]}>${REACTION_SYMBOLS[reaction]}</span>`;
  }

  /** The tutor's tally of current reactions, when there are any. */
  #tally() {
    const tally = this.currentSession?.reactionTally;
    const shown = REACTIONS.filter((r) => (tally?.[r] ?? 0) > 0);
    if (!tally || shown.length === 0) return nothing;
    const s = this.text;
    return html`<h2 part="heading">${s.reactions}</h2>
      <ul part="reaction-tally">
        ${shown.map(
          (r) => html`<li data-reaction=${r}><span aria-hidden="true">${REACTION_SYMBOLS[r]}</span> ${s.reactionNames[r]}: ${tally[r]}</li>`,
        )}
      </ul>`;
  }

  protected override render() {
    const s = this.text;
    const session = this.currentSession;
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
            ${this.#reaction(p.id)}
            ${session?.floor.speakers.includes(p.id) ? html`<span part="floor">${s.hasFloor}</span>` : session?.floor.invited.includes(p.id) ? html`<span part="floor">${s.invitedLabel}</span>` : nothing}
          </li>`,
        )}
      </ul>
      ${session?.role === 'tutor' ? this.#tally() : nothing}
      ${queue.length > 0
        ? html`<h2 part="heading">${s.handQueue}</h2>
            <ol part="hand-queue">
              ${queue.map((p, index) => html`<li>${index + 1}. ${p.isLocal ? s.you : p.name}</li>`)}
            </ol>`
        : nothing}`;
  }
}
