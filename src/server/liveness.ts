/**
 * Websocket-level liveness: every `pingInterval` each open socket is pinged;
 * one silent for longer than `pongTimeout` is cut, one that stopped reading
 * (unsent data over `maxBufferedBytes` for longer than `pongTimeout`) is cut,
 * and one outside every room for longer than `joinDeadlineMs` is closed. The clock and the timer are
 * injectable, so the decisions are tested without sockets.
 */

/** Milliseconds since the epoch. */
export type Clock = () => number;

/** What the monitor needs to know about one connection. */
export interface WatchedConnection {
  readonly isOpen: boolean;
  /** In a room, or on its way into one. */
  readonly inRoom: boolean;
  /** When it last answered one of our pings. */
  readonly lastPongAt: number;
  /** When it was last seen inside a room (or opened); the monitor keeps it current. */
  inRoomAt: number;
  /** Bytes sent to it that it has not taken yet. */
  readonly bufferedAmount: number;
  /** Since when `bufferedAmount` has been over the bound; the monitor keeps it current. */
  overBufferSince: number | undefined;
}

export interface LivenessTiming {
  pingInterval: number;
  pongTimeout: number;
  joinDeadlineMs: number;
  /** Unsent bytes a connection may hold for up to `pongTimeout`. */
  maxBufferedBytes: number;
}

/** Unsent data over this many times `maxBufferedBytes` means a stalled reader at once. */
const HARD_BUFFER_FACTOR = 4;

/** What to do with one connection at one tick. */
export type LivenessVerdict =
  /** Closed already: nothing. */
  | { action: 'skip' }
  /** Alive: ping it again. */
  | { action: 'ping' }
  /** Silent for too long: cut it. */
  | { action: 'timed-out'; silentForMs: number }
  /** It stopped reading: unsent data over the bound for longer than `pongTimeout` (or far over it). */
  | { action: 'stalled'; bufferedAmount: number }
  /** Outside every room for too long: close it. */
  | { action: 'no-room' };

/**
 * The decision for one connection at `now`. Pure. `countFrom`: no silence before
 * this time is held against a connection (the process itself was not running).
 */
export function livenessVerdict(connection: WatchedConnection, now: number, timing: LivenessTiming, countFrom = 0): LivenessVerdict {
  if (!connection.isOpen) return { action: 'skip' };
  const inRoomAt = connection.inRoom ? now : Math.max(connection.inRoomAt, countFrom);
  if (now - inRoomAt > timing.joinDeadlineMs) return { action: 'no-room' };
  const buffered = connection.bufferedAmount;
  if (
    buffered > HARD_BUFFER_FACTOR * timing.maxBufferedBytes ||
    (buffered > timing.maxBufferedBytes &&
      connection.overBufferSince !== undefined &&
      now - Math.max(connection.overBufferSince, countFrom) > timing.pongTimeout)
  ) {
    return { action: 'stalled', bufferedAmount: buffered };
  }
  const silentForMs = now - Math.max(connection.lastPongAt, countFrom);
  if (silentForMs > timing.pongTimeout) return { action: 'timed-out', silentForMs };
  return { action: 'ping' };
}

/** What the monitor does with its verdicts. */
export interface LivenessActions<C extends WatchedConnection> {
  connections(): Iterable<C>;
  ping(connection: C): void;
  timedOut(connection: C, silentForMs: number): void;
  stalled(connection: C, bufferedAmount: number): void;
  noRoom(connection: C): void;
  /**
   * A tick came `lateByMs` late: this process was not running (paused, swapped
   * out, a long blocking task). Nobody's silence over that time is held against them.
   */
  resumed?(lateByMs: number): void;
}

/** Timer functions, injectable for tests. */
export interface IntervalTimer {
  setInterval(callback: () => void, ms: number): { unref(): unknown };
  clearInterval(handle: { unref(): unknown }): void;
}

const nodeTimer: IntervalTimer = {
  setInterval: (callback, ms) => setInterval(callback, ms),
  clearInterval: (handle) => {
    clearInterval(handle as NodeJS.Timeout);
  },
};

export class LivenessMonitor<C extends WatchedConnection> {
  private handle: { unref(): unknown } | undefined;
  /** When the last tick ran. */
  private lastTickAt: number | undefined;
  /** Silence before this time is the process's own, not the connections'. */
  private countFrom = 0;

  constructor(
    private readonly timing: LivenessTiming,
    private readonly actions: LivenessActions<C>,
    private readonly clock: Clock = Date.now,
    private readonly timer: IntervalTimer = nodeTimer,
  ) {}

  /** Starts ticking every `pingInterval` (the timer never keeps the process alive). */
  start(): void {
    if (this.handle) return;
    this.lastTickAt = this.clock();
    this.handle = this.timer.setInterval(() => {
      this.check();
    }, this.timing.pingInterval);
    this.handle.unref();
  }

  stop(): void {
    if (this.handle) this.timer.clearInterval(this.handle);
    this.handle = undefined;
    this.lastTickAt = undefined;
  }

  /** One tick: decides and acts for every connection. */
  check(): void {
    const now = this.clock();
    const lateByMs = this.lastTickAt === undefined ? 0 : now - this.lastTickAt - this.timing.pingInterval;
    this.lastTickAt = now;
    // A whole tick late: the clients' pongs could not be read meanwhile. Cutting them
    // all would send a whole server's users reconnecting at once; their clocks start
    // again now instead.
    if (lateByMs > this.timing.pingInterval) {
      this.countFrom = now;
      this.actions.resumed?.(lateByMs);
    }
    for (const connection of this.actions.connections()) {
      if (connection.bufferedAmount > this.timing.maxBufferedBytes) connection.overBufferSince ??= now;
      else connection.overBufferSince = undefined;
      const verdict = livenessVerdict(connection, now, this.timing, this.countFrom);
      if (verdict.action !== 'skip' && connection.inRoom) connection.inRoomAt = now;
      switch (verdict.action) {
        case 'skip':
          break;
        case 'no-room':
          this.actions.noRoom(connection);
          break;
        case 'timed-out':
          this.actions.timedOut(connection, verdict.silentForMs);
          break;
        case 'stalled':
          this.actions.stalled(connection, verdict.bufferedAmount);
          break;
        case 'ping':
          this.actions.ping(connection);
          break;
      }
    }
  }
}
