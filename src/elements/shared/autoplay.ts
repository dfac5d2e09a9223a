/**
 * Starts a paused video that carries sound (a remote tile, a shared screen).
 * A refusal with `NotAllowedError` means the browser blocks audible autoplay:
 * `onBlocked` is called so the page can offer a click to start it. Nothing to
 * do for a playing video, one without a stream, or one outside the page.
 */
export function startAudible(video: HTMLVideoElement, onBlocked: () => void): void {
  if (!video.paused || !video.srcObject || !video.isConnected) return;
  video.play().catch((error: unknown) => {
    if (error instanceof DOMException && error.name === 'NotAllowedError') onBlocked();
  });
}
