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
export function resolveGlare(
  myId: string,
  callerId: string,
  existing: ExistingLink | null,
  incomingReplaces = false,
): 'keep-existing' | 'take-incoming' {
  const recaller = recallerOf(myId, callerId) === myId;
  if (incomingReplaces) {
    // A call placed to replace a frozen link is taken even over a connected
    // one; two such calls crossing each other keep the re-caller's.
    return existing?.outgoing && !existing.connected && recaller ? 'keep-existing' : 'take-incoming';
  }
  if (existing?.outgoing && existing.connected && recaller) return 'keep-existing';
  return 'take-incoming';
}

/** One look at a link's incoming video (from `getStats`). */
export interface VideoSample {
  /** When it was taken (ms, any monotonic clock). */
  at: number;
  framesDecoded: number;
  packetsReceived: number;
}

/**
 * Whether a link's incoming video is frozen while its packets flow: after a
 * network drop the decoder can sit waiting for a key frame that the browser
 * asks for only seconds later. Returns the new "stalled since" time: cleared
 * when a frame was decoded, and also when no packet arrived (the network is
 * down: that is the connection state's business, not a frozen decoder); set
 * (to the earlier look) when packets arrive and nothing decodes.
 */
export function videoStalledSince(previous: VideoSample | undefined, next: VideoSample, stalledSince: number | undefined): number | undefined {
  if (!previous || next.framesDecoded > previous.framesDecoded || next.framesDecoded < previous.framesDecoded) return undefined;
  if (next.packetsReceived <= previous.packetsReceived) return undefined;
  return stalledSince ?? previous.at;
}

/** Calls placed to replace a frozen link, per member, at most this many in {@link FROZEN_RECALL_WINDOW_MS}. */
export const FROZEN_RECALLS_PER_WINDOW = 3;
export const FROZEN_RECALL_WINDOW_MS = 60_000;

/**
 * Whether another call may be placed (or, at the far end, honoured as
 * replacing) for a frozen link, given when the earlier ones were: a freeze a
 * fresh call cannot cure (a stream this browser cannot decode, a starved CPU)
 * must not tear the call down every few seconds for the rest of the lesson.
 */
export function frozenRecallAllowed(earlier: readonly number[], now: number): boolean {
  return earlier.filter((at) => now - at < FROZEN_RECALL_WINDOW_MS).length < FROZEN_RECALLS_PER_WINDOW;
}

/**
 * How long a link's video may stay frozen (packets, no frames) before the call
 * is placed again: the re-caller (lower peer id) acts first; the other side
 * acts later, in case only its own direction froze.
 */
export function frozenVideoLimitMs(myId: string, remoteId: string, timings: { recallMs: number }): number {
  return recallerOf(myId, remoteId) === myId ? 2 * timings.recallMs : 4 * timings.recallMs;
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
