import type { ReactiveController, ReactiveElement } from 'lit';

/** Whom a tile shows, and the session to tell its size. */
export interface TileSubject {
  session: { setVideoSize(id: string, size: { width: number; height: number } | null): void } | undefined;
  /** The remote participant shown (null for the local one, or nobody). */
  id: string | null;
}

/**
 * Tells the session how large the host shows a remote participant
 * (`LiveSession.setVideoSize`), whenever its box changes, and that it no
 * longer does when the host leaves the page or shows someone else. In SFU
 * rooms this picks the video layer the SFU sends; elsewhere it costs nothing.
 * Call `update()` after each render (the participant may have changed).
 */
export class TileSize implements ReactiveController {
  readonly #host: ReactiveElement;
  readonly #subject: () => TileSubject;
  #observer: ResizeObserver | null = null;
  #reported: { session: NonNullable<TileSubject['session']>; id: string } | null = null;

  constructor(host: ReactiveElement, subject: () => TileSubject) {
    this.#host = host;
    this.#subject = subject;
    host.addController(this);
  }

  hostConnected(): void {
    if (typeof ResizeObserver === 'undefined') return;
    this.#observer = new ResizeObserver(() => this.update());
    this.#observer.observe(this.#host);
  }

  hostDisconnected(): void {
    this.#observer?.disconnect();
    this.#observer = null;
    this.#withdraw();
  }

  /** Reports the host's size now for the participant it shows. */
  update(): void {
    const { session, id } = this.#subject();
    if (!this.#observer || !session || id === null) {
      this.#withdraw();
      return;
    }
    if (this.#reported && (this.#reported.session !== session || this.#reported.id !== id)) this.#withdraw();
    const { width, height } = this.#host.getBoundingClientRect();
    session.setVideoSize(id, width > 0 && height > 0 ? { width: Math.round(width), height: Math.round(height) } : null);
    this.#reported = { session, id };
  }

  #withdraw(): void {
    const reported = this.#reported;
    this.#reported = null;
    reported?.session.setVideoSize(reported.id, null);
  }
}
