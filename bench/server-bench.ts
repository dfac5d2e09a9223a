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
 *
 * The whole measurement is repeated `rounds` (3) times per server, each round
 * with a fresh child, alternating which server goes first; throughput and
 * memory are the medians of the rounds, broadcast percentiles are over the
 * samples of all rounds.
 *
 * Run directly:
 * `node --import tsx bench/server-bench.ts [--clients 2000] [--room-size 10] [--rounds 3] [--timeout-ms 150000]`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync, realpathSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { JoinRequest } from '../src/protocol/index.js';
import { BenchClient, percentile, runPool } from './lib/server-bench-client.js';
import { ServerChild } from './lib/server-bench-child.js';
import type { BenchServerKind, BenchServerStats } from './lib/server-bench-ipc.js';

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

/** What one round of one server measured. */
interface RoundFigures {
  name: string;
  connectPerSec: number;
  joinPerSec: number | undefined;
  memoryPerClientBytes: number;
  memoryPerJoinedClientBytes: number | undefined;
  samples: number[];
  broadcastLabel: string;
}

const DEFAULTS = { clients: 2000, roomSize: 10, inFlight: 100, broadcastsInFlight: 1, rounds: 3, timeoutMs: 150_000 };
const WARM_UP_CLIENTS = 20;
const DRAIN_TIMEOUT_MS = 10_000;
const SOCKET_CLOSE_TIMEOUT_MS = 5_000;

interface RunContext {
  clients: number;
  roomSize: number;
  inFlight: number;
  broadcastsInFlight: number;
  signal: AbortSignal;
  log: (line: string) => void;
  setPhase: (phase: string) => void;
}

function positiveInteger(name: string, value: number, minimum: number): number {
  if (!Number.isInteger(value) || value < minimum) {
    throw new RangeError(`server benchmark: ${name} must be an integer >= ${minimum}, got ${String(value)}`);
  }
  return value;
}

/** Fails early, with advice, when this process may not open enough sockets (Linux only). */
function checkFileDescriptors(clients: number): void {
  let limits: string;
  try {
    limits = readFileSync('/proc/self/limits', 'utf8');
  } catch {
    return;
  }
  const match = /^Max open files\s+(\d+|unlimited)/m.exec(limits);
  const soft = match?.[1];
  if (soft === undefined || soft === 'unlimited') return;
  const needed = clients + 256;
  if (Number(soft) < needed) {
    throw new Error(
      `server benchmark: ${clients} clients need about ${needed} open files but the limit is ${soft}; ` +
        `raise it (e.g. \`ulimit -n ${needed * 2}\`) or use fewer clients`,
    );
  }
}

function heapAndExternal(stats: BenchServerStats): number {
  return stats.memory.heapUsed + stats.memory.external;
}

function perSecond(count: number, milliseconds: number): number {
  return milliseconds > 0 ? (count * 1000) / milliseconds : Number.POSITIVE_INFINITY;
}

function median(values: readonly number[]): number {
  return percentile(values, 50);
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

function errorOf(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

/** Polls the child until it sees `expected` open connections (or the drain timeout passes). */
async function waitForConnections(child: ServerChild, expected: number, signal: AbortSignal): Promise<number> {
  const until = performance.now() + DRAIN_TIMEOUT_MS;
  let seen = (await child.stats(false)).connections;
  while (seen !== expected && performance.now() < until) {
    signal.throwIfAborted();
    await sleep(50);
    seen = (await child.stats(false)).connections;
  }
  return seen;
}

/** Terminates `clients` and waits (bounded) until their sockets are closed. */
async function closeClients(clients: readonly BenchClient[]): Promise<void> {
  for (const client of clients) client.terminate();
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.all(clients.map((client) => client.whenClosed())),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, SOCKET_CLOSE_TIMEOUT_MS);
    }),
  ]);
  clearTimeout(timer);
}

class ServerRun {
  private readonly clients: BenchClient[] = [];
  private readonly tag = randomBytes(3).toString('hex');
  private child: ServerChild | undefined;
  private relaySeq = 0;

  constructor(
    private readonly kind: BenchServerKind,
    private readonly context: RunContext,
  ) {}

  private get label(): string {
    return this.kind === 'room' ? 'room server' : 'bare peer';
  }

  private log(line: string): void {
    this.context.log(`[${this.label}] ${line}`);
  }

  private phase(name: string): void {
    this.context.setPhase(`${this.label}: ${name}`);
  }

  private peerId(index: number, prefix = 'c'): string {
    return `${prefix}${this.kind}-${this.tag}-${index}`;
  }

  private joinRequest(index: number, room: string): JoinRequest {
    return {
      type: 'LS-JOIN',
      payload: {
        room,
        userId: `user-${this.tag}-${index}`,
        name: `Bench client ${index}`,
        role: index % this.context.roomSize === 0 ? 'tutor' : 'student',
        isVideoOn: false,
        isAudioOn: false,
      },
    };
  }

  private roomOf(index: number): string {
    return `bench-${this.tag}-${Math.floor(index / this.context.roomSize)}`;
  }

  /** Fails every pending wait with the abort reason. */
  abort(reason: Error): void {
    for (const client of this.clients) client.fail(reason);
    this.child?.abort(reason);
  }

  private async connect(child: ServerChild, id: string): Promise<BenchClient> {
    const client = new BenchClient(child.webSocketUrl, id, randomUUID());
    this.clients.push(client);
    await client.opened;
    return client;
  }

  private static async join(client: BenchClient, request: JoinRequest): Promise<void> {
    const reply = client.expect('reply');
    client.send(request);
    const { message } = await reply;
    if (message.type !== 'LS-JOINED') {
      throw new Error(`${client.id}: join refused: ${message.type} ${JSON.stringify(message.payload)}`);
    }
  }

  async run(): Promise<RoundFigures> {
    const { clients: count, roomSize, inFlight, signal } = this.context;
    try {
      this.phase('starting the server child');
      const child = await ServerChild.start({ kind: this.kind, clients: count, roomSize }, signal);
      this.child = child;
      this.log(`${child.description} listening at ${child.webSocketUrl}`);

      // Warm-up: the first connections and joins load and compile code paths; keep that out of the baseline.
      this.phase('warm-up');
      const warmUp: BenchClient[] = [];
      for (let index = 0; index < WARM_UP_CLIENTS; index += 1) {
        const client = await this.connect(child, this.peerId(index, 'w'));
        warmUp.push(client);
        if (this.kind === 'room') await ServerRun.join(client, this.joinRequest(index, `warm-${this.tag}`));
      }
      await closeClients(warmUp);
      this.clients.length = 0;
      const drained = await waitForConnections(child, 0, signal);
      if (drained !== 0) this.log(`warning: ${drained} warm-up connections still open on the server`);

      const baseline = await child.stats();

      this.phase('connect');
      const connectStart = performance.now();
      const connected: BenchClient[] = new Array<BenchClient>(count);
      await runPool(count, inFlight, signal, async (index) => {
        connected[index] = await this.connect(child, this.peerId(index));
      });
      const connectMs = performance.now() - connectStart;
      const connectPerSec = perSecond(count, connectMs);
      this.log(`connected ${count} clients in ${(connectMs / 1000).toFixed(2)} s: ${connectPerSec.toFixed(0)}/s`);

      this.phase('memory after connect');
      const serverConnections = await waitForConnections(child, count, signal);
      const afterConnect = await child.stats();
      const memoryPerClientBytes = (heapAndExternal(afterConnect) - heapAndExternal(baseline)) / count;
      this.log(
        `server sees ${serverConnections} connections; heap+external ` +
          `${(heapAndExternal(baseline) / 1048576).toFixed(1)} → ${(heapAndExternal(afterConnect) / 1048576).toFixed(1)} MiB ` +
          `(${memoryPerClientBytes.toFixed(0)} B/client), rss ${(afterConnect.memory.rss / 1048576).toFixed(1)} MiB`,
      );

      let joinPerSec: number | undefined;
      let memoryPerJoinedClientBytes: number | undefined;
      if (this.kind === 'room') {
        this.phase('join');
        const joinStart = performance.now();
        await runPool(count, inFlight, signal, async (index) => {
          const client = connected[index];
          if (!client) throw new Error(`client ${index} missing`);
          await ServerRun.join(client, this.joinRequest(index, this.roomOf(index)));
        });
        const joinMs = performance.now() - joinStart;
        joinPerSec = perSecond(count, joinMs);
        this.log(`joined ${count} clients in ${(joinMs / 1000).toFixed(2)} s: ${joinPerSec.toFixed(0)}/s`);

        this.phase('memory after join');
        const afterJoin = await child.stats();
        memoryPerJoinedClientBytes = (heapAndExternal(afterJoin) - heapAndExternal(baseline)) / count;
        this.log(`heap+external after joins: ${memoryPerJoinedClientBytes.toFixed(0)} B/client`);
      }

      this.phase('broadcast latency');
      const samples = await this.measureBroadcasts(connected);
      this.log(
        `broadcast: ${samples.length} samples, p50 ${percentile(samples, 50).toFixed(2)} ms, ` +
          `p99 ${percentile(samples, 99).toFixed(2)} ms`,
      );

      const final = await child.stats(false);
      if (final.anomalies > 0) this.log(`warning: the server reported ${final.anomalies} anomalies (errors, refusals, timeouts)`);

      const others = roomSize - 1;
      return {
        name: this.kind === 'room' ? 'live-session room server' : child.description,
        connectPerSec,
        joinPerSec,
        memoryPerClientBytes,
        memoryPerJoinedClientBytes,
        samples,
        broadcastLabel:
          this.kind === 'room'
            ? `join broadcast: LS-JOIN → LS-PARTICIPANT-JOINED at all ${others} others`
            : `baseline: ${others} relayed messages (one CANDIDATE to each other member, until all ${others} have it)`,
      };
    } catch (error) {
      // A dead child shows up first as reset sockets: if it died, report that instead.
      if (this.child && !this.context.signal.aborted && (await this.child.exitedWithin(500))) {
        throw this.child.error ?? error;
      }
      throw error;
    } finally {
      this.phase('closing');
      await closeClients(this.clients);
      this.clients.length = 0;
      await this.child?.close();
    }
  }

  /** One sample per client that has room-mates: rooms in parallel (bounded), members in turn. */
  private async measureBroadcasts(connected: readonly BenchClient[]): Promise<number[]> {
    const { clients: count, roomSize, broadcastsInFlight, signal } = this.context;
    const samples: number[] = [];
    const groups = Math.ceil(count / roomSize);
    await runPool(groups, broadcastsInFlight, signal, async (group) => {
      const members = connected.slice(group * roomSize, Math.min(count, (group + 1) * roomSize));
      for (const [offset, member] of members.entries()) {
        const others = members.filter((other) => other !== member);
        if (others.length === 0) continue;
        const index = group * roomSize + offset;
        samples.push(
          this.kind === 'room' ? await this.rejoin(member, others, index) : await this.relayToAll(member, others),
        );
      }
    });
    return samples;
  }

  /** Leaves, waits until the room saw it, then times LS-JOIN → LS-PARTICIPANT-JOINED at every other member. */
  private async rejoin(member: BenchClient, others: readonly BenchClient[], index: number): Promise<number> {
    const left = others.map((other) => other.expect(`left:${member.id}`));
    member.send({ type: 'LS-LEAVE' });
    await Promise.all(left);

    const joined = others.map((other) => other.expect(`joined:${member.id}`));
    const reply = member.expect('reply');
    const start = performance.now();
    member.send(this.joinRequest(index, this.roomOf(index)));
    const [receipts, answer] = await Promise.all([Promise.all(joined), reply]);
    if (answer.message.type !== 'LS-JOINED') {
      throw new Error(`${member.id}: rejoin refused: ${answer.message.type} ${JSON.stringify(answer.message.payload)}`);
    }
    return Math.max(...receipts.map((receipt) => receipt.at)) - start;
  }

  /** Times one small CANDIDATE to each other member until all of them have it (the roomless fan-out). */
  private async relayToAll(member: BenchClient, others: readonly BenchClient[]): Promise<number> {
    this.relaySeq += 1;
    const seq = this.relaySeq;
    const relayed = others.map((other) => other.expect(`relay:${member.id}:${seq}`));
    const start = performance.now();
    for (const other of others) {
      member.send({
        type: 'CANDIDATE',
        dst: other.id,
        payload: {
          type: 'media',
          connectionId: 'mc_bench',
          candidate: { candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 9 typ host', sdpMid: '0', sdpMLineIndex: 0 },
          seq,
        },
      });
    }
    const receipts = await Promise.all(relayed);
    return Math.max(...receipts.map((receipt) => receipt.at)) - start;
  }
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
  checkFileDescriptors(clients);

  const controller = new AbortController();
  let phase = 'start';
  let current: ServerRun | undefined;
  const timer = setTimeout(() => {
    const reason = new Error(`server benchmark: timed out after ${timeoutMs} ms (during ${phase})`);
    controller.abort(reason);
    current?.abort(reason);
  }, timeoutMs);

  const context: RunContext = {
    clients,
    roomSize,
    inFlight,
    broadcastsInFlight,
    signal: controller.signal,
    log,
    setPhase: (name) => {
      phase = name;
    },
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
        current = new ServerRun(kind, context);
        try {
          figures[kind].push(await current.run());
        } catch (error) {
          // After an abort the first error may be a consequence (a rejected wait): report the cause.
          const reason: unknown = controller.signal.reason;
          throw controller.signal.aborted && reason instanceof Error ? reason : errorOf(error);
        }
      }
    }
    const servers = [summarize(figures.room), summarize(figures.peer)];
    log(`server benchmark done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return { clients, roomSize, rounds, inFlight, broadcastsInFlight, servers };
  } finally {
    clearTimeout(timer);
  }
}

function formatNumber(value: number | undefined, digits = 0): string {
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

function isMain(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
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

if (isMain()) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  });
}
