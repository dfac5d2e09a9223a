import type { ReactiveController, ReactiveElement } from 'lit';

/**
 * Lets go of the streams of a removed element's `<video>`s. A video element
 * that still has a `srcObject` counts as busy to the browser, which then keeps
 * it, its shadow tree and its stream alive after the element left the page:
 * a tile per participant who ever left. When the host leaves the document,
 * its videos' `srcObject` are cleared (a task later, so a move in the DOM,
 * which disconnects and reconnects at once, changes nothing); when it comes
 * back, they get their streams again.
 */
export class VideoRelease implements ReactiveController {
  readonly #host: ReactiveElement;
  #parked = new Map<HTMLVideoElement, MediaProvider>();
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(host: ReactiveElement) {
    this.#host = host;
    host.addController(this);
  }

  hostConnected(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const [video, stream] of this.#parked) {
      if (video.srcObject === null) video.srcObject = stream;
    }
    this.#parked.clear();
  }

  hostDisconnected(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#host.isConnected) return;
      for (const video of this.#host.renderRoot.querySelectorAll('video')) {
        if (!video.srcObject) continue;
        this.#parked.set(video, video.srcObject);
        video.srcObject = null;
      }
    }, 0);
  }
}
