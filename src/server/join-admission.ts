/**
 * Who may (re-)enter a room, beyond a valid identity: users the tutor removed
 * stay out until re-admitted or until their token expires, and one user's
 * joins into one room are rate-limited (a re-join storm from one identity,
 * e.g. two sockets sharing a token taking turns). No sockets; clock injected.
 */
import type { ErrorCode } from '../protocol/index.js';
import { KeyedBuckets } from './frames.js';

/** Most removal entries kept per room; the oldest go first. */
const MAX_REMOVED_PER_ROOM = 1000;
/** Rooms with removals kept before the first sweep of expired ones. */
const SWEEP_MIN_ROOMS = 64;
/** Most per-user join budgets kept; refilled ones are dropped first. */
const MAX_JOIN_BUDGETS = 20_000;

export interface AdmissionRefusal {
  code: ErrorCode;
  message: string;
}

export class JoinAdmission {
  /** room → userId → removed until (ms since the epoch). */
  private readonly removed = new Map<string, Map<string, number>>();
  /** `room\nuserId` → join budget. */
  private readonly budgets: KeyedBuckets;
  /** How many rooms with removals before every room's expired entries are swept out (then twice those left). */
  #sweepAt = SWEEP_MIN_ROOMS;

  constructor(
    joinsPerMinute: number,
    private readonly clock: () => number = Date.now,
  ) {
    this.budgets = new KeyedBuckets(joinsPerMinute, joinsPerMinute / 60, MAX_JOIN_BUDGETS);
  }

  /** Whether `userId` may join `room` now; a permitted join uses one unit of its budget. */
  admit(room: string, userId: string): AdmissionRefusal | undefined {
    const now = this.clock();
    const until = this.removed.get(room)?.get(userId);
    if (until !== undefined) {
      if (until > now) {
        return {
          code: 'removed-from-room',
          message: 'The tutor removed you from this room; only the tutor can let you back in.',
        };
      }
      this.readmit(room, userId);
    }
    if (!this.budgets.take(`${room}\n${userId}`, now)) {
      return { code: 'join-rate-limited', message: 'Too many joins in a short time; wait a moment before joining again.' };
    }
    return undefined;
  }

  /** Keeps `userId` out of `room` until `until` (ms since the epoch). */
  remove(room: string, userId: string, until: number): void {
    let users = this.removed.get(room);
    if (!users) {
      users = new Map();
      this.removed.set(room, users);
    }
    users.delete(userId);
    users.set(userId, until);
    const now = this.clock();
    for (const [id, expiry] of users) {
      if (users.size <= MAX_REMOVED_PER_ROOM && expiry > now) break;
      users.delete(id);
    }
    // A room whose removals all expired and that nobody joins again would
    // stay for the life of the process: now and then, sweep every room. The
    // threshold doubles with what is left, so the sweeps cost O(1) a removal.
    if (this.removed.size >= this.#sweepAt) {
      for (const [name, entries] of this.removed) {
        for (const [id, expiry] of entries) if (expiry <= now) entries.delete(id);
        if (entries.size === 0) this.removed.delete(name);
      }
      this.#sweepAt = Math.max(SWEEP_MIN_ROOMS, this.removed.size * 2);
    }
  }

  /** Rooms with removal entries kept now (for tests and operations). */
  get roomsWithRemovals(): number {
    return this.removed.size;
  }

  /** Lets a removed user join again; returns whether they were removed. */
  readmit(room: string, userId: string): boolean {
    const users = this.removed.get(room);
    const was = users?.delete(userId) ?? false;
    if (users?.size === 0) this.removed.delete(room);
    return was;
  }

  /** Users currently kept out of `room`, with until when (ms since the epoch). */
  removedEntries(room: string): [userId: string, until: number][] {
    const now = this.clock();
    return [...(this.removed.get(room) ?? new Map<string, number>())].filter(([, until]) => until > now);
  }

  /** Users currently kept out of `room`. */
  removedFrom(room: string): string[] {
    const now = this.clock();
    return [...(this.removed.get(room) ?? new Map<string, number>())].filter(([, until]) => until > now).map(([id]) => id);
  }
}
