import { html, nothing } from 'lit';
import { property } from 'lit/decorators.js';
import { themeStyles, videoSurface } from '../shared/base.styles.js';
import { icons } from '../shared/icons.js';
import { SessionElement } from '../shared/session-element.js';
import { REACTION_SYMBOLS, initials } from '../shared/strings.js';
import { selfPreviewStyles } from './self-preview.styles.js';

/**
 * @customElement self-preview
 * @summary The local camera, mirrored, or a "Camera off" placeholder, with the
 * microphone state. Shown for every role.
 *
 * Inside `<live-session>` it follows the session from context; on its own, set
 * the `session` property to a `LiveSession`. Its state is reflected on the
 * host as attributes for styling (set by the element itself, read-only):
 * `camera-off`, `muted` and `speaking`.
 *
 * @csspart video - The local `<video>` (muted, mirrored unless `unmirrored`).
 * @csspart placeholder - Shown while the camera is off.
 * @csspart initials - The initials in the placeholder.
 * @csspart label - The name and microphone badge.
 * @csspart mic-indicator - The microphone icon in the label.
 * @csspart reaction-badge - Your reaction of the last 15 s.
 *
 * @cssprop --self-preview-width - Width of the preview (default 200px).
 * @cssprop --live-session-tile-background - Placeholder background.
 * @cssprop --live-session-tile-text - Placeholder text colour.
 * @cssprop --live-session-radius - Corner radius.
 * @cssprop --live-session-speaking - Outline colour while the local participant speaks.
 */
export class SelfPreview extends SessionElement {
  static override styles = [themeStyles, videoSurface, selfPreviewStyles];
  protected static override followsSpeaking = true;

  /** Shows the camera as it is instead of as a mirror. */
  @property({ type: Boolean, reflect: true })
  unmirrored = false;

  /** Whether the camera is off or not yet started (reflected as `camera-off`). */
  get cameraOff(): boolean {
    const session = this.currentSession;
    return !(session?.isVideoOn ?? false) || !session?.localStream;
  }

  /** Whether the microphone is off (reflected as `muted`). */
  get muted(): boolean {
    return !(this.currentSession?.isAudioOn ?? false);
  }

  /** Whether the local participant is speaking (reflected as `speaking`). */
  get speaking(): boolean {
    return this.currentSession?.isSpeaking ?? false;
  }

  protected override speakingChanged(): void {
    this.#reflectState();
  }

  protected override updated(): void {
    this.#reflectState();
  }

  /** The only writer of the state attributes. */
  #reflectState(): void {
    this.toggleAttribute('camera-off', this.cameraOff);
    this.toggleAttribute('muted', this.muted);
    this.toggleAttribute('speaking', this.speaking);
  }

  protected override render() {
    const s = this.text;
    const session = this.currentSession;
    const name = session?.name || s.you;
    const stream = session?.localStream ?? null;
    const showVideo = !this.cameraOff && stream !== null;
    const reaction = session?.peerId ? session.reactionOf(session.peerId) : null;
    return html`
      ${showVideo
        ? html`<video part="video" autoplay playsinline muted .muted=${true} .srcObject=${stream} aria-label=${s.videoOf(s.you)}></video>`
        : html`<div part="placeholder" role="img" aria-label=${s.cameraOff}>
            <span part="initials" aria-hidden="true">${initials(name)}</span>
            <span>${s.cameraOff}</span>
          </div>`}
      ${reaction
        ? html`<span part="reaction-badge" role="img" aria-label=${s.reactionOf(s.you, s.reactionNames[reaction])} data-reaction=${reaction}
            >${REACTION_SYMBOLS[reaction]}</span
          >`
        : nothing}
      <span part="label">
        <span>${s.you}</span>
        <span
          part="mic-indicator"
          role="img"
          aria-label=${this.muted ? s.microphoneOff : s.microphoneOn}
          ?data-off=${this.muted}
          >${this.muted ? icons.micOff : icons.mic}</span
        >
      </span>
    `;
  }
}
