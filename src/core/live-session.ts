/**
 * LiveSession: the framework-agnostic session controller. It owns the PeerJS
 * peer, the room membership (through the live-session server) and every media
 * connection; the elements only render its state and call its methods.
 */
import { Peer, type MediaConnection } from 'peerjs';
import {
  isServerMessage,
  type ClientMessage,
  type LeaveReason,
  type ParticipantInfo,
  type Role,
  type ServerMessage,
} from '../protocol/index.js';
import type {
  ConnectionState,
  LiveSessionEventMap,
  Participant,
  SessionErrorDetail,
  SessionPhase,
} from './events.js';
import { createLogger, type Logger } from './logger.js';
import {
  MediaError,
  PlaceholderTracks,
  acquireMedia,
  acquireTrack,
  type MediaFailure,
  type MediaKind,
} from './media.js';
import { DEFAULT_VIDEO_BUDGET_BPS, videoSendLimits } from './send-limits.js';
import { recallerOf, shouldConnect, type Topology } from './topology.js';
import { parseServerUrl, type ParsedServer } from './server-url.js';
import { SpeakingDetector, receiverLevel } from './speaking.js';

export interface LiveSessionOptions {
  /** Base URL of the live-session server, e.g. `https://rtc.example.edu/`. */
  server: string;
  /** Signed join token; when the server has a secret, room, name, role and user come from it. */
  token?: string;
  room?: string;
  name?: string;
  role?: Role;
  /** Stable identity; when absent, one is generated and kept for the tab (sessionStorage). */
  userId?: string;
  topology?: Topology;
  debug?: boolean;
  /** Camera constraints, or false to join without camera. Default: 640×480 at up to 30 fps. */
  video?: MediaTrackConstraints | false;
  /** Microphone constraints, or false to join without microphone. */
  audio?: MediaTrackConstraints | false;
  /** ICE servers; when absent, asked of the server (`GET <server>/ice`). */
  iceServers?: RTCIceServer[];
  /** Total outgoing video bitrate shared by all peers. */
  videoBudgetBps?: number;
  /** How long a new media connection may take to connect before it is placed again. */
  connectTimeoutMs?: number;
  /** How long an ICE `disconnected` may last before the connection is re-established. */
  mediaRecoveryDelayMs?: number;
  /** Reconnection backoff bounds for the signalling connection. */
  reconnectMinDelayMs?: number;
  reconnectMaxDelayMs?: number;
  /**
   * After a reconnect, how long a participant missing from the new snapshot is
   * kept while its media still flows (it may simply not have re-joined yet).
   */
  reconnectGraceMs?: number;
  /** How long to wait for the server's answer to a join before giving up. */
  joinTimeoutMs?: number;
  /** Where the generated user id is kept; null to keep none. Default: sessionStorage. */
  storage?: Storage | null;
}

const USER_ID_KEY = 'live-session.user-id';
const LOCAL_LEVEL = '#local';

interface RemoteLink {
  call: MediaConnection;
  stream: MediaStream | null;
  /** Whether we placed this call. */
  outgoing: boolean;
  disconnectedTimer: ReturnType<typeof setTimeout> | undefined;
  cleanup: () => void;
}

function randomId(prefix: string): string {
  const cryptoObject = globalThis.crypto as Crypto | undefined;
  const random =
    typeof cryptoObject?.randomUUID === 'function'
      ? cryptoObject.randomUUID().replace(/-/g, '')
      : `${Date.now().toString(36)}${Math.random().toString(36).slice(2)}`;
  return `${prefix}${random}`;
}

/** Destroys a Peer; a connection object PeerJS cannot close must not stop the rest of a teardown. */
function destroyPeer(peer: Peer): void {
  try {
    peer.destroy();
  } catch {
    // PeerJS stops at the first connection that throws; what it holds dies with the page.
  }
}

function defaultStorage(): Storage | null {
  try {
    return typeof sessionStorage === 'undefined' ? null : sessionStorage;
  } catch {
    return null;
  }
}

/** Reads the stable user id for this tab, generating and keeping one when absent. */
export function tabUserId(storage: Storage | null = defaultStorage()): string {
  try {
    const existing = storage?.getItem(USER_ID_KEY);
    if (existing) return existing;
  } catch {
    // Storage can throw (privacy modes); fall through to a fresh id.
  }
  const id = randomId('u-');
  try {
    storage?.setItem(USER_ID_KEY, id);
  } catch {
    // Not kept: a refresh will be a new person, which is the best we can do.
  }
  return id;
}

const DEFAULT_AUDIO: MediaTrackConstraints = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };

const DEFAULT_VIDEO: MediaTrackConstraints = {
  width: { ideal: 640 },
  height: { ideal: 480 },
  frameRate: { ideal: 30 },
};

export class LiveSession extends EventTarget {
  readonly options: Readonly<LiveSessionOptions>;
  readonly topology: Topology;
  readonly log: Logger;

  #phase: SessionPhase = 'idle';
  #connectionState: ConnectionState = 'disconnected';
  #peer: Peer | null = null;
  #server: ParsedServer;
  #iceServers: RTCIceServer[] | null;
  #userId: string;
  #name: string;
  #self: ParticipantInfo | null = null;
  #room: string | null = null;
  #members = new Map<string, ParticipantInfo>();
  #handQueue: string[] = [];
  #links = new Map<string, RemoteLink>();
  /** Calls from peers not (yet) in the roster, held briefly in case the join broadcast is late. */
  #heldCalls = new Map<string, { call: MediaConnection; timer: ReturnType<typeof setTimeout> }>();
  /** Members missing from a snapshot after a reconnect, kept while their media flows. */
  #graceTimers = new Map<string, ReturnType<typeof setTimeout>>();
  #camera: MediaStreamTrack | null = null;
  #microphone: MediaStreamTrack | null = null;
  #localStream: MediaStream | null = null;
  #placeholders = new PlaceholderTracks();
  #participants: readonly Participant[] = [];
  #joinWaiter: { resolve: () => void; reject: (error: Error) => void } | null = null;
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  #reconnectAttempt = 0;
  #windowCleanup: (() => void) | null = null;
  #destroyed = false;
  #mediaAcquired: Promise<void> | null = null;
  #joining: Promise<void> | null = null;
  #timers = new Set<ReturnType<typeof setTimeout>>();
  /** Audio levels: remote participants by peer id, the local microphone as LOCAL_LEVEL. */
  #speaking = new SpeakingDetector((id) => this.#onSpeakingChange(id));

  constructor(options: LiveSessionOptions) {
    super();
    this.options = { ...options };
    this.topology = options.topology ?? 'mesh';
    this.log = createLogger(options.debug ?? false);
    this.#server = parseServerUrl(options.server);
    this.#iceServers = options.iceServers ?? null;
    this.#name = options.name ?? '';
    this.#userId = options.userId ?? tabUserId(options.storage === undefined ? defaultStorage() : options.storage);
  }

  // ------------------------------------------------------------------ typed events

  override addEventListener<K extends keyof LiveSessionEventMap>(
    type: K,
    listener: (event: LiveSessionEventMap[K]) => void,
    options?: boolean | AddEventListenerOptions,
  ): void;
  override addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void;
  override addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null | ((event: never) => void),
    options?: boolean | AddEventListenerOptions,
  ): void {
    super.addEventListener(type, listener as EventListenerOrEventListenerObject | null, options);
  }

  override removeEventListener<K extends keyof LiveSessionEventMap>(
    type: K,
    listener: (event: LiveSessionEventMap[K]) => void,
    options?: boolean | EventListenerOptions,
  ): void;
  override removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions,
  ): void;
  override removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null | ((event: never) => void),
    options?: boolean | EventListenerOptions,
  ): void {
    super.removeEventListener(type, listener as EventListenerOrEventListenerObject | null, options);
  }

  #emit<K extends keyof LiveSessionEventMap>(
    type: K,
    detail: LiveSessionEventMap[K] extends CustomEvent<infer D> ? D : never,
  ): void {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  /**
   * Calls `listener` now and after every change; returns the unsubscribe
   * function. This is what UI layers bind to.
   */
  subscribe(listener: (session: this) => void): () => void {
    const onChange = (): void => listener(this);
    this.addEventListener('change', onChange);
    listener(this);
    return () => this.removeEventListener('change', onChange);
  }

  // ------------------------------------------------------------------ state

  get phase(): SessionPhase {
    return this.#phase;
  }
  get connectionState(): ConnectionState {
    return this.#connectionState;
  }
  get room(): string | null {
    return this.#room ?? this.options.room ?? null;
  }
  get userId(): string {
    return this.#self?.userId ?? this.#userId;
  }
  /** The local peer id, once connected. */
  get peerId(): string | null {
    return this.#peer?.id ?? null;
  }
  /** The role the server granted (from the token when it has a secret). */
  get role(): Role {
    return this.#self?.role ?? this.options.role ?? 'student';
  }
  get name(): string {
    return this.#self?.name ?? this.#name;
  }

  /** Sets the display name used by the next join (the pre-join name field). */
  setName(name: string): void {
    this.#name = name;
    this.#changed();
  }
  get isVideoOn(): boolean {
    return this.#camera !== null && this.#camera.readyState === 'live';
  }
  get isAudioOn(): boolean {
    return this.#microphone !== null && this.#microphone.readyState === 'live' && this.#microphone.enabled;
  }
  get isHandRaised(): boolean {
    return this.#self?.isHandRaised ?? false;
  }
  /** The local preview: the camera track (and the microphone, which a preview plays muted). */
  get localStream(): MediaStream | null {
    return this.#localStream;
  }
  /** Everyone in the room, the local participant included, in join order. */
  get participants(): readonly Participant[] {
    return this.#participants;
  }
  get localParticipant(): Participant | null {
    return this.#participants.find((p) => p.isLocal) ?? null;
  }
  get tutor(): Participant | null {
    return this.#participants.find((p) => p.role === 'tutor') ?? null;
  }
  get handQueue(): readonly string[] {
    return this.#handQueue;
  }
  /** The RTCPeerConnections this session holds open (for diagnostics and tests). */
  get peerConnections(): RTCPeerConnection[] {
    return [...this.#links.values()].map((link) => link.call.peerConnection).filter(Boolean);
  }

  // ------------------------------------------------------------------ join / leave

  /**
   * Acquires media, connects to the server, joins the room and calls everyone
   * already there. Resolves once the room is joined; camera or microphone
   * problems do not reject (they arrive as `error` events with code `media`).
   */
  join(): Promise<void> {
    if (this.#destroyed) return Promise.reject(new Error('This session was destroyed; create a new one.'));
    if (this.#phase === 'joined') return Promise.resolve();
    if (this.#phase === 'left') {
      return Promise.reject(new Error('This session has left; create a new LiveSession to join again.'));
    }
    // A second call while joining waits for the same join.
    if (this.#phase !== 'joining' || !this.#joining) this.#joining = this.#join();
    return this.#joining;
  }

  async #join(): Promise<void> {
    this.#phase = 'joining';
    this.#setConnectionState('connecting');
    this.#changed();
    try {
      await this.startPreview();
      if (this.#iceServers === null) this.#iceServers = await this.#fetchIceServers();
      if (!this.#isJoining()) throw new Error('The join was cancelled.');
      await this.#connectAndJoin();
      this.#installWindowListeners();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (this.#isJoining()) {
        this.#teardownConnections();
        this.#phase = 'idle';
        this.#setConnectionState('disconnected');
        this.#changed();
      }
      throw new Error(message, { cause: error });
    }
  }

  /** Re-reads the phase (an await may have changed it; TypeScript cannot know). */
  #isJoining(): boolean {
    return this.#phase === 'joining';
  }

  /** Leaves the room, stops local media and closes every connection. */
  leave(): Promise<void> {
    if (this.#phase === 'idle' || this.#phase === 'left') {
      this.#stopLocalMedia();
      return Promise.resolve();
    }
    this.#send({ type: 'LS-LEAVE' });
    this.#end('left');
    return Promise.resolve();
  }

  /** Leaves (if needed) and releases everything; the session cannot be used again. */
  destroy(): void {
    if (this.#destroyed) return;
    if (this.#phase === 'joined' || this.#phase === 'joining') this.#send({ type: 'LS-LEAVE' });
    this.#end('left', false);
    this.#destroyed = true;
  }

  #end(reason: LeaveReason, notify = true): void {
    const wasInRoom = this.#phase === 'joined' || this.#phase === 'joining';
    this.#joinWaiter?.reject(new Error(`Left before the join completed (${reason}).`));
    this.#joinWaiter = null;
    // Camera and microphone first: nothing that fails below may leave them on.
    this.#stopLocalMedia();
    this.#teardownConnections();
    this.#placeholders.dispose();
    this.#windowCleanup?.();
    this.#windowCleanup = null;
    this.#members.clear();
    this.#handQueue = [];
    this.#self = null;
    this.#phase = 'left';
    this.#setConnectionState('disconnected');
    this.log.debug('left', { reason });
    this.#rebuild();
    if (notify && wasInRoom) this.#emit('left', { reason });
    this.#changed();
  }

  #teardownConnections(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
    for (const id of [...this.#links.keys()]) this.#closeLink(id);
    for (const { call, timer } of this.#heldCalls.values()) {
      clearTimeout(timer);
      call.close();
    }
    this.#heldCalls.clear();
    for (const timer of this.#graceTimers.values()) clearTimeout(timer);
    this.#graceTimers.clear();
    const peer = this.#peer;
    this.#peer = null;
    if (peer) {
      peer.removeAllListeners();
      destroyPeer(peer);
    }
  }

  async #fetchIceServers(): Promise<RTCIceServer[]> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 3000);
    try {
      const response = await fetch(`${this.#server.base}ice`, { signal: controller.signal });
      if (!response.ok) return [];
      const body = (await response.json()) as { iceServers?: unknown };
      return Array.isArray(body.iceServers) ? (body.iceServers as RTCIceServer[]) : [];
    } catch {
      // An older or stock server: host candidates still work on a LAN or loopback.
      return [];
    } finally {
      clearTimeout(timer);
    }
  }

  #createPeer(): Peer {
    const peer = new Peer(randomId('ls-'), {
      host: this.#server.host,
      port: this.#server.port,
      path: this.#server.path,
      secure: this.#server.secure,
      key: 'peerjs',
      config: { iceServers: this.#iceServers ?? [] },
    });
    peer.socket.on('message', (message: unknown) => {
      if (this.#peer === peer && isServerMessage(message)) this.#onServerMessage(message);
    });
    peer.on('call', (call) => {
      if (this.#peer === peer) this.#onIncomingCall(call);
    });
    // Data connections are not part of this protocol: refuse them.
    peer.on('connection', (connection) => connection.close());
    peer.on('disconnected', () => {
      if (this.#peer === peer) this.#onSignallingLost();
    });
    peer.on('error', (error) => {
      if (this.#peer !== peer) return;
      this.log.debug('peer error', error.type, error.message);
      if (error.type === 'peer-unavailable') return;
      if (error.type === 'network' || error.type === 'socket-error' || error.type === 'socket-closed') return;
      if (this.#phase === 'joined' && (error.type === 'unavailable-id' || error.type === 'server-error')) {
        this.#onSignallingLost();
      }
    });
    return peer;
  }

  /** Opens a Peer and joins; resolves on LS-JOINED, rejects on a refusal or timeout. */
  #connectAndJoin(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const peer = this.#createPeer();
      this.#peer = peer;
      const timeoutMs = this.options.joinTimeoutMs ?? 15_000;
      const timer = setTimeout(() => {
        fail(new Error(`The server at ${this.#server.base} did not answer the join within ${timeoutMs} ms.`));
      }, timeoutMs);
      const fail = (error: Error): void => {
        clearTimeout(timer);
        this.#joinWaiter = null;
        if (this.#peer === peer) {
          this.#peer = null;
          peer.removeAllListeners();
          destroyPeer(peer);
        }
        reject(error);
      };
      this.#joinWaiter = {
        resolve: () => {
          clearTimeout(timer);
          this.#joinWaiter = null;
          resolve();
        },
        reject: fail,
      };
      peer.once('open', () => this.#sendJoin());
      peer.once('error', (error) => {
        if (this.#joinWaiter && this.#phase === 'joining') {
          this.#emitError({ code: 'connection-failed', message: `Could not connect to the server: ${error.message}` });
          fail(new Error(`Could not connect to the server at ${this.#server.base}: ${error.message}`));
        }
      });
    });
  }

  #sendJoin(): void {
    this.#send({
      type: 'LS-JOIN',
      payload: {
        ...(this.options.token ? { token: this.options.token } : {}),
        ...(this.options.room ? { room: this.options.room } : {}),
        userId: this.#userId,
        name: this.#name,
        role: this.options.role ?? 'student',
        isVideoOn: this.isVideoOn,
        isAudioOn: this.isAudioOn,
      },
    });
  }

  #send(message: ClientMessage): void {
    this.#peer?.socket.send(message);
  }

  // ------------------------------------------------------------------ server messages

  #onServerMessage(message: ServerMessage): void {
    switch (message.type) {
      case 'LS-JOINED':
        this.#onJoined(message.payload);
        break;
      case 'LS-PARTICIPANT-JOINED':
        this.#onMemberJoined(message.payload.participant);
        break;
      case 'LS-PARTICIPANT-LEFT':
        this.#onMemberLeft(message.payload.id, message.payload.reason);
        break;
      case 'LS-PARTICIPANT-UPDATED':
        this.#onMemberUpdated(message.payload.participant);
        break;
      case 'LS-HAND-QUEUE':
        this.#handQueue = [...message.payload.handQueue];
        this.#rebuild();
        this.#emit('hand-queue', { handQueue: this.#handQueue });
        this.#changed();
        break;
      case 'LS-MUTED':
        if (this.#microphone) this.#microphone.enabled = false;
        if (this.#self) this.#self = { ...this.#self, isAudioOn: false };
        this.log.debug('muted by', message.payload.by);
        this.#rebuild();
        this.#emitLocalUpdated();
        this.#emit('muted', { by: this.#participant(message.payload.by) });
        this.#changed();
        break;
      case 'LS-UNMUTE-REQUESTED':
        this.#emit('unmute-requested', { by: this.#participant(message.payload.by) });
        break;
      case 'LS-EVICTED':
        this.log.debug('evicted', message.payload.reason);
        if (message.payload.reason === 'removed' || message.payload.reason === 'replaced') {
          this.#end(message.payload.reason);
        }
        break;
      case 'LS-ERROR': {
        const { code, message: text, request } = message.payload;
        this.log.warn('server error', code, text);
        if (request === 'LS-JOIN' && this.#joinWaiter && this.#phase === 'joining') {
          this.#emitError({ code, message: text, request });
          this.#joinWaiter.reject(new Error(`${code}: ${text}`));
          return;
        }
        if (request === 'LS-JOIN' && this.#connectionState === 'reconnecting' && code !== 'already-joined') {
          // The server will not take us back (expired token, full room…): retrying cannot help.
          this.#emitError({ code, message: text, request });
          this.#end('closed');
          return;
        }
        if (request === 'LS-JOIN' && code === 'already-joined') return; // A duplicate join while reconnecting.
        this.#emitError({ code, message: text, ...(request ? { request } : {}) });
        break;
      }
      case 'LS-SHUTDOWN':
        this.log.debug('server shutting down', message.payload.message);
        break;
    }
  }

  #onJoined(payload: Extract<ServerMessage, { type: 'LS-JOINED' }>['payload']): void {
    const rejoin = this.#phase === 'joined';
    this.#self = payload.self;
    this.#room = payload.room;
    this.#handQueue = [...payload.handQueue];
    this.#reconnectAttempt = 0;
    const previous = new Map(this.#members);
    this.#members.clear();
    for (const member of payload.participants) this.#members.set(member.id, member);
    this.log.debug(rejoin ? 're-joined' : 'joined', { room: payload.room, peerId: payload.self.id, role: payload.self.role });
    this.log.debug(
      'existing participants',
      payload.participants.map((p) => `${p.name} (${p.role}, ${p.id})`),
    );

    if (rejoin) {
      // Reconcile: keep flowing media, drop what vanished (after a grace period
      // while its media still flows: it may just not have re-joined yet).
      for (const [id, old] of previous) {
        if (this.#members.has(id)) continue;
        if (this.#linkIsLive(id)) {
          this.#members.set(id, old);
          this.#startGrace(id);
        } else {
          this.#closeLink(id);
          this.#emit('participant-left', { participant: this.#toParticipant(old), reason: 'closed' });
        }
      }
    }

    this.#phase = 'joined';
    this.#setConnectionState('connected');
    // The newcomer calls everyone already there (existing members only answer): no glare.
    for (const member of payload.participants) {
      if (!this.#linkIsLive(member.id)) this.#connectTo(member);
    }
    this.#adoptHeldCalls();
    this.#rebuild();
    if (!rejoin) {
      const self = this.localParticipant;
      if (self) this.#emit('joined', { room: payload.room, self, participants: this.#participants });
    }
    this.#changed();
    this.#joinWaiter?.resolve();
  }

  #onMemberJoined(info: ParticipantInfo): void {
    if (info.id === this.#self?.id) return;
    // A newer membership of the same user replaces the old one (the server says so too).
    for (const [id, member] of this.#members) {
      if (member.userId === info.userId && id !== info.id) this.#removeMember(id, 'replaced');
    }
    const known = this.#members.has(info.id);
    this.#cancelGrace(info.id);
    this.#members.set(info.id, info);
    this.log.debug(known ? 'participant back' : 'participant joined', `${info.name} (${info.role}, ${info.id})`);
    this.#adoptHeldCalls();
    this.#rebuild();
    const participant = this.#participant(info.id);
    if (participant) this.#emit(known ? 'participant-updated' : 'participant-joined', { participant });
    this.#changed();
  }

  #onMemberLeft(id: string, reason: LeaveReason): void {
    if (id === this.#self?.id) return;
    this.#removeMember(id, reason);
  }

  #removeMember(id: string, reason: LeaveReason): void {
    const member = this.#members.get(id);
    this.#cancelGrace(id);
    this.#closeLink(id);
    if (!member) return;
    const participant = this.#toParticipant(member);
    this.#members.delete(id);
    this.#handQueue = this.#handQueue.filter((queued) => queued !== id);
    this.log.debug('participant left', `${member.name} (${id})`, reason);
    this.#rebuild();
    this.#emit('participant-left', { participant, reason });
    this.#changed();
  }

  #onMemberUpdated(info: ParticipantInfo): void {
    if (info.id === this.#self?.id) {
      this.#self = info;
      this.#rebuild();
      this.#emitLocalUpdated();
      this.#changed();
      return;
    }
    if (!this.#members.has(info.id)) return;
    this.#members.set(info.id, info);
    this.#rebuild();
    const participant = this.#participant(info.id);
    if (participant) this.#emit('participant-updated', { participant });
    this.#changed();
  }

  #startGrace(id: string): void {
    this.#cancelGrace(id);
    const graceMs = this.options.reconnectGraceMs ?? 10_000;
    this.#graceTimers.set(
      id,
      setTimeout(() => {
        this.#graceTimers.delete(id);
        this.#removeMember(id, 'timeout');
      }, graceMs),
    );
  }

  #cancelGrace(id: string): void {
    const timer = this.#graceTimers.get(id);
    if (timer !== undefined) clearTimeout(timer);
    this.#graceTimers.delete(id);
  }

  // ------------------------------------------------------------------ media connections

  #shouldConnect(member: ParticipantInfo): boolean {
    return shouldConnect(this.topology, this.role, member.role);
  }

  #outgoingStream(): MediaStream {
    return new MediaStream([
      this.#microphone ?? this.#placeholders.audio(),
      this.#camera ?? this.#placeholders.video(),
    ]);
  }

  #connectTo(member: ParticipantInfo): void {
    const peer = this.#peer;
    if (!peer || peer.disconnected || peer.destroyed || !this.#shouldConnect(member)) return;
    this.#closeLink(member.id);
    this.log.debug('calling', `${member.name} (${member.id})`);
    const call = peer.call(member.id, this.#outgoingStream(), { metadata: { userId: this.userId } }) as MediaConnection | undefined;
    if (call) this.#adoptCall(member.id, call, true);
  }

  #onIncomingCall(call: MediaConnection): void {
    const from = call.peer;
    if (this.#members.has(from)) {
      this.#answer(call);
      return;
    }
    // Not in the roster yet: the join broadcast may still be on its way. Hold briefly.
    this.log.debug('holding call from unknown peer', from);
    const previous = this.#heldCalls.get(from);
    if (previous) {
      clearTimeout(previous.timer);
      previous.call.close();
    }
    const timer = setTimeout(() => {
      this.#heldCalls.delete(from);
      this.log.debug('refused call from a peer outside the room', from);
      call.close();
    }, 5000);
    this.#heldCalls.set(from, { call, timer });
  }

  #adoptHeldCalls(): void {
    for (const [from, held] of this.#heldCalls) {
      if (!this.#members.has(from)) continue;
      clearTimeout(held.timer);
      this.#heldCalls.delete(from);
      this.#answer(held.call);
    }
  }

  #answer(call: MediaConnection): void {
    const member = this.#members.get(call.peer);
    if (!member || !this.#shouldConnect(member) || this.#phase !== 'joined') {
      call.close();
      return;
    }
    const existing = this.#links.get(call.peer);
    const existingState = (existing?.call.peerConnection)?.connectionState;
    if (existing?.outgoing && existingState === 'connected') {
      // Both sides called and ours works: keep the call placed by the lower peer id.
      const myId = this.peerId ?? '';
      if (recallerOf(myId, call.peer) === myId) {
        call.close();
        return;
      }
    }
    this.#closeLink(call.peer);
    this.log.debug('answering', `${member.name} (${member.id})`);
    call.answer(this.#outgoingStream());
    this.#adoptCall(call.peer, call, false);
  }

  #adoptCall(id: string, call: MediaConnection, outgoing: boolean): void {
    const link: RemoteLink = { call, stream: null, outgoing, disconnectedTimer: undefined, cleanup: () => undefined };
    this.#links.set(id, link);
    const onStream = (stream: MediaStream): void => {
      if (this.#links.get(id) !== link) return;
      // PeerJS fires once per track, with the same stream.
      const first = link.stream === null;
      link.stream = stream;
      if (first) this.log.debug('stream from', `${this.#members.get(id)?.name ?? '?'} (${id})`);
      if (first && pc) {
        const receiver = pc.getReceivers().find((r) => r.track.kind === 'audio');
        if (receiver) this.#speaking.watchLevel(id, () => receiverLevel(receiver));
      }
      this.#updateRemote(id);
    };
    const onClose = (): void => {
      if (this.#links.get(id) === link) this.#onLinkBroken(id, link);
    };
    const pc = call.peerConnection as RTCPeerConnection | undefined;
    const onState = (): void => {
      if (this.#links.get(id) !== link || !pc) return;
      const state = pc.connectionState;
      if (state === 'connected') {
        clearTimeout(link.disconnectedTimer);
        link.disconnectedTimer = undefined;
        this.#applySendLimits();
        this.#updateRemote(id);
      } else if (state === 'failed' || state === 'closed') {
        this.log.debug('media connection failed', id);
        this.#onLinkBroken(id, link);
      } else if (state === 'disconnected') {
        clearTimeout(link.disconnectedTimer);
        link.disconnectedTimer = setTimeout(() => {
          if (this.#links.get(id) === link && pc.connectionState !== 'connected') {
            this.log.debug('media connection lost', id);
            this.#onLinkBroken(id, link);
          }
        }, this.options.mediaRecoveryDelayMs ?? 4000);
        this.#updateRemote(id);
      }
    };
    call.on('stream', onStream);
    call.on('close', onClose);
    call.on('error', onClose);
    // A call that never connects (an offer lost on the way) is retried like a broken one.
    this.#later(() => {
      if (this.#links.get(id) === link && pc?.connectionState !== 'connected') {
        this.log.debug('media connection never connected', id);
        this.#onLinkBroken(id, link);
      }
    }, this.options.connectTimeoutMs ?? 15_000);
    pc?.addEventListener('connectionstatechange', onState);
    link.cleanup = () => {
      call.off('stream', onStream);
      call.off('close', onClose);
      call.off('error', onClose);
      pc?.removeEventListener('connectionstatechange', onState);
      clearTimeout(link.disconnectedTimer);
    };
    this.#applySendLimits();
    this.#updateRemote(id);
  }

  /** A media connection died: re-establish it if the peer is still in the room. */
  #onLinkBroken(id: string, link: RemoteLink): void {
    this.#speaking.unwatch(id);
    link.cleanup();
    this.#links.delete(id);
    link.call.close();
    const member = this.#members.get(id);
    this.#updateRemote(id);
    if (!member || this.#phase !== 'joined' || !this.#peer || this.#peer.disconnected) return;
    const myId = this.peerId ?? '';
    const recall = (): void => {
      if (this.#members.has(id) && !this.#links.has(id) && this.#phase === 'joined') this.#connectTo(member);
    };
    if (recallerOf(myId, id) === myId) {
      this.log.debug('re-establishing media', id);
      // A short pause lets the far side notice too, so it answers rather than races.
      this.#later(recall, 500);
    } else {
      // The lower id calls; if the far side has not noticed the drop (its end may
      // look healthy to it), call anyway after a while. Glare resolves in #answer.
      this.log.debug('waiting for the re-call', id);
      this.#later(recall, this.options.mediaRecoveryDelayMs ?? 4000);
    }
  }

  /** A timer that teardown cancels. */
  #later(run: () => void, ms: number): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      run();
    }, ms);
    this.#timers.add(timer);
  }

  #closeLink(id: string): void {
    const link = this.#links.get(id);
    if (!link) return;
    this.#speaking.unwatch(id);
    link.cleanup();
    this.#links.delete(id);
    link.call.close();
    // Fewer peers: the remaining videos may use more of the budget.
    this.#applySendLimits();
  }

  #linkIsLive(id: string): boolean {
    const link = this.#links.get(id);
    if (!link) return false;
    const pc = link.call.peerConnection as RTCPeerConnection | undefined;
    if (!pc) return link.call.open;
    return pc.connectionState !== 'closed' && pc.connectionState !== 'failed';
  }

  #senders(kind: 'audio' | 'video'): RTCRtpSender[] {
    const senders: RTCRtpSender[] = [];
    for (const link of this.#links.values()) {
      const pc = link.call.peerConnection as RTCPeerConnection | undefined;
      if (!pc || pc.signalingState === 'closed') continue;
      for (const transceiver of pc.getTransceivers()) {
        if (transceiver.receiver.track.kind === kind && transceiver.currentDirection !== 'stopped') senders.push(transceiver.sender);
      }
    }
    return senders;
  }

  #applySendLimits(): void {
    const senders = this.#senders('video');
    const limits = videoSendLimits(senders.length, this.options.videoBudgetBps ?? DEFAULT_VIDEO_BUDGET_BPS);
    for (const sender of senders) {
      const parameters = sender.getParameters();
      if (parameters.encodings.length === 0) continue; // Not negotiated yet; retried on 'connected'.
      for (const encoding of parameters.encodings) {
        encoding.maxBitrate = limits.maxBitrate;
        encoding.scaleResolutionDownBy = limits.scaleResolutionDownBy;
        encoding.maxFramerate = limits.maxFramerate;
      }
      sender.setParameters(parameters).catch((error: unknown) => {
        this.log.debug('setParameters failed', error);
      });
    }
  }

  async #replaceTrack(kind: 'audio' | 'video', track: MediaStreamTrack | null): Promise<void> {
    await Promise.all(
      this.#senders(kind).map((sender) =>
        sender.replaceTrack(track).catch((error: unknown) => this.log.debug('replaceTrack failed', error)),
      ),
    );
  }

  // ------------------------------------------------------------------ local media

  /**
   * Acquires camera and microphone before joining (the pre-join preview).
   * `join()` reuses what this acquired. Problems arrive as `error` events.
   */
  startPreview(): Promise<void> {
    if (this.#destroyed) return Promise.resolve();
    this.#mediaAcquired ??= this.#acquireLocalMedia();
    return this.#mediaAcquired;
  }

  async #acquireLocalMedia(): Promise<void> {
    const video = this.options.video === false ? false : (this.options.video ?? DEFAULT_VIDEO);
    const audio = this.options.audio === false ? false : (this.options.audio ?? DEFAULT_AUDIO);
    const acquired = await acquireMedia(video, audio);
    if (this.#destroyed || this.#phase === 'left') {
      acquired.camera?.stop();
      acquired.microphone?.stop();
      return;
    }
    this.#setCamera(acquired.camera);
    this.#setMicrophone(acquired.microphone);
    for (const failure of acquired.failures) this.#emitMediaFailure(failure);
    this.#changed();
  }

  #emitMediaFailure(failure: MediaFailure): void {
    this.log.warn(`${failure.kind} unavailable`, failure.errorName, failure.message);
    this.#emitError({ code: 'media', message: failure.message, media: failure });
  }

  #setCamera(track: MediaStreamTrack | null): void {
    if (this.#camera && this.#camera !== track) this.#camera.stop();
    this.#camera = track;
    track?.addEventListener('ended', () => {
      // Unplugged, or revoked by the system: report it and show the camera as off.
      if (this.#camera !== track) return;
      this.#camera = null;
      this.#refreshLocalStream();
      void this.#replaceTrack('video', null);
      this.#publishLocalState();
    });
    this.#refreshLocalStream();
  }

  #setMicrophone(track: MediaStreamTrack | null): void {
    if (this.#microphone && this.#microphone !== track) this.#microphone.stop();
    this.#microphone = track;
    if (track) this.#speaking.watch(LOCAL_LEVEL, new MediaStream([track]));
    else this.#speaking.unwatch(LOCAL_LEVEL);
    track?.addEventListener('ended', () => {
      if (this.#microphone !== track) return;
      this.#microphone = null;
      this.#refreshLocalStream();
      void this.#replaceTrack('audio', null);
      this.#publishLocalState();
    });
    this.#refreshLocalStream();
  }

  #refreshLocalStream(): void {
    const tracks = [this.#camera, this.#microphone].filter((t): t is MediaStreamTrack => t !== null);
    this.#localStream = tracks.length > 0 ? new MediaStream(tracks) : null;
  }

  #stopLocalMedia(): void {
    this.#speaking.dispose();
    this.#mediaAcquired = null;
    this.#camera?.stop();
    this.#microphone?.stop();
    this.#camera = null;
    this.#microphone = null;
    this.#localStream = null;
  }

  /** Tells the room the local camera/mic state and re-renders. */
  #publishLocalState(): void {
    if (this.#self) {
      this.#self = { ...this.#self, isVideoOn: this.isVideoOn, isAudioOn: this.isAudioOn };
      this.#send({ type: 'LS-STATE', payload: { isVideoOn: this.isVideoOn, isAudioOn: this.isAudioOn } });
    }
    this.#rebuild();
    this.#emitLocalUpdated();
    this.#changed();
  }

  /** Turns the camera on or off. Off stops the device (its light goes out). */
  async setCameraEnabled(enabled: boolean): Promise<void> {
    if (enabled === this.isVideoOn) return;
    if (!enabled) {
      const camera = this.#camera;
      this.#camera = null;
      camera?.stop();
      this.#refreshLocalStream();
      await this.#replaceTrack('video', null);
      this.#publishLocalState();
      return;
    }
    const video = this.options.video === false ? DEFAULT_VIDEO : (this.options.video ?? DEFAULT_VIDEO);
    try {
      const track = await acquireTrack('camera', video);
      if (this.#phase === 'left' || this.#destroyed) {
        track.stop();
        return;
      }
      this.#setCamera(track);
      await this.#replaceTrack('video', track);
    } catch (error) {
      this.#reportTrackError(error);
    }
    this.#publishLocalState();
  }

  /** Turns the microphone on or off (`track.enabled`; acquired on demand if missing). */
  async setMicrophoneEnabled(enabled: boolean): Promise<void> {
    if (enabled === this.isAudioOn) return;
    if (this.#microphone && this.#microphone.readyState === 'live') {
      this.#microphone.enabled = enabled;
      this.#publishLocalState();
      return;
    }
    if (!enabled) return;
    const audio = this.options.audio === false ? DEFAULT_AUDIO : (this.options.audio ?? DEFAULT_AUDIO);
    try {
      const track = await acquireTrack('microphone', audio);
      if (this.#phase === 'left' || this.#destroyed) {
        track.stop();
        return;
      }
      this.#setMicrophone(track);
      await this.#replaceTrack('audio', track);
    } catch (error) {
      this.#reportTrackError(error);
    }
    this.#publishLocalState();
  }

  toggleCamera(): Promise<void> {
    return this.setCameraEnabled(!this.isVideoOn);
  }

  toggleMic(): Promise<void> {
    return this.setMicrophoneEnabled(!this.isAudioOn);
  }

  /** Switches to another camera (`deviceId` from `listDevices()`), keeping every connection. */
  async switchDevice(kind: MediaKind, deviceId: string): Promise<void> {
    const base = kind === 'camera' ? (this.options.video || DEFAULT_VIDEO) : (this.options.audio || {});
    try {
      const track = await acquireTrack(kind, { ...base, deviceId: { exact: deviceId } });
      if (kind === 'camera') {
        this.#setCamera(track);
        await this.#replaceTrack('video', track);
      } else {
        const wasEnabled = this.isAudioOn;
        track.enabled = wasEnabled || !this.#microphone;
        this.#setMicrophone(track);
        await this.#replaceTrack('audio', track);
      }
    } catch (error) {
      this.#reportTrackError(error);
    }
    this.#publishLocalState();
  }

  /** Cameras and microphones the browser reports (labels need a granted permission). */
  async listDevices(): Promise<MediaDeviceInfo[]> {
    const devices = navigator.mediaDevices as MediaDevices | undefined;
    if (!devices) return [];
    return (await devices.enumerateDevices()).filter((d) => d.kind === 'videoinput' || d.kind === 'audioinput');
  }

  #reportTrackError(error: unknown): void {
    if (error instanceof MediaError) this.#emitMediaFailure(error.failure);
    else this.#emitError({ code: 'media', message: error instanceof Error ? error.message : String(error) });
  }

  // ------------------------------------------------------------------ hands and tutor controls

  raiseHand(): void {
    if (this.#requireRoom()) this.#send({ type: 'LS-HAND', payload: { raised: true } });
  }

  /** Lowers the local hand, or (tutor) someone else's. */
  lowerHand(id?: string): void {
    if (!this.#requireRoom()) return;
    if (id === undefined || id === this.peerId) {
      this.#send({ type: 'LS-HAND', payload: { raised: false } });
    } else if (this.#requireTutor()) {
      this.#send({ type: 'LS-LOWER-HAND', payload: { target: id } });
    }
  }

  /** Tutor: turns one participant's microphone off. They can turn it back on. */
  muteParticipant(id: string): void {
    if (this.#requireRoom() && this.#requireTutor()) this.#send({ type: 'LS-MUTE', payload: { target: id } });
  }

  /** Tutor: turns every other participant's microphone off. */
  muteAll(): void {
    if (this.#requireRoom() && this.#requireTutor()) this.#send({ type: 'LS-MUTE-ALL' });
  }

  /** Tutor: removes a participant from the room. */
  removeParticipant(id: string): void {
    if (this.#requireRoom() && this.#requireTutor()) this.#send({ type: 'LS-REMOVE', payload: { target: id } });
  }

  /** Tutor: asks a participant to unmute; they see the request and decide. */
  askToUnmute(id: string): void {
    if (this.#requireRoom() && this.#requireTutor()) this.#send({ type: 'LS-ASK-UNMUTE', payload: { target: id } });
  }

  #requireRoom(): boolean {
    if (this.#phase === 'joined') return true;
    this.#emitError({ code: 'not-in-room', message: 'Join the room first.' });
    return false;
  }

  #requireTutor(): boolean {
    if (this.role === 'tutor') return true;
    this.#emitError({ code: 'not-tutor', message: 'Only the tutor can do that.' });
    return false;
  }

  // ------------------------------------------------------------------ recovery

  #onSignallingLost(): void {
    if (this.#phase !== 'joined' || this.#destroyed) return;
    if (this.#connectionState !== 'reconnecting') {
      this.log.debug('signalling lost; reconnecting');
      this.#setConnectionState('reconnecting');
      this.#changed();
    }
    this.#scheduleReconnect();
  }

  #scheduleReconnect(immediate = false): void {
    clearTimeout(this.#reconnectTimer);
    const min = this.options.reconnectMinDelayMs ?? 500;
    const max = this.options.reconnectMaxDelayMs ?? 8000;
    const delay = immediate ? 0 : Math.min(max, min * 2 ** this.#reconnectAttempt) * (0.75 + Math.random() * 0.5);
    this.#reconnectAttempt++;
    this.#reconnectTimer = setTimeout(() => this.#reconnect(), delay);
  }

  /**
   * Reconnects the same Peer (its media connections stay up) and re-joins. If
   * the server re-attaches the socket without a new OPEN, the join is sent anyway;
   * if nothing answers, the attempt is retried with backoff, and after several
   * tries a fresh Peer (new id) takes over.
   */
  #reconnect(): void {
    const peer = this.#peer;
    if (this.#phase !== 'joined' || !peer) return;
    if (this.#reconnectAttempt > 6) {
      this.#replacePeer();
      return;
    }
    if (!peer.disconnected) return;
    this.log.debug('reconnect attempt', this.#reconnectAttempt);
    try {
      peer.reconnect();
    } catch {
      this.#replacePeer();
      return;
    }
    const attempt = this.#reconnectAttempt;
    const onOpen = (): void => this.#sendJoin();
    peer.once('open', onOpen);
    // A socket re-attached to a still-known id gets no OPEN: send the join anyway.
    setTimeout(() => {
      if (this.#peer === peer && this.#connectionState === 'reconnecting' && !peer.disconnected) this.#sendJoin();
    }, 1500);
    setTimeout(() => {
      peer.off('open', onOpen);
      if (this.#peer !== peer || this.#connectionState !== 'reconnecting' || attempt !== this.#reconnectAttempt) return;
      if (!peer.disconnected) peer.disconnect(); // 'disconnected' schedules the next attempt.
      else this.#scheduleReconnect();
    }, 6000);
  }

  /** Gives up on the old peer id: a fresh Peer, a fresh join, every call placed anew. */
  #replacePeer(): void {
    this.log.debug('reconnecting with a fresh peer');
    for (const id of [...this.#links.keys()]) this.#closeLink(id);
    const old = this.#peer;
    if (old) {
      old.removeAllListeners();
      destroyPeer(old);
    }
    this.#reconnectAttempt = 0;
    const peer = this.#createPeer();
    this.#peer = peer;
    peer.once('open', () => this.#sendJoin());
    this.#reconnectTimer = setTimeout(() => {
      if (this.#peer === peer && this.#connectionState === 'reconnecting') {
        if (!peer.disconnected) peer.disconnect();
        else this.#scheduleReconnect();
      }
    }, 8000);
  }

  #installWindowListeners(): void {
    if (typeof window === 'undefined' || this.#windowCleanup) return;
    const onPageHide = (event: PageTransitionEvent): void => {
      // Leave cleanly so others see us go at once; a page kept in the
      // back/forward cache leaves too (its media cannot continue).
      if (this.#phase === 'joined') {
        this.log.debug('pagehide: leaving', { persisted: event.persisted });
        void this.leave();
      }
    };
    const onOnline = (): void => {
      if (this.#connectionState === 'reconnecting' && this.#peer?.disconnected) {
        this.#reconnectAttempt = 0;
        this.#scheduleReconnect(true);
      }
    };
    const onOffline = (): void => {
      this.log.debug('browser offline');
    };
    const devices = navigator.mediaDevices as MediaDevices | undefined;
    const onDeviceChange = (): void => {
      // A camera unplugged ends its track ('ended' above); one plugged in while
      // none worked is picked up when the user turns the camera on.
      this.log.debug('media devices changed');
      this.#changed();
    };
    window.addEventListener('pagehide', onPageHide);
    window.addEventListener('online', onOnline);
    window.addEventListener('offline', onOffline);
    devices?.addEventListener('devicechange', onDeviceChange);
    this.#windowCleanup = () => {
      window.removeEventListener('pagehide', onPageHide);
      window.removeEventListener('online', onOnline);
      window.removeEventListener('offline', onOffline);
      devices?.removeEventListener('devicechange', onDeviceChange);
    };
  }

  // ------------------------------------------------------------------ participants

  #participant(id: string): Participant | null {
    return this.#participants.find((p) => p.id === id) ?? null;
  }

  #toParticipant(info: ParticipantInfo): Participant {
    const isLocal = info.id === this.#self?.id;
    const link = this.#links.get(info.id);
    let media: Participant['media'] = 'none';
    if (!isLocal && link) {
      const state = (link.call.peerConnection as RTCPeerConnection | undefined)?.connectionState;
      media = state === 'connected' ? 'connected' : state === 'disconnected' ? 'reconnecting' : 'connecting';
    }
    const position = this.#handQueue.indexOf(info.id) + 1;
    return {
      ...info,
      ...(isLocal ? { isVideoOn: this.isVideoOn, isAudioOn: this.isAudioOn } : {}),
      isHandRaised: info.isHandRaised || position > 0,
      isLocal,
      stream: isLocal ? this.#localStream : (link?.stream ?? null),
      media,
      handPosition: position,
    };
  }

  #rebuild(): void {
    const all: Participant[] = [];
    if (this.#self) all.push(this.#toParticipant(this.#self));
    for (const member of this.#members.values()) all.push(this.#toParticipant(member));
    all.sort((a, b) => a.joinedAt - b.joinedAt || a.id.localeCompare(b.id));
    this.#participants = Object.freeze(all);
  }

  #updateRemote(id: string): void {
    this.#rebuild();
    const participant = this.#participant(id);
    if (participant) this.#emit('participant-updated', { participant });
    this.#changed();
  }

  /**
   * Speaking changes often, so it travels on its own event and never through
   * `change`: a UI updates one attribute instead of re-rendering the room.
   */
  #onSpeakingChange(key: string): void {
    const id = key === LOCAL_LEVEL ? this.#self?.id : key;
    if (!id) return;
    this.#emit('speaking', { id, speaking: this.isParticipantSpeaking(id) });
  }

  /** Whether the local participant is speaking (microphone on and loud enough). */
  get isSpeaking(): boolean {
    return this.isAudioOn && this.#speaking.isSpeaking(LOCAL_LEVEL);
  }

  /** Whether a participant (local or remote, by peer id) is speaking; never while muted. */
  isParticipantSpeaking(id: string): boolean {
    if (id === this.#self?.id) return this.isSpeaking;
    return (this.#members.get(id)?.isAudioOn ?? false) && this.#speaking.isSpeaking(id);
  }

  #emitLocalUpdated(): void {
    const participant = this.localParticipant;
    if (participant) this.#emit('participant-updated', { participant });
  }

  #setConnectionState(state: ConnectionState): void {
    if (state === this.#connectionState) return;
    this.#connectionState = state;
    this.log.debug('connection', state);
    this.#emit('connection-state', { state });
  }

  #emitError(detail: SessionErrorDetail): void {
    this.#emit('error', detail);
  }

  #changed(): void {
    this.dispatchEvent(new CustomEvent('change', { detail: null }));
  }
}
