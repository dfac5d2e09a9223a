/**
 * Screen sharing. The sharer captures a screen, window or tab
 * (`getDisplayMedia`), asks the room server for the room's one share, then
 * calls every other participant with it: a PeerJS call of its own per viewer
 * (metadata `{ kind: 'screen' }`), so the camera calls are never renegotiated.
 * Viewers answer without sending anything. Newcomers are called when they
 * join; the browser's own "Stop sharing" (track `ended`) stops it everywhere.
 * In SFU rooms nobody is called: the share is published to the SFU as a
 * second video (see sfu-mode.ts), and viewers receive it from there.
 */
import type { MediaConnection, Peer } from 'peerjs';
import type { ClientMessage, ScreenInfo, ServerMessage } from '../protocol/index.js';
import { SessionError, type LiveSessionEventMap, type Participant } from './events.js';
import type { Logger } from './logger.js';
import { ignoreStreamlessTracks, peerConnectionOf } from './media-links.js';
import type { DetailOf } from './typed-events.js';

/** How a share is captured and sent. */
export interface ScreenShareOptions {
  /** Capture the tab's or system's sound where the browser offers it. Default true. */
  audio?: boolean;
  /** Most frames a second (default 15: text and slides change little; motion stays readable). */
  frameRate?: number;
  /** Most bits a second to each viewer (default 1.5 Mbit/s). */
  maxBitrate?: number;
  /** The track's content hint: `detail` (default, keeps resolution for text) or `motion` (video). */
  contentHint?: 'detail' | 'text' | 'motion';
}

export interface ScreenShareHost {
  readonly log: Logger;
  emit<K extends keyof LiveSessionEventMap>(type: K, detail: DetailOf<LiveSessionEventMap[K]>): void;
  changed(): void;
  send(message: ClientMessage): void;
  allowed(tutorOnly: boolean): boolean;
  peer(): Peer | null;
  selfId(): string | null;
  userId(): string;
  /** Everyone else in the room now. */
  others(): readonly Participant[];
  participant(id: string): Participant | null;
  /** Our share started or stopped: the camera gives up part of its budget while it runs. */
  sharingChanged(sharing: boolean): void;
  /** Whether media goes through the SFU: then the share is published there, not called to each viewer. */
  viaSfu(): boolean;
}

const NO_SHARE: Readonly<ScreenInfo> = Object.freeze({ sharer: null, studentsMayShare: false });
const DEFAULT_BITRATE = 1_500_000;

export class ScreenShare {
  readonly #host: ScreenShareHost;
  #info: Readonly<ScreenInfo> = NO_SHARE;
  /** Our capture, while we share. */
  #local: MediaStream | null = null;
  #options: ScreenShareOptions = {};
  /** Outgoing share calls, by viewer peer id. */
  readonly #calls = new Map<string, MediaConnection>();
  /** The share we watch: its call and stream. */
  #incoming: { call: MediaConnection; stream: MediaStream | null } | null = null;
  /** Resolves start() once the server confirms. */
  #confirm: { resolve: () => void; reject: (error: Error) => void } | null = null;

  constructor(host: ScreenShareHost) {
    this.#host = host;
  }

  get info(): Readonly<ScreenInfo> {
    return this.#info;
  }

  /** Our own capture while we share (for a "You are sharing" preview). */
  get localStream(): MediaStream | null {
    return this.#local;
  }

  /** The share we receive, once its first track arrived. */
  get remoteStream(): MediaStream | null {
    return this.#incoming?.stream ?? null;
  }

  get sharing(): boolean {
    return this.#local !== null && this.#info.sharer !== null && this.#info.sharer === this.#host.selfId();
  }

  /** Whether the browser can capture a screen at all (`getDisplayMedia`: desktop browsers, secure pages). */
  static get supported(): boolean {
    return typeof navigator !== 'undefined' && typeof (navigator.mediaDevices as MediaDevices | undefined)?.getDisplayMedia === 'function';
  }

  /** Whether we may start a share now: joined, the browser can, and we are a tutor or students may share. */
  get allowed(): boolean {
    return ScreenShare.supported && this.#host.allowed(false) && this.#mayShare();
  }

  async start(options: ScreenShareOptions = {}): Promise<void> {
    if (!this.#host.allowed(false)) throw new SessionError('not-joined', 'Join the room first.');
    if (this.#local) return;
    if (!this.#mayShare()) throw new SessionError('share-not-allowed', 'The tutor has not allowed students to share their screen.');
    if (!ScreenShare.supported) throw new SessionError('media', 'This browser cannot share a screen here (a desktop browser on an HTTPS page can).');
    this.#options = options;
    const stream = await navigator.mediaDevices.getDisplayMedia({
      video: { frameRate: { ideal: options.frameRate ?? 15, max: options.frameRate ?? 15 } },
      audio: options.audio ?? true,
    });
    const video = stream.getVideoTracks()[0];
    if (video) video.contentHint = options.contentHint ?? 'detail';
    for (const track of stream.getTracks()) track.addEventListener('ended', () => void this.stop(), { once: true });
    this.#local = stream;
    try {
      await new Promise<void>((resolve, reject) => {
        this.#confirm = { resolve, reject };
        this.#host.send({ type: 'LS-SCREEN-SHARE', payload: { on: true } });
      });
    } catch (error) {
      this.#release();
      throw error;
    }
    for (const viewer of this.#host.others()) this.#callViewer(viewer.id);
    this.#host.sharingChanged(true);
    this.#host.changed();
  }

  /** Stops our share (and tells the room). */
  stop(): Promise<void> {
    if (!this.#local) return Promise.resolve();
    this.#release();
    if (this.#host.allowed(false)) this.#host.send({ type: 'LS-SCREEN-SHARE', payload: { on: false } });
    this.#host.changed();
    return Promise.resolve();
  }

  setStudentsMayShare(allowed: boolean): void {
    if (this.#host.allowed(true)) this.#host.send({ type: 'LS-SHARE-POLICY', payload: { studentsMayShare: allowed } });
  }

  apply(message: ServerMessage): void {
    switch (message.type) {
      case 'LS-JOINED':
        this.#info = Object.freeze({ ...(message.payload.screen ?? NO_SHARE) });
        return;
      case 'LS-SCREEN': {
        const before = this.#info.sharer;
        this.#info = Object.freeze({ ...message.payload.screen });
        const me = this.#host.selfId();
        if (this.#info.sharer === me && this.#confirm) {
          const confirm = this.#confirm;
          this.#confirm = null;
          confirm.resolve();
        }
        if (this.#local && this.#info.sharer !== me && (message.payload.replaced === me || before === me)) {
          // Someone else's share replaced ours, or a tutor stopped students sharing.
          this.#release();
          this.#host.emit('screen-share-ended', { reason: 'replaced' });
        }
        if (this.#incoming && this.#incoming.call.peer !== this.#info.sharer) this.#dropIncoming();
        this.#host.emit('screen-share', { screen: this.#info, sharer: this.#info.sharer === null ? null : this.#host.participant(this.#info.sharer) });
        this.#host.changed();
        return;
      }
      case 'LS-ERROR': {
        // The server refused our LS-SCREEN-SHARE: start() rejects with its reason.
        if (message.payload.request !== 'LS-SCREEN-SHARE') return;
        const confirm = this.#confirm;
        this.#confirm = null;
        const code = message.payload.code === 'share-not-allowed' ? 'share-not-allowed' : 'connection-failed';
        confirm?.reject(new SessionError(code, message.payload.message));
        return;
      }
      case 'LS-PARTICIPANT-JOINED':
        if (this.sharing) this.#callViewer(message.payload.participant.id);
        return;
      case 'LS-PARTICIPANT-LEFT': {
        const call = this.#calls.get(message.payload.id);
        call?.close();
        this.#calls.delete(message.payload.id);
        return;
      }
      default:
        return;
    }
  }

  /** A call with `{ kind: 'screen' }` metadata: watched when it comes from the sharer. */
  onIncomingCall(call: MediaConnection): void {
    if (call.peer !== this.#info.sharer || !this.#host.participant(call.peer)) {
      // The LS-SCREEN naming the sharer travels before the calls; anything else is not for us.
      call.close();
      return;
    }
    this.#dropIncoming();
    const incoming: { call: MediaConnection; stream: MediaStream | null } = { call, stream: null };
    this.#incoming = incoming;
    call.on('stream', (stream: MediaStream) => {
      if (this.#incoming !== incoming) return;
      incoming.stream = stream;
      this.#host.changed();
    });
    call.on('close', () => {
      if (this.#incoming !== incoming) return;
      this.#incoming = null;
      this.#host.changed();
    });
    call.answer(undefined);
    // The same guard as camera calls: a crafted offer's streamless tracks must not throw inside PeerJS.
    const pc = peerConnectionOf(call);
    if (pc) ignoreStreamlessTracks(pc);
  }

  /** Leaving: everything goes. */
  reset(): void {
    this.#release();
    this.#dropIncoming();
    this.#info = NO_SHARE;
    this.#confirm?.reject(new SessionError('join-cancelled', 'Left the room.'));
    this.#confirm = null;
  }

  #mayShare(): boolean {
    const self = this.#host.participant(this.#host.selfId() ?? '');
    return self?.role === 'tutor' || this.#info.studentsMayShare;
  }

  #callViewer(id: string): void {
    if (this.#host.viaSfu()) return;
    const peer = this.#host.peer();
    const stream = this.#local;
    if (!peer || !stream || peer.disconnected) return;
    this.#calls.get(id)?.close();
    const call = peer.call(id, stream, { metadata: { kind: 'screen', userId: this.#host.userId() } }) as MediaConnection | undefined;
    if (!call) return;
    this.#calls.set(id, call);
    this.#limit(call);
    call.on('close', () => {
      if (this.#calls.get(id) === call) this.#calls.delete(id);
    });
  }

  /** The share's own bitrate cap, once the call is negotiated. */
  #limit(call: MediaConnection): void {
    const pc = peerConnectionOf(call);
    if (!pc) return;
    const apply = (): void => {
      if (pc.signalingState !== 'stable') return;
      for (const sender of pc.getSenders()) {
        if (sender.track?.kind !== 'video') continue;
        const parameters = sender.getParameters();
        if (parameters.encodings.length === 0) continue;
        for (const encoding of parameters.encodings) encoding.maxBitrate = this.#options.maxBitrate ?? DEFAULT_BITRATE;
        sender.setParameters(parameters).catch((error: unknown) => this.#host.log.debug('share setParameters failed', error));
      }
    };
    pc.addEventListener('signalingstatechange', apply);
  }

  #release(): void {
    for (const call of this.#calls.values()) call.close();
    this.#calls.clear();
    const had = this.#local !== null;
    for (const track of this.#local?.getTracks() ?? []) track.stop();
    this.#local = null;
    if (had) this.#host.sharingChanged(false);
  }

  #dropIncoming(): void {
    const incoming = this.#incoming;
    this.#incoming = null;
    incoming?.call.close();
  }
}
