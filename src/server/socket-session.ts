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

/** Unsent data over this many times `maxBufferedBytes` cuts the socket at once. */
export const STALLED_FACTOR = 4;

/** The room and member of a joined socket. */
export interface JoinedMembership {
  room: Room<SocketSession>;
  member: Member<SocketSession>;
}

/** Per-websocket state. Also the `MemberConnection` of its membership. */
export class SocketSession {
  /** The PeerJS client, once `peer` registered this socket. */
  client: IClient | undefined;
  #membership: JoinedMembership | undefined;
  #waitingIn: string | undefined;
  /** Told when the socket enters a room or leaves it (for counts kept per address). */
  onRoomChange: ((inRoom: boolean) => void) | undefined;
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
  /** Payloads of our pings not answered yet (newest last); only a pong echoing one counts. */
  readonly pendingPings: Buffer[] = [];
  /** Since when the unsent data has been over `maxBufferedBytes`, if it is. */
  overBufferSince: number | undefined;
  /** When the join token of the membership expires (ms since the epoch); token mode only. */
  tokenExpiresAt: number | undefined;

  /** Called (once) when the unsent data passes the hard ceiling: the reader has stalled. */
  onStalled: ((session: SocketSession) => void) | undefined;

  constructor(
    readonly socket: GatedWebSocket,
    readonly peerId: string,
    /** The remote address, for per-address limits. */
    readonly address: string,
    readonly bucket: TokenBucket,
    /** Unsent bytes above which the socket counts as not reading. */
    readonly maxBufferedBytes: number,
    now: number,
  ) {
    this.lastPongAt = now;
    this.inRoomAt = now;
  }

  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  /**
   * Whether the socket is in a room. A join under way does not count: a socket
   * that keeps sending refused joins still meets the join deadline.
   */
  get inRoom(): boolean {
    return this.#membership !== undefined || this.#waitingIn !== undefined;
  }

  /** The room and member this socket is, while in a room. */
  get membership(): JoinedMembership | undefined {
    return this.#membership;
  }

  set membership(value: JoinedMembership | undefined) {
    const was = this.inRoom;
    this.#membership = value;
    if (was !== this.inRoom) this.onRoomChange?.(this.inRoom);
  }

  /**
   * The room whose waiting room this socket is in (admitted by a tutor, or
   * not). Waiting counts as being in a room for the join deadline and the
   * per-address cap, but gives no membership: no roster, chat or signalling.
   */
  get waitingIn(): string | undefined {
    return this.#waitingIn;
  }

  set waitingIn(room: string | undefined) {
    const was = this.inRoom;
    this.#waitingIn = room;
    if (was !== this.inRoom) this.onRoomChange?.(this.inRoom);
  }

  /** Sends a websocket ping carrying a fresh payload, which the pong must echo. */
  ping(payload: Buffer): void {
    this.pendingPings.push(payload);
    if (this.pendingPings.length > 4) this.pendingPings.shift();
    this.socket.ping(payload);
  }

  /** A pong arrived: it proves life only when it answers one of our pings. */
  onPong(data: Buffer, now: number): boolean {
    const index = this.pendingPings.findIndex((payload) => payload.equals(data));
    if (index < 0) return false;
    this.pendingPings.splice(0, index + 1);
    this.lastPongAt = now;
    return true;
  }

  send(message: ServerMessage): void {
    this.sendText(JSON.stringify(message));
  }

  /** Sends an already serialised message (a broadcast is serialised once for every recipient). */
  sendText(text: string): void {
    if (!this.isOpen) return;
    this.socket.send(text);
    this.checkBuffer(Date.now());
  }

  /** Unsent bytes: what the socket has not taken from us yet. */
  get bufferedAmount(): number {
    return this.socket.bufferedAmount;
  }

  /**
   * Notes when the unsent data went over the bound (the liveness check cuts the
   * socket if it stays there); over four times the bound it is cut at once.
   */
  checkBuffer(now: number): void {
    const buffered = this.bufferedAmount;
    if (buffered <= this.maxBufferedBytes) {
      this.overBufferSince = undefined;
      return;
    }
    this.overBufferSince ??= now;
    if (buffered > STALLED_FACTOR * this.maxBufferedBytes && this.onStalled) {
      const onStalled = this.onStalled;
      this.onStalled = undefined;
      onStalled(this);
    }
  }

  sendError(code: ErrorCode, message: string, request?: string): void {
    this.send({ type: 'LS-ERROR', payload: request === undefined ? { code, message } : { code, message, request } });
  }
}
