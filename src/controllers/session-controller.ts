import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { LiveSession } from '../core/live-session.js';

/** A speaking change: who (peer id) and whether they now speak. */
export interface SpeakingChange {
  id: string;
  speaking: boolean;
}

/**
 * Re-renders its host whenever the session it watches changes. Subscribes in
 * hostConnected and unsubscribes in hostDisconnected, so a removed element
 * holds no listener on the session. Speaking changes do not re-render: they go
 * to the optional `onSpeaking` callback, which updates one attribute.
 */
export class SessionController implements ReactiveController {
  readonly #host: ReactiveControllerHost;
  #session: LiveSession | undefined;
  #unsubscribe: (() => void) | null = null;
  #connected = false;

  readonly #onSpeaking: ((change: SpeakingChange) => void) | undefined;
  readonly #speakingListener = (event: CustomEvent<SpeakingChange>): void => {
    this.#onSpeaking?.(event.detail);
  };

  constructor(host: ReactiveControllerHost, options: { onSpeaking?: (change: SpeakingChange) => void } = {}) {
    this.#host = host;
    this.#onSpeaking = options.onSpeaking;
    host.addController(this);
  }

  get session(): LiveSession | undefined {
    return this.#session;
  }

  /** Follows another session (or none). */
  set session(session: LiveSession | undefined) {
    if (session === this.#session) return;
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    this.#session = session;
    if (this.#connected) this.#subscribe();
    this.#host.requestUpdate();
  }

  hostConnected(): void {
    this.#connected = true;
    this.#subscribe();
  }

  hostDisconnected(): void {
    this.#connected = false;
    this.#unsubscribe?.();
    this.#unsubscribe = null;
  }

  #subscribe(): void {
    const session = this.#session;
    if (!session || this.#unsubscribe) return;
    const unsubscribe = session.subscribe(() => this.#host.requestUpdate());
    if (!this.#onSpeaking) {
      this.#unsubscribe = unsubscribe;
      return;
    }
    session.addEventListener('speaking', this.#speakingListener);
    this.#unsubscribe = () => {
      unsubscribe();
      session.removeEventListener('speaking', this.#speakingListener);
    };
  }
}
