/**
 * Child process of the server benchmark: runs ONE server (the room server or
 * a bare `peer` server) on 127.0.0.1, port 0, and answers the parent over IPC.
 * Started by `bench/server-bench.ts` with `--import tsx --expose-gc`; the
 * clients live in the parent, so this process's memory is the server's alone.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server as HttpServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import express from 'express';
import { ExpressPeerServer } from 'peer';
import { startRoomServer } from '../../src/server/index.js';
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
  close(): Promise<void>;
}

/** Problems the server reported (see `BenchServerStats.anomalies`); counted, never fatal. */
let anomalies = 0;
const ANOMALOUS_EVENTS = new Set(['peer-error', 'ping-timeout', 'refused', 'policy-close']);

function send(message: ChildToParent): void {
  process.send?.(message);
}

function readConfig(): BenchServerConfig {
  const raw = process.argv[2];
  if (raw === undefined) throw new Error('server-bench child: missing config argument');
  const parsed = JSON.parse(raw) as Partial<Record<keyof BenchServerConfig, unknown>>;
  const { kind, clients, roomSize } = parsed;
  if ((kind !== 'room' && kind !== 'peer') || typeof clients !== 'number' || typeof roomSize !== 'number') {
    throw new Error(`server-bench child: bad config ${raw}`);
  }
  return { kind, clients, roomSize };
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
  });
  running.roomServer.on('log', (entry) => {
    if (entry.level === 'error' || ANOMALOUS_EVENTS.has(entry.event)) anomalies += 1;
  });
  return {
    port: running.port,
    webSocketPath: running.roomServer.webSocketPath,
    description: 'live-session room server (defaults, generous rate limit)',
    httpServer: running.httpServer,
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
    anomalies += 1;
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
  return { memory, connections, anomalies };
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
