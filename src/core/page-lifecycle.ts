/**
 * The page around a session: leaving when the page goes away, reconnecting
 * when the network comes back, noticing devices plugged in or out.
 */
export interface PageLifecycleHandlers {
  /** The page is being hidden for good or put in the back/forward cache. */
  onPageHide(persisted: boolean): void;
  /** The browser reports the network back, or a change of network (Network Information API, where there is one). */
  onOnline(): void;
  onOffline(): void;
  /** A camera or microphone was plugged in or out. */
  onDeviceChange(): void;
}

/** Listens to the page; returns the function that stops listening. Does nothing outside a browser. */
export function watchPage(handlers: PageLifecycleHandlers): () => void {
  if (typeof window === 'undefined') return () => undefined;
  const onPageHide = (event: PageTransitionEvent): void => handlers.onPageHide(event.persisted);
  const onOnline = (): void => handlers.onOnline();
  const onOffline = (): void => handlers.onOffline();
  const onDeviceChange = (): void => handlers.onDeviceChange();
  const devices = navigator.mediaDevices as MediaDevices | undefined;
  // Chromium's navigator.connection says when the network changes (Wi-Fi to mobile, a new address).
  const connection = (navigator as Navigator & { connection?: EventTarget }).connection;
  window.addEventListener('pagehide', onPageHide);
  window.addEventListener('online', onOnline);
  connection?.addEventListener('change', onOnline);
  window.addEventListener('offline', onOffline);
  devices?.addEventListener('devicechange', onDeviceChange);
  return () => {
    window.removeEventListener('pagehide', onPageHide);
    window.removeEventListener('online', onOnline);
    connection?.removeEventListener('change', onOnline);
    window.removeEventListener('offline', onOffline);
    devices?.removeEventListener('devicechange', onDeviceChange);
  };
}
