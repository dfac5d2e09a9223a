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
  /** The host's box as the observer last saw it (null until it has): read without forcing a layout. */
  #box: { width: number; height: number } | null = null;
  #reported: { session: NonNullable<TileSubject['session']>; id: string } | null = null;

  constructor(host: ReactiveElement, subject: () => TileSubject) {
    this.#host = host;
    this.#subject = subject;
    host.addController(this);
  }

  hostConnected(): void {
    if (typeof ResizeObserver === 'undefined') return;
    this.#observer = new ResizeObserver((entries) => {
      const box = entries[entries.length - 1]?.borderBoxSize[0];
      if (box) this.#box = { width: box.inlineSize, height: box.blockSize };
      this.update();
    });
    this.#observer.observe(this.#host);
  }

  hostDisconnected(): void {
    this.#observer?.disconnect();
    this.#observer = null;
    this.#box = null;
    this.#withdraw();
  }

  /**
   * Reports the host's size for the participant it shows: the size the
   * resize observer last saw (it sees the first layout and every change), so
   * a render does not force a layout of its own to measure.
   */
  update(): void {
    const { session, id } = this.#subject();
    if (!this.#observer || !session || id === null) {
      this.#withdraw();
      return;
    }
    if (this.#reported && (this.#reported.session !== session || this.#reported.id !== id)) this.#withdraw();
    const box = this.#box;
    // Not laid out yet: the observer's first call reports it.
    if (!box) return;
    const { width, height } = box;
    session.setVideoSize(id, width > 0 && height > 0 ? { width: Math.round(width), height: Math.round(height) } : null);
    this.#reported = { session, id };
  }

  #withdraw(): void {
    const reported = this.#reported;
    this.#reported = null;
    reported?.session.setVideoSize(reported.id, null);
  }
}
