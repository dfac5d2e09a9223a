/**
 * Cluster benchmark: what sharing rooms through Redis costs the room server.
 * In one run, for each client count, four configurations one after the other:
 *
 * 1. `memory, 1 process`: the server alone (in-memory backend), the baseline;
 * 2. `redis, 1 process`: one server with the `redis` option: Redis's
 *    bookkeeping (peer id claims, room homes, saved room state) without any
 *    hop between processes;
 * 3. `redis, 2 processes` and 4. `redis, 4 processes`: server children sharing
 *    one Redis. Client `i` connects to child `i % N`, so the members of every
 *    room (rooms of 10, consecutive clients) are spread over the processes:
 *    members on a process other than their room's home are attached to it,
 *    and every frame to or from them crosses Redis pub/sub.
 *
 * Each configuration gets a fresh `redis-server` (no persistence, stopped
 * afterwards) and fresh server children, each pinned to a CPU with `taskset`
 * where it exists (child `k` on CPU `k % cores`). The clients, this process,
 * and Redis are not pinned and share the same cores.
 *
 * The figures are the server benchmark's (`server-bench.ts`, same method,
 * one round): connects/s, joins/s, join-broadcast latency (a member leaves,
 * then rejoins; LS-JOIN until every other member got LS-PARTICIPANT-JOINED),
 * p50/p99 over every client; memory per client is the growth of heap +
 * external summed over the children once every client joined, and the
 * growth of Redis's own `used_memory` over the same time. Nothing is asserted:
 * it reports, including whether the goal (join broadcast p99 ≤ 20 ms at
 * 10,000 clients) was met.
 *
 * Client counts that need more open files than this process may open are
 * skipped with a note saying how to raise the limit (`ulimit -n`). A
 * configuration that fails (a refused join, a child that died) is reported
 * as failed and the others still run; once the overall timeout passed, the
 * rest are reported as not run. The figures measured so far are kept.
 *
 * Run directly:
 * `node --import tsx bench/cluster-bench.ts [--clients 2000,10000] [--room-size 10] [--timeout-ms 1200000] [--no-pin]`.
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { fileLimitShortfall } from './lib/file-limits.js';
import { hasTaskset } from './lib/cpu-pinning.js';
import { percentile } from './lib/server-bench-client.js';
import { errorOf, RunGuard, ServerRun, type RoundFigures, type RunContext } from './lib/server-bench-run.js';
import { formatNumber, isMain, positiveInteger, round } from './server-bench.js';

export interface ClusterBenchOptions {
  /** Client counts, each measured with every configuration. Default [2000, 10000]. */
  clientCounts?: number[];
  /** Members per room. Default 10. */
  roomSize?: number;
  /** Connects / joins in flight at once. Default 100. */
  inFlight?: number;
  /** Rooms measuring a broadcast at once. Default 1 (see `ServerBenchOptions`). */
  broadcastsInFlight?: number;
  /** Pin server child `k` to CPU `k % cores` when `taskset` exists. Default true. */
  pin?: boolean;
  /** The whole run (every count and configuration) is aborted after this many milliseconds. Default 1200000. */
  timeoutMs?: number;
  /** Receives progress lines. Default: silent. */
  log?: (line: string) => void;
}

/** One configuration at one client count. */
export interface ClusterBenchRow {
  configuration: string;
  backend: 'memory' | 'redis';
  processes: number;
  clients: number;
  connectPerSec: number;
  joinPerSec: number;
  /** Join broadcast, nearest-rank percentiles over one sample per client. */
  broadcastP50Ms: number;
  broadcastP99Ms: number;
  broadcastSamples: number;
  /** Servers' heap + external growth per client, summed over the children, once every client joined. */
  memoryPerClientBytes: number;
  /** The same right after the connects, before any join. */
  memoryPerConnectedClientBytes: number;
  /** Growth of Redis's `used_memory` per client once every client joined (with Redis only). */
  redisMemoryPerClientBytes?: number;
  /** Rooms each child ran once every client joined (with Redis: the rooms it was home to). */
  roomsPerChild: (number | null)[];
  /** Each child's CPUs as the kernel reported them. */
  cpus: (string | null)[];
  /** Problems the servers logged, by kind (empty when none). */
  anomalies: Record<string, number>;
  /** Redis's calls per command over the run, warm-up included (with Redis only). */
  redisCommands?: Record<string, number>;
}

/** A configuration at a client count without figures. */
export interface ClusterFailure {
  configuration: string;
  clients: number;
  reason: string;
}

/** The cost of the Redis hop at one client count: p99 with 2 processes against the server alone. */
export interface RedisHopCost {
  clients: number;
  memoryP99Ms: number;
  twoProcessesP99Ms: number;
  costMs: number;
}

/** The goal "join broadcast p99 ≤ 20 ms at 10,000 clients", per configuration measured at that count. */
export interface ClusterGoal {
  clients: number;
  p99Ms: number;
  verdicts: { configuration: string; p99Ms: number; met: boolean }[];
}

export interface ClusterBenchResult {
  /** Client counts measured (those skipped are in `skipped`). */
  clientCounts: number[];
  roomSize: number;
  inFlight: number;
  broadcastsInFlight: number;
  /** Whether the server children were pinned with `taskset`. */
  pinned: boolean;
  /** Client counts not measured, and why. */
  skipped: { clients: number; reason: string }[];
  rows: ClusterBenchRow[];
  /** Configurations that failed or were not run (the overall timeout passed), and why. */
  failures: ClusterFailure[];
  redisHop: RedisHopCost[];
  goal: ClusterGoal;
}

interface Configuration {
  name: string;
  redis: boolean;
  processes: number;
}

const CONFIGURATIONS: readonly Configuration[] = [
  { name: 'memory, 1 process', redis: false, processes: 1 },
  { name: 'redis, 1 process', redis: true, processes: 1 },
  { name: 'redis, 2 processes', redis: true, processes: 2 },
  { name: 'redis, 4 processes', redis: true, processes: 4 },
];
const BASELINE = 'memory, 1 process';
const HOP = 'redis, 2 processes';
const GOAL = { clients: 10_000, p99Ms: 20 };
const DEFAULTS = { clientCounts: [2000, 10_000], roomSize: 10, inFlight: 100, broadcastsInFlight: 1, timeoutMs: 1_200_000 };

/** One run's figures as a table row (one round: its medians are its own figures). */
function toRow(configuration: Configuration, clients: number, figures: RoundFigures): ClusterBenchRow {
  const { samples } = figures;
  return {
    configuration: configuration.name,
    backend: configuration.redis ? 'redis' : 'memory',
    processes: configuration.processes,
    clients,
    connectPerSec: round(figures.connectPerSec, 1),
    joinPerSec: round(figures.joinPerSec ?? Number.NaN, 1),
    broadcastP50Ms: round(percentile(samples, 50), 3),
    broadcastP99Ms: round(percentile(samples, 99), 3),
    broadcastSamples: samples.length,
    memoryPerClientBytes: Math.round(figures.memoryPerJoinedClientBytes ?? figures.memoryPerClientBytes),
    memoryPerConnectedClientBytes: Math.round(figures.memoryPerClientBytes),
    ...(figures.redisMemoryPerJoinedClientBytes === undefined
      ? {}
      : { redisMemoryPerClientBytes: Math.round(figures.redisMemoryPerJoinedClientBytes) }),
    // JSON has no undefined in arrays: unknown entries are null.
    roomsPerChild: (figures.roomsPerChild ?? []).map((rooms) => rooms ?? null),
    cpus: figures.cpus.map((cpus) => cpus ?? null),
    anomalies: figures.anomalies,
    ...(figures.redisCommands ? { redisCommands: figures.redisCommands } : {}),
  };
}

function rowOf(rows: readonly ClusterBenchRow[], configuration: string, clients: number): ClusterBenchRow | undefined {
  return rows.find((row) => row.configuration === configuration && row.clients === clients);
}

/** p99 of `redis, 2 processes` minus p99 of `memory, 1 process`, at every count both were measured. */
function redisHopCosts(rows: readonly ClusterBenchRow[], counts: readonly number[]): RedisHopCost[] {
  return counts.flatMap((clients) => {
    const memory = rowOf(rows, BASELINE, clients);
    const hop = rowOf(rows, HOP, clients);
    if (!memory || !hop) return [];
    const costMs = round(hop.broadcastP99Ms - memory.broadcastP99Ms, 3);
    return [{ clients, memoryP99Ms: memory.broadcastP99Ms, twoProcessesP99Ms: hop.broadcastP99Ms, costMs }];
  });
}

function goalVerdicts(rows: readonly ClusterBenchRow[]): ClusterGoal {
  const verdicts = rows
    .filter((row) => row.clients === GOAL.clients)
    .map((row) => ({ configuration: row.configuration, p99Ms: row.broadcastP99Ms, met: row.broadcastP99Ms <= GOAL.p99Ms }));
  return { ...GOAL, verdicts };
}

/** Splits the counts into those this process can open sockets for and those it cannot (with why). */
function checkCounts(counts: readonly number[]): { runnable: number[]; skipped: { clients: number; reason: string }[] } {
  const runnable: number[] = [];
  const skipped: { clients: number; reason: string }[] = [];
  for (const clients of counts) {
    const shortfall = fileLimitShortfall(clients, 'cluster benchmark');
    if (shortfall) skipped.push({ clients, reason: shortfall });
    else runnable.push(clients);
  }
  return { runnable, skipped };
}

function validCounts(counts: readonly number[]): number[] {
  if (counts.length === 0) throw new RangeError('cluster benchmark: clientCounts must not be empty');
  return counts.map((clients) => positiveInteger('clientCounts', clients, 2, 'cluster benchmark'));
}

/**
 * Measures every configuration at every client count, in this run. Never
 * asserts limits; throws only when the run itself fails (a refused
 * connection, a child or Redis that died, the overall timeout), after
 * stopping every child and redis-server it started.
 */
export async function runClusterBenchmark(options: ClusterBenchOptions = {}): Promise<ClusterBenchResult> {
  const what = 'cluster benchmark';
  const counts = validCounts(options.clientCounts ?? DEFAULTS.clientCounts);
  const roomSize = positiveInteger('roomSize', options.roomSize ?? DEFAULTS.roomSize, 2, what);
  const inFlight = positiveInteger('inFlight', options.inFlight ?? DEFAULTS.inFlight, 1, what);
  const broadcastsInFlight = positiveInteger('broadcastsInFlight', options.broadcastsInFlight ?? DEFAULTS.broadcastsInFlight, 1, what);
  const timeoutMs = positiveInteger('timeoutMs', options.timeoutMs ?? DEFAULTS.timeoutMs, 1, what);
  const pin = (options.pin ?? true) && hasTaskset();
  const log = options.log ?? (() => undefined);

  const { runnable, skipped } = checkCounts(counts);
  for (const skip of skipped) log(`skipped: ${skip.reason}`);
  log(
    `${what}: ${runnable.join(', ') || 'no'} clients × ${CONFIGURATIONS.length} configurations, rooms of ${roomSize}, ` +
      `${inFlight} connects/joins in flight; server children ${pin ? 'pinned to CPUs with taskset' : 'not pinned'}`,
  );
  const guard = new RunGuard(what, timeoutMs);
  const started = performance.now();
  const rows: ClusterBenchRow[] = [];
  const failures: ClusterFailure[] = [];
  try {
    for (const clients of runnable) {
      const context: RunContext = { clients, roomSize, inFlight, broadcastsInFlight, signal: guard.signal, log, setPhase: guard.setPhase };
      for (const configuration of CONFIGURATIONS) {
        if (guard.signal.aborted) {
          failures.push({ configuration: configuration.name, clients, reason: 'not run: the overall timeout had passed' });
          continue;
        }
        const label = `${configuration.name}, ${clients} clients`;
        log(label);
        const setup = { kind: 'room' as const, label, processes: configuration.processes, redis: configuration.redis, pin };
        try {
          rows.push(toRow(configuration, clients, await guard.measure(new ServerRun(setup, context))));
        } catch (error) {
          // One configuration's failure is a finding of its own; the others still say something.
          const reason = errorOf(error).message;
          log(`[${label}] failed: ${reason}`);
          failures.push({ configuration: configuration.name, clients, reason });
        }
      }
    }
  } finally {
    guard.dispose();
  }
  log(`${what} done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return {
    clientCounts: runnable,
    roomSize,
    inFlight,
    broadcastsInFlight,
    pinned: pin,
    skipped,
    rows,
    failures,
    redisHop: redisHopCosts(rows, runnable),
    goal: goalVerdicts(rows),
  };
}

function kb(bytes: number | undefined): string {
  return bytes === undefined ? '—' : `${(bytes / 1024).toFixed(1)} KB`;
}

function ms(value: number): string {
  return `${formatNumber(value, 1)} ms`;
}

function pinningSentence(result: ClusterBenchResult): string {
  if (!result.pinned) return 'Server children not pinned to CPUs (taskset not found, or pinning turned off).';
  const widest = result.rows.reduce<ClusterBenchRow | undefined>(
    (best, row) => (!best || row.processes > best.processes ? row : best),
    undefined,
  );
  const cpus = widest?.cpus.map((list, index) => `#${index} → ${list ?? '?'}`).join(', ') ?? '';
  return (
    `Server children pinned to CPUs with taskset, child k on CPU k mod cores (as the kernel reports it: ${cpus}); ` +
    'the clients (this process) and redis-server are not pinned and share the same cores.'
  );
}

function hopSentence(result: ClusterBenchResult): string {
  if (result.redisHop.length === 0) return `Cost of the Redis hop: not measured (no count with both ${BASELINE} and ${HOP}).`;
  const parts = result.redisHop.map(
    (hop) =>
      `${ms(hop.costMs)} at ${formatNumber(hop.clients)} clients (${HOP} ${ms(hop.twoProcessesP99Ms)} against ${BASELINE} ${ms(hop.memoryP99Ms)})`,
  );
  return `Cost of the Redis hop, join broadcast p99: ${parts.join('; ')}.`;
}

function goalSentence(result: ClusterBenchResult): string {
  const { goal } = result;
  const name = `Goal "join broadcast p99 ≤ ${goal.p99Ms} ms at ${formatNumber(goal.clients)} clients"`;
  if (goal.verdicts.length === 0) {
    const largest = Math.max(0, ...result.clientCounts);
    return `${name}: not evaluated, this run did not measure ${formatNumber(goal.clients)} clients (largest: ${formatNumber(largest)}).`;
  }
  const met = goal.verdicts.filter((verdict) => verdict.met);
  const list = goal.verdicts.map((verdict) => `${verdict.configuration} ${ms(verdict.p99Ms)} (${verdict.met ? 'met' : 'missed'})`);
  const summary =
    met.length === goal.verdicts.length
      ? 'met by every configuration measured'
      : met.length === 0
        ? 'missed by every configuration measured'
        : `met by ${met.length} of ${goal.verdicts.length} configurations measured`;
  const unmeasured = result.failures.filter((failure) => failure.clients === goal.clients).map((failure) => failure.configuration);
  const without = unmeasured.length === 0 ? '' : `; without figures: ${unmeasured.join(', ')}`;
  return `${name}: ${summary}: ${list.join(', ')}${without}.`;
}

function roomsSentence(result: ClusterBenchResult): string | undefined {
  const spread = result.rows.filter((row) => row.processes > 1);
  if (spread.length === 0) return undefined;
  const parts = spread.map((row) => `${row.configuration} at ${formatNumber(row.clients)}: ${row.roomsPerChild.map((rooms) => rooms ?? '?').join(' / ')}`);
  return `Rooms run by each process once every client joined (the home of a room is the process of whichever member's join claimed it first): ${parts.join('; ')}.`;
}

function anomaliesSentence(result: ClusterBenchResult): string | undefined {
  const noisy = result.rows.filter((row) => Object.keys(row.anomalies).length > 0);
  if (noisy.length === 0) return undefined;
  const parts = noisy.map((row) => `${row.configuration} at ${formatNumber(row.clients)}: ${JSON.stringify(row.anomalies)}`);
  return `Problems the servers logged: ${parts.join('; ')}.`;
}

/** The result as a markdown table (one row per configuration and count), with how it was measured and what it means. */
export function formatClusterBenchTable(result: ClusterBenchResult): string {
  const lines = [
    `Cluster: rooms of ${result.roomSize}; client i on process i mod N; one round per configuration; ` +
      `${result.inFlight} connects/joins in flight; broadcasts timed ` +
      `${result.broadcastsInFlight === 1 ? 'one at a time' : `${result.broadcastsInFlight} rooms at a time`}; ` +
      'memory is heap + external growth once every client joined, summed over the server processes, and Redis used_memory growth.',
    pinningSentence(result),
    '',
    '| Configuration | Clients | Connected/s | Joined/s | Broadcast p50 | Broadcast p99 | Memory/client (servers) | Redis memory/client |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const row of result.rows) {
    lines.push(
      `| ${row.configuration} | ${formatNumber(row.clients)} | ${formatNumber(row.connectPerSec)} | ${formatNumber(row.joinPerSec)} | ` +
        `${ms(row.broadcastP50Ms)} | ${ms(row.broadcastP99Ms)} | ${kb(row.memoryPerClientBytes)} | ${kb(row.redisMemoryPerClientBytes)} |`,
    );
  }
  for (const failure of result.failures) {
    lines.push(`| ${failure.configuration} | ${formatNumber(failure.clients)} | no figures, see below | — | — | — | — | — |`);
  }
  lines.push('', hopSentence(result), goalSentence(result));
  for (const sentence of [roomsSentence(result), anomaliesSentence(result)]) if (sentence) lines.push(sentence);
  for (const failure of result.failures) {
    lines.push(`Without figures: ${failure.configuration} at ${formatNumber(failure.clients)} clients: ${failure.reason}.`);
  }
  for (const skip of result.skipped) lines.push(`Not measured: ${skip.reason}.`);
  return lines.join('\n');
}

function parseCounts(text: string): number[] {
  return text.split(',').map((part) => Number(part.trim()));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      clients: { type: 'string' },
      'room-size': { type: 'string' },
      'timeout-ms': { type: 'string' },
      'no-pin': { type: 'boolean' },
    },
  });
  const result = await runClusterBenchmark({
    ...(values.clients === undefined ? {} : { clientCounts: parseCounts(values.clients) }),
    ...(values['room-size'] === undefined ? {} : { roomSize: Number(values['room-size']) }),
    ...(values['timeout-ms'] === undefined ? {} : { timeoutMs: Number(values['timeout-ms']) }),
    ...(values['no-pin'] ? { pin: false } : {}),
    log: (line) => {
      process.stderr.write(`${line}\n`);
    },
  });
  process.stdout.write(`${formatClusterBenchTable(result)}\n\n${JSON.stringify(result, null, 2)}\n`);
}

if (isMain(import.meta.url)) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  });
}
