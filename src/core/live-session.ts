/**
 * LiveSession: the framework-agnostic session controller. A facade over
 * focused units: the signalling channel (signalling.ts), the media links
 * (media-links.ts), the local devices (local-media.ts), the room and its pure
 * roster reducer (room.ts, roster.ts), the session's life in the room and its
 * requests (membership.ts), and one timer scheduler (scheduler.ts). The
 * elements only render its state and call its methods.
 */
import type { MediaConnection } from 'peerjs';
import type { AdmissionInfo, FloorInfo, ParticipantInfo, Reaction, RecordingInfo, Role, ScreenInfo, WaitingInfo } from '../protocol/index.js';
import { Reactions } from './reactions.js';
import { Floor } from './floor.js';
import { Admission } from './admission.js';
import { fetchAttendance, saveFile, type AttendanceFile } from './attendance.js';
import { ScreenShare, type ScreenShareOptions } from './screen-share.js';
import { Chat } from './chat.js';
import { DIAGNOSTICS, type SessionInternals } from './diagnostics.js';
import { browserSupport, callProblem, describeCallProblem, describeNetworkBlocked, type CallProblem } from './support.js';
import { SessionError, type ChatEntry, type ConnectionState, type LiveSessionEventMap, type Participant, type SessionPhase } from './events.js';
import { defaultStorage, tabUserId } from './identity.js';
import { LocalMedia } from './local-media.js';
import { createLogger, type Logger } from './logger.js';
import { MediaLinks } from './media-links.js';
import type { MediaKind } from './media.js';
import { Membership } from './membership.js';
import { select, type ObserveOptions } from './observe.js';
import { resolveTimings, type LiveSessionOptions, type Timings } from './options.js';
import { Room } from './room.js';
import { Scheduler } from './scheduler.js';
import { DEFAULT_VIDEO_BUDGET_BPS } from './send-limits.js';
import { parseServerUrl, recordingFileUrl } from './server-url.js';
import { SignallingChannel } from './signalling.js';
import { SfuMode, type SfuState } from './sfu-mode.js';
import { SpeakingDetector, receiverLevel } from './speaking.js';
import { QualityMonitor } from './quality-monitor.js';
import type { LinkFigures } from './link-quality.js';
import { shouldConnect, type Topology } from './topology.js';
import { TypedEventTarget } from './typed-events.js';

export type { LiveSessionOptions } from './options.js';
export type { SfuState } from './sfu-mode.js';
export type { AttendanceFile } from './attendance.js';
export { DEFAULT_TIMINGS } from './options.js';
export { tabUserId } from './identity.js';

/** The key of the local microphone in the speaking detector. */
const LOCAL_LEVEL = '#local';
/** While we share a screen, our camera keeps 40 % of its video budget: the share carries the content. */
const CAMERA_SHARE_WHILE_SHARING = 0.4;

/** A room (or server) that does not record. */
const NO_RECORDING: Readonly<RecordingInfo> = Object.freeze({ available: false, active: false });

export class LiveSession extends TypedEventTarget<LiveSessionEventMap> {
  readonly options: Readonly<LiveSessionOptions>;
  readonly topology: Topology;
  readonly log: Logger;
  /** Every timing in use: the options given, defaults for the rest. */
  readonly timings: Readonly<Timings>;

  #name: string;
  readonly #userId: string;
  readonly #scheduler: Scheduler;
  readonly #signalling: SignallingChannel;
  readonly #links: MediaLinks;
  readonly #media: LocalMedia;
  readonly #room: Room;
  readonly #chat: Chat;
  readonly #reactions: Reactions;
  readonly #floor: Floor;
  readonly #admission: Admission;
  readonly #screen: ScreenShare;
  readonly #speaking: SpeakingDetector;
  /** Members whose media never got through and the user was told so (again only after their link connects). */
  readonly #networkBlockedTold = new Set<string>();
  #audioOutput: string | null;
  /** The user turned off incoming video (a weak downlink): the others stop sending us their cameras. */
  #incomingVideoOff = false;
  #recording: Readonly<RecordingInfo> = NO_RECORDING;
  readonly #membership: Membership;
  readonly #quality: QualityMonitor;
  /** SFU rooms: media through the room server's SFU instead of peer-to-peer calls. */
  readonly #sfu: SfuMode;

  constructor(options: LiveSessionOptions) {
    super();
    this.options = { ...options };
    this.topology = options.topology ?? 'mesh';
    this.log = createLogger(options.debug ?? false);
    this.timings = Object.freeze(resolveTimings(options));
    this.#name = options.name ?? '';
    this.#audioOutput = options.devices?.speaker ?? null;
    this.#userId = options.userId ?? tabUserId(options.storage === undefined ? defaultStorage() : options.storage);
    const log = this.log;
    const scheduler = (this.#scheduler = new Scheduler(options.timers));
    const emit = this.emit.bind(this);
    const changed = (): boolean => this.dispatchEvent(new CustomEvent('change', { detail: null }));
    const joined = (): boolean => this.#membership.inRoom;
    this.#speaking = new SpeakingDetector((id) => this.#onSpeakingChange(id), { scheduler: scheduler.group() });
    this.#signalling = new SignallingChannel(parseServerUrl(options.server), options.iceServers ?? null, this.timings, scheduler.group(), options.iceTransportPolicy ?? 'all', {
      log,
      peerConnections: () => this.#links.peerConnections,
      inRoom: joined,
      reconnecting: () => this.connectionState === 'reconnecting',
      sendJoin: () => void this.#membership.sendJoin(),
      onMessage: (message) => {
        const incomingVideoOffBefore =
          message.type === 'LS-PARTICIPANT-UPDATED' ? this.#room.state.members.get(message.payload.participant.id)?.incomingVideoOff : undefined;
        // The floor first: joining into talking-stick mode silences the microphone before the roster compares states.
        this.#floor.apply(message);
        // The room's topology before the roster: in an SFU room, the join places no calls.
        if (message.type === 'LS-JOINED' || message.type === 'LS-SFU') this.#sfu.apply(message);
        this.#room.apply(message);
        this.#chat.apply(message);
        this.#reactions.apply(message);
        this.#admission.apply(message);
        this.#screen.apply(message);
        if (message.type === 'LS-RECORDING' || message.type === 'LS-JOINED') {
          // A join into a room (or onto a server) without recording clears what an earlier room said.
          const info = message.type === 'LS-RECORDING' ? message.payload : (message.payload.recording ?? NO_RECORDING);
          this.#recording = Object.freeze({ ...info });
          this.emit('recording', { recording: this.#recording });
          changed();
        }
        if (message.type === 'LS-JOINED' && this.#incomingVideoOff) this.#signalling.send({ type: 'LS-STATE', payload: { incomingVideoOff: true } });
        // A member turned incoming video off or on (or may have, while we were away): our camera to them follows.
        // A newcomer's flag is read when its connection is negotiated.
        if (message.type === 'LS-JOINED' || (message.type === 'LS-PARTICIPANT-UPDATED' && message.payload.participant.incomingVideoOff !== incomingVideoOffBefore)) {
          this.#links.applySendLimits();
        }
        // Roster and share changes: whom the SFU path receives follows.
        if (message.type !== 'LS-JOINED' && message.type !== 'LS-SFU') this.#sfu.apply(message);
        if (message.type === 'LS-WAITING') this.#membership.onWaiting(message.payload.room, message.payload.message);
        else if (message.type === 'LS-DENIED') this.#membership.onDenied(message.payload.message);
        if (message.type === 'LS-ERROR') this.#membership.onServerError(message.payload);
        else if (message.type === 'LS-SHUTDOWN') log.debug('server shutting down', message.payload.message);
      },
      onCall: (call: MediaConnection) => {
        const metadata = call.metadata as { kind?: unknown } | undefined;
        if (metadata?.kind === 'screen') this.#screen.onIncomingCall(call);
        else this.#links.onIncomingCall(call);
      },
      onLost: () => this.#membership.onSignallingLost(),
      onFreshPeer: () => {
        this.#links.closeAll();
        // The SFU knows us by our peer id: the new one's join brings a new ticket.
        this.#sfu.close();
      },
    });
    this.#sfu = new SfuMode(
      {
        log,
        send: (message) => this.#signalling.send(message),
        members: () => [...this.#room.state.members.values()].map((member) => ({ id: member.id, role: member.role, media: member.isVideoOn || member.isAudioOn })),
        outgoingStream: () => this.#media.deviceStream(),
        ownScreen: () => this.#screen.localStream,
        sharer: () => this.#screen.info.sharer,
        changed: (id) => {
          if (id !== null) {
            this.#room.updateRemote(id);
            return;
          }
          this.#room.rebuild();
          changed();
        },
        watchAudio: (id, receiver) => {
          if (receiver) this.#speaking.watchLevel(id, () => this.#remoteLevel(id, receiver));
          else this.#speaking.unwatch(id);
        },
        rtcConfig: () => this.#signalling.rtcConfig,
        joined,
        error: (detail) => this.emit('error', detail),
      },
      parseServerUrl(options.server),
      scheduler.group(),
      options.sfu ?? {},
    );
    this.#links = new MediaLinks(
      {
        log,
        // No calls while signalling is down: an OFFER would be lost; the re-join places them.
        peer: () => (this.connectionState === 'reconnecting' ? null : this.#signalling.peer),
        myId: () => this.peerId ?? '',
        userId: () => this.userId,
        member: (id) => this.#room.state.members.get(id),
        joined,
        allows: (member: ParticipantInfo) => !this.#sfu.active && shouldConnect(this.topology, this.role, member.role),
        outgoingStream: () => this.#media.outgoingStream(),
        watchAudio: (id, receiver) => {
          if (receiver) this.#speaking.watchLevel(id, () => this.#remoteLevel(id, receiver));
          else this.#speaking.unwatch(id);
        },
        changed: (id) => {
          if (this.#links.isConnected(id)) this.#networkBlockedTold.delete(id);
          this.#quality.start();
          this.#room.updateRemote(id);
        },
        quality: (id) => this.#quality.view(id),
        unreachable: (id) => {
          if (this.#networkBlockedTold.has(id)) return;
          this.#networkBlockedTold.add(id);
          const name = this.#room.state.members.get(id)?.name ?? 'another participant';
          const relayOnly = options.iceTransportPolicy === 'relay';
          this.emit('error', {
            code: 'network-blocked',
            participant: { id, name },
            relayOnly,
            message: describeNetworkBlocked(name, relayOnly),
          });
        },
      },
      { ...this.timings, videoBudgetBps: options.videoBudgetBps ?? DEFAULT_VIDEO_BUDGET_BPS },
      scheduler.group(),
    );
    this.#links.setExternal(this.#sfu);
    this.#quality = new QualityMonitor(
      {
        connections: () => this.#links.connections,
        expectsVideo: (id) => !this.#incomingVideoOff && (this.#room.state.members.get(id)?.isVideoOn ?? false),
        changed: (id) => this.#room.updateRemote(id),
        ownChanged: () => this.#room.ownQualityChanged(),
        reduce: (id, reduced) => this.#links.setReduced(id, reduced),
        resumed: (id) => void this.#links.sendKeyFrame(id),
      },
      scheduler.group(),
    );
    this.#media = new LocalMedia(options, {
      log,
      active: () => this.phase !== 'left' && !this.#membership.destroyed,
      replaceTrack: (kind, track) => this.#links.replaceTrack(kind, track),
      microphoneChanged: (track) => {
        if (track) this.#speaking.watch(LOCAL_LEVEL, new MediaStream([track]));
        else this.#speaking.unwatch(LOCAL_LEVEL);
      },
      publish: () => this.#room.publishLocalState(),
      changed,
      microphoneAllowed: () => this.#floor.mayUnmute,
      failed: (failure) => {
        log.warn(`${failure.kind} unavailable`, failure.errorName, failure.message);
        emit('error', { code: 'media', message: failure.message, media: failure });
      },
    });
    this.#room = new Room(
      {
        log,
        links: this.#links,
        emit,
        changed,
        send: (message) => this.#signalling.send(message),
        local: () => ({ isVideoOn: this.isVideoOn, isAudioOn: this.isAudioOn, stream: this.#media.stream, quality: this.#quality.own }),
        joined,
        entered: () => this.#membership.entered(),
        silenceMicrophone: () => this.#media.silence('microphone'),
        end: (reason) => this.#membership.end(reason),
      },
      scheduler.group(),
      this.timings,
    );
    this.#chat = new Chat({
      emit,
      changed,
      send: (message) => this.#signalling.send(message),
      allowed: (tutorOnly) => this.#membership.allowed(tutorOnly),
      error: (detail) => this.#membership.error(detail),
      userId: () => this.userId,
      isTutor: () => this.role === 'tutor',
    });
    this.#floor = new Floor({
      emit,
      changed,
      send: (message) => this.#signalling.send(message),
      allowed: (tutorOnly) => this.#membership.allowed(tutorOnly),
      participant: (id) => this.#room.participant(id),
      selfId: () => this.peerId,
      isTutor: () => this.role === 'tutor',
      silenceMicrophone: () => {
        this.#media.silence('microphone');
        changed();
      },
      unmute: () => void this.#media.setEnabled('microphone', true),
    });
    this.#screen = new ScreenShare({
      log,
      emit,
      changed,
      send: (message) => this.#signalling.send(message),
      allowed: (tutorOnly) => this.#membership.allowed(tutorOnly),
      peer: () => this.#signalling.peer,
      selfId: () => this.peerId,
      userId: () => this.userId,
      others: () => this.#room.participants.filter((p) => !p.isLocal),
      participant: (id) => this.#room.participant(id),
      sharingChanged: (sharing) => {
        this.#links.setCameraShare(sharing ? CAMERA_SHARE_WHILE_SHARING : 1);
        void this.#sfu.setScreen(sharing ? this.#screen.localStream : null);
      },
      viaSfu: () => this.#sfu.active,
    });
    this.#admission = new Admission({
      emit,
      changed,
      send: (message) => this.#signalling.send(message),
      allowedTutor: () => this.#membership.allowed(true),
    });
    this.#reactions = new Reactions(
      {
        emit,
        changed,
        send: (message) => this.#signalling.send(message),
        allowed: () => this.#membership.allowed(false),
        participant: (id) => this.#room.participant(id),
      },
      scheduler.group(),
    );
    this.#membership = new Membership({
      log,
      options: this.options,
      signalling: this.#signalling,
      room: this.#room,
      forgetRoomTalk: () => {
        this.#sfu.close();
        this.#chat.reset();
        this.#reactions.reset();
        this.#floor.reset();
        this.#admission.reset();
        this.#screen.reset();
      },
      links: this.#links,
      media: this.#media,
      speaking: this.#speaking,
      scheduler,
      emit,
      changed,
      joinFields: () => ({ userId: this.#userId, name: this.#name, isVideoOn: this.isVideoOn, isAudioOn: this.isAudioOn }),
      role: () => this.role,
      peerId: () => this.peerId,
    });
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

  /**
   * Calls `listener` with `selector(session)` now and whenever that value
   * changes (compared with `Object.is` unless `options.equals` is given).
   * For a `{ get, subscribe }` pair (React's useSyncExternalStore), use `observe()`.
   */
  select<T>(selector: (session: this) => T, listener: (value: T) => void, options?: ObserveOptions<T>): () => void {
    return select(this, selector, listener, options);
  }

  // ------------------------------------------------------------------ state

  get phase(): SessionPhase {
    return this.#membership.phase;
  }
  get connectionState(): ConnectionState {
    return this.#membership.connectionState;
  }
  get room(): string | null {
    return this.#room.state.room ?? this.options.room ?? null;
  }
  get userId(): string {
    return this.#room.state.self?.userId ?? this.#userId;
  }
  /** The local peer id, once connected. */
  get peerId(): string | null {
    return this.#signalling.peerId;
  }
  /** The role the server granted (from the token when it has a secret). */
  get role(): Role {
    return this.#room.state.self?.role ?? this.options.role ?? 'student';
  }
  get name(): string {
    return this.#room.state.self?.name ?? this.#name;
  }
  /** Sets the display name used by the next join (the pre-join name field). */
  setName(name: string): void {
    this.#name = name;
    this.dispatchEvent(new CustomEvent('change', { detail: null }));
  }
  get isVideoOn(): boolean {
    return this.#media.isOn('camera');
  }
  /** Whether others' cameras come in (true unless turned off with `setIncomingVideo(false)`). */
  get incomingVideo(): boolean {
    return !this.#incomingVideoOff;
  }
  /**
   * Turns incoming video off or on, for a weak downlink: while off, everyone
   * stops sending you their camera (their encoders pause for you only; no
   * renegotiation), you still hear them and see shared screens, and tiles show
   * initials. Kept across re-joins of this session.
   */
  setIncomingVideo(on: boolean): void {
    if (on === !this.#incomingVideoOff) return;
    this.#incomingVideoOff = !on;
    if (this.#membership.inRoom) this.#signalling.send({ type: 'LS-STATE', payload: { incomingVideoOff: !on } });
    this.log.debug(on ? 'incoming video on' : 'incoming video off');
    this.dispatchEvent(new CustomEvent('change', { detail: null }));
  }
  get isAudioOn(): boolean {
    return this.#media.isOn('microphone');
  }
  /** The local hand, as shown: a change not yet confirmed by the server included. */
  get isHandRaised(): boolean {
    return this.localParticipant?.isHandRaised ?? false;
  }
  /** The local preview: the camera track (and the microphone, which a preview plays muted). */
  get localStream(): MediaStream | null {
    return this.#media.stream;
  }
  /** Everyone in the room, the local participant included, in join order. */
  get participants(): readonly Participant[] {
    return this.#room.participants;
  }
  get localParticipant(): Participant | null {
    return this.#room.localParticipant;
  }
  get tutor(): Participant | null {
    return this.#room.participants.find((p) => p.role === 'tutor') ?? null;
  }
  get handQueue(): readonly string[] {
    return this.#room.state.handQueue;
  }
  /** The RTCPeerConnections this session holds open (diagnostics; see also `diagnose()`). */
  get peerConnections(): RTCPeerConnection[] {
    return this.#links.peerConnections;
  }
  /**
   * A remote participant's audio level, not read while they are muted (most of
   * a class, most of the time): each read waits on the browser's media thread,
   * a few times a second for every participant.
   */
  #remoteLevel(id: string, receiver: RTCRtpReceiver): number | undefined {
    if (this.#room.state.members.get(id)?.isAudioOn === false) return undefined;
    return receiverLevel(receiver);
  }

  /** Whether the local participant is speaking (microphone on and loud enough). */
  get isSpeaking(): boolean {
    return this.isAudioOn && this.#speaking.isSpeaking(LOCAL_LEVEL);
  }
  /** Whether a participant (local or remote, by peer id) is speaking; never while muted. */
  isParticipantSpeaking(id: string): boolean {
    if (id === this.#room.state.self?.id) return this.isSpeaking;
    return (this.#room.state.members.get(id)?.isAudioOn ?? false) && this.#speaking.isSpeaking(id);
  }

  [DIAGNOSTICS](): SessionInternals {
    return {
      peerConnections: this.#links.peerConnections,
      peer: this.#signalling.peer,
      pendingTimers: this.#scheduler.size,
      iceRestarts: this.#links.iceRestarts,
      sfu: this.#sfu.media,
    };
  }

  // ------------------------------------------------------------------ SFU rooms

  /**
   * How the room's media flows, as the server decided it: `sfu` when it goes
   * through the room server's SFU, otherwise the page's `topology` option.
   */
  get mediaTopology(): Topology | 'sfu' {
    return this.#sfu.active ? 'sfu' : this.topology;
  }

  /**
   * SFU rooms: `connecting`, `connected`, or `unavailable` (the SFU is down:
   * no video or sound until it is back, which the session notices by itself);
   * `off` in peer-to-peer rooms.
   */
  get sfuState(): SfuState {
    return this.#sfu.state;
  }

  /**
   * Tells the session how large the tile showing participant `id` is (CSS
   * pixels), or that it is not shown (null). In SFU rooms this picks the
   * simulcast layer the SFU sends (a small tile gets a small layer), and once
   * sizes are reported, classmates whose tiles are not shown (and who are not
   * speaking) are not received at all. The elements report their tiles; a
   * custom UI may. Without reports, tutors come in full and classmates in the
   * middle layer. Peer-to-peer rooms ignore it.
   */
  setVideoSize(id: string, size: { width: number; height: number } | null): void {
    this.#sfu.setVideoSize(id, size);
  }

  // ------------------------------------------------------------------ join / leave

  /**
   * Acquires media, connects to the server, joins the room and calls everyone
   * already there. Resolves once the room is joined; camera or microphone
   * problems do not reject (they arrive as `error` events with code `media`).
   */
  join(): Promise<void> {
    const problem = this.callProblem;
    if (problem && !this.#membership.destroyed) {
      // Nothing is tried: without WebRTC the server would count a member nobody can see.
      const message = describeCallProblem(problem);
      this.emit('error', { code: problem, message });
      return Promise.reject(new SessionError(problem, message));
    }
    return this.#membership.join();
  }

  /**
   * Why this browser cannot make calls (`webrtc-unsupported`, or
   * `insecure-context` on a plain-HTTP page), or null when it can. `join()`
   * then rejects with that code; the preview may still work.
   */
  get callProblem(): CallProblem | null {
    return callProblem(browserSupport());
  }

  /**
   * The latest figures of the media connection to `id` (round trip, loss both
   * ways, sending estimate, frame rate, freezes), measured every 2 s; null
   * until measured. `Participant.connectionQuality` has the verdict.
   */
  connectionFigures(id: string): LinkFigures | null {
    return this.#quality.view(id)?.figures ?? null;
  }

  /** Leaves the room, stops local media and closes every connection. */
  leave(): Promise<void> {
    this.#quality.stop();
    this.#membership.leave();
    return Promise.resolve();
  }

  /** Leaves (if needed) and releases everything; the session cannot be used again. */
  destroy(): void {
    this.#quality.stop();
    this.#membership.destroy();
  }

  // ------------------------------------------------------------------ local media

  /**
   * Acquires camera and microphone before joining (the pre-join preview).
   * `join()` reuses what this acquired. Problems arrive as `error` events.
   */
  startPreview(): Promise<void> {
    if (this.#membership.destroyed) return Promise.resolve();
    return this.#media.start();
  }

  /** Turns the camera on or off. Off stops the device (its light goes out). */
  setCameraEnabled(enabled: boolean): Promise<void> {
    return this.#media.setEnabled('camera', enabled);
  }

  /** Turns the microphone on or off (`track.enabled`; acquired on demand if missing). */
  setMicrophoneEnabled(enabled: boolean): Promise<void> {
    if (enabled && this.phase === 'joined' && !this.#floor.mayUnmute) {
      this.emit('error', { code: 'floor-required', message: 'Only students the tutor invited to speak may unmute now. Raise your hand.' });
      return Promise.resolve();
    }
    return this.#media.setEnabled('microphone', enabled);
  }

  toggleCamera(): Promise<void> {
    return this.setCameraEnabled(!this.isVideoOn);
  }

  toggleMic(): Promise<void> {
    return this.setMicrophoneEnabled(!this.isAudioOn);
  }

  /** Switches to another camera or microphone (`deviceId` from `listDevices()`), keeping every connection. */
  switchDevice(kind: MediaKind, deviceId: string): Promise<void> {
    return this.#media.switchDevice(kind, deviceId);
  }

  /** The device id in use for `kind` (`camera` or `microphone`), or null while it is off. */
  currentDevice(kind: MediaKind): string | null {
    return this.#media.deviceOf(kind);
  }

  /**
   * The speaker (an `audiooutput` device id from `listDevices()`) others are
   * heard on, or null for the system's default. The elements apply it to every
   * participant's video; a custom UI passes it to `attachStream()`.
   */
  get audioOutput(): string | null {
    return this.#audioOutput;
  }

  /** Whether this browser can play on a chosen speaker (`HTMLMediaElement.setSinkId`). */
  get canChooseAudioOutput(): boolean {
    return typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype;
  }

  /** Plays others on this speaker (null: the system's default). Ignored where the browser cannot choose. */
  setAudioOutput(deviceId: string | null): void {
    if (!this.canChooseAudioOutput || deviceId === this.#audioOutput) return;
    this.#audioOutput = deviceId || null;
    this.dispatchEvent(new CustomEvent('change', { detail: null }));
  }

  /**
   * The local microphone's level now, 0–1 (RMS; speech is around 0.02–0.3), for
   * a level meter. 0 while the microphone is off or its level cannot be read
   * (an `AudioContext` the browser keeps suspended until a user gesture).
   */
  get microphoneLevel(): number {
    if (!this.isAudioOn) return 0;
    return this.#speaking.level(LOCAL_LEVEL) ?? 0;
  }

  /** Cameras, microphones and speakers the browser reports (labels need a granted permission). */
  listDevices(): Promise<MediaDeviceInfo[]> {
    return this.#media.listDevices();
  }

  // ------------------------------------------------------------------ hands and tutor controls

  /** Raises the local hand (optimistic: shown at once, confirmed by the server). */
  raiseHand(): void {
    this.#membership.raiseHand();
  }

  /** Lowers the local hand, or (tutor) someone else's. */
  lowerHand(id?: string): void {
    this.#membership.lowerHand(id);
  }

  /** Tutor: turns one participant's microphone off. They can turn it back on. */
  muteParticipant(id: string): void {
    this.#membership.tutorRequest('LS-MUTE', id);
  }

  /** Tutor: turns every other participant's microphone off. */
  muteAll(): void {
    this.#membership.tutorRequest('LS-MUTE-ALL');
  }

  /** Tutor: removes a participant from the room. */
  removeParticipant(id: string): void {
    this.#membership.tutorRequest('LS-REMOVE', id);
  }

  /**
   * Tutor: lets a removed participant back in. A removed user stays out of the
   * room (every join refused with `removed-from-room`) until this, or until
   * their token expires. Takes the user id (`participant.userId`), since a
   * removed participant no longer has a peer id in the room.
   */
  readmitParticipant(userId: string): void {
    this.#membership.readmit(userId);
  }

  /** Tutor: asks a participant to unmute; they see the request and decide. */
  askToUnmute(id: string): void {
    this.#membership.tutorRequest('LS-ASK-UNMUTE', id);
  }

  // ------------------------------------------------------------------ screen share

  /** The room's share: `sharer` (peer id, or null) and `studentsMayShare`. */
  get screenShare(): Readonly<ScreenInfo> {
    return this.#screen.info;
  }

  /** Whether the local participant may start a share now (joined, a tutor or allowed, and the browser can capture). */
  get canShareScreen(): boolean {
    return this.#screen.allowed;
  }

  /** Whether the local participant is sharing now. */
  get isSharingScreen(): boolean {
    return this.#screen.sharing;
  }

  /** The share to show: someone else's as received, or our own capture (for a small "You are sharing" preview). */
  get screenStream(): MediaStream | null {
    if (this.#screen.sharing) return this.#screen.localStream;
    return this.#sfu.active ? this.#sfu.screenStream : this.#screen.remoteStream;
  }

  /**
   * Shares a screen, window or tab (the browser asks which). One share per
   * room: starting one ends the one before. A tutor may always share; a student
   * when the tutor allows it. Rejects with a `SessionError` (`share-not-allowed`,
   * `not-joined`) or the browser's error (`NotAllowedError` when the user cancels).
   */
  startScreenShare(options?: ScreenShareOptions): Promise<void> {
    return this.#screen.start(options);
  }

  /** Stops our share (the browser's own Stop sharing button does the same). */
  stopScreenShare(): Promise<void> {
    return this.#screen.stop();
  }

  /** Tutor: lets students share their screen, or not (not ends a student's share). */
  setStudentsMayShare(allowed: boolean): void {
    this.#screen.setStudentsMayShare(allowed);
  }

  // ------------------------------------------------------------------ recording

  /**
   * The room's recording: `available` (an SFU room on a server that records),
   * `active` and `since` (ms since the epoch) while it records; for tutors,
   * `recordings`: the room's finished ones, newest first, each with its WebM
   * files (`path` relative to the server's URL; see `recordingUrl`).
   */
  get recording(): Readonly<RecordingInfo> {
    return this.#recording;
  }

  /** Tutor, SFU rooms: starts recording the tutors' camera and microphone. Everyone in the room is told. */
  startRecording(): void {
    this.#signalling.send({ type: 'LS-RECORD', payload: { on: true } });
  }

  /** Tutor: stops recording; the files are converted, then listed in `recording.recordings`. */
  stopRecording(): void {
    this.#signalling.send({ type: 'LS-RECORD', payload: { on: false } });
  }

  /**
   * The absolute URL of a recording file's `path`, on this session's server;
   * null when `path` does not name a file under the server's `recordings/`
   * (another origin, `javascript:` or `data:`): the list comes from the
   * server, and a link to anything else is not shown.
   */
  recordingUrl(path: string): string | null {
    return recordingFileUrl(path, parseServerUrl(this.options.server).base);
  }

  // ------------------------------------------------------------------ waiting room

  /** Whether `join()` waits in the room's waiting room for a tutor to let you in. */
  get isWaiting(): boolean {
    return this.#membership.waiting;
  }

  /** The room's admission: `waiting` (students wait for a tutor) and `locked` (new joins refused). */
  get admission(): Readonly<AdmissionInfo> {
    return this.#admission.info;
  }

  /** Tutors: who waits to be let in, longest waiting first (`{ id, userId, name, since }`). */
  get waitingRoom(): readonly WaitingInfo[] {
    return this.#admission.waiting;
  }

  /** Tutor: turns the waiting room on or off (off lets everyone waiting in), or locks the room against new joins. */
  setAdmission(settings: Partial<AdmissionInfo>): void {
    this.#admission.configure(settings);
  }

  /** Tutor: lets one waiting student in (by peer id). */
  admit(id: string): void {
    this.#admission.admit(id);
  }

  /** Tutor: lets everyone waiting in. */
  admitAll(): void {
    this.#admission.admit(undefined);
  }

  /** Tutor: refuses a waiting student; their `join()` rejects with `admission-denied`. */
  deny(id: string): void {
    this.#admission.deny(id);
  }

  // ------------------------------------------------------------------ floor control

  /**
   * Who may speak: `talkingStick` (students may unmute only with the floor),
   * `speakers` (peer ids of students who hold the floor) and `invited` (peer
   * ids invited and not yet answering).
   */
  get floor(): Readonly<FloorInfo> {
    return this.#floor.info;
  }

  /**
   * Whether a participant's sound should be played now: never while the room
   * knows their microphone as off (a page that ignores a mute and keeps sending
   * is not heard, rather than heard as someone shown muted), and in
   * talking-stick mode only tutors' and floor holders'.
   */
  isAudible(id: string): boolean {
    const participant = this.#room.participant(id);
    return participant ? participant.isAudioOn && this.#floor.isAudible(participant) : true;
  }

  /** Tutor: invites a student to speak; they get `speak-invited` and accept or decline. */
  inviteToSpeak(id: string): void {
    this.#floor.invite(id);
  }

  /** Tutor: ends a student's turn: microphone off, hand lowered, floor taken back. */
  endTurn(id: string): void {
    this.#floor.endTurn(id);
  }

  /** Tutor: talking-stick mode on or off. On, it mutes every student without the floor, and they cannot unmute themselves. */
  setTalkingStick(on: boolean): void {
    this.#floor.setTalkingStick(on);
  }

  /** Student: answers the tutor's invitation to speak. Accepting turns the microphone on once the floor is given. */
  answerInvitation(accept: boolean): void {
    this.#floor.answer(accept);
  }

  // ------------------------------------------------------------------ reactions

  /**
   * Sends a reaction to the room: `thumbs-up`, `clap`, `confused` or `slower`.
   * It shows on the sender's tile (and counts in `reactionTally`) for 15 s; a
   * newer one replaces it. The server allows 3 at once, then 12 a minute.
   */
  react(reaction: Reaction): void {
    this.#reactions.send(reaction);
  }

  /** A participant's reaction of the last 15 s (by peer id, the local one included), or null. */
  reactionOf(id: string): Reaction | null {
    return this.#reactions.of(id);
  }

  /** How many participants show each reaction now (what a tutor glances at). */
  get reactionTally(): Readonly<Record<Reaction, number>> {
    return this.#reactions.tally();
  }

  // ------------------------------------------------------------------ chat

  /**
   * The chat so far, oldest first: the room's messages and the local user's
   * private ones, including those sent before this page joined (the server
   * keeps a bounded history per room).
   */
  get chat(): readonly ChatEntry[] {
    return this.#chat.messages;
  }

  /** Whether students may write to the whole room (a tutor decides; they may always write to a tutor). */
  get studentsMayChat(): boolean {
    return this.#chat.studentsMayChat;
  }

  /**
   * Sends a chat message to the room, or privately with `{ to: peerId }` (a
   * student may write privately only to a tutor). Plain text, at most 2,000
   * characters. It shows in `chat` (and fires `chat-message`) once the server
   * has it. Returns false, and fires `error` with the reason when there is one
   * (`not-joined`, `message-too-long`, `chat-disabled`), when it was not sent;
   * an empty message is ignored. The server may still refuse it (`rate-limited`).
   */
  sendChat(text: string, options: { to?: string } = {}): boolean {
    return this.#chat.send(text, options.to);
  }

  /** Tutor: deletes a chat message for everyone (and from the history later joiners get). */
  deleteChatMessage(id: string): void {
    this.#chat.delete(id);
  }

  /** Tutor: lets students write to the whole room, or not. */
  setStudentsMayChat(allowed: boolean): void {
    this.#chat.setStudentsMayChat(allowed);
  }

  // ------------------------------------------------------------------ attendance

  /**
   * Tutor only: the room's attendance (its latest session) as a CSV file from
   * the server, fetched with the session's join token. The server must record
   * attendance and run with a secret (see docs/attendance.md). Rejects with a
   * `SessionError`: `not-joined`, `not-tutor`, `attendance-unavailable`,
   * `forbidden`, `token-invalid` or `connection-failed`, its message fit to show.
   */
  fetchAttendance(): Promise<AttendanceFile> {
    if (this.phase !== 'joined') return Promise.reject(new SessionError('not-joined', 'Join the room first.'));
    if (this.role !== 'tutor') return Promise.reject(new SessionError('not-tutor', 'Only the tutor can download the attendance.'));
    return fetchAttendance(parseServerUrl(this.options.server).base, this.room ?? '', this.#membership.joinToken);
  }

  /** Tutor only: fetches the attendance (see `fetchAttendance()`) and saves it as a file, as a browser download. */
  async downloadAttendance(): Promise<void> {
    saveFile(await this.fetchAttendance());
  }

  /**
   * Speaking changes often, so it travels on its own event and never through
   * `change`: a UI updates one attribute instead of re-rendering the room.
   */
  #onSpeakingChange(key: string): void {
    const id = key === LOCAL_LEVEL ? this.#room.state.self?.id : key;
    if (id) this.emit('speaking', { id, speaking: this.isParticipantSpeaking(id) });
  }
}
