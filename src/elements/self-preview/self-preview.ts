import { LitElement, html, type PropertyValues } from 'lit';
import { property } from 'lit/decorators.js';
import { ContextConsumer } from '@lit/context';
import type { LiveSession } from '../../core/live-session.js';
import { SessionSubscriber } from '../../controllers/session-subscriber.js';
import { sessionContext } from '../../controllers/session-context.js';
import { themeStyles } from '../shared/base.styles.js';
import { icons } from '../shared/icons.js';
import { initials, mergeStrings, type LiveSessionStrings } from '../shared/strings.js';
import { selfPreviewStyles } from './self-preview.styles.js';

/**
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
 *
 * @cssprop --self-preview-width - Width of the preview (default 200px).
 * @cssprop --live-session-tile-background - Placeholder background.
 * @cssprop --live-session-tile-text - Placeholder text colour.
 * @cssprop --live-session-radius - Corner radius.
 * @cssprop --live-session-speaking - Outline colour while the local participant speaks.
 */
export class SelfPreview extends LitElement {
  static override styles = [themeStyles, selfPreviewStyles];

  /** The session to show; taken from an enclosing `<live-session>` when not set. */
  @property({ attribute: false })
  session: LiveSession | undefined;

  /** Replaces visible strings (see `LiveSessionStrings`). */
  @property({ attribute: false })
  strings: Partial<LiveSessionStrings> | undefined;

  /** Shows the camera as it is instead of as a mirror. */
  @property({ type: Boolean, reflect: true })
  unmirrored = false;

  readonly #subscriber = new SessionSubscriber(this, {
    onSpeaking: () => this.#reflectState(),
  });
  readonly #fromContext = new ContextConsumer(this, {
    context: sessionContext,
    subscribe: true,
    callback: () => this.requestUpdate(),
  });

  get #session(): LiveSession | undefined {
    return this.session ?? this.#fromContext.value;
  }

  /** Whether the camera is off or not yet started (reflected as `camera-off`). */
  get cameraOff(): boolean {
    const session = this.#session;
    return !(session?.isVideoOn ?? false) || !session?.localStream;
  }

  /** Whether the microphone is off (reflected as `muted`). */
  get muted(): boolean {
    return !(this.#session?.isAudioOn ?? false);
  }

  /** Whether the local participant is speaking (reflected as `speaking`). */
  get speaking(): boolean {
    return this.#session?.isSpeaking ?? false;
  }

  protected override willUpdate(_changed: PropertyValues<this>): void {
    this.#subscriber.session = this.#session;
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
    const s = mergeStrings(this.strings);
    const session = this.#session;
    const name = session?.name || s.you;
    const stream = session?.localStream ?? null;
    const showVideo = !this.cameraOff && stream !== null;
    return html`
      ${showVideo
        ? html`<video part="video" autoplay playsinline muted .muted=${true} .srcObject=${stream} aria-label=${s.videoOf(s.you)}></video>`
        : html`<div part="placeholder" role="img" aria-label=${s.cameraOff}>
            <span part="initials" aria-hidden="true">${initials(name)}</span>
            <span>${s.cameraOff}</span>
          </div>`}
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
