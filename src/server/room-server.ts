/**
 * The room server: a PeerJS server (npm `peer`, through `ExpressPeerServer`)
 * extended with room membership, join tokens, tutor-only actions, room
 * isolation for signalling, websocket-level liveness checks and input limits.
 */
import { EventEmitter } from 'node:events';
import type { Server as HttpServer, IncomingMessage } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import express from 'express';
import { ExpressPeerServer, type IClient } from 'peer';
import { WebSocket, WebSocketServer, type Server as WebSocketServerOf, type ServerOptions } from 'ws';
import {
  CLOSE_CODES,
  LIMITS,
  TUTOR_ONLY_TYPES,
  isRecord,
  isRole,
  type ClientMessageType,
  type ErrorCode,
  type LeaveReason,
  type ParticipantInfo,
  type Role,
  type ServerMessage,
} from '../protocol/index.js';
import {
  TokenBucket,
  checkDisplayName,
  checkHandPayload,
  checkJoinPayload,
  checkStatePayload,
  checkTargetPayload,
  parseFrame,
  type IncomingFrame,
} from './frames.js';
import { verifyJoinToken } from './join-token.js';
import { jsonLineLogger, logEntry, type LogEntry, type LogLevel } from './logger.js';
import { resolveOptions, type ResolvedRoomServerOptions, type RoomServerOptions } from './options.js';
import { runInPeerScope } from './peer-housekeeping.js';
import { RoomRegistry, type Member, type Room, type RoomSnapshot } from './room-registry.js';

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
  /**
   * Graceful stop: every client gets `LS-SHUTDOWN` and its socket is closed
   * with 1001; timers stop. Resolves when every socket is closed (stragglers
   * are terminated after a short grace period). Idempotent.
   */
  close(): Promise<void>;
}

/** A request's sender, as the handlers need it. */
interface JoinedMembership {
  room: Room<SocketSession>;
  member: Member<SocketSession>;
}

const SHUTDOWN_GRACE_MS = 1000;

/**
 * The `WebSocket` class of our `ws` server. Its `emit('message')` is the single
 * gate for every incoming frame: nothing reaches `peer` unless the room server
 * hands it on with {@link GatedWebSocket.forwardToPeer}.
 */
class GatedWebSocket extends WebSocket {
  /** Set when the connection is accepted; until then frames are dropped. */
  frameGate: ((data: unknown, isBinary: boolean) => void) | undefined;

  override emit(eventName: string | symbol, ...args: unknown[]): boolean {
    if (eventName !== 'message') return super.emit(eventName, ...args);
    this.frameGate?.(args[0], args[1] === true);
    return true;
  }

  /** Hands a checked frame to `peer`. */
  forwardToPeer(data: unknown, isBinary: boolean): void {
    super.emit('message', data, isBinary);
  }
}

/** Per-websocket state. Also the `MemberConnection` of its membership. */
class SocketSession {
  client: IClient | undefined;
  membership: JoinedMembership | undefined;
  lastPongAt = Date.now();
  /** When this socket was last seen inside a room (or opened). */
  inRoomAt = Date.now();
  overBudget = 0;
  badFrames = 0;
  /** While a join is being verified, later frames wait here, in order. */
  busy = false;
  readonly backlog: Array<() => void> = [];
  closed = false;
  /** Set when the server cuts the socket, so the leave is logged with this reason. */
  closeReason: LeaveReason | undefined;

  constructor(
    readonly socket: GatedWebSocket,
    readonly peerId: string,
    readonly bucket: TokenBucket,
  ) {}

  send(message: ServerMessage): void {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }
}

class RoomServerImpl extends EventEmitter<RoomServerEvents> implements RoomServer {
  readonly app: express.Express;
  readonly rooms: RoomsView;
  readonly mode: 'open' | 'token';
  readonly path: string;
  readonly webSocketPath: string;

  private readonly options: ResolvedRoomServerOptions;
  private readonly registry = new RoomRegistry<SocketSession>();
  private readonly sessions = new Map<WebSocket, SocketSession>();
  private readonly pingTimer: NodeJS.Timeout;
  private readonly peerScope: { stop(): void };
  private webSocketServer: WebSocketServerOf<typeof GatedWebSocket> | undefined;
  private closing: Promise<void> | undefined;

  constructor(httpServer: HttpServer | HttpsServer, options: RoomServerOptions) {
    super();
    this.options = resolveOptions(options);
    this.mode = this.options.secret === undefined ? 'open' : 'token';
    this.path = this.options.path;
    this.webSocketPath = `${this.path}peerjs`;
    this.rooms = this.createRoomsView();
    this.app = express();
    this.app.disable('x-powered-by');

    const cors = this.corsMiddleware();
    this.app.get(`${this.path}health`, cors, (_request, response) => {
      if (this.closing) response.status(503).json({ status: 'closing' });
      else response.status(200).json({ status: 'ok' });
    });
    this.app.get(`${this.path}ice`, cors, (_request, response) => {
      response.set('Cache-Control', 'no-store').json({ iceServers: this.options.iceServers });
    });

    const peerApp = ExpressPeerServer(httpServer, {
      path: '/',
      key: 'peerjs',
      allow_discovery: false,
      alive_timeout: this.options.peerAliveTimeout,
      concurrent_limit: this.options.concurrentLimit,
      corsOptions: { origin: this.options.allowedOrigins ?? true },
      createWebSocketServer: (serverOptions) => this.createWebSocketServer(serverOptions),
    });
    peerApp.on('connection', (client) => {
      this.onPeerConnection(client);
    });
    peerApp.on('error', (error) => {
      this.log('warn', 'peer-error', { message: error.message });
    });
    // Mounting creates the PeerServer instance (and its websocket server) now.
    this.peerScope = runInPeerScope(() => {
      this.app.use(this.path === '/' ? '/' : this.path.slice(0, -1), peerApp);
    });
    this.app.on('mount', (parent: express.Application) => {
      if (parent.path() !== '' || this.app.mountpath !== '/') {
        this.log('warn', 'mount-path', {
          message: `Mount the room server app at the root; use the path option (websocket stays at ${this.webSocketPath}).`,
        });
      }
    });

    this.pingTimer = setInterval(() => {
      this.checkLiveness();
    }, this.options.pingInterval);
    this.pingTimer.unref();

    const shortSecret = this.options.secret !== undefined && Buffer.byteLength(this.options.secret) < 32;
    this.log(this.mode === 'open' || shortSecret ? 'warn' : 'info', 'start', {
      mode: this.mode,
      path: this.path,
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

  // ------------------------------------------------------------------ setup

  private log(level: LogLevel, event: string, fields: Record<string, unknown> = {}): void {
    const entry = logEntry(level, event, fields);
    if (!this.options.quiet) (this.options.logger ?? jsonLineLogger)(entry);
    this.emit('log', entry);
  }

  private isOriginAllowed(origin: string | undefined): boolean {
    const allowed = this.options.allowedOrigins;
    if (!allowed || origin === undefined || origin === '') return true;
    return allowed.includes(origin.replace(/\/+$/, ''));
  }

  private corsMiddleware(): express.RequestHandler {
    return (request, response, next) => {
      const origin = request.headers.origin;
      if (origin !== undefined && this.isOriginAllowed(origin)) {
        response.set('Access-Control-Allow-Origin', this.options.allowedOrigins ? origin : '*');
        if (this.options.allowedOrigins) response.vary('Origin');
      }
      next();
    };
  }

  private createRoomsView(): RoomsView {
    const registry = this.registry;
    const sessions = this.sessions;
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

  /** The `createWebSocketServer` hook of `peer`: our own `ws` server with limits and the frame gate. */
  private createWebSocketServer(serverOptions: ServerOptions): WebSocketServer {
    const webSocketServer = new WebSocketServer<typeof GatedWebSocket>({
      ...serverOptions,
      maxPayload: this.options.maxPayload,
      perMessageDeflate: false,
      WebSocket: GatedWebSocket,
      verifyClient: (info: { origin: string; req: IncomingMessage }) => {
        const allowed = this.isOriginAllowed(info.origin);
        if (!allowed) this.log('warn', 'refused-origin', { origin: info.origin.slice(0, 200) });
        return allowed;
      },
    });
    // Registered before peer's own listener, so the session exists when peer reports the client.
    webSocketServer.on('connection', (socket, request) => {
      this.onSocket(socket, request);
    });
    this.webSocketServer = webSocketServer;
    return webSocketServer;
  }

  private onSocket(socket: GatedWebSocket, request: IncomingMessage): void {
    socket.frameGate = (data, isBinary) => {
      this.onFrame(socket, data, isBinary);
    };
    const query = new URL(request.url ?? '/', 'http://localhost').searchParams;
    const peerId = query.get('id') ?? '';
    const { burst, perSecond } = this.options.rateLimit;
    const session = new SocketSession(socket, peerId, new TokenBucket(burst, perSecond));
    this.sessions.set(socket, session);
    // `peer` reads the last of repeated query parameters; a socket claiming one id
    // here and another there could act as someone else. Refuse any repetition.
    if (['id', 'token', 'key'].some((name) => query.getAll(name).length > 1)) {
      this.closeForPolicy(session, 'repeated connection parameters', 'repeated id, token or key');
      return;
    }
    if (this.closing) {
      socket.close(CLOSE_CODES.goingAway, 'server shutting down');
      return;
    }
    socket.on('pong', () => {
      session.lastPongAt = Date.now();
    });
    socket.on('close', () => {
      this.onSocketClose(session);
    });
  }

  private onPeerConnection(client: IClient): void {
    const socket = client.getSocket();
    const session = socket ? this.sessions.get(socket) : undefined;
    if (!session) return;
    if (client.getId() !== session.peerId) {
      // Defence in depth: room membership and PeerJS routing must agree on who this is.
      this.closeForPolicy(session, 'peer id mismatch', 'peer id mismatch');
      return;
    }
    session.client = client;
  }

  private onSocketClose(session: SocketSession): void {
    session.closed = true;
    session.backlog.length = 0;
    this.sessions.delete(session.socket);
    if (session.membership && !this.closing) {
      this.removeMember(session.membership.member, session.closeReason ?? 'closed');
    }
  }

  /** Pings every socket; cuts off the ones whose last pong is older than `pongTimeout`. */
  private checkLiveness(): void {
    const now = Date.now();
    for (const session of this.sessions.values()) {
      if (session.socket.readyState !== WebSocket.OPEN) continue;
      if (session.membership || session.busy) session.inRoomAt = now;
      else if (now - session.inRoomAt > this.options.joinDeadlineMs) {
        this.closeForPolicy(session, 'no room', `not in a room for ${String(this.options.joinDeadlineMs)} ms`);
        continue;
      }
      if (now - session.lastPongAt > this.options.pongTimeout) {
        session.closeReason = 'timeout';
        this.log('info', 'ping-timeout', {
          peerId: session.peerId,
          silentForMs: now - session.lastPongAt,
          room: session.membership?.room.name,
        });
        session.socket.terminate();
      } else {
        session.socket.ping();
      }
    }
  }

  // ------------------------------------------------------------------ the gate

  private onFrame(socket: GatedWebSocket, data: unknown, isBinary: boolean): void {
    const session = this.sessions.get(socket);
    // Not registered by peer (refused id, bad key) or already closed: peer ignores it too.
    if (!session?.client || session.closed || this.closing) return;

    if (!session.bucket.take()) {
      session.overBudget += 1;
      if (session.overBudget === 1) {
        this.sendError(session, 'rate-limited', 'Too many messages; slow down. Messages over the limit are dropped.');
      }
      if (session.overBudget >= this.options.rateLimit.overflowLimit) {
        this.closeForPolicy(session, 'flood', 'message flood');
      }
      return;
    }
    session.overBudget = 0;

    if (session.busy) {
      session.backlog.push(() => {
        this.handleFrame(session, data, isBinary);
      });
      return;
    }
    this.handleFrame(session, data, isBinary);
  }

  private handleFrame(session: SocketSession, data: unknown, isBinary: boolean): void {
    if (session.closed) return;
    const frame: IncomingFrame = parseFrame(data, isBinary);
    switch (frame.kind) {
      case 'bad-message':
        this.refuseMalformed(session, 'bad-message', frame.message);
        return;
      case 'unknown-type':
        this.refuseMalformed(session, 'unknown-type', `Unknown message type "${frame.type}".`, frame.type);
        return;
      case 'peerjs':
        session.socket.forwardToPeer(data, isBinary);
        return;
      case 'relay':
        this.relay(session, frame.type, frame.dst, frame.payload, data, isBinary);
        return;
      case 'room-request':
        try {
          this.handleRoomRequest(session, frame.type, frame.frame);
        } catch (error) {
          this.log('error', 'internal-error', {
            request: frame.type,
            peerId: session.peerId,
            message: error instanceof Error ? error.message : String(error),
          });
          this.sendError(session, 'internal-error', 'The server failed to handle this request.', frame.type);
        }
        return;
    }
  }

  /** OFFER / ANSWER / CANDIDATE (and LEAVE to a peer) only between members of one room. */
  private relay(session: SocketSession, type: string, dst: unknown, payload: unknown, data: unknown, isBinary: boolean): void {
    if (typeof dst !== 'string' || dst.length === 0) {
      this.refuseMalformed(session, 'bad-payload', `${type} needs a string "dst" (the peer id to reach).`, type);
      return;
    }
    const room = session.membership?.room;
    if (!room?.member(dst)) {
      this.sendError(
        session,
        'not-in-room',
        `${type} refused: you and the destination peer are not in the same room.`,
        type,
      );
      return;
    }
    // Media calls only: PeerJS data connections are not part of this protocol, and
    // a crafted data OFFER can break the receiving client.
    if (type === 'OFFER' && !(isRecord(payload) && payload['type'] === 'media')) {
      this.refuseMalformed(session, 'bad-payload', 'OFFER must carry a media call (payload.type "media").', type);
      return;
    }
    session.socket.forwardToPeer(data, isBinary);
  }

  private refuseMalformed(session: SocketSession, code: ErrorCode, message: string, request?: string): void {
    session.badFrames += 1;
    this.sendError(session, code, message, request);
    if (session.badFrames >= this.options.maxBadMessages) {
      this.closeForPolicy(session, 'bad-messages', 'too many malformed messages');
    }
  }

  private closeForPolicy(session: SocketSession, reason: string, closeMessage: string): void {
    if (session.closed || session.socket.readyState !== WebSocket.OPEN) return;
    this.log('warn', 'policy-close', { peerId: session.peerId, reason, room: session.membership?.room.name });
    session.closed = true;
    session.backlog.length = 0;
    session.socket.close(CLOSE_CODES.policyViolation, closeMessage);
  }

  private sendError(session: SocketSession, code: ErrorCode, message: string, request?: string): void {
    session.send({ type: 'LS-ERROR', payload: request === undefined ? { code, message } : { code, message, request } });
  }

  // ------------------------------------------------------------------ room requests

  private handleRoomRequest(session: SocketSession, type: ClientMessageType, frame: Record<string, unknown>): void {
    if (type === 'LS-JOIN') {
      this.handleJoin(session, frame);
      return;
    }
    const membership = session.membership;
    if (!membership) {
      this.refuse(session, type, 'not-joined', 'Join a room first (LS-JOIN).');
      return;
    }
    if (TUTOR_ONLY_TYPES.includes(type) && membership.member.info.role !== 'tutor') {
      this.refuse(session, type, 'forbidden', 'Only a tutor may do this.');
      return;
    }
    switch (type) {
      case 'LS-LEAVE':
        this.removeMember(membership.member, 'left');
        return;
      case 'LS-STATE':
        this.handleState(session, membership, frame);
        return;
      case 'LS-HAND':
        this.handleHand(session, membership, frame);
        return;
      case 'LS-MUTE-ALL':
        for (const member of membership.room.allMembers()) {
          if (member !== membership.member) this.mute(member, membership.member.info.id);
        }
        return;
      case 'LS-MUTE':
      case 'LS-REMOVE':
      case 'LS-LOWER-HAND':
      case 'LS-ASK-UNMUTE':
        this.handleTutorAction(session, membership, type, frame);
        return;
    }
  }

  private refuse(session: SocketSession, request: ClientMessageType, code: ErrorCode, message: string): void {
    this.log('info', 'refused', { code, request, peerId: session.peerId, room: session.membership?.room.name });
    this.sendError(session, code, message, request);
  }

  private handleJoin(session: SocketSession, frame: Record<string, unknown>): void {
    if (session.membership) {
      this.refuse(session, 'LS-JOIN', 'already-joined', `Already in room "${session.membership.room.name}"; send LS-LEAVE first.`);
      return;
    }
    if (this.closing) {
      this.refuse(session, 'LS-JOIN', 'shutting-down', 'The server is shutting down.');
      return;
    }
    const fields = checkJoinPayload(frame);
    if (!fields.ok) {
      this.refuseMalformed(session, 'bad-payload', fields.message, 'LS-JOIN');
      return;
    }
    if (!LIMITS.peerIdPattern.test(session.peerId)) {
      this.refuse(session, 'LS-JOIN', 'bad-payload', 'The peer id of this connection is not allowed (letters, digits, single spaces, "-" or "_"; at most 128 characters).');
      return;
    }
    const media = { isVideoOn: fields.value.isVideoOn, isAudioOn: fields.value.isAudioOn };
    const secret = this.options.secret;

    if (secret === undefined) {
      const { room, userId, name, role } = fields.value;
      if (typeof room !== 'string' || !LIMITS.roomPattern.test(room)) {
        this.refuseMalformed(session, 'bad-payload', 'payload.room must be 1–64 letters, digits, ".", "_" or "-".', 'LS-JOIN');
        return;
      }
      if (typeof userId !== 'string' || !LIMITS.userIdPattern.test(userId)) {
        this.refuseMalformed(session, 'bad-payload', 'payload.userId must be 1–128 letters, digits or ._:@+=- characters.', 'LS-JOIN');
        return;
      }
      const checkedName = typeof name === 'string' ? checkDisplayName(name) : { ok: false as const, message: 'payload.name must be a string' };
      if (!checkedName.ok) {
        this.refuseMalformed(session, 'bad-payload', `payload.name refused: ${checkedName.message}.`, 'LS-JOIN');
        return;
      }
      if (!isRole(role)) {
        this.refuseMalformed(session, 'bad-payload', "payload.role must be 'tutor' or 'student'.", 'LS-JOIN');
        return;
      }
      this.admit(session, { room, userId, name: checkedName.name, role }, media);
      return;
    }

    const { token, room: requestedRoom } = fields.value;
    if (token === undefined || token === null || token === '') {
      this.refuse(session, 'LS-JOIN', 'token-missing', 'This server requires a join token (payload.token).');
      return;
    }
    if (typeof token !== 'string' || token.length > 8192) {
      this.refuse(session, 'LS-JOIN', 'token-invalid', 'The join token is not valid (signature, algorithm or format).');
      return;
    }
    if (requestedRoom !== undefined && typeof requestedRoom !== 'string') {
      this.refuseMalformed(session, 'bad-payload', 'payload.room must be a string when present.', 'LS-JOIN');
      return;
    }
    session.busy = true;
    verifyJoinToken(token, secret, { clockTolerance: this.options.clockTolerance })
      .then((verdict) => {
        if (session.closed) return;
        if (!verdict.ok) {
          this.refuse(session, 'LS-JOIN', verdict.code, verdict.message);
          return;
        }
        const { claims } = verdict;
        if (requestedRoom !== undefined && requestedRoom !== claims.room) {
          this.refuse(session, 'LS-JOIN', 'token-wrong-room', 'The join token was issued for another room.');
          return;
        }
        if (this.closing) {
          this.refuse(session, 'LS-JOIN', 'shutting-down', 'The server is shutting down.');
          return;
        }
        this.admit(session, { room: claims.room, userId: claims.sub, name: claims.name, role: claims.role }, media);
      })
      .catch((error: unknown) => {
        this.log('error', 'internal-error', {
          request: 'LS-JOIN',
          peerId: session.peerId,
          message: error instanceof Error ? error.message : String(error),
        });
        this.sendError(session, 'internal-error', 'The server failed to handle this request.', 'LS-JOIN');
      })
      .finally(() => {
        session.busy = false;
        this.drainBacklog(session);
      });
  }

  private drainBacklog(session: SocketSession): void {
    while (!session.busy && !session.closed && session.backlog.length > 0) {
      const next = session.backlog.shift();
      next?.();
    }
  }

  private admit(
    session: SocketSession,
    identity: { room: string; userId: string; name: string; role: Role },
    media: { isVideoOn: boolean; isAudioOn: boolean },
  ): void {
    const existingRoom = this.registry.get(identity.room);
    const resumed = existingRoom?.member(session.peerId);
    if (resumed && resumed.info.userId === identity.userId && resumed.connection !== session) {
      this.resume(session, resumed, media);
      return;
    }
    const replaced = new Set<Member<SocketSession>>();
    const sameUser = existingRoom?.memberByUserId(identity.userId);
    if (sameUser) replaced.add(sameUser);
    const samePeer = existingRoom?.member(session.peerId);
    if (samePeer) replaced.add(samePeer);
    if (existingRoom && existingRoom.size - replaced.size >= this.options.maxRoomSize) {
      this.refuse(session, 'LS-JOIN', 'room-full', `The room is full (${this.options.maxRoomSize} participants).`);
      return;
    }
    for (const old of replaced) this.removeMember(old, 'replaced');

    const room = this.registry.getOrCreate(identity.room);
    const info: ParticipantInfo = {
      id: session.peerId,
      userId: identity.userId,
      name: identity.name,
      role: identity.role,
      isVideoOn: media.isVideoOn,
      isAudioOn: media.isAudioOn,
      isHandRaised: false,
      joinedAt: Date.now(),
    };
    const participants = room.participants();
    const member = room.add(info, session);
    session.membership = { room, member };
    session.send({
      type: 'LS-JOINED',
      payload: { room: room.name, self: { ...info }, participants, handQueue: room.handQueue },
    });
    room.broadcast({ type: 'LS-PARTICIPANT-JOINED', payload: { participant: { ...info } } }, info.id);
    this.log('info', 'join', {
      room: room.name,
      peerId: info.id,
      userId: info.userId,
      role: info.role,
      size: room.size,
      ...(replaced.size > 0 ? { replaced: [...replaced].map((old) => old.info.id) } : {}),
    });
  }

  /**
   * The same peer id joins again on a new socket: PeerJS re-attached after a
   * network blip while the old socket was not yet seen dead. The membership moves
   * to the new socket with no leave or join for the room (its media connections
   * never stopped); the room only sees the state update.
   */
  private resume(
    session: SocketSession,
    member: Member<SocketSession>,
    media: { isVideoOn: boolean; isAudioOn: boolean },
  ): void {
    const room = member.room;
    const previous = member.connection;
    if (previous.membership?.member === member) previous.membership = undefined;
    const moved = room.reattach(member, session);
    moved.info.isVideoOn = media.isVideoOn;
    moved.info.isAudioOn = media.isAudioOn;
    session.membership = { room, member: moved };
    session.send({
      type: 'LS-JOINED',
      payload: { room: room.name, self: { ...moved.info }, participants: room.participants(moved.info.id), handQueue: room.handQueue },
    });
    this.broadcastUpdate(room, moved);
    this.log('info', 'resume', { room: room.name, peerId: moved.info.id, userId: moved.info.userId });
  }

  /** Takes a member out of its room and tells everyone who needs to know. */
  private removeMember(member: Member<SocketSession>, reason: LeaveReason): void {
    const room = member.room;
    const { removed, handQueueChanged } = room.remove(member);
    if (!removed) return;
    const session = member.connection;
    if (session.membership?.member === member) session.membership = undefined;
    if (reason === 'removed' || reason === 'replaced') {
      session.send({
        type: 'LS-EVICTED',
        payload: {
          reason,
          message:
            reason === 'removed'
              ? 'The tutor removed you from the room.'
              : 'You joined this room again from another connection; this one was replaced.',
        },
      });
    }
    room.broadcast({ type: 'LS-PARTICIPANT-LEFT', payload: { id: member.info.id, userId: member.info.userId, reason } });
    if (handQueueChanged) room.broadcast({ type: 'LS-HAND-QUEUE', payload: { handQueue: room.handQueue } });
    this.registry.deleteIfEmpty(room);
    this.log('info', 'leave', {
      room: room.name,
      peerId: member.info.id,
      userId: member.info.userId,
      reason,
      size: room.size,
    });
  }

  private broadcastUpdate(room: Room<SocketSession>, member: Member<SocketSession>): void {
    room.broadcast({ type: 'LS-PARTICIPANT-UPDATED', payload: { participant: { ...member.info } } });
  }

  private handleState(session: SocketSession, membership: JoinedMembership, frame: Record<string, unknown>): void {
    const state = checkStatePayload(frame);
    if (!state.ok) {
      this.refuseMalformed(session, 'bad-payload', state.message, 'LS-STATE');
      return;
    }
    const info = membership.member.info;
    let changed = false;
    if (state.value.isVideoOn !== undefined && state.value.isVideoOn !== info.isVideoOn) {
      info.isVideoOn = state.value.isVideoOn;
      changed = true;
    }
    if (state.value.isAudioOn !== undefined && state.value.isAudioOn !== info.isAudioOn) {
      info.isAudioOn = state.value.isAudioOn;
      changed = true;
    }
    if (changed) this.broadcastUpdate(membership.room, membership.member);
  }

  private handleHand(session: SocketSession, membership: JoinedMembership, frame: Record<string, unknown>): void {
    const raised = checkHandPayload(frame);
    if (!raised.ok) {
      this.refuseMalformed(session, 'bad-payload', raised.message, 'LS-HAND');
      return;
    }
    this.setHand(membership.room, membership.member, raised.value);
  }

  private setHand(room: Room<SocketSession>, member: Member<SocketSession>, raised: boolean): void {
    if (!room.setHand(member, raised)) return;
    this.broadcastUpdate(room, member);
    room.broadcast({ type: 'LS-HAND-QUEUE', payload: { handQueue: room.handQueue } });
  }

  /** Turns a member's microphone off (never on) and tells it who did. */
  private mute(member: Member<SocketSession>, by: string): void {
    member.connection.send({ type: 'LS-MUTED', payload: { by } });
    if (member.info.isAudioOn) {
      member.info.isAudioOn = false;
      this.broadcastUpdate(member.room, member);
    }
  }

  private handleTutorAction(
    session: SocketSession,
    membership: JoinedMembership,
    type: 'LS-MUTE' | 'LS-REMOVE' | 'LS-LOWER-HAND' | 'LS-ASK-UNMUTE',
    frame: Record<string, unknown>,
  ): void {
    const target = checkTargetPayload(frame);
    if (!target.ok) {
      this.refuseMalformed(session, 'bad-payload', target.message, type);
      return;
    }
    const targetMember = membership.room.member(target.value);
    if (!targetMember) {
      this.refuse(session, type, 'no-such-participant', 'No participant with that peer id in your room.');
      return;
    }
    const by = membership.member.info.id;
    switch (type) {
      case 'LS-MUTE':
        this.mute(targetMember, by);
        return;
      case 'LS-REMOVE':
        if (targetMember === membership.member) {
          this.refuse(session, type, 'bad-payload', 'Use LS-LEAVE to leave the room yourself.');
          return;
        }
        this.log('info', 'remove', { room: membership.room.name, by, target: target.value });
        this.removeMember(targetMember, 'removed');
        return;
      case 'LS-LOWER-HAND':
        this.setHand(membership.room, targetMember, false);
        return;
      case 'LS-ASK-UNMUTE':
        targetMember.connection.send({ type: 'LS-UNMUTE-REQUESTED', payload: { by } });
        return;
    }
  }

  // ------------------------------------------------------------------ shutdown

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    clearInterval(this.pingTimer);
    // Stop accepting sockets first; one that arrives during the grace would hold the close up.
    const serverClosed = new Promise<void>((resolve) => {
      if (this.webSocketServer) this.webSocketServer.close(() => resolve());
      else resolve();
    });
    this.peerScope.stop();
    const sessions = [...this.sessions.values()];
    this.log('info', 'shutdown', { connections: sessions.length, rooms: this.registry.size });
    for (const room of this.registry.all()) {
      for (const member of room.allMembers()) {
        this.log('info', 'leave', { room: room.name, peerId: member.info.id, userId: member.info.userId, reason: 'shutdown' });
      }
    }
    this.registry.clear();
    const closed = sessions.map(
      (session) =>
        new Promise<void>((resolve) => {
          if (session.socket.readyState === WebSocket.CLOSED) {
            resolve();
            return;
          }
          session.socket.once('close', () => {
            resolve();
          });
          session.membership = undefined;
          session.send({ type: 'LS-SHUTDOWN', payload: { message: 'The server is shutting down; reconnect in a moment.' } });
          if (session.socket.readyState === WebSocket.OPEN) {
            session.socket.close(CLOSE_CODES.goingAway, 'server shutting down');
          }
        }),
    );
    const grace = new Promise<'late'>((resolve) => {
      setTimeout(() => {
        resolve('late');
      }, SHUTDOWN_GRACE_MS).unref();
    });
    const outcome = await Promise.race([Promise.all(closed), grace]);
    if (outcome === 'late') {
      for (const session of sessions) session.socket.terminate();
      await Promise.all(closed);
    }
    for (const socket of this.webSocketServer?.clients ?? []) socket.terminate();
    await serverClosed;
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
