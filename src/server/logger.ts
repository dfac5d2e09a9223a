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
