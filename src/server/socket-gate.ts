/**
 * The socket gate: our own `ws` server for `peer` (frame size, origin check),
 * one {@link SocketSession} per socket, the per-socket rate budget, the
 * backlog that keeps frames in order while a join is verified, and the policy
 * close for sockets that misbehave. Every incoming frame passes here first.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { IClient } from 'peer';
import { WebSocket, WebSocketServer, type ServerOptions } from 'ws';
import { CLOSE_CODES, type ErrorCode } from '../protocol/index.js';
import { TokenBucket } from './frames.js';
import type { LogLevel } from './logger.js';
import type { ResolvedRoomServerOptions } from './options.js';
import { GatedWebSocket, SocketSession, onSocketClose, onSocketError, onSocketPong, type SessionObserver } from './socket-session.js';

export type ServerLog = (level: LogLevel, event: string, fields?: Record<string, unknown>) => void;

/** What the gate needs from the rest of the server. */
export interface SocketGateHooks {
  options: ResolvedRoomServerOptions;
  log: ServerLog;
  isClosing(): boolean;
  isOriginAllowed(origin: string | undefined): boolean;
  /** A frame that passed the budget, in order. */
  onFrame(session: SocketSession, data: unknown, isBinary: boolean): void;
  /** The socket closed (for whatever reason). */
  onClosed(session: SocketSession): void;
  /** Sockets in rooms right now, over all rooms. */
  joinedCount(): number;
  /** A socket became a member of a room (or waits in one), or stopped being one. */
  joinedChanged?(session: SocketSession, joined: boolean): void;
  /**
   * Claims the socket's peer id over every process sharing rooms (undefined:
   * nothing to ask). Taken: the socket is answered ID-TAKEN and closed, as
   * `peer` does; no answer: closed with 1013, to try again.
   */
  claimPeerId?(session: SocketSession): Promise<'ok' | 'taken'> | undefined;
}

/** `::ffff:127.0.0.2` and `127.0.0.2` are one address. */
export function normalizeAddress(address: string | undefined): string {
  if (address === undefined) return 'unknown';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

/**
 * The `ws` server class of the gate: a new connection reaches `peer` only once
 * the gate lets it through (after an older socket holding its peer id without
 * being in a room is gone, see {@link SocketGate}).
 */
class GatedWebSocketServer extends WebSocketServer<typeof GatedWebSocket> {
  connectionGate: ((socket: GatedWebSocket, request: IncomingMessage, proceed: () => void) => void) | undefined;
  /** Takes upgrades to the server's other websocket paths (the SFU proxy); true when it did. */
  otherUpgrade: ((request: IncomingMessage, socket: Duplex, head: Buffer) => boolean) | undefined;

  override handleUpgrade(
    request: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    callback: (client: GatedWebSocket, request: IncomingMessage) => void,
  ): void {
    // `ws` refuses every path but its own with 400; the other paths of the server go their own way first.
    if (this.otherUpgrade?.(request, socket, head) === true) return;
    super.handleUpgrade(request, socket, head, callback);
  }

  override emit(eventName: string | symbol, ...args: unknown[]): boolean {
    const gate = this.connectionGate;
    if (eventName !== 'connection' || !gate) return super.emit(eventName, ...args);
    gate(args[0] as GatedWebSocket, args[1] as IncomingMessage, () => {
      super.emit(eventName, ...args);
    });
    return true;
  }
}

export class SocketGate {
  /** Upgrades to the server's other websocket paths (the SFU proxy): true when taken. */
  otherUpgrade: ((request: IncomingMessage, socket: Duplex, head: Buffer) => boolean) | undefined;
  /** Every open socket, joined or not. */
  readonly sessions = new Map<WebSocket, SocketSession>();
  /** Open sockets not in a room, counted by remote address (kept as sockets join and leave). */
  private readonly unjoinedByAddress = new Map<string, number>();
  /** Sockets by the peer id they ask for: one session, or several while one id is contested. */
  private readonly byPeerId = new Map<string, SocketSession | SocketSession[]>();
  /** Every accepted socket's incoming frames, through one shared function. */
  private readonly frameGate = (socket: GatedWebSocket, data: unknown, isBinary: boolean): void => {
    this.onIncoming(socket, data, isBinary);
  };
  /** Told by every session of its room changes and stalls: one object, not closures per socket. */
  private readonly observer: SessionObserver = {
    roomChanged: (session, joined) => {
      this.countUnjoined(session.address, joined ? -1 : 1);
      this.hooks.joinedChanged?.(session, joined);
    },
    stalled: (session) => {
      this.cutStalled(session);
    },
    closed: (session) => {
      session.closed = true;
      session.backlog.length = 0;
      this.sessions.delete(session.socket);
      session.observer = undefined;
      if (!session.joined) this.countUnjoined(session.address, -1);
      this.unindexPeerId(session);
      this.hooks.onClosed(session);
    },
  };
  private server: WebSocketServer | undefined;

  constructor(private readonly hooks: SocketGateHooks) {}

  /** The `ws` server, once `peer` asked for it. */
  get webSocketServer(): WebSocketServer | undefined {
    return this.server;
  }

  /** The `createWebSocketServer` hook of `peer`: our own `ws` server with limits and the frame gate. */
  createWebSocketServer(serverOptions: ServerOptions): WebSocketServer {
    const webSocketServer = new GatedWebSocketServer({
      ...serverOptions,
      maxPayload: this.hooks.options.maxPayload,
      perMessageDeflate: false,
      WebSocket: GatedWebSocket,
      verifyClient: (info: { origin: string; req: IncomingMessage }, accept: (ok: boolean, code?: number, message?: string) => void) => {
        const refusal = this.refusalAtUpgrade(info.origin, normalizeAddress(info.req.socket.remoteAddress));
        if (refusal) accept(false, refusal.status, refusal.message);
        else accept(true);
      },
    });
    webSocketServer.otherUpgrade = (request, socket, head) => this.otherUpgrade?.(request, socket, head) ?? false;
    webSocketServer.connectionGate = (socket, request, proceed) => {
      this.onSocket(socket, request, proceed);
    };
    this.server = webSocketServer;
    return webSocketServer;
  }

  /** Sockets from `address` that are not in a room. */
  private unjoinedFrom(address: string): number {
    return this.unjoinedByAddress.get(address) ?? 0;
  }

  private countUnjoined(address: string, delta: number): void {
    const count = (this.unjoinedByAddress.get(address) ?? 0) + delta;
    if (count > 0) this.unjoinedByAddress.set(address, count);
    else this.unjoinedByAddress.delete(address);
  }

  /** Why a websocket upgrade is refused (origin, per-address cap, unjoined cap), if it is. */
  private refusalAtUpgrade(origin: string, address: string): { status: number; message: string } | undefined {
    const { options, log } = this.hooks;
    if (!this.hooks.isOriginAllowed(origin)) {
      log('warn', 'refused-origin', { origin: origin.slice(0, 200) });
      return { status: 401, message: 'Origin not allowed' };
    }
    if (this.unjoinedFrom(address) >= options.maxSocketsPerAddress) {
      log('warn', 'refused-address', { address, limit: options.maxSocketsPerAddress });
      return { status: 429, message: 'Too many connections from this address' };
    }
    if (this.sessions.size - this.hooks.joinedCount() >= options.maxUnjoinedSockets) {
      log('warn', 'refused-unjoined', { limit: options.maxUnjoinedSockets });
      return { status: 503, message: 'Too many connections waiting to join' };
    }
    return undefined;
  }

  private onSocket(socket: GatedWebSocket, request: IncomingMessage, proceed: () => void): void {
    socket.frameGate = this.frameGate;
    const query = new URL(request.url ?? '/', 'http://localhost').searchParams;
    const peerId = query.get('id') ?? '';
    const peerToken = query.get('token') ?? '';
    const { options } = this.hooks;
    const { burst, perSecond } = options.rateLimit;
    const address = normalizeAddress(request.socket.remoteAddress);
    const bucket = new TokenBucket(burst, perSecond);
    const session = new SocketSession(socket, peerId, peerToken, address, bucket, options.maxBufferedBytes, Date.now());
    this.sessions.set(socket, session);
    // Counts and indexes kept as sockets come, join, leave and go: an upgrade
    // never walks every socket (thousands behind one school's address).
    this.countUnjoined(address, 1);
    session.observer = this.observer;
    socket.session = session;
    this.indexPeerId(session);
    socket.on('error', onSocketError);
    socket.on('pong', onSocketPong);
    socket.on('close', onSocketClose);
    // `peer` reads the last of repeated query parameters; a socket claiming one id
    // here and another there could act as someone else. Refuse any repetition.
    if (['id', 'token', 'key'].some((name) => query.getAll(name).length > 1)) {
      this.closeForPolicy(session, 'repeated connection parameters', 'repeated id, token or key');
      return;
    }
    if (this.hooks.isClosing()) {
      socket.close(CLOSE_CODES.goingAway, 'server shutting down');
      return;
    }
    const shared = peerId === '' ? undefined : this.hooks.claimPeerId?.(session);
    if (!shared) {
      this.claimPeerId(session, proceed);
      return;
    }
    // Frames sent meanwhile (a re-attaching PeerJS client gets no OPEN to wait for) wait in the backlog.
    const claimed = shared.then(
      (claim) => {
        if (session.closed || !session.isOpen) return;
        if (claim === 'ok') {
          this.claimPeerId(session, proceed);
          return;
        }
        this.hooks.log('info', 'peer-id-taken', { peerId, address });
        // The answer `peer` gives for an id in use, so the PeerJS client reports "unavailable-id".
        session.socket.send(JSON.stringify({ type: 'ID-TAKEN', payload: { msg: 'ID is taken' } }));
        session.closed = true;
        session.socket.close();
      },
      (error: unknown) => {
        if (session.closed || !session.isOpen) return;
        this.hooks.log('warn', 'peer-id-unchecked', { peerId, message: error instanceof Error ? error.message : String(error) });
        session.closed = true;
        session.socket.close(CLOSE_CODES.tryAgainLater, 'try again later');
      },
    );
    this.hold(session, claimed);
  }

  /** Hands a socket that lives on another process to `peer`, as if it had just connected here. */
  adopt(socket: GatedWebSocket, url: string, address: string): void {
    const request = { url, headers: {}, socket: { remoteAddress: address } } as unknown as IncomingMessage;
    this.server?.emit('connection', socket, request);
  }

  /** Whether an open socket other than `except` asks for `peerId`. */
  holdsPeerId(peerId: string, except: SocketSession): boolean {
    return this.holdersOf(peerId).some((other) => other !== except && !other.closed);
  }

  /**
   * A peer id belongs to whoever holds it in a room. An older socket that holds
   * the same id without being in a room (a squatter after a server restart, or a
   * stale socket) gives it up to the newcomer: it is cut, and `peer` sees the
   * newcomer once it is gone. A holder inside a room keeps it: `peer` answers
   * the newcomer as usual (re-attach with the same PeerJS token, else ID-TAKEN).
   */
  private claimPeerId(session: SocketSession, proceed: () => void): void {
    let holder: SocketSession | undefined;
    for (const other of this.holdersOf(session.peerId)) {
      if (other !== session && !other.closed && other.client !== undefined) {
        holder = other;
        break;
      }
    }
    if (!holder || holder.inRoom || holder.busy) {
      proceed();
      return;
    }
    this.hooks.log('info', 'peer-id-claimed', { peerId: session.peerId, address: session.address });
    // Registered after peer's own close listener: by then peer has forgotten the holder.
    // Frames the newcomer sends meanwhile (a join right behind its socket, as an edge
    // process forwards it) wait until `peer` has registered it.
    const registered = new Promise<void>((resolve) => {
      holder.socket.once('close', () => {
        if (!session.closed && session.isOpen) proceed();
        resolve();
      });
    });
    this.hold(session, registered);
    holder.closed = true;
    holder.backlog.length = 0;
    holder.socket.terminate();
  }

  private holdersOf(peerId: string): readonly SocketSession[] {
    const held = this.byPeerId.get(peerId);
    if (held === undefined) return [];
    return Array.isArray(held) ? held : [held];
  }

  private indexPeerId(session: SocketSession): void {
    const held = this.byPeerId.get(session.peerId);
    if (held === undefined) this.byPeerId.set(session.peerId, session);
    else if (Array.isArray(held)) held.push(session);
    else this.byPeerId.set(session.peerId, [held, session]);
  }

  private unindexPeerId(session: SocketSession): void {
    const held = this.byPeerId.get(session.peerId);
    if (held === session) {
      this.byPeerId.delete(session.peerId);
      return;
    }
    if (!Array.isArray(held)) return;
    const rest = held.filter((other) => other !== session);
    if (rest.length === 0) this.byPeerId.delete(session.peerId);
    else this.byPeerId.set(session.peerId, rest.length === 1 ? (rest[0] as SocketSession) : rest);
  }

  /** Cuts a socket that stopped reading (its unsent data stays over the bound). */
  cutStalled(session: SocketSession): void {
    if (session.closed) return;
    session.closeReason = 'timeout';
    this.hooks.log('warn', 'stalled', {
      peerId: session.peerId,
      bufferedBytes: session.bufferedAmount,
      room: session.membership?.room.name,
    });
    session.closed = true;
    session.backlog.length = 0;
    session.socket.terminate();
  }

  /** `peer` registered a client for one of our sockets. */
  attachPeerClient(client: IClient): void {
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

  /** The rate budget and the backlog. */
  private onIncoming(socket: GatedWebSocket, data: unknown, isBinary: boolean): void {
    const session = this.sessions.get(socket);
    // Not registered by peer (refused id, bad key) or already closed: peer ignores it too.
    // While its peer id is being claimed over every process, it is on hold.
    if (!session || session.closed || this.hooks.isClosing() || (!session.client && !session.busy)) return;

    if (!session.bucket.take()) {
      session.overBudget += 1;
      if (session.overBudget === 1) {
        session.sendError('rate-limited', 'Too many messages; slow down. Messages over the limit are dropped.');
      }
      if (session.overBudget >= this.hooks.options.rateLimit.overflowLimit) {
        this.closeForPolicy(session, 'flood', 'message flood');
      }
      return;
    }
    session.overBudget = 0;

    if (session.busy) {
      session.backlog.push(() => {
        // Held before `peer` saw the socket: if `peer` then refused it (no token, bad key, id taken),
        // its frames go nowhere, as `peer` ignores them too; a refused socket never joins a room.
        if (!session.client) return;
        this.hooks.onFrame(session, data, isBinary);
      });
      return;
    }
    this.hooks.onFrame(session, data, isBinary);
  }

  /**
   * Runs `work` with the socket on hold: frames arriving meanwhile wait in the
   * backlog and are handled, in order, once it settles.
   */
  hold(session: SocketSession, work: Promise<void>): void {
    // Holds nest (a join routed to its room's home, then its token checked there):
    // the backlog waits for the last of them.
    session.holds += 1;
    session.busy = true;
    void work.finally(() => {
      session.holds -= 1;
      if (session.holds > 0) return;
      session.busy = false;
      this.drainBacklog(session);
    });
  }

  private drainBacklog(session: SocketSession): void {
    // A frame handled here may put the socket on hold again (another join).
    while (!session.busy && !session.closed && session.backlog.length > 0) {
      const next = session.backlog.shift();
      next?.();
    }
  }

  /** Answers a refused request (logged, no penalty). */
  refuse(session: SocketSession, request: string, code: ErrorCode, message: string): void {
    this.hooks.log('info', 'refused', { code, request, peerId: session.peerId, room: session.membership?.room.name });
    session.sendError(code, message, request);
  }

  /** Answers a malformed request; too many of them close the socket. */
  refuseMalformed(session: SocketSession, code: ErrorCode, message: string, request?: string): void {
    session.sendError(code, message, request);
    this.penalise(session);
  }

  /**
   * Counts a bad request against the socket (malformed, or a refused join):
   * `maxBadMessages` of them close it with 1008.
   */
  penalise(session: SocketSession): void {
    session.badFrames += 1;
    if (session.badFrames >= this.hooks.options.maxBadMessages) {
      this.closeForPolicy(session, 'bad-messages', 'too many malformed messages or refused requests');
    }
  }

  /** Closes the socket with 1008 (policy violation). */
  closeForPolicy(session: SocketSession, reason: string, closeMessage: string): void {
    if (session.closed || session.socket.readyState !== WebSocket.OPEN) return;
    this.hooks.log('warn', 'policy-close', { peerId: session.peerId, reason, room: session.membership?.room.name });
    session.closed = true;
    session.backlog.length = 0;
    session.socket.close(CLOSE_CODES.policyViolation, closeMessage);
  }
}
