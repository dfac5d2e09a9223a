/**
 * Reactions (thumbs up, clap, "I'm confused", "slower please"): relayed to the
 * room at once, rate-limited per user and room. The server keeps no reaction:
 * they are short-lived, and each client shows and counts the recent ones.
 */
import { isReaction, isRecord } from '../protocol/index.js';
import { KeyedBuckets } from './frames.js';
import type { Member, Room } from './room-registry.js';
import type { RequestOutcome } from './request-outcome.js';

/** Reactions one user may send at once, then {@link REACTIONS_PER_MINUTE} a minute. */
export const REACTION_BURST = 3;
export const REACTIONS_PER_MINUTE = 12;

export class RoomReactions {
  /** Per room, a budget per user id (leaving and joining again does not refill it). */
  readonly #budgets = new WeakMap<Room, KeyedBuckets>();
  readonly #clock: () => number;

  constructor(clock: () => number = Date.now) {
    this.#clock = clock;
  }

  /** LS-REACT from a member. */
  react(member: Member, payload: unknown): RequestOutcome {
    const reaction = isRecord(payload) ? payload['reaction'] : undefined;
    if (!isReaction(reaction)) {
      return { ok: false, code: 'bad-payload', message: 'payload.reaction must be thumbs-up, clap, confused or slower.', malformed: true };
    }
    if (!this.#budgetsOf(member.room).take(member.info.userId, this.#clock())) {
      return { ok: false, code: 'rate-limited', message: 'You are sending reactions too fast; wait a moment.' };
    }
    member.room.broadcast({ type: 'LS-REACTION', payload: { from: member.info.id, reaction } });
    return { ok: true };
  }

  #budgetsOf(room: Room): KeyedBuckets {
    let budgets = this.#budgets.get(room);
    if (!budgets) {
      budgets = new KeyedBuckets(REACTION_BURST, REACTIONS_PER_MINUTE / 60);
      this.#budgets.set(room, budgets);
    }
    return budgets;
  }
}
