import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { LiveSession } from '../core/live-session.js';

/**
 * Re-renders its host whenever the session it watches changes. Subscribes in
 * hostConnected and unsubscribes in hostDisconnected, so a removed element
 * holds no listener on the session.
 */
export class SessionController implements ReactiveController {
  readonly #host: ReactiveControllerHost;
  #session: LiveSession | undefined;
  #unsubscribe: (() => void) | null = null;
  #connected = false;

  constructor(host: ReactiveControllerHost) {
    this.#host = host;
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
    if (!this.#session || this.#unsubscribe) return;
    this.#unsubscribe = this.#session.subscribe(() => this.#host.requestUpdate());
  }
}
