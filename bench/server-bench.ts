/**
 * Server benchmark: this project's room server against a bare `peer` server,
 * measured in the same run, one after the other.
 *
 * Each server runs alone in a child process (`bench/lib/server-bench-server.ts`)
 * so its memory can be read without the clients'; every client socket lives
 * in this process. For each server:
 *
 * - **connect**: `clients` websockets opened with at most `inFlight` (100)
 *   handshakes at once; a client counts once its socket is open and PeerJS's
 *   `OPEN` arrived. Reported as clients per second.
 * - **join** (room server only): every client sends `LS-JOIN` (rooms of
 *   `roomSize`, the first of each a tutor), again `inFlight` at once, and
 *   counts once its `LS-JOINED` arrived. Joins per second.
 * - **memory per client**: the child's `heapUsed + external` after a full GC,
 *   once before the clients connect (after a small warm-up) and once after,
 *   divided by `clients`. For the room server also after the joins.
 * - **broadcast latency** in full rooms: each member in turn leaves
 *   (`LS-LEAVE`, waited until the others saw it) and joins again; one sample is
 *   the time from sending `LS-JOIN` until the last of the other members has
 *   received `LS-PARTICIPANT-JOINED` for it. The bare `peer` server has no
 *   rooms, so its baseline is what a roomless app must do instead: the member
 *   sends one small `CANDIDATE` to each other member of its group, and a sample
 *   is the time until the last of them has it. Rooms take turns
 *   `broadcastsInFlight` (1) at a time, members one at a time within a room;
 *   p50/p99 are nearest-rank over every sample (one per client).
 *
 * Loopback only; an overall timeout aborts the run with the phase it was in;
 * every socket and child is closed even on failure. Nothing is asserted.
 * The measurement itself is `bench/lib/server-bench-run.ts`, shared with the
 * cluster benchmark (`bench/cluster-bench.ts`).
 *
 * The whole measurement is repeated `rounds` (3) times per server, each round
 * with a fresh child, alternating which server goes first; throughput and
 * memory are the medians of the rounds, broadcast percentiles are over the
 * samples of all rounds.
 *
 * Run directly:
 * `node --import tsx bench/server-bench.ts [--clients 2000] [--room-size 10] [--rounds 3] [--timeout-ms 150000]`.
 */
import { realpathSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { fileLimitShortfall } from './lib/file-limits.js';
import { percentile } from './lib/server-bench-client.js';
import type { BenchServerKind } from './lib/server-bench-ipc.js';
import { RunGuard, ServerRun, type RoundFigures, type RunContext } from './lib/server-bench-run.js';

export interface ServerBenchOptions {
  /** Clients connected to each server. Default 2000. */
  clients?: number;
  /** Members per room (per group for the bare `peer` baseline). Default 10. */
  roomSize?: number;
  /** Receives progress lines. Default: silent. */
  log?: (line: string) => void;
  /** Connects / joins in flight at once. Default 100. */
  inFlight?: number;
  /**
   * Rooms measuring a broadcast at once. Default 1: each broadcast is timed
   * alone while every client stays connected (and pinged), so the figure is
   * the server's latency rather than queueing behind the benchmark's own
   * joins; raise it to see latency under a burst of simultaneous joins.
   */
  broadcastsInFlight?: number;
  /**
   * Rounds per server, each with a fresh server child; the order alternates
   * (room, peer, then peer, room, …) so neither always runs on a colder or
   * warmer client process. Default 3.
   */
  rounds?: number;
  /** The whole run is aborted after this many milliseconds. Default 150000. */
  timeoutMs?: number;
}

/** One server's figures: medians over the rounds; broadcast percentiles over every sample of every round. */
export interface ServerBenchServerResult {
  name: string;
  /** Clients connected (websocket open + PeerJS OPEN) per second. */
  connectPerSec: number;
  /** Clients joined (LS-JOIN → LS-JOINED) per second; room server only. */
  joinPerSec?: number;
  /** Server heap + external growth per connected client, in bytes. */
  memoryPerClientBytes: number;
  /** The same once every client has also joined its room; room server only. */
  memoryPerJoinedClientBytes?: number;
  /** Nearest-rank percentiles over all samples (one per client per round). */
  broadcastP50Ms: number;
  broadcastP99Ms: number;
  /** Broadcast samples behind the percentiles. */
  broadcastSamples: number;
  /** What the broadcast figures measure. */
  broadcastLabel: string;
}

export interface ServerBenchResult {
  clients: number;
  roomSize: number;
  /** Rounds per server. */
  rounds: number;
  /** Connects / joins in flight at once. */
  inFlight: number;
  /** Rooms measuring a broadcast at once. */
  broadcastsInFlight: number;
  servers: ServerBenchServerResult[];
}

const DEFAULTS = { clients: 2000, roomSize: 10, inFlight: 100, broadcastsInFlight: 1, rounds: 3, timeoutMs: 150_000 };

export function positiveInteger(name: string, value: number, minimum: number, what = 'server benchmark'): number {
  if (!Number.isInteger(value) || value < minimum) {
    throw new RangeError(`${what}: ${name} must be an integer >= ${minimum}, got ${String(value)}`);
  }
  return value;
}

function median(values: readonly number[]): number {
  return percentile(values, 50);
}

export function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

function optionalMedian(values: readonly (number | undefined)[]): number | undefined {
  const present = values.filter((value): value is number => value !== undefined);
  return present.length === 0 ? undefined : median(present);
}

/** Medians of the rounds; broadcast percentiles over every sample of every round. */
function summarize(rounds: readonly RoundFigures[]): ServerBenchServerResult {
  const first = rounds[0];
  if (!first) throw new Error('server benchmark: no rounds to summarize');
  const samples = rounds.flatMap((figures) => figures.samples);
  const joinPerSec = optionalMedian(rounds.map((figures) => figures.joinPerSec));
  const memoryPerJoined = optionalMedian(rounds.map((figures) => figures.memoryPerJoinedClientBytes));
  return {
    name: first.name,
    connectPerSec: round(median(rounds.map((figures) => figures.connectPerSec)), 1),
    ...(joinPerSec === undefined ? {} : { joinPerSec: round(joinPerSec, 1) }),
    memoryPerClientBytes: Math.round(median(rounds.map((figures) => figures.memoryPerClientBytes))),
    ...(memoryPerJoined === undefined ? {} : { memoryPerJoinedClientBytes: Math.round(memoryPerJoined) }),
    broadcastP50Ms: round(percentile(samples, 50), 3),
    broadcastP99Ms: round(percentile(samples, 99), 3),
    broadcastSamples: samples.length,
    broadcastLabel: first.broadcastLabel,
  };
}

/**
 * Measures the room server and a bare `peer` server, one after the other, in
 * this run. Never asserts limits; throws only when the run itself fails
 * (a refused connection, a child that died, the overall timeout).
 */
export async function runServerBenchmark(options: ServerBenchOptions = {}): Promise<ServerBenchResult> {
  const clients = positiveInteger('clients', options.clients ?? DEFAULTS.clients, 2);
  const roomSize = positiveInteger('roomSize', options.roomSize ?? DEFAULTS.roomSize, 2);
  const inFlight = positiveInteger('inFlight', options.inFlight ?? DEFAULTS.inFlight, 1);
  const broadcastsInFlight = positiveInteger(
    'broadcastsInFlight',
    options.broadcastsInFlight ?? DEFAULTS.broadcastsInFlight,
    1,
  );
  const rounds = positiveInteger('rounds', options.rounds ?? DEFAULTS.rounds, 1);
  const timeoutMs = positiveInteger('timeoutMs', options.timeoutMs ?? DEFAULTS.timeoutMs, 1);
  const log = options.log ?? (() => undefined);
  const shortfall = fileLimitShortfall(clients, 'server benchmark');
  if (shortfall) throw new Error(shortfall);

  const guard = new RunGuard('server benchmark', timeoutMs);
  const context: RunContext = {
    clients,
    roomSize,
    inFlight,
    broadcastsInFlight,
    signal: guard.signal,
    log,
    setPhase: guard.setPhase,
  };
  const started = performance.now();
  log(
    `server benchmark: ${clients} clients, rooms of ${roomSize}, ${rounds} rounds per server, ` +
      `${inFlight} connects/joins and ${broadcastsInFlight} room broadcasts in flight`,
  );
  try {
    const figures: Record<BenchServerKind, RoundFigures[]> = { room: [], peer: [] };
    for (let index = 0; index < rounds; index += 1) {
      const order: BenchServerKind[] = index % 2 === 0 ? ['room', 'peer'] : ['peer', 'room'];
      for (const kind of order) {
        log(`round ${index + 1}/${rounds}: ${kind === 'room' ? 'room server' : 'bare peer'}`);
        figures[kind].push(await guard.measure(new ServerRun({ kind }, context)));
      }
    }
    const servers = [summarize(figures.room), summarize(figures.peer)];
    log(`server benchmark done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return { clients, roomSize, rounds, inFlight, broadcastsInFlight, servers };
  } finally {
    guard.dispose();
  }
}

export function formatNumber(value: number | undefined, digits = 0): string {
  if (value === undefined) return '—';
  if (!Number.isFinite(value)) return String(value);
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** The result as a markdown table (one row per server), with a line saying how it was measured. */
export function formatServerBenchTable(result: ServerBenchResult): string {
  const lines = [
    `Server: ${formatNumber(result.clients)} clients, rooms of ${result.roomSize}; medians of ${result.rounds} ` +
      `rounds per server; ${result.inFlight} connects/joins in flight; broadcasts timed ` +
      `${result.broadcastsInFlight === 1 ? 'one at a time' : `${result.broadcastsInFlight} rooms at a time`}, ` +
      `percentiles over all ${formatNumber(result.servers[0]?.broadcastSamples)} samples per server`,
    '',
    '| Server | Connected/s | Joined/s | Memory/client | Memory/joined client | Broadcast p50 | Broadcast p99 | Broadcast measured |',
    '|---|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const server of result.servers) {
    lines.push(
      `| ${server.name} | ${formatNumber(server.connectPerSec)} | ${formatNumber(server.joinPerSec)} | ` +
        `${formatNumber(server.memoryPerClientBytes)} B | ` +
        `${server.memoryPerJoinedClientBytes === undefined ? '—' : `${formatNumber(server.memoryPerJoinedClientBytes)} B`} | ` +
        `${formatNumber(server.broadcastP50Ms, 2)} ms | ${formatNumber(server.broadcastP99Ms, 2)} ms | ${server.broadcastLabel} |`,
    );
  }
  return lines.join('\n');
}

/** Whether the module at `moduleUrl` is the script node was started with (not imported). */
export function isMain(moduleUrl: string): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(moduleUrl));
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      clients: { type: 'string' },
      'room-size': { type: 'string' },
      rounds: { type: 'string' },
      'timeout-ms': { type: 'string' },
    },
  });
  const result = await runServerBenchmark({
    ...(values.clients === undefined ? {} : { clients: Number(values.clients) }),
    ...(values['room-size'] === undefined ? {} : { roomSize: Number(values['room-size']) }),
    ...(values.rounds === undefined ? {} : { rounds: Number(values.rounds) }),
    ...(values['timeout-ms'] === undefined ? {} : { timeoutMs: Number(values['timeout-ms']) }),
    log: (line) => {
      process.stderr.write(`${line}\n`);
    },
  });
  process.stdout.write(`${formatServerBenchTable(result)}\n\n${JSON.stringify(result, null, 2)}\n`);
}

if (isMain(import.meta.url)) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  });
}
