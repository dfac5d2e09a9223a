/**
 * The servers of one benchmark run: one child process (`server-bench.ts`),
 * or several room server children sharing rooms through one fresh
 * `redis-server` (`cluster-bench.ts`). Client `i` connects to child
 * `i % processes`; memory and connection counts are summed over the children,
 * and the Redis server's own memory is read at the same moments.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { startRedis, type TestRedis } from '../../test/redis.js';
import { allowedCpus, cpuFor, hasTaskset } from './cpu-pinning.js';
import { ServerChild } from './server-bench-child.js';
import type { BenchServerKind, BenchServerStats } from './server-bench-ipc.js';

export interface FleetOptions {
  /** Server children. Default 1. */
  processes?: number;
  /** Share rooms between the children through a fresh `redis-server` (room server only). */
  redis?: boolean;
  /** Pin child `k` to CPU `k % cores` when `taskset` exists. Default false. */
  pin?: boolean;
}

/** What every child reported at one moment, summed, plus each child's own figures. */
export interface FleetStats extends BenchServerStats {
  perChild: BenchServerStats[];
  /** The Redis server's `used_memory` in bytes, when the fleet has one. */
  redisMemory?: number;
}

const REDIS_COMMAND_TIMEOUT_MS = 10_000;

/** A fresh redis-server for one run, and a connection to read its memory. */
class BenchRedis {
  private constructor(
    private readonly server: TestRedis,
    private readonly client: Redis,
    readonly keyPrefix: string,
  ) {}

  get url(): string {
    return this.server.url;
  }

  static async start(): Promise<BenchRedis> {
    const server = await startRedis();
    const client = new Redis(server.url, { maxRetriesPerRequest: 1, commandTimeout: REDIS_COMMAND_TIMEOUT_MS });
    // Errors surface as rejected commands; an unhandled `error` event would crash the run.
    client.on('error', () => undefined);
    // The server is fresh, but a distinct prefix keeps runs apart should one ever be reused.
    return new BenchRedis(server, client, `lsbench-${randomBytes(3).toString('hex')}:`);
  }

  /** `used_memory` from `INFO memory`: everything Redis holds, keys and client buffers alike. */
  async usedMemory(): Promise<number> {
    const info = await this.client.info('memory');
    const match = /^used_memory:(\d+)/m.exec(info);
    if (!match?.[1]) throw new Error('redis: INFO memory has no used_memory');
    return Number(match[1]);
  }

  /** Calls per command since Redis started (`INFO commandstats`), e.g. `{ publish: 1234, eval: 567 }`. */
  async commandCounts(): Promise<Record<string, number>> {
    const info = await this.client.info('commandstats');
    const counts: Record<string, number> = {};
    for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
      if (match[1] && match[2]) counts[match[1]] = Number(match[2]);
    }
    return counts;
  }

  async close(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
    await this.server.stop();
  }
}

function sumMemory(stats: readonly BenchServerStats[]): NodeJS.MemoryUsage {
  const total: NodeJS.MemoryUsage = { rss: 0, heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0 };
  for (const { memory } of stats) {
    total.rss += memory.rss;
    total.heapTotal += memory.heapTotal;
    total.heapUsed += memory.heapUsed;
    total.external += memory.external;
    total.arrayBuffers += memory.arrayBuffers;
  }
  return total;
}

function sumAnomalies(stats: readonly BenchServerStats[]): Record<string, number> {
  const total: Record<string, number> = {};
  for (const child of stats) {
    for (const [kind, count] of Object.entries(child.anomalyEvents)) total[kind] = (total[kind] ?? 0) + count;
  }
  return total;
}

export class ServerFleet {
  private constructor(
    private readonly children: readonly ServerChild[],
    private readonly redis: BenchRedis | undefined,
    /** Each child's CPUs as the kernel reports them (undefined where unknown). */
    readonly cpus: readonly (string | undefined)[],
    /** Whether the children were started through `taskset`. */
    readonly pinned: boolean,
  ) {}

  /**
   * Starts Redis (if asked) and the children one after the other (their
   * start-up is not measured; on two cores, one at a time starts reliably).
   * On any failure everything started so far is stopped again.
   */
  static async start(
    kind: BenchServerKind,
    base: { clients: number; roomSize: number },
    options: FleetOptions,
    signal: AbortSignal,
  ): Promise<ServerFleet> {
    const processes = options.processes ?? 1;
    const pinned = options.pin === true && hasTaskset();
    const redis = options.redis ? await BenchRedis.start() : undefined;
    const children: ServerChild[] = [];
    try {
      for (let index = 0; index < processes; index += 1) {
        const config = { kind, ...base, ...(redis ? { redisUrl: redis.url, keyPrefix: redis.keyPrefix } : {}) };
        children.push(await ServerChild.start(config, signal, pinned ? cpuFor(index) : undefined));
      }
    } catch (error) {
      await Promise.all(children.map((child) => child.close()));
      await redis?.close();
      throw error;
    }
    return new ServerFleet(children, redis, children.map((child) => allowedCpus(child.pid)), pinned);
  }

  private childFor(index: number): ServerChild {
    const child = this.children[index % this.children.length];
    if (!child) throw new Error('server fleet: no children');
    return child;
  }

  /** The URL client `index` connects to. */
  webSocketUrlFor(index: number): string {
    return this.childFor(index).webSocketUrl;
  }

  get processes(): number {
    return this.children.length;
  }

  /** Whether the children share rooms through Redis. */
  get shared(): boolean {
    return this.redis !== undefined;
  }

  /** Redis's calls per command so far (without Redis: undefined). */
  redisCommands(): Promise<Record<string, number>> | undefined {
    return this.redis?.commandCounts();
  }

  /** The first child's own description (all children run the same server). */
  get description(): string {
    return this.childFor(0).description;
  }

  /** Where the children listen and run, for the log. */
  get summary(): string {
    const where = this.children.map((child, index) => `${child.webSocketUrl} (cpus ${this.cpus[index] ?? '?'})`);
    return `${this.description}; ${where.join(', ')}${this.redis ? `; redis ${this.redis.url}` : ''}`;
  }

  /** Every child's memory (after a full GC when `gc`), connections and anomalies, summed; with Redis's memory. */
  async stats(gc = true): Promise<FleetStats> {
    const [perChild, redisMemory] = await Promise.all([
      Promise.all(this.children.map((child) => child.stats(gc))),
      this.redis?.usedMemory(),
    ]);
    const rooms = perChild.map((child) => child.rooms);
    const anomalyEvents = sumAnomalies(perChild);
    return {
      memory: sumMemory(perChild),
      connections: perChild.reduce((sum, child) => sum + child.connections, 0),
      anomalies: perChild.reduce((sum, child) => sum + child.anomalies, 0),
      anomalyEvents,
      ...(rooms.every((count) => count !== undefined) ? { rooms: rooms.reduce((sum, count) => sum + count, 0) } : {}),
      perChild,
      ...(redisMemory === undefined ? {} : { redisMemory }),
    };
  }

  /** Rejects every pending request of every child (the run aborts). */
  abort(error: Error): void {
    for (const child of this.children) child.abort(error);
  }

  /** Why a child died, if one exits within `ms`: a dead child shows up first as reset sockets. */
  async deathWithin(ms: number): Promise<Error | undefined> {
    const exited = await Promise.all(this.children.map((child) => child.exitedWithin(ms)));
    const dead = this.children.find((_child, index) => exited[index]);
    return dead ? (dead.error ?? new Error('server child exited')) : undefined;
  }

  /** Ends every child, then Redis; never throws. */
  async close(): Promise<void> {
    await Promise.all(this.children.map((child) => child.close()));
    await this.redis?.close().catch(() => undefined);
  }
}
