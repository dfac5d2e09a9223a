/**
 * The IPC messages between the server benchmark (parent, which owns every
 * client socket) and the child process that runs one server alone, so that
 * the child's memory is the server's memory and nothing else.
 */

/** `room`: this project's room server; `peer`: a bare `peer` server. */
export type BenchServerKind = 'room' | 'peer';

/** What the child is told to start (passed as JSON in `argv[2]`). */
export interface BenchServerConfig {
  kind: BenchServerKind;
  /** Clients the run will open; limits are set well above it. */
  clients: number;
  roomSize: number;
  /**
   * Room server only: share rooms with other children through this Redis
   * (`redis://127.0.0.1:<port>`); absent, the server is alone (in memory).
   */
  redisUrl?: string;
  /** Prefix of the Redis keys and channels (with `redisUrl`). */
  keyPrefix?: string;
}

/** Parent → child. */
export type ParentToChild =
  /** Report memory (after `gc()` when `gc` is true) and open connections. */
  | { type: 'stats'; id: number; gc: boolean }
  /** Close the server and exit. */
  | { type: 'close' };

/** The server's memory and open TCP connections at one moment. */
export interface BenchServerStats {
  memory: NodeJS.MemoryUsage;
  connections: number;
  /**
   * Problems the server reported so far: `peer`'s `error` events, or the room
   * server's error-level records, refusals, policy closes and ping timeouts.
   */
  anomalies: number;
  /** The anomalies by log event, to tell a Redis hiccup from a refused join. */
  anomalyEvents: Record<string, number>;
  /** Rooms this server runs (room server only; with Redis, the rooms it is home to). */
  rooms?: number;
}

/** Child → parent. */
export type ChildToParent =
  | { type: 'ready'; port: number; webSocketPath: string; description: string }
  | ({ type: 'stats'; id: number } & BenchServerStats)
  | { type: 'failed'; message: string }
  | { type: 'closed' };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Narrows an IPC message from the child (our own protocol: a type check is enough). */
export function asChildMessage(value: unknown): ChildToParent | undefined {
  if (!isRecord(value) || typeof value.type !== 'string') return undefined;
  return ['ready', 'stats', 'failed', 'closed'].includes(value.type) ? (value as unknown as ChildToParent) : undefined;
}

/** Narrows an IPC message from the parent. */
export function asParentMessage(value: unknown): ParentToChild | undefined {
  if (!isRecord(value) || typeof value.type !== 'string') return undefined;
  return ['stats', 'close'].includes(value.type) ? (value as unknown as ParentToChild) : undefined;
}
