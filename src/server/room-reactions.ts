/**
 * Reactions (thumbs up, clap, "I'm confused", "slower please"): relayed to the
 * room at once, rate-limited per user and room. The server keeps no reaction:
 * they are short-lived, and each client shows and counts the recent ones.
 */
import { isReaction, isRecord } from '../protocol/index.js';
import { TokenBucket } from './frames.js';
import type { Member, Room } from './room-registry.js';
import type { RequestOutcome } from './room-chat.js';

/** Reactions one user may send at once, then {@link REACTIONS_PER_MINUTE} a minute. */
export const REACTION_BURST = 3;
export const REACTIONS_PER_MINUTE = 12;

export class RoomReactions {
  readonly #budgets = new WeakMap<Room, Map<string, TokenBucket>>();
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
    if (!this.#budget(member).take(this.#clock())) {
      return { ok: false, code: 'rate-limited', message: 'You are sending reactions too fast; wait a moment.' };
    }
    member.room.broadcast({ type: 'LS-REACTION', payload: { from: member.info.id, reaction } });
    return { ok: true };
  }

  #budget(member: Member): TokenBucket {
    let budgets = this.#budgets.get(member.room);
    if (!budgets) {
      budgets = new Map();
      this.#budgets.set(member.room, budgets);
    }
    let bucket = budgets.get(member.info.userId);
    if (!bucket) {
      if (budgets.size >= 1000) budgets.clear();
      bucket = new TokenBucket(REACTION_BURST, REACTIONS_PER_MINUTE / 60, this.#clock());
      budgets.set(member.info.userId, bucket);
    }
    return bucket;
  }
}
