import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import { ContextProvider } from '@lit/context';
import { LiveSession } from '../../core/live-session.js';
import type { Participant, SessionErrorDetail } from '../../core/events.js';
import { isTopology, type Topology } from '../../core/topology.js';
import type { LeaveReason, Role } from '../../protocol/index.js';
import { SessionController } from '../../controllers/session-controller.js';
import { sessionContext } from '../../controllers/session-context.js';
import { FORWARDED_EVENTS } from '../shared/events.js';
import { themeStyles } from '../shared/base.styles.js';
import { icons } from '../shared/icons.js';
import { mergeStrings, type LiveSessionStrings } from '../shared/strings.js';
import { liveSessionStyles } from './live-session.styles.js';
import '../self-preview/define.js';
import '../video-grid/define.js';

/** A participant as `participants` returns it: the fields of the public contract. */
export type ParticipantSummary = Pick<
  Participant,
  'id' | 'userId' | 'name' | 'role' | 'isVideoOn' | 'isAudioOn' | 'isHandRaised' | 'isLocal'
>;

/**
 * @summary The whole room: pre-join step, video grid, self preview, control
 * bar, participant list with the hand queue, connection status, and a final
 * state after leaving with a way back in.
 *
 * @fires ls-joined - The room was joined. Detail: `{ room, self, participants }`.
 * @fires ls-left - The local participant left or was removed. Detail: `{ reason }`.
 * @fires ls-participant-joined - Someone joined. Detail: `{ participant }`.
 * @fires ls-participant-left - Someone left. Detail: `{ participant, reason }`.
 * @fires ls-participant-updated - Someone's camera, mic, hand, stream or connection changed. Detail: `{ participant }`.
 * @fires ls-connection-state - Connection to the server changed. Detail: `{ state }` (`connecting`, `connected`, `reconnecting`, `disconnected`).
 * @fires ls-hand-queue - The order of raised hands changed. Detail: `{ handQueue }` (peer ids).
 * @fires ls-muted - The tutor turned your microphone off. Detail: `{ by }`.
 * @fires ls-unmute-requested - The tutor asks you to unmute. Detail: `{ by }`.
 * @fires ls-error - Something failed: media, connection, or a refused request. Detail: `{ code, message, media?, request? }`.
 *
 * @slot prejoin - Extra content in the pre-join step (above the Join button).
 * @slot ended - Extra content in the final state after leaving.
 *
 * @csspart prejoin - The pre-join step.
 * @csspart name-field - The name label and input in the pre-join step.
 * @csspart join-button - The Join button.
 * @csspart notice - A message about the camera or microphone, or a refused join.
 * @csspart notices - In the room: the messages about the camera or microphone, with a Dismiss button.
 * @csspart room - The in-room layout.
 * @csspart banner - The connection banner shown while reconnecting.
 * @csspart controls - The control bar.
 * @csspart control - Each button of the control bar.
 * @csspart participants - The participant list and hand queue.
 * @csspart request - The tutor's unmute request, with its Unmute button.
 * @csspart ended - The final state after leaving or removal.
 *
 * @cssprop --live-session-background - Background of the whole element.
 * @cssprop --live-session-surface - Background of panels and buttons.
 * @cssprop --live-session-text - Text colour.
 * @cssprop --live-session-muted-text - Secondary text colour.
 * @cssprop --live-session-accent - Primary colour (Join, pressed toggles).
 * @cssprop --live-session-accent-text - Text on the accent colour.
 * @cssprop --live-session-danger - Leave button colour.
 * @cssprop --live-session-warning - Banners and hand badges.
 * @cssprop --live-session-focus-ring - Keyboard focus outline.
 * @cssprop --live-session-radius - Corner radius.
 * @cssprop --live-session-gap - Space between parts.
 * @cssprop --live-session-font-family - Font.
 * @cssprop --live-session-height - Height of the in-room layout (default 560px).
 * @cssprop --live-session-sidebar-width - Width of the participant list.
 */
export class LiveSessionElement extends LitElement {
  static override styles = [themeStyles, liveSessionStyles];

  /** Base URL of the live-session server. Defaults to the page's own origin. */
  @property()
  server = '';

  /** Signed join token. When the server has a secret, room, name, role and user come only from it. */
  @property()
  token = '';

  @property()
  room = '';

  @property()
  name = '';

  /** `tutor` or `student`. */
  @property()
  override role: Role = 'student';

  /** Stable identity; when absent, one is generated and kept for the tab. */
  @property({ attribute: 'user-id' })
  userId = '';

  /** `mesh` (everyone sees everyone) or `star` (students see the tutor only). */
  @property()
  topology: Topology = 'mesh';

  /** Skips the pre-join step and joins as soon as the element is connected. */
  @property({ type: Boolean })
  autojoin = false;

  /** Logs to the console with a `[live-session]` prefix. */
  @property({ type: Boolean })
  debug = false;

  /**
   * Camera constraints for getUserMedia (e.g. `{ width: 320, height: 240, frameRate: 15 }`),
   * or `false` to join without camera. Default: 640×480 at up to 30 fps.
   */
  @property({ attribute: false })
  video: MediaTrackConstraints | false | undefined;

  /** Microphone constraints, or `false` to join without microphone. */
  @property({ attribute: false })
  audio: MediaTrackConstraints | false | undefined;

  /** Replaces visible strings (see `LiveSessionStrings`); passed down to the inner elements. */
  @property({ attribute: false })
  strings: Partial<LiveSessionStrings> | undefined;

  /** Reflects the session phase for styling: `idle`, `joining`, `joined`, `left`. */
  @property({ reflect: true })
  phase: 'idle' | 'joining' | 'joined' | 'left' = 'idle';

  @state() private notices: string[] = [];
  @state() private endReason: LeaveReason | null = null;
  @state() private unmuteRequest = false;
  @state() private announcement = '';
  @state() private nameInput = '';

  #session: LiveSession | undefined;
  readonly #watch = new SessionController(this);
  readonly #provider = new ContextProvider(this, { context: sessionContext });
  #teardown: (() => void) | null = null;
  #destroyTimer: ReturnType<typeof setTimeout> | undefined;

  /** The session controller this element owns (created on connect; replaced by a rejoin after leaving). */
  get session(): LiveSession | undefined {
    return this.#session;
  }

  /** Everyone in the room, the local participant included. Read-only. */
  get participants(): readonly ParticipantSummary[] {
    return (this.#session?.participants ?? []).map((p) => ({
      id: p.id,
      userId: p.userId,
      name: p.name,
      role: p.role,
      isVideoOn: p.isVideoOn,
      isAudioOn: p.isAudioOn,
      isHandRaised: p.isHandRaised,
      isLocal: p.isLocal,
    }));
  }

  override connectedCallback(): void {
    super.connectedCallback();
    clearTimeout(this.#destroyTimer);
    if (!this.#session) this.#createSession();
    if (this.autojoin) void this.join().catch(() => undefined);
    else void this.#session?.startPreview();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    // Moving the element in the DOM disconnects and reconnects it at once: only a
    // real removal ends the session.
    this.#destroyTimer = setTimeout(() => {
      if (!this.isConnected) this.#destroySession();
    }, 0);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    const identity = ['server', 'token', 'room', 'name', 'role', 'userId', 'topology', 'video', 'audio'] as const;
    if (this.hasUpdated && this.#session?.phase === 'idle' && identity.some((key) => changed.has(key))) {
      // Still before the join: follow the new settings with a fresh controller.
      this.#destroySession();
      this.#createSession();
      void this.session?.startPreview();
    }
    if (this.#session) this.#session.log.enabled = this.debug;
    this.phase = this.#session?.phase ?? 'idle';
  }

  #createSession(): void {
    const session = new LiveSession({
      server: this.server || (typeof location === 'undefined' ? '/' : location.origin + '/'),
      ...(this.token ? { token: this.token } : {}),
      ...(this.room ? { room: this.room } : {}),
      name: this.nameInput || this.name,
      role: this.role === 'tutor' ? 'tutor' : 'student',
      ...(this.userId ? { userId: this.userId } : {}),
      topology: isTopology(this.topology) ? this.topology : 'mesh',
      debug: this.debug,
      ...(this.video !== undefined ? { video: this.video } : {}),
      ...(this.audio !== undefined ? { audio: this.audio } : {}),
    });
    this.#session = session;
    this.#watch.session = session;
    this.#provider.setValue(session);
    this.notices = [];
    const listeners: [string, EventListener][] = [];
    for (const [from, to] of Object.entries(FORWARDED_EVENTS)) {
      const forward = (event: Event): void => {
        const detail: unknown = (event as CustomEvent).detail;
        this.dispatchEvent(new CustomEvent(to, { detail, bubbles: true, composed: true }));
      };
      session.addEventListener(from, forward);
      listeners.push([from, forward]);
    }
    const own: [string, EventListener][] = [
      ['participant-joined', (e) => this.#announce(this.#strings.joinedAnnouncement((e as CustomEvent<{ participant: Participant }>).detail.participant.name))],
      ['participant-left', (e) => this.#announce(this.#strings.leftAnnouncement((e as CustomEvent<{ participant: Participant }>).detail.participant.name))],
      ['hand-queue', () => this.#announceNewHand()],
      ['muted', () => this.#announce(this.#strings.mutedAnnouncement)],
      ['unmute-requested', () => {
        this.unmuteRequest = true;
        this.#announce(this.#strings.unmuteRequested);
      }],
      ['left', (e) => {
        this.endReason = (e as CustomEvent<{ reason: LeaveReason }>).detail.reason;
      }],
      ['error', (e) => this.#onError((e as CustomEvent<SessionErrorDetail>).detail)],
    ];
    for (const [type, listener] of own) session.addEventListener(type, listener);
    listeners.push(...own);
    this.#teardown = () => {
      for (const [type, listener] of listeners) session.removeEventListener(type, listener);
    };
  }

  #destroySession(): void {
    this.#teardown?.();
    this.#teardown = null;
    this.#session?.destroy();
    this.#session = undefined;
    this.#watch.session = undefined;
    this.#provider.setValue(undefined);
  }

  get #strings(): LiveSessionStrings {
    return mergeStrings(this.strings);
  }

  #lastQueue: readonly string[] = [];
  #announceNewHand(): void {
    const queue = this.#session?.handQueue ?? [];
    const added = queue.find((id) => !this.#lastQueue.includes(id));
    this.#lastQueue = queue;
    const who = added ? this.#session?.participants.find((p) => p.id === added) : undefined;
    if (who) this.#announce(this.#strings.handAnnouncement(who.isLocal ? this.#strings.you : who.name));
  }

  #announce(text: string): void {
    // Re-setting the same text would not be announced again: clear first.
    this.announcement = '';
    requestAnimationFrame(() => (this.announcement = text));
  }

  #onError(detail: SessionErrorDetail): void {
    if (detail.code === 'media' || this.#session?.phase !== 'joined') {
      if (!this.notices.includes(detail.message)) this.notices = [...this.notices, detail.message];
    } else {
      this.#announce(detail.message);
    }
  }

  // ---------------------------------------------------------------- public methods

  /** Joins the room (after the pre-join step, or directly). Rejects when the server refuses. */
  async join(): Promise<void> {
    if (!this.#session || this.#session.phase === 'left') {
      this.#destroySession();
      this.#createSession();
    }
    const session = this.#session;
    if (!session) return;
    this.endReason = null;
    this.notices = this.notices.filter((n) => !n.startsWith('⚠'));
    try {
      await session.join();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.notices = [...this.notices, `⚠ ${message}`];
      throw error;
    }
  }

  /** Leaves the room; the element shows its final state with a way to rejoin. */
  async leave(): Promise<void> {
    await this.#session?.leave();
  }

  toggleCamera(): Promise<void> {
    return this.#session?.toggleCamera() ?? Promise.resolve();
  }

  toggleMic(): Promise<void> {
    this.unmuteRequest = false;
    return this.#session?.toggleMic() ?? Promise.resolve();
  }

  raiseHand(): void {
    this.#session?.raiseHand();
  }

  lowerHand(): void {
    this.#session?.lowerHand();
  }

  /** Tutor only: turns a participant's microphone off. */
  muteParticipant(id: string): void {
    this.#session?.muteParticipant(id);
  }

  /** Tutor only: turns every student's microphone off. */
  muteAll(): void {
    this.#session?.muteAll();
  }

  /** Tutor only: removes a participant from the room. */
  removeParticipant(id: string): void {
    this.#session?.removeParticipant(id);
  }

  // ---------------------------------------------------------------- rendering

  protected override render() {
    const s = this.#strings;
    const session = this.#session;
    const live = html`<div class="visually-hidden" role="status" aria-live="polite" aria-atomic="true">${this.announcement}</div>`;
    if (!session) return live;
    switch (session.phase) {
      case 'idle':
      case 'joining':
        return html`${this.#renderPrejoin(session, s)}${live}`;
      case 'left':
        return html`${this.#renderEnded(s)}${live}`;
      case 'joined':
        return html`${this.#renderRoom(session, s)}${live}`;
    }
  }

  #renderToggles(session: LiveSession, s: LiveSessionStrings) {
    return html`
      <button
        part="control"
        aria-pressed=${session.isAudioOn ? 'false' : 'true'}
        data-control="mic"
        @click=${() => this.toggleMic()}
      >
        ${session.isAudioOn ? icons.mic : icons.micOff}${session.isAudioOn ? s.muteMicrophone : s.unmuteMicrophone}
      </button>
      <button
        part="control"
        aria-pressed=${session.isVideoOn ? 'false' : 'true'}
        data-control="camera"
        @click=${() => this.toggleCamera()}
      >
        ${session.isVideoOn ? icons.camera : icons.cameraOff}${session.isVideoOn ? s.turnCameraOff : s.turnCameraOn}
      </button>
    `;
  }

  #renderNotices() {
    return this.notices.map((text) => html`<p part="notice" role="alert">${text.replace(/^⚠ /, '')}</p>`);
  }

  #renderPrejoin(session: LiveSession, s: LiveSessionStrings) {
    const joining = session.phase === 'joining';
    const askName = !this.token && !this.name;
    return html`<section part="prejoin" aria-label=${s.join}>
      <self-preview .strings=${this.strings}></self-preview>
      <div>${this.#renderToggles(session, s)}</div>
      ${this.#renderNotices()}
      ${askName
        ? html`<label part="name-field">
            <span>${s.yourName}</span>
            <input
              .value=${this.nameInput}
              autocomplete="name"
              maxlength="64"
              @input=${(e: InputEvent) => (this.nameInput = (e.target as HTMLInputElement).value)}
              @keydown=${(e: KeyboardEvent) => {
                if (e.key === 'Enter') this.#joinFromPrejoin();
              }}
            />
          </label>`
        : nothing}
      <slot name="prejoin"></slot>
      <button part="join-button" class="primary" ?disabled=${joining} @click=${() => this.#joinFromPrejoin()}>
        ${joining ? s.joining : s.join}
      </button>
    </section>`;
  }

  #joinFromPrejoin(): void {
    if (this.nameInput) this.#session?.setName(this.nameInput);
    void this.join().catch(() => undefined);
  }

  #renderRoom(session: LiveSession, s: LiveSessionStrings) {
    const isTutor = session.role === 'tutor';
    const participants = session.participants;
    const queue = session.handQueue
      .map((id) => participants.find((p) => p.id === id))
      .filter((p): p is Participant => p !== undefined);
    return html`<section part="room" aria-label=${session.room ?? ''}>
      ${session.connectionState === 'reconnecting'
        ? html`<p part="banner" role="status">${s.reconnecting}</p>`
        : nothing}
      ${this.notices.length > 0
        ? html`<div part="notices">
            ${this.#renderNotices()}
            <button part="control" data-control="dismiss" @click=${() => (this.notices = [])}>${s.dismiss}</button>
          </div>`
        : nothing}
      <div class="stage">
        <video-grid .strings=${this.strings}></video-grid>
        <self-preview .strings=${this.strings}></self-preview>
      </div>
      <aside part="participants" aria-label=${s.participants}>
        <h2>${s.participants} (${participants.length})</h2>
        <ul>
          ${participants.map(
            (p) => html`<li data-participant=${p.id}>
              <span>${p.isLocal ? `${p.name} (${s.you})` : p.name}</span>
              <span class="role">${p.role === 'tutor' ? s.tutor : s.student}</span>
              <span role="img" aria-label=${p.isAudioOn ? s.microphoneOn : s.microphoneOff}>${p.isAudioOn ? icons.mic : icons.micOff}</span>
              ${p.isHandRaised ? html`<span role="img" aria-label=${s.handPosition(p.handPosition)}>${icons.hand}</span>` : nothing}
            </li>`,
          )}
        </ul>
        ${queue.length > 0
          ? html`<h2>${s.handQueue}</h2>
              <ol>
                ${queue.map((p, index) => html`<li>${index + 1}. ${p.isLocal ? s.you : p.name}</li>`)}
              </ol>`
          : nothing}
      </aside>
      <div part="controls" role="toolbar" aria-label=${s.participants}>
        ${this.unmuteRequest && !session.isAudioOn
          ? html`<span part="request" role="alert">${s.unmuteRequested}</span>`
          : nothing}
        ${this.#renderToggles(session, s)}
        <button
          part="control"
          data-control="hand"
          aria-pressed=${session.isHandRaised ? 'true' : 'false'}
          @click=${() => (session.isHandRaised ? this.lowerHand() : this.raiseHand())}
        >
          ${icons.hand}${session.isHandRaised ? s.lowerHand : s.raiseHand}
        </button>
        ${isTutor
          ? html`<button part="control" data-control="mute-all" @click=${() => this.muteAll()}>${icons.micOff}${s.muteAll}</button>`
          : nothing}
        <button part="control" data-control="leave" class="danger" @click=${() => void this.leave()}>${icons.leave}${s.leave}</button>
      </div>
    </section>`;
  }

  #renderEnded(s: LiveSessionStrings) {
    const reason = this.endReason;
    const text = reason === 'removed' ? s.removed : reason === 'replaced' ? s.replaced : reason === 'left' || reason === null ? s.left : s.disconnected;
    return html`<section part="ended">
      <p role="status">${text}</p>
      ${this.#renderNotices()}
      <slot name="ended"></slot>
      <button part="join-button" class="primary" @click=${() => void this.join().catch(() => undefined)}>${s.rejoin}</button>
    </section>`;
  }
}
