/**
 * The Redis backend: room server processes sharing one Redis.
 *
 * - Each process refreshes `<prefix>proc:<id>` (a key with a time to live)
 *   every `heartbeatMs`; a process whose key is gone is lost, and so is
 *   everything it held.
 * - `<prefix>peer:<peer id>` = `<process>|<PeerJS token>`: which process holds
 *   a peer id. A second socket with another token is refused on every process
 *   while the holder lives.
 * - `<prefix>home:<room>` = `<process>`: the one process that runs the room
 *   (its members, hand queue, floor, chat, waiting room). Sockets on other
 *   processes are attached to it.
 * - `<prefix>to:<process>`: each process's pub/sub channel. One connection
 *   publishes, so a sender's messages arrive in order, once.
 *
 * Claims read the holder's liveness in the same script, so a crashed
 * process's peer ids and rooms are free again as soon as its key expires.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Redis } from 'ioredis';
import type { ServerLog } from '../socket-gate.js';
import type { ClusterBackend, ClusterListener, ClusterMessage, PeerClaim } from './backend.js';

export interface RedisBackendOptions {
  /** `redis://[:password@]host:port[/db]` (or `rediss://` for TLS). */
  url: string;
  /** Prefix of every key and channel. Default `ls:`. */
  keyPrefix?: string;
  /** How often this process says it is alive. Default 1000 ms. */
  heartbeatMs?: number;
  /** A process silent for this long is lost. Default 5000 ms. */
  processTimeoutMs?: number;
  /** A claim that Redis does not answer within this time fails. Default 5000 ms. */
  commandTimeoutMs?: number;
  /**
   * Peer id and room home claims expire after this long unless their process
   * refreshes them (it does, every quarter of it): a crashed process leaves no
   * key behind for ever. Default one hour.
   */
  claimLifetimeMs?: number;
  /** Messages to other processes waiting for Redis, at most; more are dropped (and logged). Default 10,000. */
  maxPendingMessages?: number;
  log: ServerLog;
}

/**
 * Claims a peer id: free, held by this process, held under the same token, or
 * held by a lost process. The claim lives ARGV[4] ms unless refreshed.
 */
const CLAIM_PEER = `
local held = redis.call('GET', KEYS[1])
if held then
  local bar = string.find(held, '|', 1, true)
  local owner = string.sub(held, 1, bar - 1)
  local token = string.sub(held, bar + 1)
  if owner == ARGV[1] then
    redis.call('PEXPIRE', KEYS[1], ARGV[4])
    return 1
  end
  if token ~= ARGV[2] and redis.call('EXISTS', ARGV[3] .. owner) == 1 then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1] .. '|' .. ARGV[2], 'PX', ARGV[4])
return 1`;

/** Deletes a peer id's claim when this process holds it. */
const RELEASE_PEER = `
local held = redis.call('GET', KEYS[1])
if held and string.sub(held, 1, string.len(ARGV[1]) + 1) == ARGV[1] .. '|' then redis.call('DEL', KEYS[1]) end
return 1`;

/** The room's home: its holder while that process lives, else this process (for ARGV[3] ms unless refreshed). */
const CLAIM_HOME = `
local held = redis.call('GET', KEYS[1])
if held and held ~= ARGV[1] and redis.call('EXISTS', ARGV[2] .. held) == 1 then return held end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
return ARGV[1]`;

const RELEASE_HOME = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1`;

/** The scripts above, defined on the command connection. */
interface ClusterScripts {
  lsClaimPeer(key: string, processId: string, token: string, processKeyPrefix: string, lifetimeMs: number): Promise<unknown>;
  lsReleasePeer(key: string, processId: string): Promise<unknown>;
  lsClaimHome(key: string, processId: string, processKeyPrefix: string, lifetimeMs: number): Promise<unknown>;
  lsReleaseHome(key: string, processId: string): Promise<unknown>;
}

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`Redis did not answer ${what} within ${String(ms)} ms`));
    }, ms);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/** Only what a message needs to be routed; anything else is dropped. */
function parseMessage(text: string): ClusterMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  const { op, from, sid } = record;
  if (typeof from !== 'string' || (op !== 'check' && typeof sid !== 'string')) return undefined;
  if (op === 'attach') {
    return typeof record['peerId'] === 'string' && typeof record['token'] === 'string' && typeof record['address'] === 'string'
      ? (record as ClusterMessage)
      : undefined;
  }
  if (op === 'frame') return typeof record['data'] === 'string' ? (record as ClusterMessage) : undefined;
  if (op === 'send') return typeof record['text'] === 'string' ? (record as ClusterMessage) : undefined;
  if (op === 'close' || op === 'detach') return record as ClusterMessage;
  if (op === 'joined') return typeof record['joined'] === 'boolean' ? (record as ClusterMessage) : undefined;
  if (op === 'check') {
    const isList = (value: unknown): boolean => Array.isArray(value) && value.every((sid) => typeof sid === 'string');
    return isList(record['sids']) && (record['joined'] === undefined || isList(record['joined'])) ? (record as ClusterMessage) : undefined;
  }
  return undefined;
}

export class RedisBackend implements ClusterBackend {
  readonly processId = `${hostname().replace(/[^A-Za-z0-9.-]/g, '').slice(0, 32)}-${String(process.pid)}-${randomBytes(3).toString('hex')}`;
  readonly shared = true;
  private readonly prefix: string;
  private readonly heartbeatMs: number;
  private readonly processTimeoutMs: number;
  readonly livenessMs: number;
  private readonly commandTimeoutMs: number;
  private readonly claimLifetimeMs: number;
  private readonly maxPendingMessages: number;
  /** Messages published and not yet acknowledged by Redis (queued while it is away). */
  private pendingMessages = 0;
  /** Peer id claims sent and not yet answered by Redis. */
  private pendingClaims = 0;
  private droppedMessages = 0;
  private refresher: NodeJS.Timeout | undefined;
  private readonly log: ServerLog;
  /** Commands and publishing (one connection: messages leave in order). */
  private readonly command: Redis;
  /** This process's channel. */
  private readonly subscriber: Redis;
  /** The Lua scripts, as commands of {@link command}. */
  private readonly scripts: ClusterScripts;
  private listener: ClusterListener | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  /** Checks in a row that found a watched process's key missing. */
  private readonly misses = new Map<string, number>();
  /** When the command connection was last (re)connected: no loss is declared for a while after. */
  private readyAt = 0;
  private everReady = false;
  private closed = false;
  private lastErrorLogAt = 0;
  /** Resolves once both connections are ready the first time. */
  readonly ready: Promise<void>;

  constructor(options: RedisBackendOptions) {
    this.prefix = options.keyPrefix ?? 'ls:';
    this.heartbeatMs = options.heartbeatMs ?? 1000;
    this.processTimeoutMs = options.processTimeoutMs ?? 5000;
    this.livenessMs = this.processTimeoutMs;
    this.commandTimeoutMs = options.commandTimeoutMs ?? 5000;
    this.claimLifetimeMs = options.claimLifetimeMs ?? 3_600_000;
    this.maxPendingMessages = options.maxPendingMessages ?? 10_000;
    this.log = options.log;
    const connection = {
      // Keep trying, a little slower each time, never more than 2 s apart.
      retryStrategy: (attempt: number) => Math.min(100 * attempt, 2000),
      maxRetriesPerRequest: null,
      // Redis refuses names with spaces (silently, through ioredis): one word.
      connectionName: `live-session:${this.processId}`,
    };
    this.command = new Redis(options.url, connection);
    // Sent once, then called by their SHA (EVALSHA, falling back to EVAL after a Redis restart).
    this.command.defineCommand('lsClaimPeer', { numberOfKeys: 1, lua: CLAIM_PEER });
    this.command.defineCommand('lsReleasePeer', { numberOfKeys: 1, lua: RELEASE_PEER });
    this.command.defineCommand('lsClaimHome', { numberOfKeys: 1, lua: CLAIM_HOME });
    this.command.defineCommand('lsReleaseHome', { numberOfKeys: 1, lua: RELEASE_HOME });
    this.scripts = this.command as unknown as ClusterScripts;
    this.subscriber = new Redis(options.url, connection);
    for (const client of [this.command, this.subscriber]) {
      client.on('error', (error: Error) => {
        this.logError(error);
      });
    }
    this.command.on('ready', () => {
      this.onReady();
    });
    this.command.on('end', () => undefined);
    this.subscriber.on('message', (_channel: string, text: string) => {
      const message = parseMessage(text);
      if (!message) {
        this.log('warn', 'cluster-bad-message', { length: text.length });
        return;
      }
      this.listener?.message(message);
    });
    this.ready = Promise.all([
      withTimeout(
        new Promise<void>((resolve) => this.command.once('ready', () => {
          resolve();
        })),
        this.commandTimeoutMs,
        'the first connection',
      ),
      withTimeout(this.subscriber.subscribe(this.channelOf(this.processId)), this.commandTimeoutMs, 'SUBSCRIBE'),
    ]).then(() => undefined);
    // Never an unhandled rejection; the caller awaits `ready` when it wants to know.
    this.ready.catch(() => undefined);
    this.heartbeat = setInterval(() => {
      this.beat();
    }, this.heartbeatMs);
    this.heartbeat.unref();
    this.refresher = setInterval(() => {
      this.refreshClaims();
    }, this.claimLifetimeMs / 4);
    this.refresher.unref();
  }

  /** Keeps this process's claims from expiring while it holds them. */
  private refreshClaims(): void {
    const held = this.listener?.held();
    if (!held || this.command.status !== 'ready') return;
    const pipeline = this.command.pipeline();
    for (const [peerId] of held.peers) pipeline.pexpire(this.key('peer', peerId), this.claimLifetimeMs);
    for (const room of held.rooms) pipeline.pexpire(this.key('home', room), this.claimLifetimeMs);
    void pipeline.exec().catch(() => undefined);
  }

  private key(kind: 'proc' | 'peer' | 'home' | 'state', name: string): string {
    return `${this.prefix}${kind}:${name}`;
  }

  private channelOf(processId: string): string {
    return `${this.prefix}to:${processId}`;
  }

  private logError(error: Error): void {
    if (this.closed) return;
    const now = Date.now();
    // A Redis that is down repeats its error every retry: one line every 5 s.
    if (now - this.lastErrorLogAt < 5000) return;
    this.lastErrorLogAt = now;
    this.log('warn', 'redis-error', { message: error.message });
  }

  private onReady(): void {
    const reconnected = this.everReady;
    this.everReady = true;
    this.readyAt = Date.now();
    this.misses.clear();
    void this.command.set(this.key('proc', this.processId), String(this.readyAt), 'PX', this.processTimeoutMs).catch(() => undefined);
    // Redis may have restarted empty: say again what this process holds.
    if (reconnected) this.reclaim();
  }

  /**
   * Claims again what this process holds: after Redis came back (maybe empty), or
   * after this process was silent so long that the others took it for lost.
   */
  private reclaim(): void {
    const listener = this.listener;
    if (!listener) return;
    listener.reclaiming();
    const held = listener.held();
    const pipeline = this.command.pipeline();
    let peers = 0;
    let rooms = 0;
    for (const [peerId, token] of held.peers) {
      pipeline.set(this.key('peer', peerId), `${this.processId}|${token}`, 'PX', this.claimLifetimeMs, 'NX');
      peers++;
    }
    void pipeline.exec().catch(() => undefined);
    // Rooms through the claim script: another process may have claimed one meanwhile (a
    // newcomer's join while this one was still reconnecting): then its members move there.
    const claims = [...held.rooms].map(async (room) => {
      rooms++;
      const home = await this.homeOf(room);
      if (home !== this.processId) {
        this.log('warn', 'home-lost', { room, home });
        this.listener?.homeLost(room);
      }
    });
    void Promise.all(claims).then(
      () => {
        this.log('info', 'redis-reclaimed', { peers, rooms });
      },
      () => undefined,
    );
  }

  /** Says this process is alive, and checks the processes it exchanges messages with. */
  private beat(): void {
    if (this.command.status !== 'ready') return;
    const beatAt = Date.now();
    void this.command.set(this.key('proc', this.processId), String(beatAt), 'PX', this.processTimeoutMs, 'GET').then(
      (previous) => {
        // The key expired: this process was silent (paused, starved) long enough for the
        // others to take it for lost and drop what it held. Claim it again; rooms taken
        // meanwhile move, and homes and edges compare notes about the rest.
        if (previous !== null || this.closed || beatAt - this.readyAt <= this.processTimeoutMs) return;
        this.log('warn', 'process-expired', { processId: this.processId });
        this.reclaim();
      },
      () => undefined,
    );
    const watched = [...new Set(this.listener?.watched() ?? [])].filter((id) => id !== this.processId);
    for (const id of this.misses.keys()) if (!watched.includes(id)) this.misses.delete(id);
    if (watched.length === 0) return;
    void this.command.mget(watched.map((id) => this.key('proc', id))).then(
      (values) => {
        // Right after a reconnect the others may not have said they live yet.
        const settled = Date.now() - this.readyAt > this.processTimeoutMs;
        watched.forEach((id, index) => {
          if (values[index] !== null) {
            this.misses.delete(id);
            return;
          }
          const misses = (this.misses.get(id) ?? 0) + 1;
          this.misses.set(id, misses);
          if (misses >= 2 && settled) {
            this.misses.delete(id);
            this.log('warn', 'process-lost', { processId: id });
            this.listener?.processLost(id);
          }
        });
      },
      () => undefined,
    );
  }

  private run<T>(work: Promise<T>, what: string): Promise<T> {
    return withTimeout(work, this.commandTimeoutMs, what);
  }

  async claimPeer(peerId: string, token: string): Promise<PeerClaim> {
    // While Redis is away, claims wait in the client's queue (a socket connecting
    // during a short outage gets in once it is back), up to a bound: past it, the
    // connection is refused at once (told to try again later) rather than queued.
    if (this.command.status !== 'ready' && this.pendingClaims >= this.maxPendingMessages) throw new Error('too many peer id claims waiting for Redis');
    const command = this.scripts.lsClaimPeer(this.key('peer', peerId), this.processId, token, this.key('proc', ''), this.claimLifetimeMs);
    // Counted until Redis answers, not until the caller stops waiting: a claim given up
    // after a timeout still waits in the queue (and its socket's close releases it after).
    this.pendingClaims++;
    void command.then(
      () => this.pendingClaims--,
      () => this.pendingClaims--,
    );
    const result = await this.run(command, 'a peer id claim');
    return result === 1 ? 'ok' : 'taken';
  }

  releasePeer(peerId: string): void {
    void this.scripts.lsReleasePeer(this.key('peer', peerId), this.processId).catch(() => undefined);
  }

  async homeOf(room: string): Promise<string> {
    const home = await this.run(this.scripts.lsClaimHome(this.key('home', room), this.processId, this.key('proc', ''), this.claimLifetimeMs), 'a room home claim');
    return String(home);
  }

  releaseHome(room: string): void {
    void this.scripts.lsReleaseHome(this.key('home', room), this.processId).catch(() => undefined);
  }

  saveRoomState(room: string, json: string | undefined, lifetimeMs: number): void {
    const key = this.key('state', room);
    const done = json === undefined ? this.command.del(key) : this.command.set(key, json, 'PX', lifetimeMs);
    void done.catch(() => undefined);
  }

  async loadRoomState(room: string): Promise<string | undefined> {
    const json = await this.run(this.command.get(this.key('state', room)), 'a room state read');
    return json ?? undefined;
  }

  send(processId: string, message: ClusterMessage): void {
    // While Redis is away, messages wait in memory: a bounded number of them.
    if (this.pendingMessages >= this.maxPendingMessages) {
      if (this.droppedMessages++ === 0) this.log('warn', 'cluster-messages-dropped', { pending: this.pendingMessages });
      return;
    }
    this.pendingMessages++;
    void this.command
      .publish(this.channelOf(processId), JSON.stringify(message))
      .catch(() => undefined)
      .finally(() => {
        this.pendingMessages--;
        if (this.pendingMessages === 0 && this.droppedMessages > 0) {
          this.log('warn', 'cluster-messages-dropped', { dropped: this.droppedMessages, message: 'Redis was away; homes and edges compare notes to recover' });
          this.droppedMessages = 0;
        }
      });
  }

  listen(listener: ClusterListener): void {
    this.listener = listener;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    clearInterval(this.refresher);
    // Others see this process gone at once rather than after its key expires.
    await withTimeout(this.command.del(this.key('proc', this.processId)), 1000, 'DEL').catch(() => undefined);
    await Promise.all(
      [this.command, this.subscriber].map((client) => withTimeout(client.quit(), 1000, 'QUIT').catch(() => client.disconnect())),
    );
  }
}
