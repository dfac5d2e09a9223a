/**
 * The local camera and microphone: acquiring them for the preview, turning
 * them on and off, switching devices, and the placeholder tracks that keep a
 * sender slot open while a device is off. Camera and microphone go through the
 * same code; they differ only in what "off" means, which `KIND_RULES` says.
 */
import type { Logger } from './logger.js';
import {
  MediaError,
  PlaceholderTracks,
  acquireMedia,
  acquireTrack,
  mediaFailure,
  type MediaFailure,
  type MediaKind,
} from './media.js';
import { DEFAULT_AUDIO, DEFAULT_VIDEO } from './options.js';

interface KindRule {
  /** The RTP sender kind that carries it. */
  sender: 'video' | 'audio';
  defaults: MediaTrackConstraints;
  /**
   * Camera: off stops the device (its light goes out). Microphone: off mutes
   * the track (`enabled = false`), so unmuting is instant and needs no prompt.
   */
  offStopsDevice: boolean;
}

const KIND_RULES: Record<MediaKind, KindRule> = {
  camera: { sender: 'video', defaults: DEFAULT_VIDEO, offStopsDevice: true },
  microphone: { sender: 'audio', defaults: DEFAULT_AUDIO, offStopsDevice: false },
};

export interface LocalMediaHost {
  readonly log: Logger;
  /** Whether newly acquired tracks may still be used (false once the session has left). */
  active(): boolean;
  /** Puts `track` (or nothing) on every sender of `kind`. */
  replaceTrack(kind: 'audio' | 'video', track: MediaStreamTrack | null): Promise<void>;
  /** The microphone track changed (speaking detection follows it). */
  microphoneChanged(track: MediaStreamTrack | null): void;
  /** The camera/microphone state changed: tell the room and re-render. */
  publish(): void;
  /** The preview changed before the room knows us: re-render only. */
  changed(): void;
  failed(failure: MediaFailure): void;
  /** Whether the microphone may be on now (talking-stick mode without the floor: no). */
  microphoneAllowed(): boolean;
}

export interface LocalMediaOptions {
  video?: MediaTrackConstraints | false;
  audio?: MediaTrackConstraints | false;
  /** Preferred devices (ids from `listDevices()`), tried first; another is used when one is gone. */
  devices?: Partial<Record<MediaKind, string>>;
}

const KINDS: readonly MediaKind[] = ['camera', 'microphone'];

export class LocalMedia {
  readonly #options: LocalMediaOptions;
  readonly #host: LocalMediaHost;
  readonly #tracks: Record<MediaKind, MediaStreamTrack | null> = { camera: null, microphone: null };
  readonly #placeholders = new PlaceholderTracks();
  #outgoing: MediaStream | null = null;
  readonly #endedWatch: Partial<Record<MediaKind, AbortController>> = {};
  #stream: MediaStream | null = null;
  #started: Promise<void> | null = null;
  /** The device chosen for each kind: kept when the device is turned off and on again. */
  readonly #chosen: Record<MediaKind, string | undefined>;

  constructor(options: LocalMediaOptions, host: LocalMediaHost) {
    this.#options = options;
    this.#host = host;
    this.#chosen = { camera: options.devices?.camera, microphone: options.devices?.microphone };
  }

  /** The device id of the track in use for `kind`, or null (off, or never acquired). */
  deviceOf(kind: MediaKind): string | null {
    const track = this.#tracks[kind];
    if (!track || track.readyState !== 'live') return null;
    return track.getSettings().deviceId ?? null;
  }

  /** Camera and microphone tracks, for the local preview. */
  get stream(): MediaStream | null {
    return this.#stream;
  }

  /** Camera: live. Microphone: live and not muted. */
  isOn(kind: MediaKind): boolean {
    const track = this.#tracks[kind];
    return track !== null && track.readyState === 'live' && track.enabled;
  }

  /** Acquires both devices once (the pre-join preview); later calls reuse it. */
  start(): Promise<void> {
    this.#started ??= this.#acquireBoth();
    return this.#started;
  }

  /**
   * Makes the placeholders of the devices not live yet. The first calls go out
   * when the join is answered, often before the camera has started, and carry
   * them: made while the join waits on the network, they cost that moment
   * nothing (the silent one opens the audio output, tens of milliseconds).
   */
  preparePlaceholders(): void {
    try {
      if (!this.#tracks.microphone) this.#placeholders.audio();
      if (!this.#tracks.camera) this.#placeholders.video();
    } catch {
      // Tried again, and reported, when a call needs them.
    }
  }

  async setEnabled(kind: MediaKind, enabled: boolean): Promise<void> {
    if (enabled === this.isOn(kind)) return;
    const rule = KIND_RULES[kind];
    const track = this.#tracks[kind];
    if (track?.readyState === 'live' && !rule.offStopsDevice) {
      track.enabled = enabled;
      this.#host.publish();
      return;
    }
    if (!enabled) {
      this.#set(kind, null);
      await this.#host.replaceTrack(rule.sender, null);
      this.#host.publish();
      return;
    }
    if (await this.#acquire(kind, this.#constraints(kind), true)) this.#host.publish();
  }

  /** Switches to another device (`deviceId` from `listDevices()`), keeping a muted microphone muted. */
  async switchDevice(kind: MediaKind, deviceId: string): Promise<void> {
    const previous = this.#tracks[kind];
    const keepMuted = previous?.readyState === 'live' && !previous.enabled;
    if (await this.#acquire(kind, { ...this.#constraints(kind), deviceId: { exact: deviceId } }, !keepMuted)) {
      this.#chosen[kind] = deviceId;
      this.#host.publish();
    }
  }

  /** Turns a device off without telling the room (the server already knows: a tutor's mute). */
  silence(kind: MediaKind): void {
    const track = this.#tracks[kind];
    if (track) track.enabled = false;
  }

  /**
   * The tracks every call carries: the real devices, or placeholders that hold
   * the sender slots. One stream object while the tracks stay the same: a
   * browser keeps every stream a live track was ever put in for as long as the
   * track lives, so a stream per call would grow with every call.
   */
  outgoingStream(): MediaStream {
    const audio = this.#tracks.microphone ?? this.#placeholders.audio();
    const video = this.#tracks.camera ?? this.#placeholders.video();
    const current = this.#outgoing?.getTracks();
    if (this.#outgoing && current?.length === 2 && current.includes(audio) && current.includes(video)) return this.#outgoing;
    this.#outgoing = new MediaStream([audio, video]);
    return this.#outgoing;
  }

  /**
   * The devices alone, without placeholders (empty while both are off): what an
   * SFU publisher sends. A placeholder there would be encoded, forwarded and
   * decoded for nothing (a silent microphone is a running audio graph per
   * member), and its sender slot is kept by the transceiver anyway.
   */
  deviceStream(): MediaStream {
    return new MediaStream([this.#tracks.microphone, this.#tracks.camera].filter((track): track is MediaStreamTrack => track !== null));
  }

  /** Cameras, microphones and speakers the browser reports (labels need a granted permission). */
  async listDevices(): Promise<MediaDeviceInfo[]> {
    const devices = navigator.mediaDevices as MediaDevices | undefined;
    if (!devices) return [];
    return devices.enumerateDevices();
  }

  /** Stops both devices; a later `start()` acquires them again. */
  stop(): void {
    this.#started = null;
    for (const kind of ['camera', 'microphone'] as const) {
      this.#tracks[kind]?.stop();
      this.#tracks[kind] = null;
      this.#endedWatch[kind]?.abort();
      this.#endedWatch[kind] = undefined;
    }
    this.#stream = null;
    this.#outgoing = null;
  }

  /** Stops the devices and releases the placeholders. */
  dispose(): void {
    this.stop();
    this.#placeholders.dispose();
  }

  #constraints(kind: MediaKind): MediaTrackConstraints {
    const given = (kind === 'camera' ? this.#options.video : this.#options.audio) || KIND_RULES[kind].defaults;
    const chosen = this.#chosen[kind];
    // `exact` (browsers may pass over an `ideal` device for their default); a
    // chosen device that is gone is forgotten and another tried (see #acquireBoth, #acquire).
    return chosen && given.deviceId === undefined ? { ...given, deviceId: { exact: chosen } } : given;
  }

  async #acquireBoth(): Promise<void> {
    const wanted = (kind: MediaKind): MediaTrackConstraints | false =>
      (kind === 'camera' ? this.#options.video : this.#options.audio) === false ? false : this.#constraints(kind);
    let acquired = await acquireMedia(wanted('camera'), wanted('microphone'));
    // A remembered device that is gone (unplugged, another computer): any other will do.
    const gone = KINDS.filter((kind) => acquired[kind] === null && this.#chosen[kind] !== undefined && wanted(kind) !== false);
    if (gone.length > 0) {
      for (const kind of gone) this.#chosen[kind] = undefined;
      const retry = await acquireMedia(gone.includes('camera') ? wanted('camera') : false, gone.includes('microphone') ? wanted('microphone') : false);
      acquired = {
        camera: acquired.camera ?? retry.camera,
        microphone: acquired.microphone ?? retry.microphone,
        failures: [...acquired.failures.filter((f) => !gone.includes(f.kind)), ...retry.failures],
      };
    }
    if (!this.#host.active()) {
      acquired.camera?.stop();
      acquired.microphone?.stop();
      return;
    }
    this.#set('camera', acquired.camera);
    // Joined into talking-stick mode while the devices started: the microphone starts off.
    if (acquired.microphone && !this.#host.microphoneAllowed()) acquired.microphone.enabled = false;
    this.#set('microphone', acquired.microphone);
    for (const failure of acquired.failures) this.#host.failed(failure);
    // Calls placed while the devices started carry placeholders: put the real tracks on.
    await Promise.all([
      ...(acquired.camera ? [this.#host.replaceTrack(KIND_RULES.camera.sender, acquired.camera)] : []),
      ...(acquired.microphone ? [this.#host.replaceTrack(KIND_RULES.microphone.sender, acquired.microphone)] : []),
    ]);
    this.#host.publish();
  }

  /** Acquires one device and puts it on the senders; false when the session left meanwhile. */
  async #acquire(kind: MediaKind, constraints: MediaTrackConstraints, enabled: boolean): Promise<boolean> {
    try {
      const track = await acquireTrack(kind, constraints);
      if (!this.#host.active()) {
        track.stop();
        return false;
      }
      track.enabled = enabled;
      this.#set(kind, track);
      await this.#host.replaceTrack(KIND_RULES[kind].sender, track);
    } catch (error) {
      const chosen = this.#chosen[kind];
      const usedChosen = chosen !== undefined && (constraints.deviceId as ConstrainDOMStringParameters | undefined)?.exact === chosen;
      if (usedChosen) {
        // The chosen device is gone: forget it and take any other.
        this.#chosen[kind] = undefined;
        return this.#acquire(kind, this.#constraints(kind), enabled);
      }
      this.#host.failed(error instanceof MediaError ? error.failure : mediaFailure(kind, error));
    }
    return true;
  }

  #set(kind: MediaKind, track: MediaStreamTrack | null): void {
    const old = this.#tracks[kind];
    if (old && old !== track) old.stop();
    this.#tracks[kind] = track;
    if (kind === 'microphone') this.#host.microphoneChanged(track);
    // The browser may keep a stopped track alive (in a settled getUserMedia
    // promise, in a closed connection's sender): its listener must not keep the session.
    this.#endedWatch[kind]?.abort();
    this.#endedWatch[kind] = undefined;
    this.#refreshStream();
    if (!track) return;
    const watch = new AbortController();
    this.#endedWatch[kind] = watch;
    track.addEventListener('ended', () => {
      // Unplugged, or revoked by the system: report it and show the device as off.
      if (this.#tracks[kind] !== track) return;
      this.#tracks[kind] = null;
      if (kind === 'microphone') this.#host.microphoneChanged(null);
      this.#refreshStream();
      void this.#host.replaceTrack(KIND_RULES[kind].sender, null);
      this.#host.publish();
    }, { signal: watch.signal });
  }

  #refreshStream(): void {
    const tracks = [this.#tracks.camera, this.#tracks.microphone].filter((t): t is MediaStreamTrack => t !== null);
    this.#stream = tracks.length > 0 ? new MediaStream(tracks) : null;
  }
}
