import { LitElement, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { styleMap } from 'lit/directives/style-map.js';
import { ContextConsumer } from '@lit/context';
import type { LiveSession } from '../../core/live-session.js';
import type { Participant } from '../../core/events.js';
import { chooseGridLayout } from '../../core/grid-layout.js';
import { SessionController } from '../../controllers/session-controller.js';
import { sessionContext } from '../../controllers/session-context.js';
import { themeStyles } from '../shared/base.styles.js';
import { icons } from '../shared/icons.js';
import { initials, mergeStrings, type LiveSessionStrings } from '../shared/strings.js';
import { videoGridStyles } from './video-grid.styles.js';

/**
 * @summary The remote participants. Tutor view: every student in a grid.
 * Student view: the tutor large, classmates in a strip, and "Waiting for the
 * tutor" while none is there.
 *
 * Inside `<live-session>` it follows the session from context; on its own, set
 * the `session` property to a `LiveSession`.
 *
 * @csspart grid - The tutor view's grid of tiles.
 * @csspart tile - One participant (also `tile main` for the tutor in student view).
 * @csspart placeholder - Shown in a tile while that camera is off.
 * @csspart initials - Initials in the placeholder.
 * @csspart name - The name badge with microphone and camera indicators.
 * @csspart indicator - A microphone or camera icon in the name badge.
 * @csspart hand-badge - The raised-hand badge with the queue position.
 * @csspart tile-actions - The tutor's buttons on a tile.
 * @csspart strip - The classmates strip in student view.
 * @csspart waiting - The "Waiting for the tutor" panel.
 * @csspart empty - The tutor's panel while no student is there.
 * @csspart enable-audio - The button shown when the browser blocked autoplaying audio.
 * @csspart connection-badge - Shown on a tile while its media connection recovers.
 *
 * @cssprop --live-session-gap - Space between tiles.
 * @cssprop --live-session-radius - Tile corner radius.
 * @cssprop --live-session-tile-background - Tile background.
 * @cssprop --live-session-tile-text - Tile text colour.
 * @cssprop --live-session-speaking - Outline of a tile whose participant speaks.
 * @cssprop --video-grid-strip-tile-width - Width of a classmate tile in the strip.
 */
export class VideoGrid extends LitElement {
  static override styles = [themeStyles, videoGridStyles];

  /** The session to show; taken from an enclosing `<live-session>` when not set. */
  @property({ attribute: false })
  session: LiveSession | undefined;

  /** Replaces visible strings (see `LiveSessionStrings`). */
  @property({ attribute: false })
  strings: Partial<LiveSessionStrings> | undefined;

  /** Reflects which view is shown, for styling: `tutor` or `student`. */
  @property({ reflect: true })
  view: 'tutor' | 'student' = 'student';

  /** True while the browser blocks autoplaying audio; a button offers to start it. */
  @state()
  private audioBlocked = false;

  @state()
  private columns = 1;

  // Speaking changes often: only the one tile attribute changes, no re-render.
  readonly #watch = new SessionController(this, {
    onSpeaking: ({ id, speaking }) => {
      this.renderRoot.querySelector(`[data-participant="${CSS.escape(id)}"]`)?.toggleAttribute('data-speaking', speaking);
    },
  });
  readonly #fromContext = new ContextConsumer(this, {
    context: sessionContext,
    subscribe: true,
    callback: () => this.requestUpdate(),
  });
  #resizeObserver: ResizeObserver | null = null;
  #size = { width: 0, height: 0 };

  get #session(): LiveSession | undefined {
    return this.session ?? this.#fromContext.value;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#resizeObserver = new ResizeObserver((entries) => {
      const box = entries[0]?.contentRect;
      if (!box) return;
      this.#size = { width: box.width, height: box.height };
      this.#relayout();
    });
    this.#resizeObserver.observe(this);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#resizeObserver?.disconnect();
    this.#resizeObserver = null;
  }

  /** The remote participants shown (local excluded). */
  get remoteParticipants(): readonly Participant[] {
    return this.#session?.participants.filter((p) => !p.isLocal) ?? [];
  }

  #relayout(): void {
    const students = this.remoteParticipants.filter((p) => p.role !== 'tutor' || this.view === 'tutor');
    const { columns } = chooseGridLayout(Math.max(1, students.length), this.#size.width, this.#size.height || this.#size.width * 0.5625);
    if (columns > 0 && columns !== this.columns) this.columns = columns;
  }

  protected override willUpdate(_changed: PropertyValues<this>): void {
    this.#watch.session = this.#session;
    this.view = this.#session?.role === 'tutor' ? 'tutor' : 'student';
    this.#relayout();
  }

  protected override updated(): void {
    for (const video of this.renderRoot.querySelectorAll<HTMLVideoElement>('video')) this.#start(video);
  }

  /**
   * Remote tiles carry sound: start a paused one; a refusal means the browser
   * blocks audible autoplay, and the "enable audio" button appears. Also run
   * when a video pauses by itself (a browser may pause one that turns audible).
   */
  #start(video: HTMLVideoElement): void {
    if (!video.paused || !video.srcObject || !video.isConnected) return;
    video.play().catch((error: unknown) => {
      if (error instanceof DOMException && error.name === 'NotAllowedError') this.audioBlocked = true;
    });
  }

  readonly #onVideoPaused = (event: Event): void => {
    this.#start(event.target as HTMLVideoElement);
  };

  #enableAudio(): void {
    const videos = [...this.renderRoot.querySelectorAll<HTMLVideoElement>('video')];
    void Promise.all(videos.map((v) => v.play())).then(
      () => (this.audioBlocked = false),
      () => undefined,
    );
  }

  protected override render() {
    const s = mergeStrings(this.strings);
    const session = this.#session;
    const remote = this.remoteParticipants;
    const enableAudio = this.audioBlocked
      ? html`<button part="enable-audio" class="primary" @click=${this.#enableAudio}>${icons.speaker}${s.enableAudio}</button>`
      : nothing;

    if (this.view === 'tutor') {
      const students = remote;
      return html`${enableAudio}
        ${students.length === 0
          ? html`<div part="empty">${s.noStudentsYet}</div>`
          : html`<div part="grid" role="list" aria-label=${s.participants} style=${styleMap({ '--_columns': String(this.columns) })}>
              ${repeat(students, (p) => p.id, (p) => this.#tile(p, s, session, false))}
            </div>`}`;
    }

    const tutor = remote.find((p) => p.role === 'tutor');
    const classmates = remote.filter((p) => p !== tutor);
    return html`${enableAudio}
      <div class="stage">
        ${tutor ? this.#tile(tutor, s, session, true) : html`<div part="waiting" role="status">${s.waitingForTutor}</div>`}
        ${classmates.length > 0
          ? html`<div part="strip" role="list" aria-label=${s.participants}>
              ${repeat(classmates, (p) => p.id, (p) => this.#tile(p, s, session, false))}
            </div>`
          : nothing}
      </div>`;
  }

  #tile(p: Participant, s: ReturnType<typeof mergeStrings>, session: LiveSession | undefined, main: boolean): TemplateResult {
    const showVideo = p.isVideoOn && p.stream !== null && p.stream.getVideoTracks().length > 0;
    const canModerate = session?.role === 'tutor' && p.role !== 'tutor';
    return html`<div
      part=${main ? 'tile main' : 'tile'}
      role=${main ? nothing : 'listitem'}
      data-participant=${p.id}
      ?data-main=${main}
      ?data-video-off=${!p.isVideoOn}
      ?data-muted=${!p.isAudioOn}
      ?data-hand=${p.isHandRaised}
      ?data-speaking=${session?.isParticipantSpeaking(p.id) ?? false}
    >
      ${p.stream
        ? html`<video
            autoplay
            playsinline
            @pause=${this.#onVideoPaused}
            @loadedmetadata=${this.#onVideoPaused}
            .srcObject=${p.stream}
            aria-label=${s.videoOf(p.name)}
            ?hidden=${!showVideo}
          ></video>`
        : nothing}
      ${showVideo
        ? nothing
        : html`<div part="placeholder" role="img" aria-label=${`${p.name}: ${s.cameraOff}`}>
            <span part="initials" aria-hidden="true">${initials(p.name)}</span>
          </div>`}
      ${p.isHandRaised
        ? html`<span part="hand-badge" role="img" aria-label=${s.handPosition(p.handPosition)}
            >${icons.hand}${p.handPosition > 0 ? p.handPosition : ''}</span
          >`
        : nothing}
      ${p.media === 'reconnecting' ? html`<span part="connection-badge">${s.reconnecting}</span>` : nothing}
      <span part="name">
        <span>${p.name}${p.role === 'tutor' ? html` <span class="visually-hidden">(${s.tutor})</span>` : nothing}</span>
        <span part="indicator" role="img" aria-label=${p.isAudioOn ? s.microphoneOn : s.microphoneOff} ?data-off=${!p.isAudioOn}
          >${p.isAudioOn ? icons.mic : icons.micOff}</span
        >
        <span part="indicator" role="img" aria-label=${p.isVideoOn ? s.cameraOn : s.cameraOff} ?data-off=${!p.isVideoOn}
          >${p.isVideoOn ? icons.camera : icons.cameraOff}</span
        >
      </span>
      ${canModerate
        ? html`<div part="tile-actions">
            ${p.isAudioOn
              ? html`<button aria-label=${s.mute(p.name)} title=${s.mute(p.name)} @click=${() => session.muteParticipant(p.id)}>${icons.micOff}</button>`
              : html`<button aria-label=${s.askToUnmute(p.name)} title=${s.askToUnmute(p.name)} @click=${() => session.askToUnmute(p.id)}>${icons.mic}</button>`}
            ${p.isHandRaised
              ? html`<button aria-label=${s.lowerHandOf(p.name)} title=${s.lowerHandOf(p.name)} @click=${() => session.lowerHand(p.id)}>${icons.hand}</button>`
              : nothing}
            <button aria-label=${s.remove(p.name)} title=${s.remove(p.name)} @click=${() => session.removeParticipant(p.id)}>${icons.remove}</button>
          </div>`
        : nothing}
    </div>`;
  }
}
