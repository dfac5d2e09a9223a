import { LitElement, type PropertyValues } from 'lit';
import { property } from 'lit/decorators.js';
import { ContextConsumer } from '@lit/context';
import type { LiveSession } from '../../core/live-session.js';
import { SessionSubscriber, type SpeakingChange } from '../../controllers/session-subscriber.js';
import { sessionContext } from '../../controllers/session-context.js';
import { VideoRelease } from '../../controllers/video-release.js';
import { mergeStrings, type LiveSessionStrings } from './strings.js';

/**
 * The common ground of the parts that follow a session (`<participant-tile>`,
 * `<video-grid>`, `<self-preview>`, `<session-controls>`, `<participant-list>`):
 * the `session` and `strings` properties, the session handed down by an
 * enclosing `<live-session>`, and re-rendering on its changes.
 *
 * A part reads the session it follows from `currentSession` (the `session`
 * property when set, else the enclosing element's), its strings from `text`,
 * and overrides `sessionChanged` / `speakingChanged` to react to a new session
 * or to speaking changes (which do not re-render by themselves). A part removed
 * from the page clears its videos' `srcObject` (see `VideoRelease`).
 */
export abstract class SessionElement extends LitElement {
  /** The session to follow; taken from an enclosing `<live-session>` when not set. */
  @property({ attribute: false })
  session: LiveSession | undefined;

  /** Replaces visible strings (see `LiveSessionStrings`). */
  @property({ attribute: false })
  strings: Partial<LiveSessionStrings> | undefined;

  /** Whether `speakingChanged` is called: a part that shows speaking sets it (others hold no such listener). */
  protected static followsSpeaking = false;

  readonly #subscriber = new SessionSubscriber(
    this,
    (this.constructor as typeof SessionElement).followsSpeaking ? { onSpeaking: (change) => this.speakingChanged(change) } : {},
  );
  readonly #fromContext = new ContextConsumer(this, {
    context: sessionContext,
    subscribe: true,
    callback: () => this.requestUpdate(),
  });

  constructor() {
    super();
    // A removed part lets go of its videos' streams, or the browser keeps them (and the part) alive.
    new VideoRelease(this);
  }

  /** The session followed: the `session` property, else the one from an enclosing `<live-session>`. */
  protected get currentSession(): LiveSession | undefined {
    return this.session ?? this.#fromContext.value;
  }

  /** The visible strings: the defaults with `strings` applied. */
  protected get text(): LiveSessionStrings {
    return mergeStrings(this.strings);
  }

  /** Called before a render when the followed session is another one (or none). */
  protected sessionChanged(_session: LiveSession | undefined): void {
    // Nothing by default.
  }

  /** Called when someone starts or stops speaking (with `followsSpeaking`); no re-render follows by itself. */
  protected speakingChanged(_change: SpeakingChange): void {
    // Nothing by default.
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    const session = this.currentSession;
    if (session === this.#subscriber.session) return;
    this.#subscriber.session = session;
    this.sessionChanged(session);
  }
}
