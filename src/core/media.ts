/**
 * Local media: acquiring camera and microphone with a clear account of what
 * failed, and the inert placeholder tracks that keep a sender slot open while a
 * device is off (so turning it on later is a `replaceTrack`, not a renegotiation).
 */

import { leaseAudioContext, type AudioContextLease } from './audio-context.js';

export type MediaKind = 'camera' | 'microphone';

/** What went wrong with a device, from the DOMException the browser threw. */
export type MediaProblem =
  /** The user or a policy refused permission (NotAllowedError, SecurityError). */
  | 'denied'
  /** No such device (NotFoundError, OverconstrainedError). */
  | 'missing'
  /** The device exists but could not be started, often because another app holds it (NotReadableError, AbortError). */
  | 'busy'
  /** getUserMedia is unavailable: not a secure context (HTTPS), or an old browser. */
  | 'unsupported'
  /** Anything else. */
  | 'failed';

export interface MediaFailure {
  kind: MediaKind;
  problem: MediaProblem;
  /** A sentence for people. */
  message: string;
  /** The browser's error name, e.g. `NotAllowedError`. */
  errorName: string;
}

export function classifyMediaError(error: unknown): { problem: MediaProblem; errorName: string } {
  const errorName = error instanceof Error || error instanceof DOMException ? error.name : 'Error';
  switch (errorName) {
    case 'NotAllowedError':
    case 'SecurityError':
    case 'PermissionDeniedError':
      return { problem: 'denied', errorName };
    case 'NotFoundError':
    case 'OverconstrainedError':
    case 'DevicesNotFoundError':
      return { problem: 'missing', errorName };
    case 'NotReadableError':
    case 'AbortError':
    case 'TrackStartError':
      return { problem: 'busy', errorName };
    case 'TypeError':
      return { problem: 'unsupported', errorName };
    default:
      return { problem: 'failed', errorName };
  }
}

const DEVICE_WORD: Record<MediaKind, string> = { camera: 'Camera', microphone: 'Microphone' };

/** The browser families whose settings differ where a user fixes a blocked device. */
export type BrowserFamily = 'chromium' | 'firefox' | 'safari' | 'other';

/** The browser family from a user-agent string (Edge, Opera, Brave and the like are Chromium). */
export function browserFamily(userAgent: string = typeof navigator === 'undefined' ? '' : navigator.userAgent): BrowserFamily {
  if (/Firefox\/|FxiOS\//.test(userAgent)) return 'firefox';
  if (/Chrome\/|Chromium\/|CriOS\/|Edg\//.test(userAgent)) return 'chromium';
  if (/Safari\//.test(userAgent) && /Version\//.test(userAgent)) return 'safari';
  return 'other';
}

/** Where, in each browser, a user allows a device this site was refused. */
function allowIn(browser: BrowserFamily, kind: MediaKind): string {
  switch (browser) {
    case 'chromium':
      return `Click the site icon at the left of the address bar, set ${DEVICE_WORD[kind]} to Allow, then turn it on again.`;
    case 'firefox':
      return `Click the crossed-out ${kind} icon in the address bar, remove the block (the ✕ next to it), then turn it on again.`;
    case 'safari':
      return `In the Safari menu choose Settings for This Website…, set ${DEVICE_WORD[kind]} to Allow, then reload the page.`;
    default:
      return `Allow it in the browser's site settings, then turn it on again.`;
  }
}

/**
 * A sentence for people: what went wrong with the device and how to fix it in
 * their browser (the default `mediaProblem` string of the elements).
 */
export function describeMediaFailure(kind: MediaKind, problem: MediaProblem, browser: BrowserFamily = browserFamily()): string {
  const device = DEVICE_WORD[kind];
  switch (problem) {
    case 'denied':
      return `${device} access was denied. ${allowIn(browser, kind)}`;
    case 'missing':
      return `No ${kind} was found. Connect one, then turn it on again.`;
    case 'busy':
      return `The ${kind} is in use by another application or could not start. Close other apps or tabs that may use it (a video call, the ${kind} app), then turn it on again.`;
    case 'unsupported':
      return `This page cannot use the ${kind}: it needs HTTPS (or localhost) and a browser with WebRTC.`;
    default:
      return `${device} could not be started.`;
  }
}

export function mediaFailure(kind: MediaKind, error: unknown): MediaFailure {
  const { problem, errorName } = classifyMediaError(error);
  return { kind, problem, errorName, message: describeMediaFailure(kind, problem) };
}

export interface AcquiredMedia {
  camera: MediaStreamTrack | null;
  microphone: MediaStreamTrack | null;
  failures: MediaFailure[];
}

function getUserMedia(constraints: MediaStreamConstraints): Promise<MediaStream> {
  // `mediaDevices` is missing outside secure contexts; reading it then gives a TypeError we classify.
  const devices = navigator.mediaDevices as MediaDevices | undefined;
  if (!devices) return Promise.reject(new TypeError('navigator.mediaDevices is unavailable'));
  return devices.getUserMedia(constraints);
}

/**
 * Acquires what it can. One request for both first (one permission prompt); if
 * that fails, each device alone, so a denied camera still leaves the microphone.
 */
export async function acquireMedia(
  video: MediaTrackConstraints | false,
  audio: MediaTrackConstraints | false,
): Promise<AcquiredMedia> {
  const result: AcquiredMedia = { camera: null, microphone: null, failures: [] };
  if (!video && !audio) return result;
  if (video && audio) {
    try {
      const stream = await getUserMedia({ video, audio });
      result.camera = stream.getVideoTracks()[0] ?? null;
      result.microphone = stream.getAudioTracks()[0] ?? null;
      return result;
    } catch {
      // Fall through: find out which device is the problem.
    }
  }
  if (audio) {
    try {
      result.microphone = (await getUserMedia({ audio })).getAudioTracks()[0] ?? null;
    } catch (error) {
      result.failures.push(mediaFailure('microphone', error));
    }
  }
  if (video) {
    try {
      result.camera = (await getUserMedia({ video })).getVideoTracks()[0] ?? null;
    } catch (error) {
      result.failures.push(mediaFailure('camera', error));
    }
  }
  return result;
}

/** Acquires one device. Throws a {@link MediaFailure}-carrying error on failure. */
export async function acquireTrack(
  kind: MediaKind,
  constraints: MediaTrackConstraints,
): Promise<MediaStreamTrack> {
  try {
    const stream = await getUserMedia(kind === 'camera' ? { video: constraints } : { audio: constraints });
    const track = (kind === 'camera' ? stream.getVideoTracks() : stream.getAudioTracks())[0];
    if (!track) throw new DOMException(`No ${kind} track`, 'NotFoundError');
    return track;
  } catch (error) {
    throw new MediaError(mediaFailure(kind, error));
  }
}

export class MediaError extends Error {
  readonly failure: MediaFailure;
  constructor(failure: MediaFailure) {
    super(failure.message);
    this.name = 'MediaError';
    this.failure = failure;
  }
}

/**
 * Inert tracks that hold a sender slot while a device is off: a canvas that is
 * never painted (so no video frames are sent) and a silent audio destination.
 */
export class PlaceholderTracks {
  #video: MediaStreamTrack | null = null;
  #audio: MediaStreamTrack | null = null;
  #audioContext: AudioContextLease | null = null;

  video(): MediaStreamTrack {
    if (!this.#video || this.#video.readyState === 'ended') {
      const canvas = document.createElement('canvas');
      canvas.width = 16;
      canvas.height = 16;
      const track = canvas.captureStream(0).getVideoTracks()[0];
      if (!track) throw new Error('canvas.captureStream gave no video track');
      this.#video = track;
    }
    return this.#video;
  }

  audio(): MediaStreamTrack {
    if (!this.#audio || this.#audio.readyState === 'ended') {
      this.#audioContext ??= leaseAudioContext();
      const track = this.#audioContext.context.createMediaStreamDestination().stream.getAudioTracks()[0];
      if (!track) throw new Error('AudioContext gave no audio track');
      this.#audio = track;
    }
    return this.#audio;
  }

  isPlaceholder(track: MediaStreamTrack | null): boolean {
    return track !== null && (track === this.#video || track === this.#audio);
  }

  dispose(): void {
    this.#video?.stop();
    this.#audio?.stop();
    this.#video = null;
    this.#audio = null;
    this.#audioContext?.release();
    this.#audioContext = null;
  }
}
