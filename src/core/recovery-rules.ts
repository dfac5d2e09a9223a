/**
 * The decisions behind joining calls and recovering from drops, as pure
 * functions: both sides of a connection compute the same answers, and each is
 * table-tested in Node without sockets or browsers.
 */
import type { ParticipantInfo } from '../protocol/index.js';
import { recallerOf } from './topology.js';

export interface ReconnectBounds {
  /** First delay, ms. */
  minDelayMs: number;
  /** Longest delay, ms. */
  maxDelayMs: number;
}

/**
 * The delay before signalling reconnect attempt `attempt` (0-based): doubling
 * from `minDelayMs` up to `maxDelayMs`, with ±25 % jitter so a class that lost
 * the server together does not come back in lockstep. `random` is in [0, 1).
 */
export function reconnectDelay(attempt: number, bounds: ReconnectBounds, random: number = Math.random()): number {
  const base = Math.min(bounds.maxDelayMs, bounds.minDelayMs * 2 ** Math.max(0, attempt));
  return base * (0.75 + random * 0.5);
}

/** What the answering side knows of the link it already has with the caller. */
export interface ExistingLink {
  /** We placed that call. */
  outgoing: boolean;
  /** Its RTCPeerConnection is `connected`. */
  connected: boolean;
}

/**
 * Both sides called each other (glare). A working call we placed is kept when
 * we are the re-caller (the lower peer id), and the incoming one refused; in
 * every other case the incoming call replaces what we have.
 */
export function resolveGlare(myId: string, callerId: string, existing: ExistingLink | null): 'keep-existing' | 'take-incoming' {
  if (existing?.outgoing && existing.connected && recallerOf(myId, callerId) === myId) return 'keep-existing';
  return 'take-incoming';
}

/**
 * An incoming call: answered when the caller is in the roster, held briefly
 * when it is not (its join broadcast may still be on the way), refused when
 * we are not in a room or the topology says these two exchange no media.
 */
export function incomingCallAction(call: { callerKnown: boolean; joined: boolean; topologyAllows: boolean }): 'answer' | 'hold' | 'refuse' {
  if (!call.callerKnown) return 'hold';
  if (!call.joined || !call.topologyAllows) return 'refuse';
  return 'answer';
}

/**
 * After a re-join, members of the old roster missing from the new snapshot:
 * those whose media still flows are kept for a grace period (they may simply
 * not have re-joined yet); the others are gone now.
 */
export function partitionVanished(
  vanished: readonly ParticipantInfo[],
  mediaFlows: (id: string) => boolean,
): { graced: ParticipantInfo[]; gone: ParticipantInfo[] } {
  const graced: ParticipantInfo[] = [];
  const gone: ParticipantInfo[] = [];
  for (const member of vanished) (mediaFlows(member.id) ? graced : gone).push(member);
  return { graced, gone };
}

/**
 * A media connection died. The lower peer id places the new call after a short
 * pause (so the far side notices too and answers rather than races); the other
 * side waits, and calls itself after `waitMs` if the far side never noticed.
 */
export function recallPlan(myId: string, remoteId: string, timings: { recallMs: number; waitMs: number }): { role: 'recaller' | 'waiter'; delayMs: number } {
  return recallerOf(myId, remoteId) === myId
    ? { role: 'recaller', delayMs: timings.recallMs }
    : { role: 'waiter', delayMs: timings.waitMs };
}

/**
 * How long an LS-PING may go unanswered before the signalling socket counts as
 * dead. A fixed few seconds suits an idle machine, but a page (or server) that
 * is starved of CPU answers late without being gone, and a false verdict
 * costs a whole re-join: every other member sees this one leave and their
 * calls are placed again, which starves the machine further. So the timeout
 * follows the round trips actually seen, like TCP's retransmission timer
 * (RFC 6298): smoothed round trip plus four times its variation, never below
 * the configured floor and never above `maxMs`. Time the page itself lost
 * (its timer ran late: the main thread was blocked or the tab throttled) does
 * not count as the server's silence.
 */
export class LivenessEstimator {
  readonly #floorMs: number;
  readonly #maxMs: number;
  #smoothed: number | null = null;
  #variation = 0;

  constructor(bounds: { floorMs: number; maxMs: number }) {
    this.#floorMs = bounds.floorMs;
    this.#maxMs = Math.max(bounds.floorMs, bounds.maxMs);
  }

  /** A ping answered after `ms`. */
  observe(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    if (this.#smoothed === null) {
      this.#smoothed = ms;
      this.#variation = ms / 2;
      return;
    }
    this.#variation = 0.75 * this.#variation + 0.25 * Math.abs(this.#smoothed - ms);
    this.#smoothed = 0.875 * this.#smoothed + 0.125 * ms;
  }

  /** The current verdict timeout, ms. */
  get timeoutMs(): number {
    if (this.#smoothed === null) return this.#floorMs;
    return Math.min(this.#maxMs, Math.max(this.#floorMs, this.#smoothed + 4 * this.#variation));
  }
}

/**
 * A periodic check ran at `now`; the one before ran at `previous`, and they
 * are meant to be `intervalMs` apart. The time beyond that (less a small
 * allowance for ordinary timer slack) is time the page itself was stalled.
 */
export function stalledFor(previous: number, now: number, intervalMs: number): number {
  const late = now - previous - intervalMs;
  return late > intervalMs / 4 ? late : 0;
}
