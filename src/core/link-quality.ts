/**
 * Connection quality from `getStats()`, as pure functions: the figures of one
 * media connection over the last measurement interval, the three-level verdict
 * shown on a tile, the local participant's own verdict, and whether a sender
 * should send less. Table-tested in Node; media-links.ts feeds them.
 */

export type ConnectionQuality = 'good' | 'fair' | 'poor';

/** Cumulative counters read from one connection's stats at one moment. */
export interface QualitySnapshot {
  /** When it was read (ms, any monotonic clock). */
  at: number;
  /** Incoming RTP, audio and video together. */
  packetsReceived: number;
  packetsLost: number;
  /** Incoming video (0 when none). */
  framesDecoded: number;
  freezeCount: number;
  /** The selected candidate pair's current round trip, ms; null when unknown. */
  rttMs: number | null;
  /** The selected candidate pair's estimate of what may be sent, bits/s; null when unknown. */
  availableOutgoingBitrate: number | null;
  /** Loss the far end reports of what we send (remote-inbound-rtp), 0–1, worst stream; null when unknown. */
  remoteFractionLost: number | null;
}

/** What one connection looked like over the last interval. */
export interface LinkFigures {
  rttMs: number | null;
  /** Incoming packets lost over the interval, percent; null when nothing was expected. */
  lossPercent: number | null;
  /** Loss the far end reports of what we send, percent; null when unknown. */
  outgoingLossPercent: number | null;
  /** Estimated sending capacity, kbit/s; null when unknown. */
  outgoingKbps: number | null;
  /** Incoming video frames decoded per second over the interval; null when no video is expected. */
  framesPerSecond: number | null;
  /** Video freezes the browser counted during the interval. */
  freezes: number;
  /** No incoming packet at all during the interval. */
  silent: boolean;
}

/** The figures of the interval between two snapshots. */
export function linkFigures(previous: QualitySnapshot, next: QualitySnapshot, expectVideo: boolean): LinkFigures {
  const seconds = Math.max(0.001, (next.at - previous.at) / 1000);
  const received = Math.max(0, next.packetsReceived - previous.packetsReceived);
  const lost = Math.max(0, next.packetsLost - previous.packetsLost);
  const expected = received + lost;
  return {
    rttMs: next.rttMs,
    lossPercent: expected > 0 ? (100 * lost) / expected : null,
    outgoingLossPercent: next.remoteFractionLost === null ? null : 100 * next.remoteFractionLost,
    outgoingKbps: next.availableOutgoingBitrate === null ? null : next.availableOutgoingBitrate / 1000,
    framesPerSecond: expectVideo ? Math.max(0, next.framesDecoded - previous.framesDecoded) / seconds : null,
    freezes: Math.max(0, next.freezeCount - previous.freezeCount),
    silent: received === 0,
  };
}

/**
 * Thresholds of the verdict. Round trips and loss follow the usual guidance for
 * interactive calls (about 300 ms and a few percent start to hurt; 600 ms and
 * 10 % make conversation hard).
 */
export const QUALITY_LIMITS = {
  fair: { rttMs: 300, lossPercent: 3, framesPerSecond: 8 },
  poor: { rttMs: 600, lossPercent: 10, framesPerSecond: 3 },
} as const;

/**
 * Good, fair or poor: the worst of round trip, loss either way and incoming
 * frame rate (when video is expected); a freeze makes it fair at least. A
 * connection that received nothing at all over the interval is poor. The
 * sending estimate is shown, not judged: it starts low and stays low while
 * little is sent (a small or still picture), which says nothing of the network.
 */
export function qualityOf(figures: LinkFigures): ConnectionQuality {
  if (figures.silent) return 'poor';
  const levels: ConnectionQuality[] = [];
  const above = (value: number | null, fair: number, poor: number): void => {
    if (value === null) return;
    levels.push(value >= poor ? 'poor' : value >= fair ? 'fair' : 'good');
  };
  const below = (value: number | null, fair: number, poor: number): void => {
    if (value === null) return;
    levels.push(value <= poor ? 'poor' : value <= fair ? 'fair' : 'good');
  };
  const { fair, poor } = QUALITY_LIMITS;
  above(figures.rttMs, fair.rttMs, poor.rttMs);
  above(figures.lossPercent, fair.lossPercent, poor.lossPercent);
  above(figures.outgoingLossPercent, fair.lossPercent, poor.lossPercent);
  below(figures.framesPerSecond, fair.framesPerSecond, poor.framesPerSecond);
  if (figures.freezes > 0) levels.push('fair');
  return worst(levels);
}

/**
 * How well what we send gets through: round trip and the loss the far end
 * reports of our packets only (incoming figures say nothing of our upload).
 * Drives sending less.
 */
export function sendingQualityOf(figures: LinkFigures): ConnectionQuality {
  const { fair, poor } = QUALITY_LIMITS;
  const level = (value: number | null, f: number, p: number): ConnectionQuality => (value === null ? 'good' : value >= p ? 'poor' : value >= f ? 'fair' : 'good');
  return worst([level(figures.rttMs, fair.rttMs, poor.rttMs), level(figures.outgoingLossPercent, fair.lossPercent, poor.lossPercent)]);
}

/**
 * The verdict shown, from the one shown so far and the last two measured: it
 * changes only when both last measures agree on a change (both worse, or both
 * better), then to the milder of the two, so one bad or good interval does
 * not flip the indicator. The first measure is shown at once.
 */
export function smoothQuality(shown: ConnectionQuality | null, recent: readonly ConnectionQuality[]): ConnectionQuality | null {
  const last = recent.at(-1);
  if (last === undefined) return shown;
  if (shown === null) return last;
  const [a, b] = recent.slice(-2);
  if (a === undefined || b === undefined) return shown;
  if (RANK[a] > RANK[shown] && RANK[b] > RANK[shown]) return RANK[a] < RANK[b] ? a : b;
  if (RANK[a] < RANK[shown] && RANK[b] < RANK[shown]) return RANK[a] > RANK[b] ? a : b;
  return shown;
}

const RANK: Record<ConnectionQuality, number> = { good: 0, fair: 1, poor: 2 };

function worst(levels: readonly ConnectionQuality[]): ConnectionQuality {
  let result: ConnectionQuality = 'good';
  for (const level of levels) if (RANK[level] > RANK[result]) result = level;
  return result;
}

/**
 * The local participant's own verdict from the verdicts of its connections:
 * the level at least half of them reach. One poor link is the far end's
 * problem; most links poor is ours. Null with no connection.
 */
export function ownQuality(links: readonly ConnectionQuality[]): ConnectionQuality | null {
  if (links.length === 0) return null;
  const sorted = [...links].sort((a, b) => RANK[b] - RANK[a]);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? null;
}

/**
 * Whether a connection's sender should send less (lower resolution and frame
 * rate, so audio keeps its share), from its sending verdicts: from the first
 * poor one until two good ones in a row, so a short dip does not make the
 * picture pump.
 */
export function nextReduced(reduced: boolean, history: readonly ConnectionQuality[]): boolean {
  const last = history.at(-1);
  if (last === 'poor') return true;
  if (!reduced) return false;
  return !(history.length >= 2 && history.slice(-2).every((level) => level === 'good'));
}
