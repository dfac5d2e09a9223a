import { LitElement, html, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import { ContextProvider } from '@lit/context';
import { LiveSession, type LiveSessionOptions } from '../../core/live-session.js';
import { parseLayoutMode, type GridLayoutMode } from '../../core/stage.js';
import type { ChatEntry, SessionErrorDetail, SessionPhase } from '../../core/events.js';
import { isTopology, type Topology } from '../../core/topology.js';
import { isRole, type LeaveReason, type Reaction, type Role } from '../../protocol/index.js';
import { Announcer } from '../../controllers/announcer.js';
import { SessionEventForwarder } from '../../controllers/session-event-forwarder.js';
import { SessionListeners } from '../../controllers/session-listeners.js';
import { SessionOwner } from '../../controllers/session-owner.js';
import { SessionSubscriber } from '../../controllers/session-subscriber.js';
import { sessionContext } from '../../controllers/session-context.js';
import { buttonStyles, themeStyles } from '../shared/base.styles.js';
import type { ElementErrorDetail, TokenProvider } from '../shared/events.js';
import { mergeStrings, type LiveSessionStrings } from '../shared/strings.js';
import { liveSessionStyles } from './live-session.styles.js';
import { networkBlockedText, withNotice, type Notice } from './notices.js';
import { endedView, joiningView, prejoinView, roomView, unsupportedView } from './live-session.templates.js';
import { toParticipantSummary, type ParticipantSummary } from './participant-summary.js';
import { NextValue, requestToken } from './token-request.js';
import { rememberedDevices } from '../device-settings/device-settings.js';
import '../device-settings/define.js';
import '../participant-list/define.js';
import '../session-chat/define.js';
import '../self-preview/define.js';
import '../session-controls/define.js';
import '../video-grid/define.js';

export type { ParticipantSummary } from './participant-summary.js';

/** The settings a session is made from: a change before the join calls for a fresh session. */
const SESSION_SETTINGS = ['server', 'token', 'room', 'name', 'userRole', 'userId', 'topology', 'iceTransportPolicy', 'video', 'audio'] as const;
type SessionSettings = { [K in (typeof SESSION_SETTINGS)[number]]?: unknown };

/**
 * @customElement live-session
 * @summary The whole room: pre-join step, video grid, self preview, control
 * bar, participant list with the hand queue, connection status, and a final
 * state after leaving with a way back in.
 *
 * It composes `<video-grid>` (of `<participant-tile>`s), `<self-preview>`,
 * `<session-controls>` and `<participant-list>`, gives them its session
 * through context, and forwards their parts: style a tile from the page with
 * `live-session::part(tile)`, the self preview's parts with a `preview-`
 * prefix. The `phase` attribute is set by the element, for styling.
 *
 * @fires {CustomEvent<{ room: string; self: Participant; participants: readonly Participant[] }>} ls-joined - The room was joined. Detail: `{ room, self, participants }`.
 * @fires {CustomEvent<LeftDetail>} ls-left - The local participant left or was removed. Detail: `{ reason }`.
 * @fires {CustomEvent<{ participant: Participant }>} ls-participant-joined - Someone joined. Detail: `{ participant }`.
 * @fires {CustomEvent<{ participantId: string | null }>} ls-pinned-changed - Someone was pinned large from a tile's Pin button, or unpinned (from the button, or because they left); comes from the inner `<video-grid>`. Detail: `{ participantId }`.
 * @fires {CustomEvent<{ participant: Participant; reason: LeaveReason }>} ls-participant-left - Someone left. Detail: `{ participant, reason }`.
 * @fires {CustomEvent<{ participant: Participant }>} ls-participant-updated - Someone's camera, mic, hand, stream or connection changed. Detail: `{ participant }`.
 * @fires {CustomEvent<{ state: ConnectionState }>} ls-connection-state - Connection to the server changed. Detail: `{ state }` (`connecting`, `connected`, `reconnecting`, `disconnected`).
 * @fires {CustomEvent<{ handQueue: readonly string[] }>} ls-hand-queue - The order of raised hands changed. Detail: `{ handQueue }` (peer ids).
 * @fires {CustomEvent<{ by: Participant | null }>} ls-muted - The tutor turned your microphone off. Detail: `{ by }`.
 * @fires {CustomEvent<{ by: Participant | null }>} ls-unmute-requested - The tutor asks you to unmute. Detail: `{ by }`.
 * @fires {CustomEvent<{ id: string; speaking: boolean }>} ls-speaking - Someone started or stopped speaking. Detail: `{ id, speaking }` (peer id).
 * @fires {CustomEvent<{ room: string; message: string }>} ls-waiting - The room has a waiting room: the element shows that you wait for the tutor to let you in. Detail: `{ room, message }`.
 * @fires {CustomEvent<{ waiting: readonly WaitingInfo[] }>} ls-waiting-list - Tutors: who waits to be let in changed. Detail: `{ waiting }`.
 * @fires {CustomEvent<{ admission: Readonly<AdmissionInfo> }>} ls-admission - A tutor turned the waiting room or the lock on or off. Detail: `{ admission }`.
 * @fires {CustomEvent<{ by: Participant | null }>} ls-speak-invited - The tutor invites you to speak (the control bar shows Accept / Decline). Detail: `{ by }`.
 * @fires {CustomEvent<{ floor: Readonly<FloorInfo> }>} ls-floor - Who may speak changed: talking-stick mode, invitations, speakers. Detail: `{ floor }`.
 * @fires {CustomEvent<{ participant: Participant; reaction: Reaction }>} ls-reaction - Someone reacted (thumbs-up, clap, confused, slower). Detail: `{ participant, reaction }`.
 * @fires {CustomEvent<{ message: ChatEntry }>} ls-chat-message - A chat message arrived (your own included, once the server has it). Detail: `{ message }`.
 * @fires {CustomEvent<{ id: string }>} ls-chat-deleted - A tutor deleted a chat message. Detail: `{ id }`.
 * @fires {CustomEvent<{ studentsMayChat: boolean }>} ls-chat-policy - A tutor changed whether students may write to everyone. Detail: `{ studentsMayChat }`.
 * @fires {CustomEvent<{ screen: Readonly<ScreenInfo>; sharer: Participant | null }>} ls-screen-share - A screen share started or stopped, or a tutor changed whether students may share. Detail: `{ screen, sharer }`.
 * @fires {CustomEvent<{ reason: 'replaced' }>} ls-screen-share-ended - Your share ended without you stopping it (someone else started one, or students may no longer share). Detail: `{ reason }`.
 * @fires {CustomEvent<ElementErrorDetail>} ls-error - Something failed: media, connection, a refused request, or an invalid `user-role` (code `invalid-role`; the element does not join). Detail: `{ code, message, media?, request? }`.
 * @fires {CustomEvent<TokenExpiringDetail>} ls-token-expiring - The session needs a join token for a re-join and `tokenProvider` is not set (cancelable). Answer with `detail.respondWith(tokenOrPromise)` during the event, or call `preventDefault()` and set the `token` attribute within 30 s. Without an answer the current token is tried; when the server refuses it, the user is told that their link expired. Detail: `{ token, respondWith(token) }`.
 *
 * @slot prejoin - Extra content in the pre-join step (above the Join button); an `autojoin` element shows it only if its join fails.
 * @slot ended - Extra content in the final state after leaving.
 *
 * @csspart prejoin - The pre-join step (with `aria-busy="true"` and `data-joining` while an `autojoin` join is under way).
 * @csspart joining-status - "Joining…", alone in the pre-join step while an `autojoin` join is under way.
 * @csspart unsupported - In place of the room when this browser cannot make calls (no WebRTC, or a plain-HTTP page); `data-problem` says which.
 * @csspart unsupported-heading - Its heading.
 * @csspart unsupported-reason - What is wrong and what to do.
 * @csspart preview-only - Below the preview there: it is only a check.
 * @csspart name-field - The name label and input in the pre-join step.
 * @csspart join-button - The Join button.
 * @csspart notice - A message about the camera or microphone, or a refused join.
 * @csspart notices - In the room: the messages about the camera or microphone, with a Dismiss button.
 * @csspart dismiss - The Dismiss button of the notices (also a `control`).
 * @csspart room - The in-room layout.
 * @csspart banner - The connection banner: while reconnecting, or while your own connection is poor (then also `quality-banner`).
 * @csspart controls - The control bar (`<session-controls>`).
 * @csspart control - Each button of the control bar.
 * @csspart request - The tutor's request to unmute, or invitation to speak (also `request invitation`), or why the attendance was not downloaded (`request attendance-error`).
 * @csspart participants - The participant list and hand queue (`<participant-list>`).
 * @csspart heading - The headings of the participant list.
 * @csspart list - The list of participants.
 * @csspart participant - One participant in the list.
 * @csspart role - The role of a participant in the list.
 * @csspart hand-queue - The ordered list of raised hands.
 * @csspart reactions - The group of reaction buttons of the control bar.
 * @csspart reaction - Each reaction button (also a `control`).
 * @csspart reaction-badge - A tile's reaction of the last 15 s.
 * @csspart floor-badge - "Has the floor" on a student's tile.
 * @csspart preview-reaction-badge - Your reaction, on the self preview.
 * @csspart waiting-room - "Waiting for the tutor to let you in…" while the join waits.
 * @csspart admission - The tutor's Waiting room and Lock room switches in the participant list.
 * @csspart waiting-list - The tutor's list of students waiting to be let in.
 * @csspart admit - The Admit button of a waiting student.
 * @csspart deny - The Deny button of a waiting student.
 * @csspart admit-all - The Admit all button.
 * @csspart list-floor - "has the floor" or "invited to speak" in the participant list.
 * @csspart list-reaction - A participant's reaction in the participant list.
 * @csspart reaction-tally - The tutor's count of current reactions in the participant list.
 * @csspart chat-toggle - The Chat button of the control bar (also a `control`).
 * @csspart participants-toggle - The Participants button of the control bar, in a narrow room only (also a `control`); opens the list as a sheet.
 * @csspart sheet-close - The Close button of the participant sheet (also a `control`).
 * @csspart layout-toggle - The Speaker view button of the control bar (also a `control`; `aria-pressed` in the speaker layout).
 * @csspart unread-badge - The number of unread messages on the Chat button.
 * @csspart chat - The chat panel (`<session-chat>`), open from the Chat button.
 * @csspart chat-heading - The chat's heading.
 * @csspart chat-messages - The chat's list of messages.
 * @csspart chat-message - One chat message (also `chat-message private`, `chat-message own`).
 * @csspart chat-sender - The sender of a chat message.
 * @csspart chat-sender-role - "Tutor" beside the sender of a tutor's chat message.
 * @csspart chat-recipient - The recipient of a private message.
 * @csspart chat-text - The text of a chat message.
 * @csspart chat-delete - A tutor's Delete button on a chat message.
 * @csspart chat-empty - Shown while the chat has no messages.
 * @csspart chat-status - Says that students may not write to everyone.
 * @csspart chat-error - Why the last chat message was not sent.
 * @csspart chat-composer - The chat's form.
 * @csspart chat-send - The chat's Send button.
 * @csspart chat-policy - The tutor's switch for students' messages to everyone.
 * @csspart grid - The tutor view's grid of tiles.
 * @csspart quality - A tile's connection indicator (three bars, `data-quality` `good`, `fair` or `poor`, the figures as its tooltip).
 * @csspart quality-banner - "Your connection is unstable", while your own connection is poor (also a `banner`), with a Turn off incoming video button.
 * @csspart incoming-video-banner - "Incoming video is off…" while it is (also a `banner`), with a button to turn it on.
 * @csspart incoming-video - The Turn off / Turn on incoming video button of those banners (also a `control`).
 * @csspart pin-button - A tile's Pin button (`aria-pressed` while that participant is pinned large).
 * @csspart pager - Below the tutor's grid when its tiles do not all fit at a readable size: Previous, the page, Next.
 * @csspart page-previous - The Previous page button.
 * @csspart page-next - The Next page button.
 * @csspart page-status - "Page 1 of 3".
 * @csspart tile - One `<participant-tile>` in the video grid (also `tile main` for the tutor in student view).
 * @csspart video - The video in a tile.
 * @csspart placeholder - Shown in a tile while that camera is off.
 * @csspart initials - Initials in a tile's placeholder.
 * @csspart name - A tile's name badge.
 * @csspart indicator - A microphone or camera icon in a tile's name badge.
 * @csspart hand-badge - A tile's raised-hand badge.
 * @csspart tile-actions - The tutor's buttons on a tile.
 * @csspart connection-badge - Shown on a tile while its media connection recovers.
 * @csspart strip - The classmates strip in student view.
 * @csspart waiting - The "Waiting for the tutor" panel.
 * @csspart empty - The tutor's panel while no student is there.
 * @csspart enable-audio - The button shown when the browser blocked autoplaying audio.
 * @csspart screen - The shared screen in the presentation layout.
 * @csspart screen-video - The shared screen's video (fitted, never cropped).
 * @csspart screen-caption - "Tess's screen" under the share.
 * @csspart screen-placeholder - Shown until the share's first frames arrive.
 * @csspart screen-fullscreen - The share's Full screen button.
 * @csspart pip - The Picture-in-picture button for the tutor's camera (where supported).
 * @csspart screen-preview - The sharer's own "You are sharing your screen" preview.
 * @csspart devices - The pre-join camera and microphone pickers (`<device-settings>`).
 * @csspart settings - The in-call device settings panel (opened by the Settings button, `control settings-toggle`).
 * @csspart device-field - A device picker's label and select.
 * @csspart device-select - Each device picker (also `camera-select`, `microphone-select`).
 * @csspart mic-level - The pre-join microphone level meter.
 * @csspart preview-video - The self preview's video.
 * @csspart preview-placeholder - The self preview's camera-off placeholder.
 * @csspart preview-initials - The initials in the self preview's placeholder.
 * @csspart preview-label - The self preview's name and microphone badge.
 * @csspart preview-mic-indicator - The microphone icon in the self preview's badge.
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
 * @cssprop --live-session-tile-background - Background of the video tiles.
 * @cssprop --live-session-tile-text - Text colour on the video tiles.
 * @cssprop --live-session-speaking - Outline of a tile (or the self preview) whose participant speaks.
 * @cssprop --live-session-transition - Transitions (buttons, speaking outline); 0ms under reduced motion.
 * @cssprop --live-session-height - Height of the in-room layout (default 560px).
 * @cssprop --live-session-sidebar-width - Width of the participant list.
 * @cssprop --live-session-chat-width - Width of the side column while the chat is open (default 300px).
 */
export class LiveSessionElement extends LitElement {
  static override styles = [themeStyles, buttonStyles, liveSessionStyles];

  /** Base URL of the live-session server. Defaults to the page's own origin. */
  @property()
  server = '';

  /** Signed join token. When the server has a secret, room, name, role and user come only from it. */
  @property()
  token = '';

  /** The room to join (without a token; with one, the token's room wins). */
  @property()
  room = '';

  /** The display name others see (without a token; with one, the token's name wins). */
  @property()
  name = '';

  /**
   * `tutor` or `student`, exactly; anything else fires `ls-error` (`invalid-role`)
   * and the element does not join. With a token, the token's role wins.
   * (`role` is left to ARIA.)
   */
  @property({ attribute: 'user-role' })
  userRole: Role = 'student';

  /** Stable identity; when absent, one is generated and kept for the tab. */
  @property({ attribute: 'user-id' })
  userId = '';

  /** `mesh` (everyone sees everyone) or `star` (students see the tutor only). */
  @property()
  topology: Topology = 'mesh';

  /**
   * `relay` sends media only through the server's TURN relay, for networks that
   * allow nothing else; `all` (default) tries direct paths first.
   */
  @property({ attribute: 'ice-transport-policy' })
  iceTransportPolicy: RTCIceTransportPolicy = 'all';

  /** Skips the pre-join step and joins as soon as the element is connected. */
  @property({ type: Boolean })
  autojoin = false;

  /**
   * `grid` (default: the tutor sees every student, a student sees the tutor
   * large) or `speaker` (whoever speaks large above a strip). The room's
   * Speaker view / Grid view button switches it (and reflects it here).
   */
  @property({ reflect: true, converter: { fromAttribute: (value) => parseLayoutMode(value) } })
  layout: GridLayoutMode = 'grid';

  /** Logs to the console with a `[live-session]` prefix. */
  @property({ type: Boolean })
  debug = false;

  /**
   * Shows tutors a Download attendance button in the control bar. Set it when
   * the server records attendance (see docs/attendance.md).
   */
  @property({ type: Boolean })
  attendance = false;

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

  /**
   * Returns a fresh join token (e.g. from your backend) for every re-join after
   * a connection loss. When not set, the element asks the page with the
   * `ls-token-expiring` event.
   */
  @property({ attribute: false })
  tokenProvider: TokenProvider | undefined;

  @state() private notices: readonly Notice[] = [];
  @state() private endReason: LeaveReason | null = null;
  @state() private nameInput = '';
  /** The server refused the token as expired, or the page could not give a new one. */
  @state() private linkExpired = false;
  @state() private chatOpen = false;
  @state() private settingsOpen = false;
  /** Narrow layouts: the participant list shown as a sheet over the room. */
  @state() private participantsOpen = false;
  /** Messages from others since the chat was last open. */
  @state() private unread = 0;

  readonly #nextToken = new NextValue<string>();
  /** Whether the pre-join step has been on screen (a join from it keeps it while joining; one without it shows a status only). */
  #prejoinShown = false;

  readonly #provider = new ContextProvider(this, { context: sessionContext });
  readonly #subscriber = new SessionSubscriber(this);
  readonly #forwarder = new SessionEventForwarder(this);
  readonly #announcer = new Announcer(this, () => this.#strings);
  readonly #outcomes = new SessionListeners(this, {
    left: (e) => (this.endReason = e.detail.reason),
    error: (e) => this.#onError(e.detail),
    'chat-message': (e) => this.#onChatMessage(e.detail.message),
  });
  readonly #owner = new SessionOwner(
    this,
    () => this.#createSession(),
    (session) => {
      this.#provider.setValue(session);
      this.#subscriber.session = session;
      this.#forwarder.session = session;
      this.#announcer.session = session;
      this.#outcomes.session = session;
      this.notices = [];
      this.unread = 0;
    },
  );

  /** The session controller this element owns (created on connect; replaced by a rejoin after leaving). */
  get session(): LiveSession | undefined {
    return this.#owner.session;
  }

  /** The session phase: `idle`, `joining`, `joined`, `left` (reflected as `phase`, for styling). */
  get phase(): SessionPhase {
    return this.session?.phase ?? 'idle';
  }

  /** Everyone in the room, the local participant included. Read-only. */
  get participants(): readonly ParticipantSummary[] {
    return (this.session?.participants ?? []).map(toParticipantSummary);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Frameworks set properties just after connecting the element (React
    // through @lit/react, Angular's bindings, a script after the tag): the
    // join or the preview waits for an update, when those are in. The first
    // connection starts them in the first update, before its render (see
    // willUpdate); a later one (put back in the page) once it has updated.
    if (!this.hasUpdated) return;
    void this.updateComplete.then(() => {
      if (this.isConnected) this.#start();
    });
  }

  #start(): void {
    // Moved in the page after the join or after leaving: nothing to start again.
    if (this.session && this.session.phase !== 'idle') return;
    if (this.autojoin) void this.join().catch(() => undefined);
    // Where no call can start, the preview still checks the devices.
    if (!this.autojoin || this.session?.callProblem) void this.session?.startPreview();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('token')) this.#nextToken.offer(this.token);
    if (this.#sessionIsStale()) {
      // Still before the join: follow the new settings with a fresh session
      // (before the first update nothing has started yet, so nothing restarts).
      const session = this.#owner.replace();
      if (this.hasUpdated) void session.startPreview();
    }
    // `autojoin` turned on after the first update: join now.
    if (changed.has('autojoin') && this.hasUpdated && this.autojoin && this.session?.phase === 'idle') void this.join().catch(() => undefined);
    if (this.session) this.session.log.enabled = this.debug;
    // The first update: the join's socket and camera start now, in the same
    // task, while the page goes on to render (on a cold page the first render
    // and the scripts around it hold the main thread for a few hundred ms).
    if (!this.hasUpdated && this.isConnected) this.#start();
  }

  /** The settings the current session was made from. */
  #sessionSettings: SessionSettings = {};

  /** The session has not started anything and its settings are no longer the element's. */
  #sessionIsStale(): boolean {
    return this.session?.phase === 'idle' && SESSION_SETTINGS.some((key) => this[key] !== this.#sessionSettings[key]);
  }

  protected override updated(): void {
    // The only writer of the `phase` attribute.
    this.setAttribute('phase', this.phase);
  }

  #createSession(): LiveSession {
    this.#sessionSettings = Object.fromEntries(SESSION_SETTINGS.map((key) => [key, this[key]]));
    // `tokenProvider` is the session's option for fresh tokens at each re-join.
    const options: LiveSessionOptions = {
      server: this.server || (typeof location === 'undefined' ? '/' : location.origin + '/'),
      ...(this.token ? { token: this.token } : {}),
      ...(this.room ? { room: this.room } : {}),
      name: this.nameInput || this.name,
      role: isRole(this.userRole) ? this.userRole : 'student',
      ...(this.userId ? { userId: this.userId } : {}),
      topology: isTopology(this.topology) ? this.topology : 'mesh',
      iceTransportPolicy: this.iceTransportPolicy === 'relay' ? 'relay' : 'all',
      debug: this.debug,
      ...(this.video !== undefined ? { video: this.video } : {}),
      ...(this.audio !== undefined ? { audio: this.audio } : {}),
      devices: rememberedDevices(),
      tokenProvider: () => this.#provideToken(),
    };
    return new LiveSession(options);
  }

  /** A fresh token for a re-join: from `tokenProvider`, else asked of the page. */
  async #provideToken(): Promise<string> {
    try {
      const token = await (this.tokenProvider ?? (() => requestToken(this, this.token, (ms) => this.#nextToken.next(ms, 'token'))))();
      this.token = token;
      // The session asked for this token itself: it is not a setting that makes the session stale.
      this.#sessionSettings = { ...this.#sessionSettings, token };
      return token;
    } catch (error) {
      this.linkExpired = true;
      throw error;
    }
  }

  get #strings(): LiveSessionStrings {
    return mergeStrings(this.strings);
  }

  #onError(detail: SessionErrorDetail): void {
    if (detail.code === 'token-expired') {
      this.linkExpired = true;
      if (this.session?.phase !== 'joined') this.notices = withNotice(this.notices, { kind: 'error', text: this.#strings.linkExpired });
      return;
    }
    if (detail.code === 'network-blocked') this.notices = withNotice(this.notices, { kind: 'media', text: networkBlockedText(detail, this.#strings) });
    // SFU rooms: nobody's video or sound gets through until the video server is back; the room itself works.
    else if (detail.code === 'sfu-unavailable') this.notices = withNotice(this.notices, { kind: 'media', text: detail.message });
    else if (detail.code === 'media') {
      const text = detail.media ? this.#strings.mediaProblem(detail.media.kind, detail.media.problem) : detail.message;
      this.notices = withNotice(this.notices, { kind: 'media', text });
    }
    else if (detail.code === 'webrtc-unsupported' || detail.code === 'insecure-context') return; // the whole view says it
    else if (this.session?.phase !== 'joined') this.notices = withNotice(this.notices, { kind: 'error', text: detail.message });
    else this.#announcer.announce(detail.message);
  }

  #onChatMessage(message: ChatEntry): void {
    // An open chat is a live log that screen readers follow; a closed one counts and announces.
    if (this.chatOpen || message.isLocal) return;
    this.unread += 1;
    const s = this.#strings;
    const text = message.text.length > 140 ? `${message.text.slice(0, 140)}…` : message.text;
    this.#announcer.announce(s.chatAnnouncement(message.from.name, text));
  }

  #toggleParticipants(open = !this.participantsOpen): void {
    this.participantsOpen = open;
    void this.updateComplete.then(() => {
      const target = open ? this.renderRoot.querySelector<HTMLElement>('[part~="sheet-close"]') : this.renderRoot.querySelector<HTMLElement>('[data-control="participants"]');
      target?.focus();
    });
  }

  #toggleChat(): void {
    this.chatOpen = !this.chatOpen;
    if (!this.chatOpen) return;
    this.unread = 0;
    void this.updateComplete.then(() => this.renderRoot.querySelector('session-chat')?.focus());
  }

  // ---------------------------------------------------------------- public methods

  /** Joins the room (after the pre-join step, or directly). Rejects when the server refuses. */
  async join(): Promise<void> {
    this.notices = this.notices.filter((n) => n.kind !== 'join');
    this.#checkRole();
    const current = this.session;
    // Settings written just before join(), in the same task, are not yet in the session: take them.
    const session = !current || current.phase === 'left' || this.#sessionIsStale() ? this.#owner.replace() : current;
    this.endReason = null;
    this.linkExpired = false;
    try {
      await session.join();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.notices = withNotice(this.notices, { kind: 'join', text: message });
      throw error;
    }
  }

  /**
   * Throws (after an `ls-error` with code `invalid-role`) unless the role is
   * exactly `tutor` or `student`. A `role="tutor"` left from older markup is
   * refused the same way rather than joining as a student.
   */
  #checkRole(): void {
    const legacy = this.getAttribute('role');
    const fromLegacy = !this.hasAttribute('user-role') && legacy !== null && /^\s*(tutor|student)\s*$/i.test(legacy);
    if (isRole(this.userRole) && !fromLegacy) return;
    const message = this.#strings.invalidRole(fromLegacy ? `role="${legacy}"` : `user-role="${this.userRole}"`);
    const detail: ElementErrorDetail = { code: 'invalid-role', message };
    this.dispatchEvent(new CustomEvent('ls-error', { detail, bubbles: true, composed: true }));
    this.notices = withNotice(this.notices, { kind: 'join', text: message });
    throw Object.assign(new Error(message), { code: 'invalid-role' });
  }

  /** Leaves the room; the element shows its final state with a way to rejoin. */
  async leave(): Promise<void> {
    await this.session?.leave();
  }

  /** Turns the camera off or on, as the control bar's button does. */
  toggleCamera(): Promise<void> {
    return this.session?.toggleCamera() ?? Promise.resolve();
  }

  /** Turns the microphone off or on, as the control bar's button does. */
  toggleMic(): Promise<void> {
    return this.session?.toggleMic() ?? Promise.resolve();
  }

  /** Raises the local participant's hand (a place in the hand queue). */
  raiseHand(): void {
    this.session?.raiseHand();
  }

  /** Lowers the local participant's hand. */
  lowerHand(): void {
    this.session?.lowerHand();
  }

  /** Tutor only: turns a participant's microphone off. */
  muteParticipant(id: string): void {
    this.session?.muteParticipant(id);
  }

  /** Tutor only: turns every student's microphone off. */
  muteAll(): void {
    this.session?.muteAll();
  }

  /** Tutor only: removes a participant from the room. */
  removeParticipant(id: string): void {
    this.session?.removeParticipant(id);
  }
  /** Tutor only: lets a removed participant (by user id) join again. */
  readmitParticipant(userId: string): void {
    this.session?.readmitParticipant(userId);
  }

  /** Tutor only: invites a student to speak (they accept or decline). */
  inviteToSpeak(id: string): void {
    this.session?.inviteToSpeak(id);
  }

  /** Tutor only: ends a student's turn (microphone off, hand down). */
  endTurn(id: string): void {
    this.session?.endTurn(id);
  }

  /** Tutor only: talking-stick mode, where students unmute only when invited. */
  setTalkingStick(on: boolean): void {
    this.session?.setTalkingStick(on);
  }

  /** Sends a reaction (`thumbs-up`, `clap`, `confused`, `slower`), as the control bar's buttons do. */
  react(reaction: Reaction): void {
    this.session?.react(reaction);
  }

  /**
   * Sends a chat message to everyone, or privately with `{ to: peerId }`.
   * Returns false when it was not sent (see the session's `sendChat`).
   */
  sendChat(text: string, options: { to?: string } = {}): boolean {
    return this.session?.sendChat(text, options) ?? false;
  }

  /** Opens or closes the chat panel, as the Chat button does. */
  toggleChat(open = !this.chatOpen): void {
    if (open !== this.chatOpen) this.#toggleChat();
  }

  /**
   * Tutor only: saves the room's attendance as a CSV file, as the Download
   * attendance button does. Rejects with the session's `SessionError` (e.g.
   * `attendance-unavailable` when the server records none or runs without tokens).
   */
  downloadAttendance(): Promise<void> {
    return this.session?.downloadAttendance() ?? Promise.reject(new Error('The element has no session yet.'));
  }


  // ---------------------------------------------------------------- rendering

  protected override render() {
    const session = this.session;
    const live = this.#announcer.render();
    if (!session) return live;
    const input = { session, s: this.#strings, strings: this.strings, notices: this.notices };
    const problem = session.callProblem;
    if (problem && session.phase !== 'joined') return html`${unsupportedView({ ...input, problem })}${live}`;
    if (session.phase === 'idle' || session.isWaiting) this.#prejoinShown = true;
    switch (session.phase) {
      case 'idle':
      case 'joining':
        if (session.phase === 'joining' && !this.#prejoinShown) return html`${joiningView(input)}${live}`;
        return html`${prejoinView({
          ...input,
          askName: !this.token && !this.name,
          nameInput: this.nameInput,
          onName: (name) => (this.nameInput = name),
          onJoin: () => {
            if (this.nameInput) this.session?.setName(this.nameInput);
            void this.join().catch(() => undefined);
          },
        })}${live}`;
      case 'left':
        return html`${endedView({
          ...input,
          reason: this.endReason,
          linkExpired: this.linkExpired,
          onRejoin: () => void this.join().catch(() => undefined),
        })}${live}`;
      case 'joined':
        return html`${roomView({
          ...input,
          chatOpen: this.chatOpen,
          unread: this.unread,
          onToggleChat: () => this.#toggleChat(),
          settingsOpen: this.settingsOpen,
          onToggleSettings: () => (this.settingsOpen = !this.settingsOpen),
          participantsOpen: this.participantsOpen,
          onToggleParticipants: (open?: boolean) => this.#toggleParticipants(open),
          onDismiss: () => (this.notices = []),
          attendance: this.attendance,
          layout: parseLayoutMode(this.layout),
          onToggleLayout: () => (this.layout = parseLayoutMode(this.layout) === 'speaker' ? 'grid' : 'speaker'),
        })}${live}`;
    }
  }
}
