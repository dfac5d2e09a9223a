/**
 * Child process of the server benchmark: runs ONE server (the room server or
 * a bare `peer` server) on 127.0.0.1, port 0, and answers the parent over IPC.
 * Started by `bench/server-bench.ts` (and `bench/cluster-bench.ts`, several
 * of them sharing one Redis) with `--import tsx --expose-gc`; the clients
 * live in the parent, so this process's memory is the server's alone.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server as HttpServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import express from 'express';
import { ExpressPeerServer } from 'peer';
import { startRoomServer, type LogEntry } from '../../src/server/index.js';
import {
  asParentMessage,
  type BenchServerConfig,
  type BenchServerStats,
  type ChildToParent,
} from './server-bench-ipc.js';

interface StartedServer {
  port: number;
  webSocketPath: string;
  description: string;
  httpServer: HttpServer;
  /** Rooms the server runs now (room server only). */
  rooms?: () => number;
  close(): Promise<void>;
}

/** Problems the server reported (see `BenchServerStats.anomalies`), by event; counted, never fatal. */
const anomalies = new Map<string, number>();
const ANOMALOUS_EVENTS = new Set([
  'peer-error',
  'ping-timeout',
  'refused',
  'policy-close',
  // Shared rooms: none of these should happen on a healthy loopback Redis.
  'redis-error',
  'process-lost',
  'cluster-unavailable',
  'cluster-bad-message',
  'home-moved',
  'peer-id-unchecked',
  'peer-id-taken',
]);

function countAnomaly(kind: string, count = 1): void {
  anomalies.set(kind, (anomalies.get(kind) ?? 0) + count);
}

/** Counts a log record that reports a problem, by kind (`event` or `event:code`). */
function countLogged(entry: LogEntry): void {
  const detail = entry['code'] ?? entry['reason'];
  const kind = typeof detail === 'string' ? `${entry.event}:${detail}` : entry.event;
  if (entry.level === 'error' || ANOMALOUS_EVENTS.has(entry.event)) countAnomaly(kind);
  // The server rate-limits repeated lines: what it left out still counts.
  if (entry.event !== 'log-suppressed' || typeof entry['suppressed'] !== 'object' || entry['suppressed'] === null) return;
  for (const [left, count] of Object.entries(entry['suppressed'] as Record<string, unknown>)) {
    const event = left.split(':')[0] ?? left;
    if (ANOMALOUS_EVENTS.has(event) && typeof count === 'number') countAnomaly(left, count);
  }
}

function send(message: ChildToParent): void {
  process.send?.(message);
}

function readConfig(): BenchServerConfig {
  const raw = process.argv[2];
  if (raw === undefined) throw new Error('server-bench child: missing config argument');
  const parsed = JSON.parse(raw) as Partial<Record<keyof BenchServerConfig, unknown>>;
  const { kind, clients, roomSize, redisUrl, keyPrefix } = parsed;
  if ((kind !== 'room' && kind !== 'peer') || typeof clients !== 'number' || typeof roomSize !== 'number') {
    throw new Error(`server-bench child: bad config ${raw}`);
  }
  if ((redisUrl !== undefined && typeof redisUrl !== 'string') || (keyPrefix !== undefined && typeof keyPrefix !== 'string')) {
    throw new Error(`server-bench child: bad redis config ${raw}`);
  }
  return { kind, clients, roomSize, ...(redisUrl === undefined ? {} : { redisUrl }), ...(keyPrefix === undefined ? {} : { keyPrefix }) };
}

function peerVersion(): string {
  try {
    const require = createRequire(import.meta.url);
    const packageJson = join(dirname(require.resolve('peer')), '..', 'package.json');
    const parsed = JSON.parse(readFileSync(packageJson, 'utf8')) as { version?: unknown };
    return typeof parsed.version === 'string' ? parsed.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

async function startRoom(config: BenchServerConfig): Promise<StartedServer> {
  const generous = Math.max(100_000, config.clients * 100);
  const running = await startRoomServer({
    port: 0,
    host: '127.0.0.1',
    quiet: true,
    concurrentLimit: config.clients + 1000,
    // Every bench client connects from one address before it joins.
    maxSocketsPerAddress: config.clients + 1000,
    maxUnjoinedSockets: config.clients + 1000,
    maxRoomSize: Math.max(50, config.roomSize),
    rateLimit: { burst: generous, perSecond: generous, overflowLimit: generous },
    ...(config.redisUrl === undefined
      ? {}
      : {
          // The defaults: how a deployment would run, so the hop costs what it would there.
          redis: { url: config.redisUrl, keyPrefix: config.keyPrefix ?? 'ls:', heartbeatMs: 1000, processTimeoutMs: 5000 },
        }),
  });
  running.roomServer.on('log', countLogged);
  return {
    port: running.port,
    webSocketPath: running.roomServer.webSocketPath,
    description:
      config.redisUrl === undefined
        ? 'live-session room server (defaults, generous rate limit)'
        : `live-session room server (shared through Redis as ${running.roomServer.processId}, generous rate limit)`,
    httpServer: running.httpServer,
    rooms: () => running.roomServer.rooms.size,
    close: () => running.close(),
  };
}

async function startBarePeer(config: BenchServerConfig): Promise<StartedServer> {
  const app = express();
  const httpServer = createServer(app);
  const peerServer = ExpressPeerServer(httpServer, {
    path: '/',
    key: 'peerjs',
    allow_discovery: false,
    concurrent_limit: config.clients + 1000,
    // Same order as the room server's peerAliveTimeout: no HEARTBEAT-based evictions during the run.
    alive_timeout: 300_000,
  });
  // A `peer` server without an error listener crashes on a non-JSON frame.
  peerServer.on('error', () => {
    countAnomaly('peer-error');
  });
  app.use('/', peerServer);
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(0, '127.0.0.1', () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
  const { port } = httpServer.address() as AddressInfo;
  return {
    port,
    webSocketPath: '/peerjs',
    description: `bare peer ${peerVersion()} (ExpressPeerServer)`,
    httpServer,
    close: () =>
      new Promise<void>((resolve) => {
        httpServer.close(() => {
          resolve();
        });
        httpServer.closeAllConnections();
      }),
  };
}

async function stats(server: StartedServer, collect: boolean): Promise<BenchServerStats> {
  if (collect) {
    const gc = globalThis.gc;
    if (!gc) throw new Error('server-bench child: run with --expose-gc');
    gc();
    await nextTurn();
    gc();
  }
  const memory = process.memoryUsage();
  const connections = await new Promise<number>((resolve, reject) => {
    server.httpServer.getConnections((error, count) => {
      if (error) reject(error);
      else resolve(count);
    });
  });
  const anomalyEvents = Object.fromEntries(anomalies);
  const total = [...anomalies.values()].reduce((sum, count) => sum + count, 0);
  return { memory, connections, anomalies: total, anomalyEvents, ...(server.rooms ? { rooms: server.rooms() } : {}) };
}

async function main(): Promise<void> {
  const config = readConfig();
  const server = config.kind === 'room' ? await startRoom(config) : await startBarePeer(config);
  let closing = false;

  const close = async (): Promise<void> => {
    if (closing) return;
    closing = true;
    const timer = setTimeout(() => process.exit(0), 5000);
    try {
      await server.close();
    } finally {
      clearTimeout(timer);
      send({ type: 'closed' });
      // `peer` keeps housekeeping timers running: leave explicitly.
      if (process.connected) process.disconnect();
      process.exit(0);
    }
  };

  process.on('message', (raw: unknown) => {
    const message = asParentMessage(raw);
    if (!message) return;
    if (message.type === 'close') {
      void close();
      return;
    }
    stats(server, message.gc).then(
      (result) => {
        send({ type: 'stats', id: message.id, ...result });
      },
      (error: unknown) => {
        send({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
      },
    );
  });
  // The parent went away (crash, Ctrl-C): never linger.
  process.on('disconnect', () => {
    void close();
  });

  send({ type: 'ready', port: server.port, webSocketPath: server.webSocketPath, description: server.description });
}

main().catch((error: unknown) => {
  send({ type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exit(1);
});
