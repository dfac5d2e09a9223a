/** Structured log lines of the room server. */

export type LogLevel = 'info' | 'warn' | 'error';

/**
 * One log record. `event` names what happened (`start`, `join`, `leave`,
 * `refused`, `policy-close`, `ping-timeout`, `peer-error`, `shutdown`, …); the
 * other fields depend on the event.
 */
export interface LogEntry {
  /** ISO 8601 time stamp. */
  time: string;
  level: LogLevel;
  event: string;
  [field: string]: unknown;
}

/** Receives every log record. The default writes one JSON line per record to stdout. */
export type RoomServerLogger = (entry: LogEntry) => void;

/** Writes `entry` as one JSON line to stdout. */
export const jsonLineLogger: RoomServerLogger = (entry) => {
  process.stdout.write(`${JSON.stringify(entry)}\n`);
};

/** Builds a record with the current time. */
export function logEntry(level: LogLevel, event: string, fields: Record<string, unknown> = {}): LogEntry {
  return { time: new Date().toISOString(), level, event, ...fields };
}

/** Events that a client can cause at will; their lines are rate-limited per kind. */
export const THROTTLED_EVENTS: ReadonlySet<string> = new Set([
  'refused',
  'policy-close',
  'refused-origin',
  'refused-address',
  'refused-unjoined',
  'ping-timeout',
  'stalled',
  'peer-id-claimed',
  'internal-error',
  'peer-error',
]);

/** How long one throttling window lasts. */
export const LOG_WINDOW_MS = 10_000;

/**
 * Rate-limits repeated log lines: per kind (event plus code or reason), at
 * most `burst` lines per window; the rest are counted and reported in one
 * `log-suppressed` line when the window ends.
 */
export class LogThrottle {
  private windowStart: number;
  private readonly counts = new Map<string, number>();
  private readonly suppressed = new Map<string, number>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly burst: number,
    private readonly write: (entry: LogEntry) => void,
    private readonly clock: () => number = Date.now,
  ) {
    this.windowStart = clock();
  }

  /** Writes `entry` unless its kind already used up this window's lines. */
  log(entry: LogEntry): void {
    if (!THROTTLED_EVENTS.has(entry.event)) {
      this.write(entry);
      return;
    }
    const now = this.clock();
    if (now - this.windowStart >= LOG_WINDOW_MS) this.flush(now);
    const detail = entry['code'] ?? entry['reason'];
    const kind = typeof detail === 'string' ? `${entry.event}:${detail}` : entry.event;
    const count = (this.counts.get(kind) ?? 0) + 1;
    this.counts.set(kind, count);
    if (count <= this.burst) {
      this.write(entry);
      return;
    }
    this.suppressed.set(kind, (this.suppressed.get(kind) ?? 0) + 1);
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.flush(this.clock());
    }, Math.max(0, this.windowStart + LOG_WINDOW_MS - now));
    this.timer.unref();
  }

  /** Ends the window: one summary line for what was left out. */
  flush(now: number = this.clock()): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.suppressed.size > 0) {
      this.write(
        logEntry('warn', 'log-suppressed', {
          windowMs: now - this.windowStart,
          suppressed: Object.fromEntries(this.suppressed),
          message: `Repeated log lines left out (more than ${this.burst} of one kind in ${LOG_WINDOW_MS / 1000} s).`,
        }),
      );
    }
    this.counts.clear();
    this.suppressed.clear();
    this.windowStart = now;
  }

  /** Stops the summary timer (the summary is written now). */
  stop(): void {
    this.flush();
  }
}
