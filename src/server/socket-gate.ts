/**
 * The socket gate: our own `ws` server for `peer` (frame size, origin check),
 * one {@link SocketSession} per socket, the per-socket rate budget, the
 * backlog that keeps frames in order while a join is verified, and the policy
 * close for sockets that misbehave. Every incoming frame passes here first.
 */
import type { IncomingMessage } from 'node:http';
import type { IClient } from 'peer';
import { WebSocket, WebSocketServer, type ServerOptions } from 'ws';
import { CLOSE_CODES, type ErrorCode } from '../protocol/index.js';
import { TokenBucket } from './frames.js';
import type { LogLevel } from './logger.js';
import type { ResolvedRoomServerOptions } from './options.js';
import { GatedWebSocket, SocketSession } from './socket-session.js';

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
}

export class SocketGate {
  /** Every open socket, joined or not. */
  readonly sessions = new Map<WebSocket, SocketSession>();
  private server: WebSocketServer | undefined;

  constructor(private readonly hooks: SocketGateHooks) {}

  /** The `ws` server, once `peer` asked for it. */
  get webSocketServer(): WebSocketServer | undefined {
    return this.server;
  }

  /** The `createWebSocketServer` hook of `peer`: our own `ws` server with limits and the frame gate. */
  createWebSocketServer(serverOptions: ServerOptions): WebSocketServer {
    const webSocketServer = new WebSocketServer<typeof GatedWebSocket>({
      ...serverOptions,
      maxPayload: this.hooks.options.maxPayload,
      perMessageDeflate: false,
      WebSocket: GatedWebSocket,
      verifyClient: (info: { origin: string; req: IncomingMessage }) => {
        const allowed = this.hooks.isOriginAllowed(info.origin);
        if (!allowed) this.hooks.log('warn', 'refused-origin', { origin: info.origin.slice(0, 200) });
        return allowed;
      },
    });
    // Registered before peer's own listener, so the session exists when peer reports the client.
    webSocketServer.on('connection', (socket, request) => {
      this.onSocket(socket, request);
    });
    this.server = webSocketServer;
    return webSocketServer;
  }

  private onSocket(socket: GatedWebSocket, request: IncomingMessage): void {
    socket.frameGate = (data, isBinary) => {
      this.onIncoming(socket, data, isBinary);
    };
    const query = new URL(request.url ?? '/', 'http://localhost').searchParams;
    const peerId = query.get('id') ?? '';
    const { burst, perSecond } = this.hooks.options.rateLimit;
    const session = new SocketSession(socket, peerId, new TokenBucket(burst, perSecond), Date.now());
    this.sessions.set(socket, session);
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
    socket.on('pong', () => {
      session.lastPongAt = Date.now();
    });
    socket.on('close', () => {
      session.closed = true;
      session.backlog.length = 0;
      this.sessions.delete(socket);
      this.hooks.onClosed(session);
    });
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
    if (!session?.client || session.closed || this.hooks.isClosing()) return;

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
    session.busy = true;
    void work.finally(() => {
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
    session.badFrames += 1;
    session.sendError(code, message, request);
    if (session.badFrames >= this.hooks.options.maxBadMessages) {
      this.closeForPolicy(session, 'bad-messages', 'too many malformed messages');
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
