import { resolveAttendanceOptions, type AttendanceOptions, type ResolvedAttendanceOptions } from './attendance/attendance-options.js';
import { isAbsolute } from 'node:path';
import type { RoomServerLogger } from './logger.js';
import { resolveTurnOptions, type ResolvedTurnOptions, type TurnOptions } from './relay-credentials.js';
import { MAX_ICE_SERVERS } from '../protocol/index.js';

/** A STUN or TURN server, in the shape of the browser's `RTCIceServer`. */
export interface IceServerConfig {
  urls: string | string[];
  username?: string;
  credential?: string;
}

/** Per-socket token bucket for incoming frames. */
export interface RateLimitOptions {
  /** Frames a socket may send at once before the limit applies. Default 300. */
  burst?: number;
  /** Frames per second added back to the bucket. Default 100. */
  perSecond?: number;
  /**
   * Frames sent over the limit, in a row, before the socket is closed with 1008.
   * The first frame over the limit gets `LS-ERROR rate-limited`. Default 50.
   */
  overflowLimit?: number;
}

/** Options of {@link createRoomServer}. Every field is optional. */
export interface RoomServerOptions {
  /**
   * Where the server lives, e.g. `/` or `/rtc/`. Health is at `<path>health`,
   * ICE configuration at `<path>ice`, the PeerJS websocket at `<path>peerjs`.
   * Default `/`.
   */
  path?: string;
  /**
   * HS256 secret for join tokens. Without it the server runs in open
   * development mode: joins name their own room, user id, name and role.
   */
  secret?: string;
  /** Milliseconds between websocket pings to every client. Default 2500. */
  pingInterval?: number;
  /**
   * Milliseconds without a pong after which a client is cut off (its socket is
   * terminated and it leaves its room with reason `timeout`). Must be larger
   * than `pingInterval`. Default 5000.
   */
  pongTimeout?: number;
  /**
   * PeerJS's own HEARTBEAT-based timeout (`alive_timeout` of `peer`), kept far
   * above browsers' background-tab timer throttling. Default 300000 (5 min).
   */
  peerAliveTimeout?: number;
  /** Largest websocket frame in bytes; a larger one closes the socket with 1009. Default 65536. */
  maxPayload?: number;
  /**
   * Origins allowed to open the websocket and read the HTTP endpoints
   * (e.g. `['https://lms.example.edu']`). Default: every origin.
   */
  allowedOrigins?: string[];
  /** Per-socket message rate limit. */
  rateLimit?: RateLimitOptions;
  /** Malformed frames a socket may send before it is closed with 1008. Default 10. */
  maxBadMessages?: number;
  /**
   * A socket outside every room (never joined, or removed) for this long is
   * closed with 1008, so idle connections cannot fill the server. Default 30000 ms.
   */
  joinDeadlineMs?: number;
  /**
   * Most participants in rooms at once, over all rooms; a join over it is refused
   * with `server-full`. Sockets that have not joined do not count (see
   * `maxUnjoinedSockets`). Default 5000.
   */
  concurrentLimit?: number;
  /**
   * Most sockets outside every room at once (connected, not joined yet, or
   * removed); more are refused at the upgrade with HTTP 503. Default 1000.
   */
  maxUnjoinedSockets?: number;
  /**
   * Most sockets outside every room from one remote address; more are refused
   * at the upgrade with HTTP 429. Joined members do not count, so a class behind
   * one school NAT still gets in. Default 50.
   */
  maxSocketsPerAddress?: number;
  /**
   * A socket whose unsent data (`bufferedAmount`) stays above this many bytes for
   * longer than `pongTimeout`, or ever exceeds four times it, is cut (it stopped
   * reading). Default 1 MiB.
   */
  maxBufferedBytes?: number;
  /**
   * Signalling one member may relay to others (OFFER, ANSWER, CANDIDATE), in
   * bytes per second, with a burst of eight seconds' worth; frames beyond it
   * are refused (`rate-limited`). Bounds what one member can push at
   * another's downlink. Default 65536 (a burst of 512 KiB).
   */
  relayBytesPerSecond?: number;
  /**
   * Room broadcasts caused by one participant's changes (camera, mic, hand) per
   * second; faster changes are coalesced and the latest state is sent when the
   * interval ends. Default 10.
   */
  updatesPerSecond?: number;
  /**
   * Media OFFERs from one member to another per minute (a burst of this many,
   * refilled evenly). Over it: `LS-ERROR offer-rate-limited`, nothing relayed. Default 10.
   */
  offersPerMinute?: number;
  /**
   * Longest join token lifetime the server accepts, in seconds: a token whose
   * `exp` is further than this from now is refused with `token-lifetime`. Default 86400 (24 h).
   */
  maxTokenLifetime?: number;
  /**
   * Joins of one user into one room per minute (a burst of this many, refilled
   * evenly); more are refused with `join-rate-limited`. Default 10.
   */
  joinsPerMinute?: number;
  /**
   * Chat messages one user may send per minute, after a burst of 5; more are
   * refused with `rate-limited` (request `LS-CHAT`). Default 20.
   */
  chatPerMinute?: number;
  /** Chat messages each room keeps for those who join later. Default 200. */
  chatHistory?: number;
  /**
   * Peer ids in token mode: `'bound'` requires every peer id to start with the
   * tag of the joiner's identity (see docs/protocol.md), so nobody can take over
   * another member's peer id; `'tagged'` (default) enforces the tag only on ids
   * that carry one, so clients that do not derive their ids yet still join.
   */
  peerIdBinding?: 'bound' | 'tagged';
  /**
   * Log lines of one kind (event and code) printed per 10 s before the rest are
   * only counted and summarised in one `log-suppressed` line. Default 20.
   */
  logBurst?: number;
  /** Most participants in one room. Default 50. */
  maxRoomSize?: number;
  /** Seconds of clock skew tolerated when checking a token's `exp`. Default 5. */
  clockTolerance?: number;
  /** STUN/TURN servers served at `GET <path>ice` as `{ iceServers }`, and in each LS-JOINED. Default `[]`. */
  iceServers?: IceServerConfig[];
  /**
   * A TURN relay with short-lived credentials (TURN REST scheme, coturn's
   * `use-auth-secret`): joined members get credentials in their join reply and
   * fresh ones on request; `GET <path>ice` never carries them.
   */
  turn?: TurnOptions;
  /**
   * Attendance records per room session and user (who, role, first join, last
   * leave, connected time, reconnects) in SQLite, as a CSV download for the
   * room's tutor (`GET <path>attendance/<room>.csv`, token mode only) and as a
   * signed webhook when a session ends. `file` keeps them across restarts;
   * `webhookUrl` (http or https) needs `webhookSecret` (16 characters or more).
   * Needs the `sql.js` package. Default: off, nothing is recorded. See docs/attendance.md.
   */
  attendance?: AttendanceOptions;
  /** Receives every log record. Default: JSON lines on stdout. */
  logger?: RoomServerLogger;
  /** No log output at all (the `log` event still fires). Default false. */
  quiet?: boolean;
  /**
   * Share rooms with other room server processes through Redis: a URL
   * (`redis://host:6379`) or the backend's options. Any process then serves
   * any room, behind any load balancer. Default: off, this process alone. See
   * docs/server.md, "Scaling out".
   */
  redis?: string | RedisOptions;
  /**
   * The SFU of large classes: Janus's websocket API and its API secret (see
   * docs/large-classes.md). Without it, `sfu` rooms run as `star`.
   * `recordingsDir`: the folder Janus writes lesson recordings to (on the
   * same machine, or a shared mount); with it, tutors of SFU rooms can record
   * (converted with `janus-pp-rec`, Debian package janus-tools).
   */
  janus?: { url: string; apiSecret: string; recordingsDir?: string };
  /**
   * The topology of rooms whose join token names none (`mesh`, `star` or
   * `sfu`). Default: none, the pages' own `topology` setting decides between
   * mesh and star.
   */
  topology?: 'mesh' | 'star' | 'sfu';
}

/** The Redis backend of a room server that shares rooms with other processes. */
export interface RedisOptions {
  /** `redis://[:password@]host:port[/db]`, or `rediss://` for TLS. */
  url: string;
  /** Prefix of every key and channel, to share one Redis between deployments. Default `ls:`. */
  keyPrefix?: string;
  /** How often a process tells the others it is alive, in ms. Default 1000. */
  heartbeatMs?: number;
  /**
   * A process silent for this long (ms) is lost: its members leave their rooms
   * (as a timeout) and the rooms it ran move to another process. Default 5000.
   */
  processTimeoutMs?: number;
  /**
   * A peer id or room home claim that Redis does not answer within this long
   * (ms) fails: the socket is told to try again later (1013). Default 5000.
   */
  commandTimeoutMs?: number;
}

export interface ResolvedRoomServerOptions {
  path: string;
  secret: string | undefined;
  pingInterval: number;
  pongTimeout: number;
  peerAliveTimeout: number;
  maxPayload: number;
  allowedOrigins: string[] | undefined;
  rateLimit: Required<RateLimitOptions>;
  maxBadMessages: number;
  joinDeadlineMs: number;
  concurrentLimit: number;
  maxUnjoinedSockets: number;
  maxSocketsPerAddress: number;
  maxBufferedBytes: number;
  relayBytesPerSecond: number;
  updatesPerSecond: number;
  offersPerMinute: number;
  maxTokenLifetime: number;
  joinsPerMinute: number;
  chatPerMinute: number;
  chatHistory: number;
  peerIdBinding: 'bound' | 'tagged';
  logBurst: number;
  maxRoomSize: number;
  clockTolerance: number;
  iceServers: IceServerConfig[];
  turn: ResolvedTurnOptions | undefined;
  attendance: ResolvedAttendanceOptions | undefined;
  logger: RoomServerLogger | undefined;
  quiet: boolean;
  redis: RedisOptions | undefined;
  janus: { url: string; apiSecret: string; recordingsDir?: string } | undefined;
  topology: 'mesh' | 'star' | 'sfu' | undefined;
}

/** The defaults of {@link RoomServerOptions}. */
export const ROOM_SERVER_DEFAULTS: {
  readonly path: string;
  readonly pingInterval: number;
  readonly pongTimeout: number;
  readonly peerAliveTimeout: number;
  readonly maxPayload: number;
  readonly rateLimit: Readonly<Required<RateLimitOptions>>;
  readonly maxBadMessages: number;
  readonly joinDeadlineMs: number;
  readonly concurrentLimit: number;
  readonly maxUnjoinedSockets: number;
  readonly maxSocketsPerAddress: number;
  readonly maxBufferedBytes: number;
  readonly relayBytesPerSecond: number;
  readonly updatesPerSecond: number;
  readonly offersPerMinute: number;
  readonly maxTokenLifetime: number;
  readonly joinsPerMinute: number;
  readonly chatPerMinute: number;
  readonly chatHistory: number;
  readonly peerIdBinding: 'bound' | 'tagged';
  readonly logBurst: number;
  readonly maxRoomSize: number;
  readonly clockTolerance: number;
} = {
  path: '/',
  pingInterval: 2500,
  pongTimeout: 5000,
  peerAliveTimeout: 300_000,
  maxPayload: 64 * 1024,
  rateLimit: { burst: 300, perSecond: 100, overflowLimit: 50 },
  maxBadMessages: 10,
  joinDeadlineMs: 30_000,
  concurrentLimit: 5000,
  maxUnjoinedSockets: 1000,
  maxSocketsPerAddress: 50,
  maxBufferedBytes: 1024 * 1024,
  relayBytesPerSecond: 64 * 1024,
  updatesPerSecond: 10,
  offersPerMinute: 600,
  maxTokenLifetime: 24 * 60 * 60,
  joinsPerMinute: 10,
  chatPerMinute: 20,
  chatHistory: 200,
  peerIdBinding: 'tagged',
  logBurst: 20,
  maxRoomSize: 50,
  clockTolerance: 5,
};

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  const chosen = value ?? fallback;
  if (!Number.isInteger(chosen) || chosen <= 0) {
    throw new RangeError(`live-session server: option ${name} must be a positive integer, got ${String(value)}`);
  }
  return chosen;
}

function peerIdBinding(value: unknown): 'bound' | 'tagged' {
  if (value !== 'bound' && value !== 'tagged') {
    throw new RangeError(`live-session server: option peerIdBinding must be 'bound' or 'tagged', got ${String(value)}`);
  }
  return value;
}

/** Normalizes `path` to start and end with `/`. */
export function normalizePath(path: string): string {
  let normalized = path.trim();
  if (!normalized.startsWith('/')) normalized = `/${normalized}`;
  if (!normalized.endsWith('/')) normalized = `${normalized}/`;
  return normalized.replace(/\/{2,}/g, '/');
}

/**
 * The STUN/TURN list, checked as browsers will: every client gets it with its
 * join and builds each connection from it, and a browser refuses the whole
 * connection for one URL it cannot use. At most MAX_ICE_SERVERS (what clients accept).
 */
function resolveIceServers(given: IceServerConfig[] | undefined): IceServerConfig[] {
  if (given === undefined) return [];
  function bad(why: string): never {
    throw new TypeError(`live-session server: iceServers ${why}, e.g. [{ "urls": "stun:stun.example.org:3478" }]`);
  }
  // Read as untyped: the option also comes from JavaScript and from JSON on the command line.
  const servers: unknown = given;
  if (!Array.isArray(servers)) bad('must be an array');
  if (servers.length > MAX_ICE_SERVERS) bad(`has ${String(servers.length)} servers; at most ${String(MAX_ICE_SERVERS)}`);
  return servers.map((server: unknown, index): IceServerConfig => {
    const at = `[${String(index)}]`;
    if (typeof server !== 'object' || server === null) bad(`${at} must be an object with urls`);
    const { urls, username, credential } = server as Record<string, unknown>;
    const list: unknown[] = Array.isArray(urls) ? urls : [urls];
    if (list.length === 0) bad(`${at}.urls is empty`);
    const checked: string[] = [];
    for (const url of list) {
      if (typeof url !== 'string' || !/^(stuns?|turns?):\S+$/i.test(url)) bad(`${at}.urls: ${JSON.stringify(url)} is not a stun:, stuns:, turn: or turns: URL`);
      if (/^turns?:/i.test(url) && (typeof username !== 'string' || typeof credential !== 'string')) {
        bad(`${at}: a TURN server needs username and credential (or use the turn option for short-lived credentials)`);
      }
      checked.push(url);
    }
    if (username !== undefined && typeof username !== 'string') bad(`${at}.username must be a string`);
    if (credential !== undefined && typeof credential !== 'string') bad(`${at}.credential must be a string`);
    return {
      urls: Array.isArray(urls) ? checked : (checked[0] ?? ''),
      ...(username === undefined ? {} : { username }),
      ...(credential === undefined ? {} : { credential }),
    };
  });
}

/** Fills in defaults and checks every option; throws `RangeError`/`TypeError` on nonsense. */
export function resolveOptions(options: RoomServerOptions = {}): ResolvedRoomServerOptions {
  const defaults = ROOM_SERVER_DEFAULTS;
  const pingInterval = positiveInteger('pingInterval', options.pingInterval, defaults.pingInterval);
  const pongTimeout = positiveInteger('pongTimeout', options.pongTimeout, defaults.pongTimeout);
  if (pongTimeout <= pingInterval) {
    throw new RangeError(
      `live-session server: pongTimeout (${pongTimeout}) must be larger than pingInterval (${pingInterval})`,
    );
  }
  if (options.secret !== undefined && (typeof options.secret !== 'string' || options.secret.length === 0)) {
    throw new TypeError('live-session server: secret must be a non-empty string');
  }
  if (options.allowedOrigins !== undefined && !Array.isArray(options.allowedOrigins)) {
    throw new TypeError('live-session server: allowedOrigins must be an array of origins');
  }
  const clockTolerance = options.clockTolerance ?? defaults.clockTolerance;
  if (!Number.isFinite(clockTolerance) || clockTolerance < 0) {
    throw new RangeError('live-session server: clockTolerance must be a number of seconds >= 0');
  }
  const rate = options.rateLimit ?? {};
  return {
    path: normalizePath(options.path ?? defaults.path),
    secret: options.secret,
    pingInterval,
    pongTimeout,
    peerAliveTimeout: positiveInteger('peerAliveTimeout', options.peerAliveTimeout, defaults.peerAliveTimeout),
    maxPayload: positiveInteger('maxPayload', options.maxPayload, defaults.maxPayload),
    allowedOrigins: options.allowedOrigins?.map((origin) => origin.replace(/\/+$/, '')),
    rateLimit: {
      burst: positiveInteger('rateLimit.burst', rate.burst, defaults.rateLimit.burst),
      perSecond: positiveInteger('rateLimit.perSecond', rate.perSecond, defaults.rateLimit.perSecond),
      overflowLimit: positiveInteger('rateLimit.overflowLimit', rate.overflowLimit, defaults.rateLimit.overflowLimit),
    },
    maxBadMessages: positiveInteger('maxBadMessages', options.maxBadMessages, defaults.maxBadMessages),
    joinDeadlineMs: positiveInteger('joinDeadlineMs', options.joinDeadlineMs, defaults.joinDeadlineMs),
    concurrentLimit: positiveInteger('concurrentLimit', options.concurrentLimit, defaults.concurrentLimit),
    maxUnjoinedSockets: positiveInteger('maxUnjoinedSockets', options.maxUnjoinedSockets, defaults.maxUnjoinedSockets),
    maxSocketsPerAddress: positiveInteger('maxSocketsPerAddress', options.maxSocketsPerAddress, defaults.maxSocketsPerAddress),
    maxBufferedBytes: positiveInteger('maxBufferedBytes', options.maxBufferedBytes, defaults.maxBufferedBytes),
    relayBytesPerSecond: positiveInteger('relayBytesPerSecond', options.relayBytesPerSecond, defaults.relayBytesPerSecond),
    updatesPerSecond: positiveInteger('updatesPerSecond', options.updatesPerSecond, defaults.updatesPerSecond),
    offersPerMinute: positiveInteger('offersPerMinute', options.offersPerMinute, defaults.offersPerMinute),
    maxTokenLifetime: positiveInteger('maxTokenLifetime', options.maxTokenLifetime, defaults.maxTokenLifetime),
    joinsPerMinute: positiveInteger('joinsPerMinute', options.joinsPerMinute, defaults.joinsPerMinute),
    chatPerMinute: positiveInteger('chatPerMinute', options.chatPerMinute, defaults.chatPerMinute),
    chatHistory: positiveInteger('chatHistory', options.chatHistory, defaults.chatHistory),
    peerIdBinding: peerIdBinding(options.peerIdBinding ?? defaults.peerIdBinding),
    logBurst: positiveInteger('logBurst', options.logBurst, defaults.logBurst),
    maxRoomSize: positiveInteger('maxRoomSize', options.maxRoomSize, defaults.maxRoomSize),
    clockTolerance,
    iceServers: resolveIceServers(options.iceServers),
    turn: resolveTurnOptions(options.turn),
    attendance: resolveAttendanceOptions(options.attendance),
    logger: options.logger,
    quiet: options.quiet ?? false,
    redis: resolveRedisOptions(options.redis),
    janus: resolveJanusOptions(options.janus),
    topology: resolveTopology(options.topology),
  };
}

function resolveJanusOptions(janus: RoomServerOptions['janus']): { url: string; apiSecret: string; recordingsDir?: string } | undefined {
  if (janus === undefined) return undefined;
  if (typeof janus.url !== 'string' || !/^wss?:\/\/./.test(janus.url)) throw new TypeError('live-session server: janus.url must be a ws:// or wss:// URL');
  if (typeof janus.apiSecret !== 'string' || janus.apiSecret.length === 0) throw new TypeError('live-session server: janus.apiSecret is required (the api_secret of janus.jcfg)');
  if (janus.recordingsDir !== undefined && (typeof janus.recordingsDir !== 'string' || !isAbsolute(janus.recordingsDir))) {
    throw new TypeError('live-session server: janus.recordingsDir must be an absolute path (Janus and the room server both use it)');
  }
  return { url: janus.url, apiSecret: janus.apiSecret, ...(janus.recordingsDir !== undefined ? { recordingsDir: janus.recordingsDir } : {}) };
}

function resolveTopology(topology: unknown): 'mesh' | 'star' | 'sfu' | undefined {
  if (topology === undefined) return undefined;
  if (topology !== 'mesh' && topology !== 'star' && topology !== 'sfu') throw new TypeError("live-session server: topology must be 'mesh', 'star' or 'sfu'");
  return topology;
}

function resolveRedisOptions(redis: RoomServerOptions['redis']): RedisOptions | undefined {
  if (redis === undefined) return undefined;
  const options = typeof redis === 'string' ? { url: redis } : redis;
  if (typeof options.url !== 'string' || !/^rediss?:\/\/./.test(options.url)) {
    throw new TypeError('live-session server: redis must be a redis:// or rediss:// URL');
  }
  const heartbeatMs = positiveInteger('redis.heartbeatMs', options.heartbeatMs, 1000);
  const processTimeoutMs = positiveInteger('redis.processTimeoutMs', options.processTimeoutMs, 5000);
  if (processTimeoutMs < 2 * heartbeatMs) {
    throw new RangeError(`live-session server: redis.processTimeoutMs (${processTimeoutMs}) must be at least twice redis.heartbeatMs (${heartbeatMs})`);
  }
  const commandTimeoutMs = positiveInteger('redis.commandTimeoutMs', options.commandTimeoutMs, 5000);
  return { url: options.url, keyPrefix: options.keyPrefix ?? 'ls:', heartbeatMs, processTimeoutMs, commandTimeoutMs };
}
