/**
 * One measurement of the server benchmarks (`server-bench.ts`,
 * `cluster-bench.ts`): start the servers (one child, or several sharing a
 * Redis), warm up, connect every client, join them to their rooms, read the
 * servers' memory, time the join broadcasts, and close everything, also on
 * failure. See `server-bench.ts` for what each figure means.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { JoinRequest } from '../../src/protocol/index.js';
import { BenchClient, percentile, runPool } from './server-bench-client.js';
import { ServerFleet, type FleetOptions, type FleetStats } from './server-bench-fleet.js';
import type { BenchServerKind, BenchServerStats } from './server-bench-ipc.js';

export interface RunContext {
  clients: number;
  roomSize: number;
  inFlight: number;
  broadcastsInFlight: number;
  signal: AbortSignal;
  log: (line: string) => void;
  setPhase: (phase: string) => void;
}

/** What one run of one server setup measured. */
export interface RoundFigures {
  name: string;
  connectPerSec: number;
  joinPerSec: number | undefined;
  /** Growth of the servers' heap + external (summed over the children) per client, after the connects. */
  memoryPerClientBytes: number;
  /** The same after the joins (room server only). */
  memoryPerJoinedClientBytes: number | undefined;
  /** Growth of Redis's `used_memory` per client after the connects, and after the joins (with Redis only). */
  redisMemoryPerClientBytes: number | undefined;
  redisMemoryPerJoinedClientBytes: number | undefined;
  /** Rooms each child runs once every client joined (room server only). */
  roomsPerChild: (number | undefined)[] | undefined;
  /** Problems the servers logged over the run, by kind. */
  anomalies: Record<string, number>;
  /** Redis's calls per command over the whole run, warm-up included (with Redis only). */
  redisCommands: Record<string, number> | undefined;
  /** Each child's CPUs as the kernel reports them, and whether `taskset` pinned them. */
  cpus: readonly (string | undefined)[];
  pinned: boolean;
  samples: number[];
  broadcastLabel: string;
}

/** A server setup to measure: the server kind, its children, and the prefix of its log lines. */
export interface RunSetup extends FleetOptions {
  kind: BenchServerKind;
  /** Names the setup in log lines and phases. Default: `room server` or `bare peer`. */
  label?: string;
}

const WARM_UP_CLIENTS = 20;
/**
 * A room's home saves the room's state to Redis on a 1 s sweep, not at the
 * join: memory is read after this long so that Redis holds what it keeps.
 */
const REDIS_SETTLE_MS = 1500;
const DRAIN_TIMEOUT_MS = 10_000;
const SOCKET_CLOSE_TIMEOUT_MS = 5_000;

function heapAndExternal(stats: BenchServerStats): number {
  return stats.memory.heapUsed + stats.memory.external;
}

function perSecond(count: number, milliseconds: number): number {
  return milliseconds > 0 ? (count * 1000) / milliseconds : Number.POSITIVE_INFINITY;
}

export function errorOf(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

/** Growth of Redis's memory since `baseline`, per client (undefined without Redis). */
function redisGrowth(now: FleetStats, baseline: FleetStats, clients: number): number | undefined {
  if (now.redisMemory === undefined || baseline.redisMemory === undefined) return undefined;
  return (now.redisMemory - baseline.redisMemory) / clients;
}

function mib(bytes: number): string {
  return `${(bytes / 1048576).toFixed(1)} MiB`;
}

/** Polls the servers until they see `expected` open connections (or the drain timeout passes). */
async function waitForConnections(fleet: ServerFleet, expected: number, signal: AbortSignal): Promise<number> {
  const until = performance.now() + DRAIN_TIMEOUT_MS;
  let seen = (await fleet.stats(false)).connections;
  while (seen !== expected && performance.now() < until) {
    signal.throwIfAborted();
    await sleep(50);
    seen = (await fleet.stats(false)).connections;
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

export class ServerRun {
  private readonly clients: BenchClient[] = [];
  private readonly tag = randomBytes(3).toString('hex');
  private readonly kind: BenchServerKind;
  private fleet: ServerFleet | undefined;
  private relaySeq = 0;

  constructor(
    private readonly setup: RunSetup,
    private readonly context: RunContext,
  ) {
    this.kind = setup.kind;
  }

  private get label(): string {
    return this.setup.label ?? (this.kind === 'room' ? 'room server' : 'bare peer');
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
    this.fleet?.abort(reason);
  }

  /** Opens client `index` (on child `index % processes`) and waits for PeerJS's OPEN. */
  private async connect(fleet: ServerFleet, index: number, id: string): Promise<BenchClient> {
    const client = new BenchClient(fleet.webSocketUrlFor(index), id, randomUUID());
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
    const { clients: count, roomSize, signal } = this.context;
    try {
      this.phase('starting the server child');
      const fleet = await ServerFleet.start(this.kind, { clients: count, roomSize }, this.setup, signal);
      this.fleet = fleet;
      this.log(fleet.summary);

      const baseline = await this.warmUp(fleet);
      const connected = await this.connectAll(fleet);
      const connectPerSec = perSecond(count, connected.ms);

      this.phase('memory after connect');
      const serverConnections = await waitForConnections(fleet, count, signal);
      const afterConnect = await fleet.stats();
      const memoryPerClientBytes = (heapAndExternal(afterConnect) - heapAndExternal(baseline)) / count;
      this.log(
        `server sees ${serverConnections} connections; heap+external ` +
          `${(heapAndExternal(baseline) / 1048576).toFixed(1)} → ${(heapAndExternal(afterConnect) / 1048576).toFixed(1)} MiB ` +
          `(${memoryPerClientBytes.toFixed(0)} B/client), rss ${(afterConnect.memory.rss / 1048576).toFixed(1)} MiB`,
      );

      let joinPerSec: number | undefined;
      let afterJoin: FleetStats | undefined;
      if (this.kind === 'room') {
        joinPerSec = perSecond(count, await this.joinAll(connected.clients));
        this.phase('memory after join');
        if (fleet.shared) await sleep(REDIS_SETTLE_MS, undefined, { signal });
        afterJoin = await fleet.stats();
        this.logJoined(baseline, afterJoin);
      }

      this.phase('broadcast latency');
      const samples = await this.measureBroadcasts(connected.clients);
      this.log(
        `broadcast: ${samples.length} samples, p50 ${percentile(samples, 50).toFixed(2)} ms, ` +
          `p99 ${percentile(samples, 99).toFixed(2)} ms`,
      );

      const final = await fleet.stats(false);
      if (final.anomalies > 0) {
        this.log(`warning: the server reported ${final.anomalies} anomalies (errors, refusals, timeouts): ${JSON.stringify(final.anomalyEvents)}`);
      }
      const redisCommands = await fleet.redisCommands();
      if (redisCommands) this.log(`redis commands over the run: ${JSON.stringify(redisCommands)}`);

      const others = roomSize - 1;
      return {
        name: this.kind === 'room' ? 'live-session room server' : fleet.description,
        connectPerSec,
        joinPerSec,
        memoryPerClientBytes,
        memoryPerJoinedClientBytes: afterJoin ? (heapAndExternal(afterJoin) - heapAndExternal(baseline)) / count : undefined,
        redisMemoryPerClientBytes: redisGrowth(afterConnect, baseline, count),
        redisMemoryPerJoinedClientBytes: afterJoin ? redisGrowth(afterJoin, baseline, count) : undefined,
        roomsPerChild: afterJoin?.perChild.map((child) => child.rooms),
        anomalies: final.anomalyEvents,
        redisCommands,
        cpus: fleet.cpus,
        pinned: fleet.pinned,
        samples,
        broadcastLabel:
          this.kind === 'room'
            ? `join broadcast: LS-JOIN → LS-PARTICIPANT-JOINED at all ${others} others`
            : `baseline: ${others} relayed messages (one CANDIDATE to each other member, until all ${others} have it)`,
      };
    } catch (error) {
      // A dead child shows up first as reset sockets: if one died, report that instead.
      const death = this.fleet && !this.context.signal.aborted ? await this.fleet.deathWithin(500) : undefined;
      throw death ?? error;
    } finally {
      this.phase('closing');
      await closeClients(this.clients);
      this.clients.length = 0;
      await this.fleet?.close();
    }
  }

  /**
   * The first connections and joins load and compile code paths (with Redis:
   * the attach path too, as the warm-up clients spread over every child);
   * keeps that out of the baseline, which is returned.
   */
  private async warmUp(fleet: ServerFleet): Promise<FleetStats> {
    this.phase('warm-up');
    const warmUp: BenchClient[] = [];
    for (let index = 0; index < WARM_UP_CLIENTS; index += 1) {
      const client = await this.connect(fleet, index, this.peerId(index, 'w'));
      warmUp.push(client);
      if (this.kind === 'room') await ServerRun.join(client, this.joinRequest(index, `warm-${this.tag}`));
    }
    await closeClients(warmUp);
    this.clients.length = 0;
    const drained = await waitForConnections(fleet, 0, this.context.signal);
    if (drained !== 0) this.log(`warning: ${drained} warm-up connections still open on the server`);
    return fleet.stats();
  }

  /** Connects every client, `inFlight` at once; returns them and how long it took. */
  private async connectAll(fleet: ServerFleet): Promise<{ clients: BenchClient[]; ms: number }> {
    const { clients: count, inFlight, signal } = this.context;
    this.phase('connect');
    const start = performance.now();
    const clients: BenchClient[] = new Array<BenchClient>(count);
    await runPool(count, inFlight, signal, async (index) => {
      clients[index] = await this.connect(fleet, index, this.peerId(index));
    });
    const ms = performance.now() - start;
    this.log(`connected ${count} clients in ${(ms / 1000).toFixed(2)} s: ${perSecond(count, ms).toFixed(0)}/s`);
    return { clients, ms };
  }

  /** Joins every client to its room, `inFlight` at once; returns how long it took. */
  private async joinAll(connected: readonly BenchClient[]): Promise<number> {
    const { clients: count, inFlight, signal } = this.context;
    this.phase('join');
    const start = performance.now();
    await runPool(count, inFlight, signal, async (index) => {
      const client = connected[index];
      if (!client) throw new Error(`client ${index} missing`);
      await ServerRun.join(client, this.joinRequest(index, this.roomOf(index)));
    });
    const ms = performance.now() - start;
    this.log(`joined ${count} clients in ${(ms / 1000).toFixed(2)} s: ${perSecond(count, ms).toFixed(0)}/s`);
    return ms;
  }

  private logJoined(baseline: FleetStats, afterJoin: FleetStats): void {
    const count = this.context.clients;
    this.log(`heap+external after joins: ${((heapAndExternal(afterJoin) - heapAndExternal(baseline)) / count).toFixed(0)} B/client`);
    if (afterJoin.perChild.length > 1) {
      const children = afterJoin.perChild.map(
        (child, index) => `#${index}: ${child.rooms ?? '?'} rooms, heap+external ${mib(heapAndExternal(child))}`,
      );
      this.log(`per child after joins: ${children.join('; ')}`);
    }
    const redis = redisGrowth(afterJoin, baseline, count);
    if (redis !== undefined && afterJoin.redisMemory !== undefined) {
      this.log(`redis used_memory after joins: ${mib(afterJoin.redisMemory)} (${redis.toFixed(0)} B/client)`);
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

/**
 * The overall timeout of a benchmark: aborts everything with the phase it
 * was in, and turns the errors of an aborted run into that reason.
 */
export class RunGuard {
  private readonly controller = new AbortController();
  private phase = 'start';
  private current: ServerRun | undefined;
  private readonly timer: NodeJS.Timeout;

  constructor(what: string, timeoutMs: number) {
    this.timer = setTimeout(() => {
      const reason = new Error(`${what}: timed out after ${timeoutMs} ms (during ${this.phase})`);
      this.controller.abort(reason);
      this.current?.abort(reason);
    }, timeoutMs);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  readonly setPhase = (name: string): void => {
    this.phase = name;
  };

  /** Runs `run`; after an abort the first error may be a consequence (a rejected wait): reports the cause. */
  async measure(run: ServerRun): Promise<RoundFigures> {
    this.current = run;
    try {
      return await run.run();
    } catch (error) {
      const reason: unknown = this.controller.signal.reason;
      throw this.controller.signal.aborted && reason instanceof Error ? reason : errorOf(error);
    } finally {
      this.current = undefined;
    }
  }

  dispose(): void {
    clearTimeout(this.timer);
  }
}
