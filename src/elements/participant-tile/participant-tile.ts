import { html, nothing } from 'lit';
import { property } from 'lit/decorators.js';
import { applyAudioOutput } from '../../core/attach-stream.js';
import type { Participant } from '../../core/events.js';
import type { SpeakingChange } from '../../controllers/session-subscriber.js';
import { TileSize } from '../../controllers/tile-size.js';
import { buttonStyles, themeStyles, videoSurface } from '../shared/base.styles.js';
import { startAudible } from '../shared/autoplay.js';
import { icons } from '../shared/icons.js';
import type { LiveSession } from '../../core/live-session.js';
import { SessionElement } from '../shared/session-element.js';
import { REACTION_SYMBOLS, initials, type LiveSessionStrings } from '../shared/strings.js';
import { participantTileStyles } from './participant-tile.styles.js';

/**
 * @customElement participant-tile
 * @summary One participant: their video (or a placeholder with initials while
 * the camera is off), name, microphone and camera indicators, raised-hand
 * badge, and, for the tutor, buttons to mute, lower the hand or remove.
 *
 * Set `participant` to one of the session's participants. The tile takes the
 * session from an enclosing `<live-session>`, or from its `session` property,
 * and follows that participant's changes by id. Its state is reflected on the
 * host as attributes for styling (set by the tile itself, read-only):
 * `speaking`, `muted`, `camera-off`, `hand-raised` and `local`, e.g.
 * `participant-tile[hand-raised] { outline: 2px solid gold }`.
 *
 * @fires {CustomEvent<{ participantId: string }>} ls-pin-toggle - The tile's Pin button was pressed (bubbles, not composed); `<video-grid>` pins or unpins the participant. Detail: `{ participantId }`.
 * @fires {CustomEvent<{ participantId: string }>} ls-autoplay-blocked - The browser refused to start this tile's sound without a user gesture (bubbles, not composed). Call `play()` from a click. Detail: `{ participantId }`.
 *
 * @csspart video - The participant's `<video>` (muted and mirrored for the local participant).
 * @csspart placeholder - Shown while the camera is off.
 * @csspart initials - Initials in the placeholder.
 * @csspart name - The name badge with microphone and camera indicators.
 * @csspart indicator - A microphone or camera icon in the name badge.
 * @csspart hand-badge - The raised-hand badge with the queue position.
 * @csspart floor-badge - "Has the floor": a student the tutor invited to speak, who accepted.
 * @csspart reaction-badge - The participant's reaction of the last 15 s (thumbs up, clap, confused, slower).
 * @csspart tile-actions - The tutor's buttons on the tile.
 * @csspart connection-badge - Shown while the media connection to this participant recovers.
 * @csspart quality - The connection indicator in the name badge (three bars; `data-quality` is `good`, `fair` or `poor`; the figures as its tooltip). Remote participants only, once measured.
 * @csspart pin-button - Pin or unpin the participant (with `pinnable`); `aria-pressed` while pinned.
 *
 * @cssprop --live-session-radius - Corner radius.
 * @cssprop --live-session-tile-background - Background behind the video or placeholder.
 * @cssprop --live-session-tile-text - Text colour on the tile.
 * @cssprop --live-session-speaking - Outline while the participant speaks.
 * @cssprop --live-session-accent - Background of the initials.
 * @cssprop --live-session-warning - Background of the hand badge.
 * @cssprop --live-session-quality-good - Bars of a good connection.
 * @cssprop --live-session-quality-fair - Bars of a fair connection.
 * @cssprop --live-session-quality-poor - Bars of a poor connection.
 * @cssprop --live-session-transition - Transition of the speaking outline.
 */
export class ParticipantTile extends SessionElement {
  static override styles = [themeStyles, buttonStyles, videoSurface, participantTileStyles];
  protected static override followsSpeaking = true;

  /** The participant to show (an entry of the session's `participants`). */
  @property({ attribute: false })
  participant: Participant | undefined;

  /** Whether the tile offers a Pin button (set by `<video-grid>`). */
  @property({ type: Boolean, reflect: true })
  pinnable = false;

  /** Whether the participant is pinned (the Pin button shows pressed; set by `<video-grid>`). */
  @property({ type: Boolean })
  pinned = false;

  /** The tile's size, told to the session (in SFU rooms it picks the video layer received). */
  readonly #size = new TileSize(this, () => {
    const p = this.#current;
    return { session: this.currentSession, id: p && !p.isLocal ? p.id : null };
  });

  /** The participant as the session knows them now (the `participant` set, when the session has no newer state). */
  get #current(): Participant | undefined {
    const given = this.participant;
    if (!given) return undefined;
    return this.currentSession?.participants.find((p) => p.id === given.id) ?? given;
  }

  /** Whether the participant speaks now (reflected as `speaking`). */
  get speaking(): boolean {
    const id = this.participant?.id;
    return id !== undefined && (this.currentSession?.isParticipantSpeaking(id) ?? false);
  }

  /** Whether the participant's microphone is off (reflected as `muted`). */
  get muted(): boolean {
    return !(this.#current?.isAudioOn ?? false);
  }

  /** Whether the participant's camera is off (reflected as `camera-off`). */
  get cameraOff(): boolean {
    return !(this.#current?.isVideoOn ?? false);
  }

  /** Whether the participant's hand is raised (reflected as `hand-raised`). */
  get handRaised(): boolean {
    return this.#current?.isHandRaised ?? false;
  }

  /** Whether this is the local participant (reflected as `local`). */
  get local(): boolean {
    return this.#current?.isLocal ?? false;
  }

  /** Starts the video and its sound; call it from a user gesture after `ls-autoplay-blocked`. */
  play(): Promise<void> {
    return this.#video?.play() ?? Promise.resolve();
  }

  /** Shows this video in a floating Picture-in-Picture window (where the browser supports it). */
  async pictureInPicture(): Promise<void> {
    const video = this.#video;
    if (video && !video.hidden) await video.requestPictureInPicture();
  }

  get #video(): HTMLVideoElement | null {
    return this.renderRoot.querySelector<HTMLVideoElement>('video');
  }

  // Speaking changes often: only the host attribute changes, no re-render.
  protected override speakingChanged({ id }: SpeakingChange): void {
    if (id === this.participant?.id) this.#reflectState();
  }

  protected override updated(): void {
    this.#reflectState();
    this.#size.update();
    const video = this.#video;
    if (video) {
      this.#start(video);
      if (!this.local) applyAudioOutput(video, this.currentSession?.audioOutput ?? null);
    }
  }

  /** The only writer of the state attributes. */
  #reflectState(): void {
    this.toggleAttribute('speaking', this.speaking);
    this.toggleAttribute('muted', this.muted);
    this.toggleAttribute('camera-off', this.cameraOff);
    this.toggleAttribute('hand-raised', this.handRaised);
    this.toggleAttribute('local', this.local);
  }

  /**
   * Remote tiles carry sound: start a paused video; a refusal means the browser
   * blocks audible autoplay (`ls-autoplay-blocked`). Also run when a video
   * pauses by itself (a browser may pause one that turns audible).
   */
  #start(video: HTMLVideoElement): void {
    startAudible(video, () => {
      const participantId = this.participant?.id ?? '';
      this.dispatchEvent(new CustomEvent('ls-autoplay-blocked', { detail: { participantId }, bubbles: true }));
    });
  }


  /** The indicator's tooltip: the latest figures, read when pointed at (they change every 2 s; the tile does not re-render for them). */
  readonly #showFigures = (event: Event): void => {
    const id = this.participant?.id;
    const figures = id === undefined ? null : (this.currentSession?.connectionFigures(id) ?? null);
    (event.currentTarget as HTMLElement).title = figures ? this.text.connectionFigures(figures) : '';
  };

  readonly #togglePin = (): void => {
    const participantId = this.participant?.id;
    if (participantId) this.dispatchEvent(new CustomEvent('ls-pin-toggle', { detail: { participantId }, bubbles: true }));
  };

  readonly #onVideoPaused = (event: Event): void => {
    this.#start(event.target as HTMLVideoElement);
  };

  #renderReaction(id: string, name: string) {
    const reaction = this.currentSession?.reactionOf(id) ?? null;
    if (!reaction) return nothing;
    const label = this.text.reactionOf(name, this.text.reactionNames[reaction]);
    return html`<span part="reaction-badge" role="img" aria-label=${label} title=${label} data-reaction=${reaction}>${REACTION_SYMBOLS[reaction]}</span>`;
  }

  protected override render() {
    const p = this.#current;
    if (!p) return nothing;
    const s = this.text;
    const session = this.currentSession;
    // Incoming video turned off: remote cameras are not sent to us; initials stand in.
    const paused = !p.isLocal && session?.incomingVideo === false;
    const showVideo = !paused && p.isVideoOn && p.stream !== null && p.stream.getVideoTracks().length > 0;
    const canModerate = session?.role === 'tutor' && p.role !== 'tutor' && !p.isLocal;
    return html`
      ${p.stream
        ? html`<video
            part="video"
            autoplay
            playsinline
            .muted=${p.isLocal || !(this.currentSession?.isAudible(p.id) ?? true)}
            @pause=${this.#onVideoPaused}
            @loadedmetadata=${this.#onVideoPaused}
            .srcObject=${p.stream}
            aria-label=${s.videoOf(p.isLocal ? s.you : p.name)}
            ?hidden=${!showVideo}
          ></video>`
        : nothing}
      ${showVideo
        ? nothing
        : html`<div part="placeholder" role="img" aria-label=${`${p.name}: ${paused && p.isVideoOn ? s.videoPaused : s.cameraOff}`}>
            <span part="initials" aria-hidden="true">${initials(p.name)}</span>
          </div>`}
      ${p.isHandRaised
        ? html`<span part="hand-badge" role="img" aria-label=${s.handPosition(p.handPosition)}
            >${icons.hand}${p.handPosition > 0 ? p.handPosition : ''}</span
          >`
        : nothing}
      ${this.#renderReaction(p.id, p.name)}
      ${this.currentSession?.floor.speakers.includes(p.id) ? html`<span part="floor-badge">${s.floorBadge}</span>` : nothing}
      ${p.media === 'reconnecting' ? html`<span part="connection-badge">${s.reconnecting}</span>` : nothing}
      <span part="name">
        <span>${p.name}${p.role === 'tutor' ? html` <span class="visually-hidden">(${s.tutor})</span>` : nothing}</span>
        <span part="indicator" role="img" aria-label=${p.isAudioOn ? s.microphoneOn : s.microphoneOff} ?data-off=${!p.isAudioOn}
          >${p.isAudioOn ? icons.mic : icons.micOff}</span
        >
        <span part="indicator" role="img" aria-label=${p.isVideoOn ? s.cameraOn : s.cameraOff} ?data-off=${!p.isVideoOn}
          >${p.isVideoOn ? icons.camera : icons.cameraOff}</span
        >
        ${!p.isLocal && p.connectionQuality !== null
          ? html`<span
              part="quality"
              role="img"
              data-quality=${p.connectionQuality}
              aria-label=${s.connectionQuality(p.connectionQuality)}
              @pointerenter=${this.#showFigures}
              ><i></i><i></i><i></i
            ></span>`
          : nothing}
      </span>
      ${this.pinnable
        ? html`<button
            part="pin-button"
            aria-pressed=${this.pinned ? 'true' : 'false'}
            aria-label=${this.pinned ? s.unpin(p.name) : s.pin(p.name)}
            title=${this.pinned ? s.unpin(p.name) : s.pin(p.name)}
            @click=${this.#togglePin}
          >${icons.pin}</button>`
        : nothing}
      ${canModerate ? this.#renderActions(session, p, s) : nothing}
    `;
  }

  #renderActions(session: LiveSession, p: Participant, s: LiveSessionStrings) {
    return html`<div part="tile-actions">
      ${p.isAudioOn
        ? html`<button aria-label=${s.mute(p.name)} title=${s.mute(p.name)} @click=${() => session.muteParticipant(p.id)}>${icons.micOff}</button>`
        : html`<button aria-label=${s.askToUnmute(p.name)} title=${s.askToUnmute(p.name)} @click=${() => session.askToUnmute(p.id)}>${icons.mic}</button>`}
      ${p.isHandRaised
        ? html`<button aria-label=${s.lowerHandOf(p.name)} title=${s.lowerHandOf(p.name)} @click=${() => session.lowerHand(p.id)}>${icons.hand}</button>`
        : nothing}
      ${p.role !== 'student'
        ? nothing
        : session.floor.speakers.includes(p.id)
          ? html`<button data-action="end-turn" aria-label=${s.endTurn(p.name)} title=${s.endTurn(p.name)} @click=${() => session.endTurn(p.id)}>${icons.micOff}</button>`
          : session.floor.invited.includes(p.id)
            ? nothing
            : html`<button data-action="invite" aria-label=${s.inviteToSpeak(p.name)} title=${s.inviteToSpeak(p.name)} @click=${() => session.inviteToSpeak(p.id)}>${icons.speaker}</button>`}
      <button aria-label=${s.remove(p.name)} title=${s.remove(p.name)} @click=${() => session.removeParticipant(p.id)}>${icons.remove}</button>
    </div>`;
  }
}
