import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { LiveSession } from '../core/live-session.js';

/**
 * Owns the session of an element: creates it when the element is connected,
 * replaces it on request, and destroys it when the element leaves the page.
 * Moving the element in the DOM disconnects and reconnects it at once: the
 * destruction waits a task, so only a real removal ends the session.
 */
export class SessionOwner implements ReactiveController {
  readonly #host: ReactiveControllerHost & { readonly isConnected: boolean };
  readonly #create: () => LiveSession;
  readonly #onChange: (session: LiveSession | undefined) => void;
  #session: LiveSession | undefined;
  #destroyTimer: ReturnType<typeof setTimeout> | undefined;

  /**
   * @param create makes a new session from the host's current settings.
   * @param onChange is told of every new session and of its end (undefined).
   */
  constructor(
    host: ReactiveControllerHost & { readonly isConnected: boolean },
    create: () => LiveSession,
    onChange: (session: LiveSession | undefined) => void,
  ) {
    this.#host = host;
    this.#create = create;
    this.#onChange = onChange;
    host.addController(this);
  }

  get session(): LiveSession | undefined {
    return this.#session;
  }

  hostConnected(): void {
    clearTimeout(this.#destroyTimer);
    if (!this.#session) this.replace();
  }

  hostDisconnected(): void {
    this.#destroyTimer = setTimeout(() => {
      if (!this.#host.isConnected) this.destroy();
    }, 0);
  }

  /** Ends the current session (if any) and starts a fresh one. */
  replace(): LiveSession {
    this.destroy();
    const session = this.#create();
    this.#session = session;
    this.#onChange(session);
    this.#host.requestUpdate();
    return session;
  }

  /** Ends the current session; the host has none until `replace()`. */
  destroy(): void {
    const session = this.#session;
    if (!session) return;
    this.#session = undefined;
    this.#onChange(undefined);
    session.destroy();
    this.#host.requestUpdate();
  }
}
