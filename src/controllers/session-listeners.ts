import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { LiveSessionEventMap } from '../core/events.js';
import type { LiveSession } from '../core/live-session.js';

/** Listeners for some of a session's events, each typed by the core's event map. */
export type SessionListenerMap = {
  [K in keyof LiveSessionEventMap]?: (event: LiveSessionEventMap[K]) => void;
};

/**
 * Holds listeners on the events of one session while its host is connected:
 * they are added in hostConnected (or when another session is set) and removed
 * in hostDisconnected, so a removed element keeps no listener on the session.
 * The building block of the other reactive controllers in this folder.
 */
export class SessionListeners implements ReactiveController {
  readonly #listeners: SessionListenerMap;
  #session: LiveSession | undefined;
  #attached: LiveSession | undefined;
  #connected = false;

  constructor(host: ReactiveControllerHost, listeners: SessionListenerMap) {
    this.#listeners = listeners;
    host.addController(this);
  }

  get session(): LiveSession | undefined {
    return this.#session;
  }

  /** Follows another session (or none). */
  set session(session: LiveSession | undefined) {
    if (session === this.#session) return;
    this.#detach();
    this.#session = session;
    if (this.#connected) this.#attach();
  }

  hostConnected(): void {
    this.#connected = true;
    this.#attach();
  }

  hostDisconnected(): void {
    this.#connected = false;
    this.#detach();
  }

  #attach(): void {
    const session = this.#session;
    if (!session || this.#attached) return;
    this.#attached = session;
    for (const [type, listener] of Object.entries(this.#listeners)) {
      session.addEventListener(type, listener as EventListener);
    }
  }

  #detach(): void {
    const session = this.#attached;
    if (!session) return;
    this.#attached = undefined;
    for (const [type, listener] of Object.entries(this.#listeners)) {
      session.removeEventListener(type, listener as EventListener);
    }
  }
}
