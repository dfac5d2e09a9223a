/**
 * One websocket of the room server: the gated `ws` socket class and the
 * per-socket state every other module reads (membership, budgets, liveness).
 */
import type { IClient } from 'peer';
import { WebSocket } from 'ws';
import type { ErrorCode, LeaveReason, ServerMessage } from '../protocol/index.js';
import type { TokenBucket } from './frames.js';
import type { Member, Room } from './room-registry.js';

/**
 * The `WebSocket` class of our `ws` server. Its `emit('message')` is the single
 * gate for every incoming frame: nothing reaches `peer` unless the room server
 * hands it on with {@link GatedWebSocket.forwardToPeer}.
 */
export class GatedWebSocket extends WebSocket {
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

/** The room and member of a joined socket. */
export interface JoinedMembership {
  room: Room<SocketSession>;
  member: Member<SocketSession>;
}

/** Per-websocket state. Also the `MemberConnection` of its membership. */
export class SocketSession {
  /** The PeerJS client, once `peer` registered this socket. */
  client: IClient | undefined;
  membership: JoinedMembership | undefined;
  /** When this socket last answered one of our pings. */
  lastPongAt: number;
  /** When this socket was last seen inside a room (or opened). */
  inRoomAt: number;
  /** Frames over the rate budget, in a row. */
  overBudget = 0;
  /** Malformed or refused requests so far. */
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
    now: number,
  ) {
    this.lastPongAt = now;
    this.inRoomAt = now;
  }

  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  /** Whether the socket is in a room, or on its way into one. */
  get inRoom(): boolean {
    return this.membership !== undefined || this.busy;
  }

  send(message: ServerMessage): void {
    this.sendText(JSON.stringify(message));
  }

  /** Sends an already serialised message (a broadcast is serialised once for every recipient). */
  sendText(text: string): void {
    if (this.isOpen) this.socket.send(text);
  }

  sendError(code: ErrorCode, message: string, request?: string): void {
    this.send({ type: 'LS-ERROR', payload: request === undefined ? { code, message } : { code, message, request } });
  }
}
