import { html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import type { Participant } from '../../core/events.js';
import { pageGrid } from '../../core/grid-layout.js';
import { featuredParticipant, nextActiveSpeaker, parseLayoutMode, stripOrder, type ActiveSpeaker, type GridLayoutMode } from '../../core/stage.js';
import type { SpeakingChange } from '../../controllers/session-subscriber.js';
import { buttonStyles, themeStyles } from '../shared/base.styles.js';
import { startAudible } from '../shared/autoplay.js';
import { icons } from '../shared/icons.js';
import type { LiveSession } from '../../core/live-session.js';
import { SessionElement } from '../shared/session-element.js';
import type { ParticipantTile } from '../participant-tile/participant-tile.js';
import '../participant-tile/define.js';
import { videoGridStyles } from './video-grid.styles.js';

/** The parts of each `<participant-tile>` that `<video-grid>` forwards, under the same names. */
const TILE_PARTS = 'video, placeholder, initials, name, indicator, hand-badge, reaction-badge, floor-badge, tile-actions, connection-badge, pin-button, quality';

/** The page bar's height below a paged grid, px. */
const PAGER_HEIGHT = 48;

/**
 * @customElement video-grid
 * @summary The remote participants. Tutor view: every student in a grid
 * that fills the area at any aspect ratio; when the tiles would be narrower
 * than a readable 160 px (a large class, a phone), a page at a time with
 * Previous and Next ("Page 1 of 3"). Student view: the tutor large, classmates in a strip, and "Waiting for the
 * tutor" while none is there. Presentation: while someone else shares a
 * screen, the share fills the stage (fitted, never cropped, captioned with the
 * sharer's name, with a Full screen button) and every camera goes to the strip,
 * the tutor's first (with Picture-in-picture where the browser offers it); the
 * sharer sees a small "You are sharing your screen" preview instead.
 *
 * Inside `<live-session>` it follows the session from context; on its own, set
 * the `session` property to a `LiveSession`. Each participant is a
 * `<participant-tile>`, whose parts are forwarded under the same names. The
 * `view` attribute (`tutor` or `student`) is set by the grid, for styling.
 *
 * @csspart grid - The tutor view's grid of tiles.
 * @csspart pager - Below the grid when its tiles do not all fit at a readable size: Previous, the page, Next.
 * @csspart page-previous - The Previous page button.
 * @csspart page-next - The Next page button.
 * @csspart page-status - "Page 1 of 3".
 * @csspart tile - One `<participant-tile>` (also `tile main` for the tutor in student view), with its state attributes `speaking`, `muted`, `camera-off`, `hand-raised`.
 * @csspart video - The video in a tile.
 * @csspart placeholder - Shown in a tile while that camera is off.
 * @csspart initials - Initials in the placeholder.
 * @csspart name - The name badge with microphone and camera indicators.
 * @csspart indicator - A microphone or camera icon in the name badge.
 * @csspart hand-badge - The raised-hand badge with the queue position.
 * @csspart reaction-badge - A tile's reaction of the last 15 s.
 * @csspart floor-badge - "Has the floor" on a student's tile.
 * @csspart tile-actions - The tutor's buttons on a tile.
 * @csspart strip - The classmates strip in student view.
 * @csspart waiting - The "Waiting for the tutor" panel.
 * @csspart empty - The tutor's panel while no student is there.
 * @csspart enable-audio - The button shown when the browser blocked autoplaying audio.
 * @csspart connection-badge - Shown on a tile while its media connection recovers.
 * @csspart pin-button - A tile's Pin button (`aria-pressed` while pinned).
 * @csspart quality - A tile's connection indicator (`data-quality`: `good`, `fair`, `poor`).
 * @csspart screen - The shared screen in the presentation layout (a `figure`).
 * @csspart screen-video - The shared screen's video (fitted inside, never cropped).
 * @csspart screen-caption - "Tess's screen" under the share.
 * @csspart screen-placeholder - Shown until the share's first frames arrive.
 * @csspart screen-fullscreen - The Full screen button of the share.
 * @csspart pip - The Picture-in-picture button for the tutor's camera (where supported).
 * @csspart screen-preview - The sharer's own small "You are sharing your screen" preview.
 *
 * @fires {CustomEvent<{ participantId: string | null }>} ls-pinned-changed - Someone was pinned or unpinned from a tile's button, or the pinned participant left (bubbles, composed). Detail: `{ participantId }`, null when nobody is pinned.
 *
 * @cssprop --live-session-gap - Space between tiles.
 * @cssprop --live-session-radius - Tile corner radius.
 * @cssprop --live-session-tile-background - Tile background.
 * @cssprop --live-session-tile-text - Tile text colour.
 * @cssprop --live-session-speaking - Outline of a tile whose participant speaks.
 * @cssprop --video-grid-strip-tile-width - Width of a classmate tile in the strip.
 */
export class VideoGrid extends SessionElement {
  static override styles = [themeStyles, buttonStyles, videoGridStyles];
  protected static override followsSpeaking = true;

  /** `grid` (everyone; the tutor large in the student view) or `speaker` (the active speaker large above a strip). Anything else is `grid`. */
  @property({ reflect: true, converter: { fromAttribute: (value) => parseLayoutMode(value) } })
  layout: GridLayoutMode = 'grid';

  /** The id of the participant pinned large, or null. Set by the tiles' Pin buttons; may be set by the page. */
  @property({ attribute: false })
  pinned: string | null = null;

  /** Who spoke last and since when (the speaker layout's stage); followed in either layout, rendered only in `speaker`. */
  #activeSpeaker: ActiveSpeaker | null = null;

  /** Who speaks now, the most recent to start first. */
  #speakingNow: string[] = [];

  /** True while the browser blocks autoplaying audio; a button offers to start it. */
  @state()
  private audioBlocked = false;

  @state()
  private columns = 1;

  /** The tutor view's tile width (px) that fits the area, 0 until measured. */
  @state()
  private tileWidth = 0;

  /** Tutor view: tiles a page holds (all of them while they fit at a readable size). */
  @state()
  private perPage = Number.POSITIVE_INFINITY;

  /** Tutor view: the page asked for (0-based); the grid shows the last one when there are fewer now. */
  @state()
  private page = 0;

  #resizeObserver: ResizeObserver | null = null;
  #size = { width: 0, height: 0 };

  override connectedCallback(): void {
    super.connectedCallback();
    this.#resizeObserver = new ResizeObserver((entries) => {
      const box = entries[0]?.contentRect;
      if (!box) return;
      this.#size = { width: box.width, height: box.height };
      this.#relayout();
      // The tiles may have changed size without a new render (the columns stayed).
      this.#reportSizesSoon();
    });
    this.#resizeObserver.observe(this);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this.#reportFrame !== undefined) cancelAnimationFrame(this.#reportFrame);
    this.#reportFrame = undefined;
    this.#reportSizes(true);
    this.#resizeObserver?.disconnect();
    this.#resizeObserver = null;
    clearTimeout(this.#recheck);
    this.#recheck = undefined;
  }

  /** Which view is shown: `tutor` or `student` (reflected as `view`, for styling). */
  get view(): 'tutor' | 'student' {
    return this.currentSession?.role === 'tutor' ? 'tutor' : 'student';
  }

  /** Whether someone else's screen share fills the stage (reflected as `presenting`, for styling). */
  get presenting(): boolean {
    return this.#presenter !== null;
  }

  /** The participant whose share is shown large: someone else sharing now. */
  get #presenter(): Participant | null {
    const session = this.currentSession;
    const id = session?.screenShare.sharer ?? null;
    if (!session || id === null || id === session.peerId) return null;
    return session.participants.find((p) => p.id === id) ?? null;
  }

  /** The remote participants shown (local excluded). */
  get remoteParticipants(): readonly Participant[] {
    return this.currentSession?.participants.filter((p) => !p.isLocal) ?? [];
  }

  /** The participant shown large now (pinned, or the speaker layout's choice), or null. */
  get featured(): string | null {
    return this.#featured(this.remoteParticipants);
  }

  #featured(remote: readonly Participant[]): string | null {
    return featuredParticipant({ layout: parseLayoutMode(this.layout), pinned: this.pinned, activeSpeaker: this.#activeSpeaker?.id ?? null, participants: remote });
  }

  // Speaking changes often: a new render only when the stage changes hands.
  protected override speakingChanged({ id, speaking }: SpeakingChange): void {
    this.#speakingNow = this.#speakingNow.filter((other) => other !== id);
    if (speaking) this.#speakingNow.unshift(id);
    this.#updateActiveSpeaker();
  }

  #updateActiveSpeaker(): void {
    const present = new Set(this.remoteParticipants.map((p) => p.id));
    const next = nextActiveSpeaker(this.#activeSpeaker, this.#speakingNow, present, performance.now());
    // A silent challenger may take over once the hold ends: look again then.
    if (next && this.#speakingNow.some((id) => id !== next.id && present.has(id)) && !this.#speakingNow.includes(next.id)) this.#recheckLater();
    if (next?.id === this.#activeSpeaker?.id) return;
    this.#activeSpeaker = next;
    if (parseLayoutMode(this.layout) === 'speaker' && this.pinned === null) this.requestUpdate();
  }

  #recheck: ReturnType<typeof setTimeout> | undefined;
  #recheckLater(): void {
    if (this.#recheck !== undefined) return;
    this.#recheck = setTimeout(() => {
      this.#recheck = undefined;
      if (this.isConnected) this.#updateActiveSpeaker();
    }, 500);
  }

  readonly #onPinToggle = (event: CustomEvent<{ participantId: string }>): void => {
    const id = event.detail.participantId;
    this.#setPinned(this.pinned === id ? null : id);
  };

  #setPinned(id: string | null): void {
    if (id === this.pinned) return;
    this.pinned = id;
    this.dispatchEvent(new CustomEvent('ls-pinned-changed', { detail: { participantId: id }, bubbles: true, composed: true }));
  }

  #relayout(): void {
    const students = this.remoteParticipants.filter((p) => p.role !== 'tutor' || this.view === 'tutor');
    const width = this.#size.width;
    const height = this.#size.height || width * 0.5625;
    let paged = pageGrid(Math.max(1, students.length), width, height);
    // A page bar takes its row below the grid.
    if (paged.pages > 1) paged = pageGrid(students.length, width, Math.max(1, height - PAGER_HEIGHT));
    const { columns, tileWidth } = paged.layout;
    if (columns > 0 && columns !== this.columns) this.columns = columns;
    if (tileWidth !== this.tileWidth) this.tileWidth = tileWidth;
    const perPage = paged.pages > 1 ? paged.perPage : Number.POSITIVE_INFINITY;
    if (perPage !== this.perPage) this.perPage = perPage;
  }

  #renderGrid(session: LiveSession | undefined, students: readonly Participant[]): TemplateResult {
    const s = this.text;
    const pages = Number.isFinite(this.perPage) ? Math.ceil(students.length / this.perPage) : 1;
    const page = Math.min(this.page, pages - 1);
    const shown = pages > 1 ? students.slice(page * this.perPage, (page + 1) * this.perPage) : students;
    const grid = html`<div part="grid" role="list" aria-label=${s.participants}>
      ${repeat(shown, (p) => p.id, (p) => this.#tile(p, session, false))}
    </div>`;
    if (pages <= 1) return grid;
    return html`<div class="paged">
      ${grid}
      <nav part="pager" aria-label=${s.pages}>
        <button part="page-previous" ?disabled=${page === 0} @click=${() => (this.page = page - 1)}>${s.previousPage}</button>
        <span part="page-status" aria-live="polite">${s.pageOf(page + 1, pages)}</span>
        <button part="page-next" ?disabled=${page >= pages - 1} @click=${() => (this.page = page + 1)}>${s.nextPage}</button>
      </nav>
    </div>`;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    // A pinned participant who left is unpinned.
    const pinned = this.pinned;
    if (pinned !== null && this.currentSession && !this.remoteParticipants.some((p) => p.id === pinned)) this.#setPinned(null);
    this.#relayout();
  }

  protected override updated(): void {
    // The only writer of the `view` and `presenting` attributes.
    this.setAttribute('view', this.view);
    this.toggleAttribute('presenting', this.presenting);
    // The grid's measures through the CSSOM, not a style attribute: a page whose Content-Security-Policy
    // allows no inline style (style-src without 'unsafe-inline') still gets them.
    const grid = this.renderRoot.querySelector<HTMLElement>('[part="grid"]');
    if (grid) {
      grid.style.setProperty('--_columns', String(this.columns));
      if (this.tileWidth > 0) grid.style.setProperty('--_tile-width', `${String(this.tileWidth)}px`);
      else grid.style.removeProperty('--_tile-width');
    }
    this.#reportSizesSoon();
  }

  #reportFrame: number | undefined;
  /** Measures the tiles at the next frame, once the layout settled (several changes, one measure). */
  #reportSizesSoon(): void {
    if (this.#reportFrame !== undefined) return;
    this.#reportFrame = requestAnimationFrame(() => {
      this.#reportFrame = undefined;
      if (this.isConnected) this.#reportSizes();
    });
  }

  /** The session the sizes were reported to, and what it was told (`WxH` by participant id). */
  #reportedTo: LiveSession | undefined;
  readonly #reported = new Map<string, string>();

  /**
   * Tells the session how large each remote participant's tile is, and which
   * are no longer shown (`LiveSession.setVideoSize`): in SFU rooms that picks
   * the layer the SFU sends and whom it sends at all. Only changes are
   * reported. `gone`: the grid left the page, nothing is shown any more.
   */
  #reportSizes(gone = false): void {
    const session = this.currentSession;
    if (session !== this.#reportedTo) {
      this.#reported.clear();
      this.#reportedTo = session;
    }
    if (!session) return;
    const sizes = new Map<string, { width: number; height: number }>();
    if (!gone) {
      for (const tile of this.renderRoot.querySelectorAll<HTMLElement>('participant-tile[data-participant]')) {
        const id = tile.dataset['participant'];
        if (!id || id === session.peerId) continue;
        const box = tile.getBoundingClientRect();
        const size = { width: Math.round(box.width), height: Math.round(box.height) };
        if (size.width === 0 || size.height === 0) continue;
        const other = sizes.get(id);
        // Shown twice (a stage and a thumbnail): the larger tile decides.
        if (!other || size.width * size.height > other.width * other.height) sizes.set(id, size);
      }
    }
    for (const id of [...this.#reported.keys()]) {
      if (sizes.has(id)) continue;
      this.#reported.delete(id);
      session.setVideoSize(id, null);
    }
    for (const [id, size] of sizes) {
      const key = `${String(size.width)}x${String(size.height)}`;
      if (this.#reported.get(id) === key) continue;
      this.#reported.set(id, key);
      session.setVideoSize(id, size);
    }
  }

  readonly #onAutoplayBlocked = (): void => {
    this.audioBlocked = true;
  };

  #enableAudio(): void {
    const tiles = [...this.renderRoot.querySelectorAll<ParticipantTile>('participant-tile')];
    // A play() aborted by a new stream is not a refusal: only NotAllowedError keeps the button.
    const screen = this.renderRoot.querySelector<HTMLVideoElement>('[part~="screen-video"]');
    const plays = [...tiles.map((tile) => tile.play()), ...(screen ? [screen.play()] : [])];
    void Promise.allSettled(plays).then((results) => {
      const refused = results.some((r) => r.status === 'rejected' && r.reason instanceof DOMException && r.reason.name === 'NotAllowedError');
      if (!refused) this.audioBlocked = false;
    });
  }

  protected override render() {
    const s = this.text;
    const session = this.currentSession;
    const remote = this.remoteParticipants;
    const enableAudio = this.audioBlocked
      ? html`<button part="enable-audio" class="primary" @click=${this.#enableAudio}>${icons.speaker}${s.enableAudio}</button>`
      : nothing;

    const presenter = this.#presenter;
    if (session && presenter) return html`${enableAudio}${this.#renderPresentation(session, presenter, remote)}`;
    const ownShare = session?.isSharingScreen ? this.#renderOwnShare(session) : nothing;

    const featured = this.#featured(remote);
    const star = featured === null ? undefined : remote.find((p) => p.id === featured);
    if (star) return html`${enableAudio}${ownShare}${this.#renderStage(session, star, stripOrder(remote, star.id))}`;

    if (this.view === 'tutor') {
      const students = remote;
      return html`${enableAudio}${ownShare}
        ${students.length === 0
          ? html`<div part="empty">${s.noStudentsYet}</div>`
          : this.#renderGrid(session, students)}`;
    }

    const tutor = remote.find((p) => p.role === 'tutor');
    return html`${enableAudio}${ownShare}${this.#renderStage(session, tutor, remote.filter((p) => p !== tutor))}`;
  }

  /** One participant large (or "Waiting for the tutor" while there is none) above a strip of the others. */
  #renderStage(session: LiveSession | undefined, main: Participant | undefined, others: readonly Participant[]): TemplateResult {
    const s = this.text;
    return html`<div class="stage">
      ${main ? this.#tile(main, session, true) : html`<div part="waiting" role="status">${s.waitingForTutor}</div>`}
      ${this.#renderStrip(session, others)}
    </div>`;
  }

  /** The strip of smaller tiles beside a stage or a shared screen (nothing when empty). */
  #renderStrip(session: LiveSession | undefined, participants: readonly Participant[]): TemplateResult | typeof nothing {
    if (participants.length === 0) return nothing;
    return html`<div part="strip" role="list" aria-label=${this.text.participants}>
      ${repeat(participants, (p) => p.id, (p) => this.#tile(p, session, false))}
    </div>`;
  }

  #renderPresentation(session: LiveSession, presenter: Participant, remote: readonly Participant[]): TemplateResult {
    const s = this.text;
    const stream = session.screenStream;
    const tutor = remote.find((p) => p.role === 'tutor');
    const cameras = tutor ? [tutor, ...remote.filter((p) => p !== tutor)] : remote;
    const label = s.screenOf(presenter.name);
    const pip = tutor && session.role !== 'tutor' && tutor.isVideoOn && typeof document !== 'undefined' && document.pictureInPictureEnabled;
    return html`<div class="presentation">
      <figure part="screen" aria-label=${label}>
        ${stream
          ? html`<video
              part="screen-video"
              autoplay
              playsinline
              .muted=${stream.getAudioTracks().length === 0}
              .srcObject=${stream}
              @loadedmetadata=${this.#playScreen}
              aria-label=${label}
            ></video>`
          : html`<div part="screen-placeholder">${label}</div>`}
        <figcaption part="screen-caption">${label}</figcaption>
        <div class="screen-actions">
          <button part="screen-fullscreen" @click=${this.#fullScreen}>${icons.fullScreen}${s.fullScreen}</button>
          ${pip ? html`<button part="pip" @click=${() => this.#pictureInPicture(tutor.id)}>${icons.pip}${s.pictureInPicture(tutor.name)}</button>` : nothing}
        </div>
      </figure>
      ${this.#renderStrip(session, cameras)}
    </div>`;
  }

  /** The sharer's own view: a small muted preview of what it sends, never the share full size (no infinite mirror). */
  #renderOwnShare(session: LiveSession): TemplateResult {
    const s = this.text;
    return html`<figure part="screen-preview">
      <video autoplay playsinline .muted=${true} .srcObject=${session.screenStream} aria-hidden="true"></video>
      <figcaption>${icons.screen}${s.youAreSharing}</figcaption>
    </figure>`;
  }

  readonly #playScreen = (event: Event): void => {
    startAudible(event.target as HTMLVideoElement, () => (this.audioBlocked = true));
  };


  readonly #fullScreen = (): void => {
    const figure = this.renderRoot.querySelector<HTMLElement>('[part~="screen"]');
    if (!figure) return;
    if (document.fullscreenElement) void document.exitFullscreen();
    else figure.requestFullscreen().catch(() => undefined);
  };

  #pictureInPicture(id: string): void {
    const tile = this.renderRoot.querySelector<ParticipantTile>(`participant-tile[data-participant="${CSS.escape(id)}"]`);
    void tile?.pictureInPicture().catch(() => undefined);
  }

  #tile(p: Participant, session: LiveSession | undefined, main: boolean): TemplateResult {
    return html`<participant-tile
      part=${main ? 'tile main' : 'tile'}
      exportparts=${TILE_PARTS}
      role=${main ? nothing : 'listitem'}
      data-participant=${p.id}
      ?data-main=${main}
      .session=${session}
      .participant=${p}
      .strings=${this.strings}
      pinnable
      ?pinned=${this.pinned === p.id}
      @ls-autoplay-blocked=${this.#onAutoplayBlocked}
      @ls-pin-toggle=${this.#onPinToggle}
    ></participant-tile>`;
  }
}
