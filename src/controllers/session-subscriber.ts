import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { LiveSession } from '../core/live-session.js';
import { SessionListeners, type SessionListenerMap } from './session-listeners.js';

/** A speaking change: who (peer id) and whether they now speak. */
export interface SpeakingChange {
  id: string;
  speaking: boolean;
}

/**
 * Re-renders its host whenever the session it follows changes (a Lit reactive
 * controller; not to be confused with the session itself). Subscribes in
 * hostConnected and unsubscribes in hostDisconnected, so a removed element
 * holds no listener on the session. Speaking changes do not re-render: they go
 * to the optional `onSpeaking` callback, which updates one attribute.
 */
export class SessionSubscriber implements ReactiveController {
  readonly #host: ReactiveControllerHost;
  readonly #listeners: SessionListeners;

  constructor(host: ReactiveControllerHost, options: { onSpeaking?: (change: SpeakingChange) => void } = {}) {
    this.#host = host;
    const onSpeaking = options.onSpeaking;
    const listeners: SessionListenerMap = { change: () => host.requestUpdate() };
    if (onSpeaking) listeners.speaking = (event) => onSpeaking(event.detail);
    this.#listeners = new SessionListeners(host, listeners);
    host.addController(this);
  }

  get session(): LiveSession | undefined {
    return this.#listeners.session;
  }

  /** Follows another session (or none) and re-renders. */
  set session(session: LiveSession | undefined) {
    if (session === this.#listeners.session) return;
    this.#listeners.session = session;
    this.#host.requestUpdate();
  }

  hostConnected(): void {
    // Changes missed while disconnected: render the current state.
    this.#host.requestUpdate();
  }
}
