/**
 * A Janus configuration for running Janus next to the room server: the
 * VideoRoom plugin and the websockets transport only, bound to one address
 * (loopback by default), the admin API off, an API secret, and the other
 * plugins, transports, event handlers and loggers disabled. Written as a
 * directory that `janus -F <dir> -C <dir>/janus.jcfg` runs.
 *
 * `live-session-server janus-config --out <dir>` writes it; see
 * docs/large-classes.md.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface JanusConfigOptions {
  /** Where the configuration files go (Janus reads the plugin and transport files from here too). */
  dir: string;
  /** Port of Janus's websocket API. Default 8188. */
  wsPort?: number;
  /** Address the websocket API listens on. Default 127.0.0.1: only the room server talks to Janus. */
  wsIp?: string;
  /** The API secret every request must carry. Default: a random one, returned. */
  apiSecret?: string;
  /**
   * The address browsers reach Janus's media at, when Janus sits behind NAT
   * (`nat_1_1_mapping`). Without it Janus offers its own addresses.
   */
  publicIp?: string;
  /** Only these interfaces are used for media (`ice_enforce_list`), e.g. `lo` for a machine without network. */
  iceInterfaces?: string;
  /** UDP port range for media. Default 20000-40000. */
  rtpPortRange?: string;
  /** Janus's library folder (plugins, transports, events, loggers). Default: Debian's. */
  libraryDir?: string;
  /** Janus log level, 0 (none) to 7. Default 4 (info). */
  logLevel?: number;
}

/** What was written, for the room server's `--janus` and `--janus-api-secret`. */
export interface JanusConfig {
  dir: string;
  url: string;
  apiSecret: string;
  /** The command that runs this Janus. */
  command: string[];
}

export const DEBIAN_JANUS_LIBRARY = '/usr/lib/x86_64-linux-gnu/janus';

/** Every other module of a kind in Janus's library folder, to disable (Janus loads every module it finds). */
function others(folder: string, keep: string, fallback: string[]): string {
  let names = fallback;
  if (existsSync(folder)) names = readdirSync(folder).filter((name) => name.endsWith('.so'));
  return names.filter((name) => name !== keep).join(',');
}

/** A libconfig string: quotes and backslashes escaped; no newlines. */
function quoted(value: string): string {
  if (/[\r\n]/.test(value)) throw new TypeError('janus config: values cannot hold line breaks');
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function writeJanusConfig(options: JanusConfigOptions): JanusConfig {
  const wsPort = options.wsPort ?? 8188;
  if (!Number.isInteger(wsPort) || wsPort < 1 || wsPort > 65_535) throw new RangeError(`janus config: wsPort must be a port number, not ${String(wsPort)}`);
  const wsIp = options.wsIp ?? '127.0.0.1';
  // Hex: a generated secret never starts with '-', which a command line would read as an option.
  const apiSecret = options.apiSecret ?? randomBytes(24).toString('hex');
  if (apiSecret.length < 16) throw new RangeError('janus config: the API secret must be 16 characters or more');
  const library = options.libraryDir ?? DEBIAN_JANUS_LIBRARY;
  const logLevel = options.logLevel ?? 4;
  const rtpPortRange = options.rtpPortRange ?? '20000-40000';
  if (!/^\d+-\d+$/.test(rtpPortRange)) throw new TypeError('janus config: rtpPortRange is "<first>-<last>"');
  mkdirSync(options.dir, { recursive: true });

  const nat = [
    '  nice_debug = false',
    '  full_trickle = true',
    '  ice_lite = false',
    ...(options.publicIp ? [`  nat_1_1_mapping = ${quoted(options.publicIp)}`] : []),
    ...(options.iceInterfaces ? [`  ice_enforce_list = ${quoted(options.iceInterfaces)}`] : []),
  ];
  const main = `# Written by live-session-server janus-config. Run: janus -F ${options.dir} -C ${join(options.dir, 'janus.jcfg')}
general: {
  configs_folder = ${quoted(options.dir)}
  plugins_folder = ${quoted(join(library, 'plugins'))}
  transports_folder = ${quoted(join(library, 'transports'))}
  events_folder = ${quoted(join(library, 'events'))}
  loggers_folder = ${quoted(join(library, 'loggers'))}
  debug_level = ${String(logLevel)}
  api_secret = ${quoted(apiSecret)}
  # Sessions whose websocket went quiet for a minute are dropped.
  session_timeout = 60
  # No admin API: the room server needs none.
  admin_secret = ${quoted(randomBytes(24).toString('hex'))}
}
media: {
  rtp_port_range = ${quoted(rtpPortRange)}
}
nat: {
${nat.join('\n')}
}
plugins: {
  disable = ${quoted(others(join(library, 'plugins'), 'libjanus_videoroom.so', ['libjanus_audiobridge.so', 'libjanus_echotest.so', 'libjanus_recordplay.so', 'libjanus_sip.so', 'libjanus_streaming.so', 'libjanus_textroom.so', 'libjanus_videocall.so', 'libjanus_voicemail.so']))}
}
transports: {
  disable = ${quoted(others(join(library, 'transports'), 'libjanus_websockets.so', ['libjanus_http.so', 'libjanus_mqtt.so', 'libjanus_nanomsg.so', 'libjanus_pfunix.so', 'libjanus_rabbitmq.so']))}
}
events: {
  broadcast = false
  disable = ${quoted(others(join(library, 'events'), '', ['libjanus_sampleevh.so', 'libjanus_wsevh.so']))}
}
loggers: {
  disable = ${quoted(others(join(library, 'loggers'), '', ['libjanus_jsonlog.so']))}
}
`;
  const websockets = `# Written by live-session-server janus-config.
general: {
  json = "compact"
  ws = true
  ws_port = ${String(wsPort)}
  ws_ip = ${quoted(wsIp)}
  wss = false
}
admin: {
  admin_ws = false
  admin_wss = false
}
`;
  // Rooms are made by the room server, one per live-session room, each with its own secret and pin.
  const videoroom = `# Written by live-session-server janus-config. Rooms are created by the room server.
general: {
  string_ids = false
}
`;
  // Readable by their owner only: janus.jcfg holds the API and admin secrets.
  writeFileSync(join(options.dir, 'janus.jcfg'), main, { mode: 0o600 });
  writeFileSync(join(options.dir, 'janus.transport.websockets.jcfg'), websockets, { mode: 0o600 });
  writeFileSync(join(options.dir, 'janus.plugin.videoroom.jcfg'), videoroom, { mode: 0o600 });
  // A file written before keeps its mode: set it.
  for (const name of ['janus.jcfg', 'janus.transport.websockets.jcfg', 'janus.plugin.videoroom.jcfg']) chmodSync(join(options.dir, name), 0o600);
  const host = wsIp.includes(':') ? `[${wsIp}]` : wsIp;
  return { dir: options.dir, url: `ws://${host}:${String(wsPort)}`, apiSecret, command: ['janus', '-F', options.dir, '-C', join(options.dir, 'janus.jcfg')] };
}
