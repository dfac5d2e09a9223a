/**
 * Connection quality, measured: every 2 s it reads each media connection's
 * `getStats()`, turns two readings into figures and a verdict (the pure rules
 * of link-quality.ts), smooths the verdict shown, judges our own connection
 * from all of them, and tells the media links which senders should send less.
 * A change is reported only when a verdict shown changes, so a steady room
 * renders nothing every 2 s.
 *
 * It also watches for the end of an outage: a connection that received
 * packets and then none for a whole measure is read every
 * {@link STALL_WATCH_MS} until packets come again, and the host is told at
 * once (it then sends a key frame: the far side's decoder cannot show a
 * picture until one comes, and on its own the far side's browser asks for one
 * only seconds later, after retransmissions of what was lost fail).
 */
import {
  linkFigures,
  nextReduced,
  ownQuality,
  qualityOf,
  sendingQualityOf,
  smoothQuality,
  type ConnectionQuality,
  type LinkFigures,
  type QualitySnapshot,
} from './link-quality.js';
import type { Cancel, Scheduler } from './scheduler.js';

/** How often each connection is measured. */
export const QUALITY_INTERVAL_MS = 2000;
/** How often a connection that went silent is read, until packets come again. */
export const STALL_WATCH_MS = 250;
/** How long a silent connection is watched at most (a member who really sends nothing is not read for ever). */
export const STALL_WATCH_LIMIT_MS = 60_000;

export interface QualityMonitorHost {
  /** The media connections to measure now, by participant id. */
  connections(): ReadonlyMap<string, RTCPeerConnection>;
  /** Whether video is expected from `id` (their camera is on), so its frame rate counts. */
  expectsVideo(id: string): boolean;
  /** The verdict shown for `id` changed. */
  changed(id: string): void;
  /** Our own verdict changed. */
  ownChanged(): void;
  /** The sender towards `id` should send less (true) or as usual (false). */
  reduce(id: string, reduced: boolean): void;
  /** Packets from `id` come again after a silence (an outage ended). */
  resumed?(id: string): void;
}

interface LinkState {
  snapshot: QualitySnapshot | undefined;
  figures: LinkFigures | null;
  recent: ConnectionQuality[];
  shown: ConnectionQuality | null;
  sending: ConnectionQuality[];
  reduced: boolean;
  /** Stops the fast reads of a connection that went silent. */
  stopWatch: Cancel | null;
  /** Packets came in the last interval measured. */
  flowing: boolean;
}

export interface QualityView {
  quality: ConnectionQuality | null;
  figures: LinkFigures | null;
}

export class QualityMonitor {
  readonly #host: QualityMonitorHost;
  readonly #states = new Map<string, LinkState>();
  #own: ConnectionQuality | null = null;
  #measuring = false;
  #stop: Cancel | null = null;
  readonly #scheduler: Scheduler;

  constructor(host: QualityMonitorHost, scheduler: Scheduler) {
    this.#host = host;
    this.#scheduler = scheduler;
  }

  /** Starts measuring (idempotent). */
  start(): void {
    this.#stop ??= this.#scheduler.every(QUALITY_INTERVAL_MS, () => void this.measure());
  }

  /** Stops measuring and forgets every verdict. */
  stop(): void {
    this.#stop?.();
    this.#stop = null;
    for (const id of [...this.#states.keys()]) this.#forget(id);
    this.#setOwn(null);
  }

  /** The verdict and figures for `id`, null until measured. */
  view(id: string): QualityView | null {
    const state = this.#states.get(id);
    return state ? { quality: state.shown, figures: state.figures } : null;
  }

  /** Our own verdict: the level at least half our connections reach; null without connections. */
  get own(): ConnectionQuality | null {
    return this.#own;
  }

  /** How many connections have a verdict. */
  get measured(): number {
    let count = 0;
    for (const state of this.#states.values()) if (state.shown !== null) count += 1;
    return count;
  }

  /** One round of measures (the timer calls it; tests may too). */
  async measure(): Promise<void> {
    if (this.#measuring) return; // A slow round (a starved page) is not stacked on.
    this.#measuring = true;
    try {
      const connections = this.#host.connections();
      for (const id of [...this.#states.keys()]) if (!connections.has(id)) this.#forget(id);
      await Promise.all([...connections].map(([id, pc]) => this.#measureOne(id, pc)));
      this.#setOwn(ownQuality([...this.#states.values()].map((s) => s.shown).filter((q): q is ConnectionQuality => q !== null)));
    } finally {
      this.#measuring = false;
    }
  }

  async #measureOne(id: string, pc: RTCPeerConnection): Promise<void> {
    const snapshot = await readSnapshot(pc, this.#scheduler.now());
    if (!snapshot || pc.connectionState === 'closed') return;
    let state = this.#states.get(id);
    if (!state) {
      state = { snapshot: undefined, figures: null, recent: [], shown: null, sending: [], reduced: false, stopWatch: null, flowing: false };
      this.#states.set(id, state);
    }
    const previous = state.snapshot;
    state.snapshot = snapshot;
    // Packets before the first measure count as flowing: an outage in the first seconds of a call is watched too.
    if (!previous && snapshot.packetsReceived > 0) state.flowing = true;
    // A connection still setting up has nothing to judge yet.
    if (!previous || pc.connectionState === 'new' || pc.connectionState === 'connecting') return;
    // Packets in the last interval, none in this one: an outage (or a far side that stopped sending; watched once).
    if (snapshot.packetsReceived > previous.packetsReceived) state.flowing = true;
    else if (state.flowing) {
      state.flowing = false;
      this.#watchStall(id, pc, state, snapshot.packetsReceived);
    }
    const figures = linkFigures(previous, snapshot, this.#host.expectsVideo(id));
    state.figures = figures;
    state.recent = [...state.recent, qualityOf(figures)].slice(-2);
    state.sending = [...state.sending, sendingQualityOf(figures)].slice(-2);
    const shown = smoothQuality(state.shown, state.recent);
    const reduced = nextReduced(state.reduced, state.sending);
    if (reduced !== state.reduced) {
      state.reduced = reduced;
      this.#host.reduce(id, reduced);
    }
    if (shown !== state.shown) {
      state.shown = shown;
      this.#host.changed(id);
    }
  }

  /** Reads a silent connection often until packets come again, then tells the host at once. */
  #watchStall(id: string, pc: RTCPeerConnection, state: LinkState, silentAt: number): void {
    if (state.stopWatch) return;
    const since = this.#scheduler.now();
    let reading = false;
    const stop = (): void => {
      stopEvery();
      if (state.stopWatch === stop) state.stopWatch = null;
    };
    const stopEvery = this.#scheduler.every(STALL_WATCH_MS, () => {
      if (reading) return;
      if (pc.connectionState === 'closed' || this.#states.get(id) !== state || this.#scheduler.now() - since > STALL_WATCH_LIMIT_MS) {
        stop();
        return;
      }
      reading = true;
      void readSnapshot(pc, this.#scheduler.now()).then((snapshot) => {
        reading = false;
        if (!snapshot || snapshot.packetsReceived <= silentAt || state.stopWatch !== stop) return;
        stop();
        this.#host.resumed?.(id);
      });
    });
    state.stopWatch = stop;
  }

  #forget(id: string): void {
    const state = this.#states.get(id);
    state?.stopWatch?.();
    this.#states.delete(id);
    if (state?.reduced) this.#host.reduce(id, false);
  }

  #setOwn(quality: ConnectionQuality | null): void {
    if (quality === this.#own) return;
    this.#own = quality;
    this.#host.ownChanged();
  }
}

type StatsEntry = Record<string, unknown>;

/** The cumulative counters of one connection, or undefined when its stats cannot be read. */
export async function readSnapshot(pc: RTCPeerConnection, at: number): Promise<QualitySnapshot | undefined> {
  let report: RTCStatsReport;
  try {
    report = await pc.getStats();
  } catch {
    return undefined;
  }
  const snapshot: QualitySnapshot = {
    at,
    packetsReceived: 0,
    packetsLost: 0,
    framesDecoded: 0,
    freezeCount: 0,
    rttMs: null,
    availableOutgoingBitrate: null,
    remoteFractionLost: null,
  };
  let selectedPair: string | undefined;
  const pairs = new Map<string, StatsEntry>();
  report.forEach((entry: StatsEntry) => {
    const count = (key: string): number => (typeof entry[key] === 'number' ? entry[key] : 0);
    switch (entry['type']) {
      case 'inbound-rtp':
        snapshot.packetsReceived += count('packetsReceived');
        snapshot.packetsLost += Math.max(0, count('packetsLost'));
        if (entry['kind'] === 'video') {
          snapshot.framesDecoded += count('framesDecoded');
          snapshot.freezeCount += count('freezeCount');
        }
        break;
      case 'remote-inbound-rtp':
        if (typeof entry['fractionLost'] === 'number') snapshot.remoteFractionLost = Math.max(snapshot.remoteFractionLost ?? 0, entry['fractionLost']);
        break;
      case 'transport':
        if (typeof entry['selectedCandidatePairId'] === 'string') selectedPair = entry['selectedCandidatePairId'];
        break;
      case 'candidate-pair':
        pairs.set(String(entry['id']), entry);
        break;
    }
  });
  // Chromium names the pair in use on the transport; Firefox marks it selected or nominated.
  const pair =
    (selectedPair ? pairs.get(selectedPair) : undefined) ??
    [...pairs.values()].find((p) => p['selected'] === true) ??
    [...pairs.values()].find((p) => p['nominated'] === true && p['state'] === 'succeeded');
  const rtt = pair?.['currentRoundTripTime'];
  if (typeof rtt === 'number') snapshot.rttMs = rtt * 1000;
  const outgoing = pair?.['availableOutgoingBitrate'];
  if (typeof outgoing === 'number') snapshot.availableOutgoingBitrate = outgoing;
  return snapshot;
}
