#!/usr/bin/env node
/**
 * `live-session-server`: runs the room server standalone.
 * See `live-session-server --help` and docs/server.md.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { AttendanceOptions } from './attendance/attendance-options.js';
import type { IceServerConfig } from './options.js';
import type { TurnOptions } from './relay-credentials.js';
import { writeJanusConfig } from './janus/janus-config.js';
import { resolveLtiOptions, type LtiOptions } from './lti/lti-config.js';
import { startRoomServer, type RunningRoomServer, type StartRoomServerOptions } from './standalone.js';

const HELP = `live-session-server: the live-session room server (a PeerJS server with rooms)

Usage: live-session-server [options]
       live-session-server janus-config --out <dir> [--ws-port <n>] [--ws-ip <addr>]
                           [--api-secret <s>] [--public-ip <addr>] [--ice-interfaces <list>]
         writes a Janus configuration (VideoRoom and websockets only, admin API
         off) for the SFU of large classes, and says how to run it

  --port <n>             TCP port, 0 for a free one (env PORT; default 9000)
  --host <addr>          interface to listen on (env HOST; default 127.0.0.1)
  --path <p>             base path; websocket at <p>peerjs (default /)
  --secret <s>           HS256 secret for join tokens (env LIVE_SESSION_SECRET);
                         without one the server runs in open development mode
  --ping-interval <ms>   websocket ping interval (default 2500)
  --pong-timeout <ms>    drop a client silent this long (default 5000)
  --allowed-origin <o>   allow this browser origin (repeat, or comma-separate;
                         env LIVE_SESSION_ALLOWED_ORIGINS; default: all)
  --max-room-size <n>    participants per room (default 50)
  --max-payload <bytes>  largest websocket frame (default 65536)
  --concurrent-limit <n> most participants in rooms at once (default 5000)
  --max-unjoined-sockets <n>    sockets outside every room (default 1000)
  --max-sockets-per-address <n> sockets outside every room per address (default 50)
  --max-buffered-bytes <bytes>  unsent data before a socket counts as stalled
  --relay-bytes-per-second <n>  signalling one member may relay to others (burst: 8 s worth)
                                (default 1048576)
  --updates-per-second <n>      broadcasts per participant's changes (default 10)
  --offers-per-minute <n>       media OFFERs from one member to another (default 600)
  --joins-per-minute <n>        joins of one user into one room (default 10)
  --chat-per-minute <n>         chat messages of one user, after 5 at once (default 20)
  --chat-history <n>            chat messages a room keeps for joiners (default 200)
  --max-token-lifetime <t>      longest accepted token lifetime: seconds, or
                                30m, 24h, 2d (default 24h)
  --peer-id-binding <b>         tagged (default) or bound
  --attendance <file>           record attendance in this SQLite file
                                (env LIVE_SESSION_ATTENDANCE); see docs/attendance.md
  --attendance-webhook <url>    POST each room session's attendance here when it ends
  --attendance-webhook-secret <s>  HMAC-SHA256 key signing the webhook, 16+ characters
                                (env LIVE_SESSION_ATTENDANCE_WEBHOOK_SECRET)
  --request-timeout <ms> close an HTTP request not received whole in time
                         (default 20000)
  --headers-timeout <ms> the same for its headers (default 10000)
  --keep-alive-timeout <ms>  idle keep-alive HTTP connection (default 5000)
  --max-body <bytes>     largest HTTP request body (default 16384)
  --max-header-size <bytes>  largest HTTP request headers (default 16384)
  --ice-servers <json>   STUN/TURN list served at <path>ice
                         (env LIVE_SESSION_ICE_SERVERS)
  --turn-secret <s>      TURN REST shared secret (coturn static-auth-secret; env
                         LIVE_SESSION_TURN_SECRET): joined members get short-lived
                         relay credentials, never through <path>ice
  --turn-urls <list>     comma-separated turn:/turns: URLs (env LIVE_SESSION_TURN_URLS)
  --turn-ttl <t>         credential lifetime: seconds, or 30m, 1h (default 1h)
  --lti <file>           LTI 1.3 tool configuration (JSON; env LIVE_SESSION_LTI);
                         needs --secret, see docs/lti.md
  --redis <url>          share rooms with other processes through Redis
                         (redis://host:6379; env LIVE_SESSION_REDIS); see
                         docs/server.md, "Scaling out"
  --janus <ws-url>       the SFU of large classes: Janus's websocket API
                         (env LIVE_SESSION_JANUS); see docs/large-classes.md
  --janus-api-secret <s> its api_secret (env LIVE_SESSION_JANUS_API_SECRET)
  --recordings <dir>     with --janus: tutors may record lessons; Janus writes
                         them to <dir> (an absolute path both share), converted
                         to WebM with janus-pp-rec (env LIVE_SESSION_RECORDINGS)
  --topology <t>         mesh, star or sfu for rooms whose token names none
                         (env LIVE_SESSION_TOPOLOGY; default: the pages decide)
  --static <dir>         serve files from <dir> at / (repeatable;
                         <url-path>=<dir> serves at <url-path>)
  --quiet                no log output
  -h, --help             this help

Logs are JSON lines on stdout. SIGTERM / SIGINT: clients are told, sockets
close, exit code 0.`;

function fail(message: string): never {
  process.stderr.write(`live-session-server: ${message}\nTry --help.\n`);
  process.exit(2);
}

function integer(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) fail(`${name} must be a whole number, got "${raw}"`);
  return value;
}

/** Seconds, or a number with a unit: `90s`, `30m`, `24h`, `2d`. */
function duration(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const match = /^(\d+)([smhd]?)$/.exec(raw.trim());
  if (!match) fail(`${name} must be a number of seconds or a duration such as 30m, 24h, 2d; got "${raw}"`);
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86_400 }[match[2] as '' | 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}

function binding(raw: string | undefined): 'bound' | 'tagged' | undefined {
  if (raw === undefined) return undefined;
  if (raw !== 'bound' && raw !== 'tagged') fail(`--peer-id-binding must be tagged or bound, got "${raw}"`);
  return raw;
}

/** Attendance is on with a file or a webhook; the option checks the rest. */
function attendance(file: string | undefined, webhookUrl: string | undefined, webhookSecret: string | undefined): AttendanceOptions | undefined {
  const given = (value: string | undefined): value is string => value !== undefined && value !== '';
  // A webhook secret alone (e.g. set in the environment for later) turns nothing on.
  if (!given(file) && !given(webhookUrl)) return undefined;
  return {
    ...(given(file) ? { file: resolve(file) } : {}),
    ...(given(webhookUrl) ? { webhookUrl } : {}),
    ...(given(webhookSecret) ? { webhookSecret } : {}),
  };
}

function iceServers(raw: string | undefined): IceServerConfig[] | undefined {
  if (raw === undefined || raw === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    fail('--ice-servers must be JSON, e.g. [{"urls":"stun:stun.example.org:3478"}]');
  }
  if (!Array.isArray(parsed)) fail('--ice-servers must be a JSON array');
  return parsed as IceServerConfig[];
}

/** `--turn-secret` and `--turn-urls` go together. */
function turnOptions(secret: string | undefined, urls: string | undefined, ttl: number | undefined): TurnOptions | undefined {
  const list = (urls ?? '').split(',').map((url) => url.trim()).filter((url) => url !== '');
  if ((secret === undefined || secret === '') && list.length === 0) return undefined;
  if (secret === undefined || secret === '' || list.length === 0) fail('--turn-secret and --turn-urls must be given together');
  return { secret, urls: list, ...(ttl === undefined ? {} : { ttl }) };
}

/** The `--lti` file, checked; a relative `keyFile` is taken from the file's directory. */
function ltiOptions(file: string | undefined): LtiOptions | undefined {
  if (file === undefined || file === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    fail(`--lti ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    const options = resolveLtiOptions(parsed);
    return options.keyFile === undefined ? options : { ...options, keyFile: resolve(dirname(resolve(file)), options.keyFile) };
  } catch (error) {
    fail(`--lti ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function parseCommandLine(argv: string[]): StartRoomServerOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        path: { type: 'string' },
        secret: { type: 'string' },
        'ping-interval': { type: 'string' },
        'pong-timeout': { type: 'string' },
        'allowed-origin': { type: 'string', multiple: true },
        'max-room-size': { type: 'string' },
        'max-payload': { type: 'string' },
        'concurrent-limit': { type: 'string' },
        'max-unjoined-sockets': { type: 'string' },
        'max-sockets-per-address': { type: 'string' },
        'max-buffered-bytes': { type: 'string' },
        'relay-bytes-per-second': { type: 'string' },
        'updates-per-second': { type: 'string' },
        'offers-per-minute': { type: 'string' },
        'joins-per-minute': { type: 'string' },
        'chat-per-minute': { type: 'string' },
        'chat-history': { type: 'string' },
        'max-token-lifetime': { type: 'string' },
        'peer-id-binding': { type: 'string' },
        attendance: { type: 'string' },
        'attendance-webhook': { type: 'string' },
        'attendance-webhook-secret': { type: 'string' },
        'request-timeout': { type: 'string' },
        'headers-timeout': { type: 'string' },
        'keep-alive-timeout': { type: 'string' },
        'max-body': { type: 'string' },
        'max-header-size': { type: 'string' },
        'ice-servers': { type: 'string' },
        lti: { type: 'string' },
        'turn-secret': { type: 'string' },
        'turn-urls': { type: 'string' },
        'turn-ttl': { type: 'string' },
        janus: { type: 'string' },
        'janus-api-secret': { type: 'string' },
        recordings: { type: 'string' },
        topology: { type: 'string' },
        redis: { type: 'string' },
        static: { type: 'string', multiple: true },
        quiet: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    process.exit(0);
  }
  const env = process.env;
  const origins = [...(values['allowed-origin'] ?? []), ...(env['LIVE_SESSION_ALLOWED_ORIGINS'] ? [env['LIVE_SESSION_ALLOWED_ORIGINS']] : [])]
    .flatMap((entry) => entry.split(','))
    .map((origin) => origin.trim())
    .filter((origin) => origin.length > 0);
  const secret = values.secret ?? env['LIVE_SESSION_SECRET'];
  return {
    port: integer('--port', values.port ?? env['PORT']) ?? 9000,
    host: values.host ?? env['HOST'] ?? '127.0.0.1',
    path: values.path ?? '/',
    secret: secret === undefined || secret === '' ? undefined : secret,
    pingInterval: integer('--ping-interval', values['ping-interval']),
    pongTimeout: integer('--pong-timeout', values['pong-timeout']),
    allowedOrigins: origins.length > 0 ? origins : undefined,
    maxRoomSize: integer('--max-room-size', values['max-room-size']),
    maxPayload: integer('--max-payload', values['max-payload']),
    concurrentLimit: integer('--concurrent-limit', values['concurrent-limit']),
    maxUnjoinedSockets: integer('--max-unjoined-sockets', values['max-unjoined-sockets']),
    maxSocketsPerAddress: integer('--max-sockets-per-address', values['max-sockets-per-address']),
    maxBufferedBytes: integer('--max-buffered-bytes', values['max-buffered-bytes']),
    relayBytesPerSecond: integer('--relay-bytes-per-second', values['relay-bytes-per-second']),
    updatesPerSecond: integer('--updates-per-second', values['updates-per-second']),
    offersPerMinute: integer('--offers-per-minute', values['offers-per-minute']),
    joinsPerMinute: integer('--joins-per-minute', values['joins-per-minute']),
    chatPerMinute: integer('--chat-per-minute', values['chat-per-minute']),
    chatHistory: integer('--chat-history', values['chat-history']),
    maxTokenLifetime: duration('--max-token-lifetime', values['max-token-lifetime']),
    peerIdBinding: binding(values['peer-id-binding']),
    attendance: attendance(
      values.attendance ?? env['LIVE_SESSION_ATTENDANCE'],
      values['attendance-webhook'],
      values['attendance-webhook-secret'] ?? env['LIVE_SESSION_ATTENDANCE_WEBHOOK_SECRET'],
    ),
    iceServers: iceServers(values['ice-servers'] ?? env['LIVE_SESSION_ICE_SERVERS']),
    static: (values.static ?? []).map((entry) => {
      const separator = entry.indexOf('=');
      return separator > 0
        ? { urlPath: entry.slice(0, separator), dir: resolve(entry.slice(separator + 1)) }
        : { urlPath: '/', dir: resolve(entry) };
    }),
    lti: ltiOptions(values.lti ?? env['LIVE_SESSION_LTI']),
    turn: turnOptions(values['turn-secret'] ?? env['LIVE_SESSION_TURN_SECRET'], values['turn-urls'] ?? env['LIVE_SESSION_TURN_URLS'], duration('--turn-ttl', values['turn-ttl'])),
    quiet: values.quiet ?? false,
    ...redisOption(values.redis ?? env['LIVE_SESSION_REDIS']),
    ...janusOption(values.janus ?? env['LIVE_SESSION_JANUS'], values['janus-api-secret'] ?? env['LIVE_SESSION_JANUS_API_SECRET'], values.recordings ?? env['LIVE_SESSION_RECORDINGS']),
    ...topologyOption(values.topology ?? env['LIVE_SESSION_TOPOLOGY']),
    http: {
      requestTimeout: integer('--request-timeout', values['request-timeout']),
      headersTimeout: integer('--headers-timeout', values['headers-timeout']),
      keepAliveTimeout: integer('--keep-alive-timeout', values['keep-alive-timeout']),
      maxBodyBytes: integer('--max-body', values['max-body']),
      maxHeaderBytes: integer('--max-header-size', values['max-header-size']),
    },
  };
}

function janusOption(url: string | undefined, apiSecret: string | undefined, recordings: string | undefined): { janus?: { url: string; apiSecret: string; recordingsDir?: string } } {
  if (url === undefined || url === '') {
    if (apiSecret) fail('--janus-api-secret needs --janus');
    if (recordings) fail('--recordings needs --janus');
    return {};
  }
  if (!/^wss?:\/\/./.test(url)) fail('--janus must be a ws:// or wss:// URL');
  if (!apiSecret) fail('--janus needs --janus-api-secret (the api_secret of janus.jcfg)');
  return { janus: { url, apiSecret, ...(recordings ? { recordingsDir: resolve(recordings) } : {}) } };
}

function topologyOption(topology: string | undefined): { topology?: 'mesh' | 'star' | 'sfu' } {
  if (topology === undefined || topology === '') return {};
  if (topology !== 'mesh' && topology !== 'star' && topology !== 'sfu') fail('--topology must be mesh, star or sfu');
  return { topology };
}

function redisOption(url: string | undefined): { redis?: string } {
  if (url === undefined || url === '') return {};
  if (!/^rediss?:\/\/./.test(url)) fail('--redis must be a redis:// or rediss:// URL');
  return { redis: url };
}

/** `live-session-server janus-config …`: writes a Janus configuration directory. */
function janusConfigCommand(argv: string[]): void {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        out: { type: 'string' },
        'ws-port': { type: 'string' },
        'ws-ip': { type: 'string' },
        'api-secret': { type: 'string' },
        'public-ip': { type: 'string' },
        'ice-interfaces': { type: 'string' },
      },
    }));
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  if (!values.out) fail('janus-config needs --out <dir>');
  try {
    const config = writeJanusConfig({
      dir: resolve(values.out),
      ...(values['ws-port'] !== undefined ? { wsPort: integer('--ws-port', values['ws-port']) } : {}),
      ...(values['ws-ip'] !== undefined ? { wsIp: values['ws-ip'] } : {}),
      ...(values['api-secret'] !== undefined ? { apiSecret: values['api-secret'] } : {}),
      ...(values['public-ip'] !== undefined ? { publicIp: values['public-ip'] } : {}),
      ...(values['ice-interfaces'] !== undefined ? { iceInterfaces: values['ice-interfaces'] } : {}),
    });
    process.stdout.write(
      `Janus configuration written to ${config.dir}\n` +
        `Run Janus:    ${config.command.join(' ')}\n` +
        `Its API:      ${config.url}\n` +
        `API secret:   ${config.apiSecret}\n`,
    );
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
}

async function main(): Promise<void> {
  if (process.argv[2] === 'janus-config') {
    janusConfigCommand(process.argv.slice(3));
    return;
  }
  const options = parseCommandLine(process.argv.slice(2));
  let running: RunningRoomServer;
  try {
    running = await startRoomServer(options);
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      process.exit(1);
    }
    stopping = true;
    process.stderr.write(`live-session-server: ${signal}, shutting down\n`);
    running.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`live-session-server: shutdown failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // Said only once the signals are handled: a supervisor that stops the server the
  // moment it reads this line gets a graceful shutdown, not the default kill.
  process.stdout.write(`live-session-server listening at ${running.url}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`live-session-server: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
