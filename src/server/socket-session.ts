/**
 * One websocket of the room server: the gated `ws` socket class and the
 * per-socket state every other module reads (membership, budgets, liveness).
 */
import { randomBytes } from 'node:crypto';
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
  frameGate: ((socket: GatedWebSocket, data: unknown, isBinary: boolean) => void) | undefined;
  /** This socket's state, once accepted. */
  session: SocketSession | undefined;

  override emit(eventName: string | symbol, ...args: unknown[]): boolean {
    if (eventName !== 'message') return super.emit(eventName, ...args);
    this.frameGate?.(this, args[0], args[1] === true);
    return true;
  }

  /** Hands a checked frame to `peer`. */
  forwardToPeer(data: unknown, isBinary: boolean): void {
    super.emit('message', data, isBinary);
  }
}

/** Unsent data over this many times `maxBufferedBytes` cuts the socket at once. */
export const STALLED_FACTOR = 4;

/** What the socket gate is told of a session, through one object shared by every session (no closures per socket). */
export interface SessionObserver {
  /** The socket became a member (or waits) in a room, or stopped being one (for counts kept per address); see `SocketSession.joined`. */
  roomChanged(session: SocketSession, joined: boolean): void;
  /** The unsent data passed the hard ceiling: the reader has stalled. Called once. */
  stalled(session: SocketSession): void;
  /** The socket closed. */
  closed(session: SocketSession): void;
}

/** The `pong` listener of every accepted socket (one function for all, `this` is the socket). */
export function onSocketPong(this: WebSocket, data: Buffer): void {
  if (this instanceof GatedWebSocket) this.session?.onPong(data, Date.now());
}

/**
 * The `error` listener of every accepted socket, from its first moment: a
 * protocol error (a frame over the size limit, an unmasked or malformed
 * frame, bad UTF-8) makes `ws` emit `error` and then close the socket, and
 * an `error` without a listener would throw and stop the whole server. A
 * socket the gate closes or holds never gets `peer`'s own listener, or gets
 * it late. The close that follows does the cleanup; nothing else to do here.
 */
export function onSocketError(this: WebSocket): void {
  // Deliberately empty: see above.
}

/** The `close` listener of every accepted socket. */
export function onSocketClose(this: WebSocket): void {
  const session = this instanceof GatedWebSocket ? this.session : undefined;
  if (session) session.observer?.closed(session);
}

/** Pings whose answer still counts: a pong may come late, after newer pings. */
const PINGS_KEPT = 4;
/** Ping payloads: 6 random bytes, read as one number (exact in a double). */
const PING_PAYLOAD_BYTES = 6;
/** Random bytes drawn at once for many pings (one system call per 512 of them). */
const PING_POOL_BYTES = PING_PAYLOAD_BYTES * 512;
let pingPool = Buffer.alloc(0);
let pingPoolOffset = 0;

/** A fresh unpredictable ping payload, as the number it encodes. */
function nextPingPayload(): number {
  if (pingPoolOffset + PING_PAYLOAD_BYTES > pingPool.length) {
    pingPool = randomBytes(PING_POOL_BYTES);
    pingPoolOffset = 0;
  }
  const value = pingPool.readUIntBE(pingPoolOffset, PING_PAYLOAD_BYTES);
  pingPoolOffset += PING_PAYLOAD_BYTES;
  return value;
}

/** The room and member of a joined socket. */
export interface JoinedMembership {
  room: Room<SocketSession>;
  member: Member<SocketSession>;
}

/** Where an attached socket's room lives: the home process and the socket's id there. */
export interface RemoteHome {
  process: string;
  sid: string;
}

/** Per-websocket state. Also the `MemberConnection` of its membership. */
export class SocketSession {
  /** The PeerJS client, once `peer` registered this socket. */
  client: IClient | undefined;
  #membership: JoinedMembership | undefined;
  #waitingIn: string | undefined;
  #home: RemoteHome | undefined;
  #homeJoined = false;
  /** Told when the socket enters or leaves a room, and when it stalls; none once it is closed. */
  observer: SessionObserver | undefined;
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
  /**
   * A claim of its peer id was sent (rooms shared through Redis): released when it
   * closes, whatever the answer was or whether one came (the release deletes only a
   * claim this process holds).
   */
  peerClaimed = false;
  /** Holds under way (they nest); `busy` while any is. */
  holds = 0;
  readonly backlog: Array<() => void> = [];
  closed = false;
  /** Set when the server cuts the socket, so the leave is logged with this reason. */
  closeReason: LeaveReason | undefined;
  /**
   * Payloads of our last {@link PINGS_KEPT} pings, in a ring (-1 once answered
   * or passed by a newer answer); only a pong echoing one counts.
   */
  readonly #pings: number[] = [-1, -1, -1, -1];
  /** How many pings were sent: the next one goes to slot `#pingCount % PINGS_KEPT`. */
  #pingCount = 0;
  /** Since when the unsent data has been over `maxBufferedBytes`, if it is. */
  overBufferSince: number | undefined;
  /** When the join token of the membership expires (ms since the epoch); token mode only. */
  tokenExpiresAt: number | undefined;
  /** Set once the stall was reported, so it is reported once. */
  #stallReported = false;

  constructor(
    readonly socket: GatedWebSocket,
    readonly peerId: string,
    /** The PeerJS token the socket connected with (it re-attaches the same id). */
    readonly peerToken: string,
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
    return this.#membership !== undefined || this.#waitingIn !== undefined || this.#home !== undefined;
  }

  /**
   * The process this socket is attached to, when its room's home is another
   * process (several processes sharing rooms): its frames go there, and the
   * home process keeps its membership. Counts as being in a room here.
   */
  get home(): RemoteHome | undefined {
    return this.#home;
  }

  set home(value: RemoteHome | undefined) {
    const was = this.joined;
    this.#home = value;
    this.#homeJoined = false;
    this.#roomChanged(was);
  }

  /** Whether the home process said this socket is a member (or waits) in a room there. */
  get homeJoined(): boolean {
    return this.#homeJoined;
  }

  set homeJoined(value: boolean) {
    const was = this.joined;
    this.#homeJoined = value && this.#home !== undefined;
    this.#roomChanged(was);
  }

  /**
   * Whether the socket is a member of a room, or waits in one: here, or at its
   * home process once the home said so. Only such sockets are left out of the
   * caps on sockets outside rooms: a socket attached to a home that refused its
   * join counts as outside, as it would on a lone server.
   */
  get joined(): boolean {
    return this.#membership !== undefined || this.#waitingIn !== undefined || this.#homeJoined;
  }

  /** The room and member this socket is, while in a room. */
  get membership(): JoinedMembership | undefined {
    return this.#membership;
  }

  set membership(value: JoinedMembership | undefined) {
    const was = this.joined;
    this.#membership = value;
    this.#roomChanged(was);
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
    const was = this.joined;
    this.#waitingIn = room;
    this.#roomChanged(was);
  }

  /** Tells the observer when `joined` changed from `was`. */
  #roomChanged(was: boolean): void {
    if (was !== this.joined) this.observer?.roomChanged(this, this.joined);
  }

  /** Sends a websocket ping carrying a fresh unpredictable payload, which the pong must echo. */
  ping(): void {
    const payload = nextPingPayload();
    this.#pings[this.#pingCount % PINGS_KEPT] = payload;
    this.#pingCount++;
    const data = Buffer.allocUnsafe(PING_PAYLOAD_BYTES);
    data.writeUIntBE(payload, 0, PING_PAYLOAD_BYTES);
    this.socket.ping(data);
  }

  /** A pong arrived: it proves life only when it answers one of our pings. */
  onPong(data: Buffer, now: number): boolean {
    if (data.length !== PING_PAYLOAD_BYTES) return false;
    const payload = data.readUIntBE(0, PING_PAYLOAD_BYTES);
    const slotOf = (age: number): number => (this.#pingCount - 1 - age + PINGS_KEPT * 2) % PINGS_KEPT;
    for (let age = 0; age < Math.min(PINGS_KEPT, this.#pingCount); age++) {
      if (this.#pings[slotOf(age)] !== payload) continue;
      // This ping and every older one are answered.
      for (let older = age; older < PINGS_KEPT; older++) this.#pings[slotOf(older)] = -1;
      this.lastPongAt = now;
      return true;
    }
    return false;
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
    if (buffered > STALLED_FACTOR * this.maxBufferedBytes && !this.#stallReported) {
      this.#stallReported = true;
      this.observer?.stalled(this);
    }
  }

  sendError(code: ErrorCode, message: string, request?: string): void {
    this.send({ type: 'LS-ERROR', payload: request === undefined ? { code, message } : { code, message, request } });
  }
}
