import { html, nothing } from 'lit';
import type { Participant } from '../../core/events.js';
import { buttonStyles, themeStyles } from '../shared/base.styles.js';
import { icons } from '../shared/icons.js';
import { SessionElement } from '../shared/session-element.js';
import { REACTION_SYMBOLS } from '../shared/strings.js';
import { REACTIONS } from '../../protocol/index.js';
import { participantListStyles } from './participant-list.styles.js';

/**
 * @customElement participant-list
 * @summary Everyone in the room with role, microphone state, raised hand and
 * reaction; for the tutor, the waiting room (switches, who waits, Admit / Deny)
 * and the count of current reactions; then the raised hands in the order they
 * were raised.
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
 * @csspart admission - The tutor's Waiting room and Lock room switches.
 * @csspart waiting-list - The tutor's list of students waiting to be let in.
 * @csspart admit - The Admit button of a waiting student.
 * @csspart deny - The Deny button of a waiting student.
 * @csspart admit-all - The Admit all button (two or more waiting).
 * @csspart floor - "has the floor" or "invited to speak" beside a student.
 * @csspart reaction-tally - The tutor's count of current reactions (thumbs up, clap, confused, slower).
 *
 * @cssprop --live-session-text - Text colour.
 * @cssprop --live-session-muted-text - Colour of the roles.
 */
export class ParticipantList extends SessionElement {
  static override styles = [themeStyles, buttonStyles, participantListStyles];

  #reaction(id: string) {
    const reaction = this.currentSession?.reactionOf(id) ?? null;
    if (!reaction) return nothing;
    return html`<span part="reaction" role="img" aria-label=${this.text.reactionNames[reaction]}>${REACTION_SYMBOLS[reaction]}</span>`;
  }

  /** The tutor's admission controls: waiting room and lock switches, who waits, Admit / Deny. */
  #admission() {
    const session = this.currentSession;
    if (!session) return nothing;
    const s = this.text;
    const waiting = session.waitingRoom;
    return html`<div part="admission">
        <label><input type="checkbox" data-setting="waiting" .checked=${session.admission.waiting} @change=${(e: Event) => session.setAdmission({ waiting: (e.target as HTMLInputElement).checked })} />${s.waitingRoom}</label>
        <label><input type="checkbox" data-setting="locked" .checked=${session.admission.locked} @change=${(e: Event) => session.setAdmission({ locked: (e.target as HTMLInputElement).checked })} />${s.lockRoom}</label>
      </div>
      ${waiting.length > 0
        ? html`<h2 part="heading">${s.waitingCount(waiting.length)}</h2>
            <ul part="waiting-list">
              ${waiting.map(
                (w) => html`<li data-waiting=${w.id}>
                  <span>${w.name}</span>
                  <button part="admit" aria-label=${s.admitName(w.name)} @click=${() => session.admit(w.id)}>${s.admit}</button>
                  <button part="deny" aria-label=${s.denyName(w.name)} @click=${() => session.deny(w.id)}>${s.deny}</button>
                </li>`,
              )}
            </ul>
            ${waiting.length > 1 ? html`<button part="admit-all" @click=${() => session.admitAll()}>${s.admitAll}</button>` : nothing}`
        : nothing}`;
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
      ${session?.role === 'tutor' ? this.#admission() : nothing}
      ${session?.role === 'tutor' ? this.#tally() : nothing}
      ${queue.length > 0
        ? html`<h2 part="heading">${s.handQueue}</h2>
            <ol part="hand-queue">
              ${queue.map((p, index) => html`<li>${index + 1}. ${p.isLocal ? s.you : p.name}</li>`)}
            </ol>`
        : nothing}`;
  }
}
