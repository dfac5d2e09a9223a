/**
 * The room server: a PeerJS server (npm `peer`, through `ExpressPeerServer`)
 * extended with room membership, join tokens, tutor-only actions, room
 * isolation for signalling, websocket-level liveness checks and input limits.
 *
 * This module composes the parts: the socket gate (`socket-gate.ts`), join
 * identity (`join-identity.ts`), room actions (`room-actions.ts`), the relay
 * (`relay.ts`), the liveness monitor (`liveness.ts`), the HTTP routes
 * (`routes.ts`) and the shutdown (`shutdown.ts`).
 */
import { createHash, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import express from 'express';
import { ExpressPeerServer } from 'peer';
import { CLOSE_CODES, TUTOR_ONLY_TYPES, type ClientMessageType, type ParticipantInfo } from '../protocol/index.js';
import { AttendanceRecorder, type AttendanceRecords } from './attendance/attendance-recorder.js';
import { checkJoinPayload, parseFrame } from './frames.js';
import { JoinAdmission } from './join-admission.js';
import { checkPeerIdBinding, resolveJoinRequest, resolveTokenIdentity, type JoinIdentity, type JoinRefusal } from './join-identity.js';
import { verifyJoinToken } from './join-token.js';
import { LivenessMonitor } from './liveness.js';
import { LogThrottle, jsonLineLogger, logEntry, type LogEntry, type LogLevel } from './logger.js';
import { resolveOptions, type ResolvedRoomServerOptions, type RoomServerOptions } from './options.js';
import { runInPeerScope, type PeerTimerScope } from './peer-housekeeping.js';
import { MediaConnectionTable, SignallingRelay } from './relay.js';
import {
  RoomActions,
  type JoinMedia,
  type MemberJoinEvent,
  type MemberLeaveEvent,
  type MembershipSink,
  type RoomEndEvent,
} from './room-actions.js';
import { MemberRequests } from './member-requests.js';
import { RoomChat } from './room-chat.js';
import { RoomRegistry, type RoomSnapshot } from './room-registry.js';
import { HTTP_METHODS, addRoomRoutes, originAllowed } from './routes.js';
import { shutDown } from './shutdown.js';
import { SocketGate } from './socket-gate.js';
import type { SocketSession } from './socket-session.js';
import { UpdatePacer } from './update-pacer.js';
import { MemoryBackend, type ClusterBackend } from './cluster/backend.js';
import { RedisBackend } from './cluster/redis-backend.js';
import { RemoteSocket } from './cluster/remote-socket.js';
import { ClusterRouter } from './cluster/router.js';
import { SfuService } from './janus/sfu-service.js';
import { RecordingStore } from './janus/recordings.js';
import { RECORDINGS_ROUTE } from './routes.js';
import { restoreRoomState, roomStateVersion, saveRoomState, type RoomStateParts } from './cluster/room-state.js';

/** Read-only view of the rooms, for operations and tests. Every call returns copies. */
export interface RoomsView {
  /** Every room that has members. */
  list(): RoomSnapshot[];
  /** One room, or undefined when nobody is in it. */
  get(room: string): RoomSnapshot | undefined;
  /** Number of rooms with members. */
  readonly size: number;
  /** Number of open websocket connections (joined or not). */
  readonly connections: number;
}

/** Events of a {@link RoomServer}. */
export interface RoomServerEvents {
  /** Every log record, whether or not it is printed. */
  log: [entry: LogEntry];
  /** A member entered a room, or came back on a new socket after a blip (`resumed`). */
  join: [event: MemberJoinEvent];
  /** A member left a room (closed, timed out, removed, replaced, or the server stopped). */
  leave: [event: MemberLeaveEvent];
  /** A room's last member left, or the server stopped with members in it. */
  'room-end': [event: RoomEndEvent];
}

/** A running room server, as returned by {@link createRoomServer}. */
export interface RoomServer extends EventEmitter<RoomServerEvents> {
  /**
   * Express app to mount at the root of your app: `userApp.use(roomServer.app)`.
   * It serves `GET <path>health`, `GET <path>ice` and the PeerServer at
   * `<path>` (websocket at `<path>peerjs`).
   */
  readonly app: express.Express;
  /** Who is in which room. */
  readonly rooms: RoomsView;
  /** `token` when a secret is configured, else `open`. */
  readonly mode: 'open' | 'token';
  /** The normalized `path` option (starts and ends with `/`). */
  readonly path: string;
  /** Path of the PeerJS websocket, `<path>peerjs`. */
  readonly webSocketPath: string;
  /** The attendance records, when the `attendance` option is on. */
  readonly attendance: AttendanceRecords | undefined;
  /**
   * This process's id among the processes sharing rooms (`redis` option), or
   * `local` for a server alone.
   */
  readonly processId: string;
  /**
   * Resolves once the server can take joins: at once for a server alone,
   * once connected to Redis with the `redis` option (rejects if Redis does not
   * answer in 5 s; the server keeps trying).
   */
  readonly ready: Promise<void>;
  /**
   * Graceful stop: every client gets `LS-SHUTDOWN` and its socket is closed
   * with 1001; timers stop. Resolves when every socket is closed (stragglers
   * are terminated after a short grace period). Idempotent.
   */
  close(): Promise<void>;
}

class RoomServerImpl extends EventEmitter<RoomServerEvents> implements RoomServer {
  readonly app: express.Express;
  readonly rooms: RoomsView;
  readonly mode: 'open' | 'token';
  readonly path: string;
  readonly webSocketPath: string;
  readonly attendance: AttendanceRecorder | undefined;
  readonly processId: string;
  readonly ready: Promise<void>;

  private readonly options: ResolvedRoomServerOptions;
  private readonly registry = new RoomRegistry<SocketSession>();
  private readonly gate: SocketGate;
  private readonly actions: RoomActions;
  private readonly relay: SignallingRelay;
  private readonly liveness: LivenessMonitor<SocketSession>;
  private readonly peerTimers: PeerTimerScope;
  private readonly pacer: UpdatePacer<ParticipantInfo>;
  private readonly chat: RoomChat;
  private readonly requests: MemberRequests;
  private readonly logThrottle: LogThrottle;
  private readonly router: ClusterRouter;
  /** The SFU of large classes, when `janus` is set. */
  readonly sfu: SfuService | undefined;
  /** Lesson recordings, with a recordings folder. */
  readonly recordings: RecordingStore | undefined;
  /** Removed users and join budgets. */
  private readonly admission: JoinAdmission;
  private closing: Promise<void> | undefined;
  /** Re-emits membership changes; a listener that throws is logged, never breaks the room. */
  private readonly membershipSink: MembershipSink = {
    joined: (event) => {
      this.emitSafely('join', event);
    },
    left: (event) => {
      this.emitSafely('leave', event);
    },
    ended: (event) => {
      this.emitSafely('room-end', event);
    },
  };

  constructor(httpServer: HttpServer | HttpsServer, options: RoomServerOptions) {
    super();
    this.options = resolveOptions(options);
    this.mode = this.options.secret === undefined ? 'open' : 'token';
    this.path = this.options.path;
    this.webSocketPath = `${this.path}peerjs`;
    this.logThrottle = new LogThrottle(this.options.logBurst, (entry) => {
      if (!this.options.quiet) (this.options.logger ?? jsonLineLogger)(entry);
      this.emit('log', entry);
    });
    const log = this.log.bind(this);
    const isClosing = (): boolean => this.closing !== undefined;
    const redis = this.options.redis;
    const backend: ClusterBackend = redis ? new RedisBackend({ ...redis, log }) : new MemoryBackend();
    this.processId = backend.processId;
    this.ready = backend instanceof RedisBackend ? backend.ready : Promise.resolve();

    this.gate = new SocketGate({
      options: this.options,
      log,
      isClosing,
      isOriginAllowed: (origin) => originAllowed(this.options.allowedOrigins, origin),
      onFrame: (session, data, isBinary) => {
        if (!this.router.route(session, data, isBinary)) this.handleFrame(session, data, isBinary);
      },
      claimPeerId: (session) => this.router.claimPeer(session),
      onClosed: (session) => {
        this.router.closed(session);
        if (session.waitingIn !== undefined) this.actions.waitingRoom.leave(session);
        if (session.membership && !this.closing) {
          this.actions.removeMember(session.membership.member, session.closeReason ?? 'closed');
        }
      },
      joinedCount: () => this.registry.memberCount + this.router.attachedCount,
      joinedChanged: (session, joined) => {
        this.router.joinedChanged(session, joined);
      },
    });
    this.router = new ClusterRouter(backend, {
      log,
      handleLocally: (session, data, isBinary) => {
        this.handleFrame(session, data, isBinary);
      },
      hold: (session, work) => {
        this.gate.hold(session, work);
      },
      adopt: (socket, url, address) => {
        if (this.closing) socket.close(1001, 'server shutting down');
        else this.gate.adopt(socket, url, address);
      },
      holdsPeerId: (peerId, except) => this.gate.holdsPeerId(peerId, except),
      localPeers: () => this.localPeers(),
      occupied: (room) => this.registry.get(room) !== undefined || this.actions.waitingRoom.waitingList(room).length > 0,
      evacuate: (room) => {
        const sockets = [
          ...(this.registry.get(room)?.allMembers().map((member) => member.connection) ?? []),
          ...[...this.gate.sessions.values()].filter((session) => session.waitingIn === room),
        ];
        for (const session of sockets) {
          if (session.isOpen) session.socket.close(CLOSE_CODES.serviceRestart, 'room moved');
        }
        return sockets.length;
      },
      roomState: {
        save: (room) => saveRoomState(this.roomStateParts(), room),
        version: (room) => roomStateVersion(this.roomStateParts(), room),
        restore: (room, json) => restoreRoomState(this.roomStateParts(), room, json),
        forget: (room) => {
          this.chat.unseed(room);
          this.actions.waitingRoom.roomEmptied(room);
        },
      },
    });
    const connections = new MediaConnectionTable(this.options.offersPerMinute);
    this.admission = new JoinAdmission(this.options.joinsPerMinute);
    this.chat = new RoomChat({ perMinute: this.options.chatPerMinute, history: this.options.chatHistory });
    this.pacer = new UpdatePacer<ParticipantInfo>(this.options.updatesPerSecond);
    const janus = this.options.janus;
    this.sfu = janus
      ? new SfuService({
          janus,
          // Tickets verify on any process that shares the secret.
          ticketKey: this.options.secret === undefined ? randomBytes(32) : createHash('sha256').update(`live-session sfu\n${this.options.secret}`).digest(),
          maxPublishers: this.options.maxRoomSize,
          proxyPath: `${this.path}sfu`,
          originAllowed: (origin) => origin === undefined || originAllowed(this.options.allowedOrigins, origin),
          memberRole: (room, peerId) => this.registry.get(room)?.member(peerId)?.info.role,
          sharer: (room) => {
            const entry = this.registry.get(room);
            return entry ? this.actions.screen.snapshot(entry).sharer : null;
          },
          ...(janus.recordingsDir ? { recordingsDir: janus.recordingsDir } : {}),
          stateChanged: () => {
            this.actions.sfuStateChanged();
          },
          log: (level, event, fields) => {
            this.log(level, event, fields);
          },
        })
      : undefined;
    this.recordings =
      this.sfu && janus?.recordingsDir
        ? new RecordingStore({
            dir: janus.recordingsDir,
            urlPath: `${this.path}${RECORDINGS_ROUTE}`,
            log: (level, event, fields) => {
              this.log(level, event, fields);
            },
          })
        : undefined;
    this.actions = new RoomActions({
      registry: this.registry,
      gate: this.gate,
      options: this.options,
      log,
      admission: this.admission,
      connections,
      pacer: this.pacer,
      chat: this.chat,
      membership: this.membershipSink,
      ...(this.sfu ? { sfu: this.sfu } : {}),
      ...(this.recordings ? { recordings: this.recordings } : {}),
    });
    const sfu = this.sfu;
    if (sfu) this.gate.otherUpgrade = (request, socket, head) => sfu.handleUpgrade(request, socket, head);
    this.requests = new MemberRequests(this.gate, this.actions, this.chat);
    this.relay = new SignallingRelay(this.gate, connections, this.options.relayBytesPerSecond);
    this.rooms = this.createRoomsView();
    if (this.options.attendance) {
      this.attendance = new AttendanceRecorder({ options: this.options.attendance, log });
      this.attendance.listen(this);
    }

    this.app = express();
    this.app.disable('x-powered-by');
    addRoomRoutes(this.app, this.options, isClosing, {
      records: this.attendance,
      onError: (error) => {
        this.log('error', 'attendance-error', { message: error instanceof Error ? error.message : String(error) });
      },
    }, () => this.sfu?.state, this.recordings);
    const peerApp = ExpressPeerServer(httpServer, {
      path: '/',
      key: 'peerjs',
      allow_discovery: false,
      alive_timeout: this.options.peerAliveTimeout,
      // Joined members are limited at LS-JOIN (concurrentLimit), sockets outside a room at the upgrade.
      concurrent_limit: this.options.concurrentLimit + this.options.maxUnjoinedSockets,
      // Never a reflected origin; only the methods the server answers.
      corsOptions: { origin: this.options.allowedOrigins ?? '*', methods: [...HTTP_METHODS] },
      createWebSocketServer: (serverOptions) => this.gate.createWebSocketServer(serverOptions),
    });
    // `peer`'s own Express app would announce itself on every response it answers.
    peerApp.disable('x-powered-by');
    peerApp.on('connection', (client) => {
      this.gate.attachPeerClient(client);
    });
    peerApp.on('error', (error) => {
      this.log('warn', 'peer-error', { message: error.message });
    });
    // Mounting creates the PeerServer instance (and its websocket server) now.
    this.peerTimers = runInPeerScope(() => {
      this.app.use(this.path === '/' ? '/' : this.path.slice(0, -1), peerApp);
    });
    this.app.on('mount', (parent: express.Application) => {
      if (parent.path() !== '' || this.app.mountpath !== '/') {
        this.log('warn', 'mount-path', {
          message: `Mount the room server app at the root; use the path option (websocket stays at ${this.webSocketPath}).`,
        });
      }
    });

    this.liveness = new LivenessMonitor<SocketSession>(this.options, {
      connections: () => this.gate.sessions.values(),
      ping: (session) => {
        session.ping();
      },
      stalled: (session) => {
        this.gate.cutStalled(session);
      },
      timedOut: (session, silentForMs) => {
        session.closeReason = 'timeout';
        this.log('info', 'ping-timeout', { peerId: session.peerId, silentForMs, room: session.membership?.room.name });
        session.socket.terminate();
      },
      noRoom: (session) => {
        this.gate.closeForPolicy(session, 'no room', `not in a room for ${String(this.options.joinDeadlineMs)} ms`);
      },
      resumed: (lateByMs) => {
        this.log('warn', 'process-stalled', { lateByMs, message: 'the server was not running; clients get a fresh liveness window' });
      },
    });
    this.liveness.start();
    this.logStart();
  }

  private roomStateParts(): RoomStateParts {
    return { room: (name) => this.registry.get(name), admission: this.admission, waitingRoom: this.actions.waitingRoom, chat: this.chat };
  }

  /** Sockets on this process (not those of other processes attached here) that `peer` registered. */
  private *localPeers(): Generator<[string, string]> {
    for (const session of this.gate.sessions.values()) {
      if (session.client !== undefined && !session.closed && !(session.socket instanceof RemoteSocket)) yield [session.peerId, session.peerToken];
    }
  }

  private logStart(): void {
    const shortSecret = this.options.secret !== undefined && Buffer.byteLength(this.options.secret) < 32;
    this.log(this.mode === 'open' || shortSecret ? 'warn' : 'info', 'start', {
      mode: this.mode,
      path: this.path,
      ...(this.options.redis ? { processId: this.processId, shared: 'redis' } : {}),
      webSocketPath: this.webSocketPath,
      pingInterval: this.options.pingInterval,
      pongTimeout: this.options.pongTimeout,
      ...(this.mode === 'open'
        ? { message: 'No secret configured: open development mode, joins name their own room, identity and role.' }
        : {}),
      ...(shortSecret
        ? { secretWarning: 'The secret is shorter than 32 bytes; use a long random secret.' }
        : {}),
    });
  }

  private log(level: LogLevel, event: string, fields: Record<string, unknown> = {}): void {
    this.logThrottle.log(logEntry(level, event, fields));
  }

  private emitSafely(
    ...call: ['join', MemberJoinEvent] | ['leave', MemberLeaveEvent] | ['room-end', RoomEndEvent]
  ): void {
    const [name, event] = call;
    // Each listener on its own: one that throws does not keep the others from hearing.
    for (const listener of this.listeners(name) as ((event: unknown) => void)[]) {
      try {
        listener.call(this, event);
      } catch (error) {
        this.log('error', 'listener-error', { on: name, message: error instanceof Error ? error.message : String(error) });
      }
    }
  }

  private createRoomsView(): RoomsView {
    const registry = this.registry;
    const sessions = this.gate.sessions;
    return {
      list: () => registry.all().map((room) => room.snapshot()),
      get: (room: string) => registry.get(room)?.snapshot(),
      get size() {
        return registry.size;
      },
      get connections() {
        return sessions.size;
      },
    };
  }

  // ------------------------------------------------------------------ dispatch

  private handleFrame(session: SocketSession, data: unknown, isBinary: boolean): void {
    if (session.closed) return;
    const frame = parseFrame(data, isBinary);
    switch (frame.kind) {
      case 'bad-message':
        this.gate.refuseMalformed(session, 'bad-message', frame.message);
        return;
      case 'unknown-type':
        this.gate.refuseMalformed(session, 'unknown-type', `Unknown message type "${frame.type}".`, frame.type);
        return;
      case 'peerjs':
        if (frame.type === 'LEAVE') {
          this.leaveServer(session);
          return;
        }
        session.socket.forwardToPeer(data, isBinary);
        return;
      case 'relay':
        this.relay.relay(session, frame, data, isBinary);
        return;
      case 'room-request':
        try {
          this.handleRoomRequest(session, frame.type, frame.frame);
        } catch (error) {
          this.internalError(session, frame.type, error);
        }
        return;
    }
  }

  /**
   * PeerJS's LEAVE without a `dst`: the client leaves the server. `peer` would
   * forget the client but keep the socket open, uncounted; the socket leaves its
   * room and is closed instead.
   */
  private leaveServer(session: SocketSession): void {
    if (session.membership) this.actions.removeMember(session.membership.member, 'left');
    session.closed = true;
    session.backlog.length = 0;
    if (session.isOpen) session.socket.close(1000, 'left');
  }

  private internalError(session: SocketSession, request: string, error: unknown): void {
    this.log('error', 'internal-error', {
      request,
      peerId: session.peerId,
      message: error instanceof Error ? error.message : String(error),
    });
    session.sendError('internal-error', 'The server failed to handle this request.', request);
  }

  private handleRoomRequest(session: SocketSession, type: ClientMessageType, frame: Record<string, unknown>): void {
    if (type === 'LS-JOIN') {
      this.handleJoin(session, frame);
      return;
    }
    if (type === 'LS-PING') {
      session.send({ type: 'LS-PONG' });
      return;
    }
    if (type === 'LS-LEAVE' && session.waitingIn !== undefined) {
      this.actions.waitingRoom.leave(session);
      return;
    }
    const membership = session.membership;
    if (!membership) {
      this.gate.refuse(session, type, 'not-joined', session.waitingIn === undefined ? 'Join a room first (LS-JOIN).' : 'You are in the waiting room: a tutor has to let you in first.');
      return;
    }
    if (TUTOR_ONLY_TYPES.includes(type) && membership.member.info.role !== 'tutor') {
      this.gate.refuse(session, type, 'forbidden', 'Only a tutor may do this.');
      return;
    }
    this.requests.handle(session, membership, type, frame);
  }

  /** A refused join counts as a bad request, whatever the reason: a refusal storm gets the socket cut. */
  private refuseJoin(session: SocketSession, refusal: JoinRefusal): void {
    if (refusal.malformed) {
      this.gate.refuseMalformed(session, refusal.code, refusal.message, 'LS-JOIN');
      return;
    }
    this.gate.refuse(session, 'LS-JOIN', refusal.code, refusal.message);
    this.gate.penalise(session);
  }

  /** Admits a resolved identity unless its peer id is bound to someone else. */
  private admitIdentity(session: SocketSession, identity: JoinIdentity, media: JoinMedia, tokenExpiresAt?: number): void {
    if (!this.router.isHome(identity.room)) {
      // Rooms shared between processes: a room runs only at its home, never in a second copy here.
      this.log('warn', 'not-home', { room: identity.room, peerId: session.peerId });
      session.closed = true;
      session.socket.close(CLOSE_CODES.serviceRestart, 'room moved');
      return;
    }
    const binding = checkPeerIdBinding(session.peerId, identity, this.options.peerIdBinding);
    if (binding) {
      this.refuseJoin(session, binding);
      return;
    }
    this.actions.admit(session, identity, media, tokenExpiresAt);
  }

  private handleJoin(session: SocketSession, frame: Record<string, unknown>): void {
    if (session.waitingIn !== undefined) {
      this.gate.refuse(session, 'LS-JOIN', 'already-joined', `Already waiting to join room "${session.waitingIn}"; send LS-LEAVE first.`);
      this.gate.penalise(session);
      return;
    }
    if (session.membership) {
      this.gate.refuse(session, 'LS-JOIN', 'already-joined', `Already in room "${session.membership.room.name}"; send LS-LEAVE first.`);
      this.gate.penalise(session);
      return;
    }
    if (this.closing) {
      this.gate.refuse(session, 'LS-JOIN', 'shutting-down', 'The server is shutting down.');
      return;
    }
    const fields = checkJoinPayload(frame);
    if (!fields.ok) {
      this.gate.refuseMalformed(session, 'bad-payload', fields.message, 'LS-JOIN');
      return;
    }
    const media: JoinMedia = { isVideoOn: fields.value.isVideoOn, isAudioOn: fields.value.isAudioOn };
    const request = resolveJoinRequest(fields.value, session.peerId, this.mode);
    if (request.ok === false) {
      this.refuseJoin(session, request);
      return;
    }
    if (request.ok === true) {
      this.admitIdentity(session, request.identity, media);
      return;
    }
    const secret = this.options.secret ?? '';
    const verification = verifyJoinToken(request.token, secret, { clockTolerance: this.options.clockTolerance })
      .then((verdict) => {
        if (session.closed) return;
        const resolved = resolveTokenIdentity(verdict, request.requestedRoom, {
          nowSeconds: Date.now() / 1000,
          maxLifetime: this.options.maxTokenLifetime,
          clockTolerance: this.options.clockTolerance,
        });
        if (!resolved.ok) {
          this.refuseJoin(session, resolved);
          return;
        }
        if (this.closing) {
          this.gate.refuse(session, 'LS-JOIN', 'shutting-down', 'The server is shutting down.');
          return;
        }
        this.admitIdentity(session, resolved.identity, media, resolved.expiresAt);
      })
      .catch((error: unknown) => {
        this.internalError(session, 'LS-JOIN', error);
      });
    this.gate.hold(session, verification);
  }

  // ------------------------------------------------------------------ shutdown

  close(): Promise<void> {
    // Rooms shared between processes: their state saved whole and their homes given up
    // before the members are told, so they rejoin elsewhere into the same room.
    if (!this.closing) this.router.handOver();
    this.closing ??= shutDown({
      webSocketServer: this.gate.webSocketServer,
      sessions: this.gate.sessions.values(),
      registry: this.registry,
      log: this.log.bind(this),
      membership: this.membershipSink,
      stopTimers: () => {
        this.liveness.stop();
        this.peerTimers.stop();
        this.pacer.clear();
        this.logThrottle.stop();
      },
    })
      .then(() => this.router.close())
      .then(() => this.attendance?.close())
      .then(() => this.sfu?.close());
    return this.closing;
  }
}

/**
 * Creates the room server on an existing HTTP(S) server. Mount the returned
 * `app` at the root of your Express app, or pass it to `http.createServer`.
 *
 * @example
 * const httpServer = http.createServer(userApp);
 * const roomServer = createRoomServer(httpServer, { secret: process.env.LIVE_SESSION_SECRET });
 * userApp.use(roomServer.app);
 * httpServer.listen(9000);
 */
export function createRoomServer(httpServer: HttpServer | HttpsServer, options: RoomServerOptions = {}): RoomServer {
  return new RoomServerImpl(httpServer, options);
}
