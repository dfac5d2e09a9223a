import type { Participant } from './events.js';

/**
 * Shows a participant's media in a `<video>` (or `<audio>`) element: sets its
 * stream (or clears it while there is none) and starts playback, with the
 * attributes a call needs on every browser (`autoplay`, `playsinline`, and
 * `muted` for the local participant, whose own sound must not play back).
 * Call it again whenever the participant changes; the element is only touched
 * when the stream is another one. Resolves when playback started, or when the
 * browser refused to start it without a user gesture (then `false`: call
 * `element.play()` from a click).
 */
export async function attachStream(element: HTMLMediaElement, participant: Pick<Participant, 'stream' | 'isLocal'> | null | undefined): Promise<boolean> {
  const stream = participant?.stream ?? null;
  element.autoplay = true;
  element.setAttribute('playsinline', '');
  element.muted = participant?.isLocal ?? false;
  if (element.srcObject === stream) return !element.paused || stream === null;
  element.srcObject = stream;
  if (!stream) return true;
  try {
    await element.play();
    return true;
  } catch (error) {
    // Autoplay with sound refused: the caller offers a button. A newer stream replacing this one aborts play() too.
    if (error instanceof DOMException && error.name === 'NotAllowedError') return false;
    return !element.paused;
  }
}

/**
 * Plays `element` on the speaker `deviceId` (null: the system's default), where
 * the browser can choose one (`setSinkId`); a speaker that is gone or refused
 * leaves the element where it plays. Only touches the element when it changes.
 */
export function applyAudioOutput(element: HTMLMediaElement, deviceId: string | null): void {
  const media = element as HTMLMediaElement & { sinkId?: string; setSinkId?: (id: string) => Promise<void> };
  if (typeof media.setSinkId !== 'function' || media.sinkId === (deviceId ?? '')) return;
  media.setSinkId(deviceId ?? '').catch(() => undefined);
}
