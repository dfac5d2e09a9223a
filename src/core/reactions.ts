/**
 * Reactions as the session shows them: each participant's latest reaction
 * holds for a while (on their tile, and in the tally the tutor reads), then
 * goes. The server relays them and keeps none; a joiner sees only new ones.
 */
import { isReaction, type ClientMessage, type Reaction, type ServerMessage } from '../protocol/index.js';
import type { LiveSessionEventMap, Participant } from './events.js';
import type { Cancel, Scheduler } from './scheduler.js';
import type { DetailOf } from './typed-events.js';

/** How long a reaction shows (and counts in the tally). */
export const REACTION_HOLD_MS = 15_000;

export interface ReactionsHost {
  emit<K extends keyof LiveSessionEventMap>(type: K, detail: DetailOf<LiveSessionEventMap[K]>): void;
  changed(): void;
  send(message: ClientMessage): void;
  /** In the room; fires `not-joined` when not. */
  allowed(): boolean;
  participant(id: string): Participant | null;
}

export class Reactions {
  readonly #host: ReactionsHost;
  readonly #timers: Scheduler;
  readonly #current = new Map<string, { reaction: Reaction; expire: Cancel }>();

  constructor(host: ReactionsHost, timers: Scheduler) {
    this.#host = host;
    this.#timers = timers;
  }

  /** A participant's reaction of the last {@link REACTION_HOLD_MS}, or null. */
  of(id: string): Reaction | null {
    return this.#current.get(id)?.reaction ?? null;
  }

  /** How many participants show each reaction now. */
  tally(): Record<Reaction, number> {
    const counts: Record<Reaction, number> = { 'thumbs-up': 0, clap: 0, confused: 0, slower: 0 };
    for (const { reaction } of this.#current.values()) counts[reaction] += 1;
    return counts;
  }

  send(reaction: Reaction): void {
    if (!isReaction(reaction) || !this.#host.allowed()) return;
    this.#host.send({ type: 'LS-REACT', payload: { reaction } });
  }

  apply(message: ServerMessage): void {
    if (message.type === 'LS-REACTION') {
      const { from, reaction } = message.payload;
      const participant = this.#host.participant(from);
      if (!participant || !isReaction(reaction)) return;
      this.#current.get(from)?.expire();
      const expire = this.#timers.after(REACTION_HOLD_MS, () => {
        this.#current.delete(from);
        this.#host.changed();
      });
      this.#current.set(from, { reaction, expire });
      this.#host.emit('reaction', { participant, reaction });
      this.#host.changed();
    } else if (message.type === 'LS-PARTICIPANT-LEFT') {
      this.#forget(message.payload.id);
    }
  }

  reset(): void {
    this.#timers.cancelAll();
    this.#current.clear();
  }

  #forget(id: string): void {
    const held = this.#current.get(id);
    if (!held) return;
    held.expire();
    this.#current.delete(id);
  }
}
