/**
 * What one join or leave does to a person's attendance record in one room
 * session: pure functions, so the counting rules are tested with tables and
 * the store only keeps their results.
 */
import type { Role } from '../../protocol/index.js';

/** One person's attendance in one room session. Times are milliseconds since the epoch. */
export interface AttendanceRecord {
  userId: string;
  /** Display name at the latest join. */
  name: string;
  /** Role at the latest join. */
  role: Role;
  firstJoin: number;
  /** When they last left; null while they are in the room. */
  lastLeave: number | null;
  /** Connected time of the stints that ended. */
  connectedMs: number;
  /** Start of the stint under way; null while they are out of the room. */
  connectedSince: number | null;
  /** Joins after the first, plus resumes of a connection after a network blip. */
  reconnects: number;
}

/** The parts of a join that attendance keeps. */
export interface AttendanceJoin {
  userId: string;
  name: string;
  role: Role;
  at: number;
  /** The same peer moved to a new socket (network blip): no leave came before it. */
  resumed: boolean;
}

/** Ends the stint under way, if any, at `at` (never before it started). */
export function closeStint(record: AttendanceRecord, at: number): AttendanceRecord {
  if (record.connectedSince === null) return record;
  return {
    ...record,
    connectedMs: record.connectedMs + Math.max(0, at - record.connectedSince),
    connectedSince: null,
    lastLeave: Math.max(at, record.connectedSince),
  };
}

/**
 * A join: the first one opens the record; any later one (a refresh, a join
 * from another tab, a resume after a blip) counts as a reconnect. A resume
 * keeps the stint under way; a join while a stint is still open (its leave
 * never came) ends that stint first.
 */
export function recordJoin(previous: AttendanceRecord | undefined, join: AttendanceJoin): AttendanceRecord {
  if (!previous) {
    return {
      userId: join.userId,
      name: join.name,
      role: join.role,
      firstJoin: join.at,
      lastLeave: null,
      connectedMs: 0,
      connectedSince: join.at,
      reconnects: 0,
    };
  }
  const renamed = { ...previous, name: join.name, role: join.role, reconnects: previous.reconnects + 1 };
  if (join.resumed && previous.connectedSince !== null) return renamed;
  return { ...closeStint(renamed, join.at), lastLeave: null, connectedSince: join.at };
}

/** A leave: the stint under way ends; a leave with no stint under way changes nothing. */
export function recordLeave(record: AttendanceRecord, at: number): AttendanceRecord {
  return closeStint(record, at);
}

/** Connected time up to `now`, the stint under way included. */
export function connectedMsAt(record: AttendanceRecord, now: number): number {
  return record.connectedMs + (record.connectedSince === null ? 0 : Math.max(0, now - record.connectedSince));
}
