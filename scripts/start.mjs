// npm start: builds the package, then runs one live-session server that also
// serves the demo pages and the bundle, and prints the URL to open.
// PORT and HOST choose where it listens (default 127.0.0.1:8080, or a free port
// when 8080 is taken). LIVE_SESSION_REDIS shares its rooms with other processes. LIVE_SESSION_SECRET turns on signed join tokens; the
// demo's development token signer is off unless `npm start -- --dev-tokens`
// (or LIVE_SESSION_DEV_TOKENS=1) asks for it, and never runs with
// NODE_ENV=production. HTTP limits: --request-timeout, --headers-timeout,
// --max-body, as for live-session-server. LIVE_SESSION_JANUS (with
// LIVE_SESSION_JANUS_API_SECRET) puts the rooms' media through that Janus (SFU),
// LIVE_SESSION_RECORDINGS lets tutors record there;
// `npm run demo:sfu` starts one and sets them.
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';

const USAGE = `Usage: npm start -- [--dev-tokens] [--request-timeout <ms>] [--headers-timeout <ms>] [--max-body <bytes>]
  --dev-tokens             DEVELOPMENT ONLY: with LIVE_SESSION_SECRET set, let the demo page
                           fetch signed tokens (tutor included) from /demo/dev-token
                           (env LIVE_SESSION_DEV_TOKENS=1; refused with NODE_ENV=production)
  --request-timeout <ms>   close an HTTP request not received whole in time (default 20000)
  --headers-timeout <ms>   the same for its headers (default 10000)
  --max-body <bytes>       largest HTTP request body (default 16384)`;

function fail(message) {
  console.error(`live-session: ${message}`);
  process.exit(2);
}

let values;
try {
  ({ values } = parseArgs({
    args: process.argv.slice(2),
    strict: true,
    options: {
      'dev-tokens': { type: 'boolean' },
      'request-timeout': { type: 'string' },
      'headers-timeout': { type: 'string' },
      'max-body': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  }));
} catch (error) {
  fail(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
}
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

function wholeNumber(name, raw) {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) fail(`${name} must be a whole number, got "${raw}"`);
  return value;
}

const httpLimits = {
  requestTimeout: wholeNumber('--request-timeout', values['request-timeout']),
  headersTimeout: wholeNumber('--headers-timeout', values['headers-timeout']),
  maxBodyBytes: wholeNumber('--max-body', values['max-body']),
};

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);

const { devTokenSetting, devTokenBanner, mountDemo } = await import('../demo/demo-server.mjs');
const host = process.env.HOST ?? '127.0.0.1';
const wanted = Number(process.env.PORT ?? 8080);
const secret = process.env.LIVE_SESSION_SECRET || undefined;
// Decided before the build, so a refused setting fails fast.
const { devTokens, error: devTokenError, note: devTokenNote } = devTokenSetting({
  flag: values['dev-tokens'],
  env: process.env,
  secret,
});
if (devTokenError) fail(devTokenError);

if (process.env.SKIP_BUILD !== '1') {
  const build = spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
  if (build.status !== 0) {
    console.error('live-session: the build failed; see above.');
    process.exit(1);
  }
}

const { createRoomServer, httpServerOptions, requestBodyLimit } = await import('../dist/server/index.js');
const express = (await import('express')).default;

let serverOptions;
try {
  serverOptions = httpServerOptions(httpLimits);
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
}

/** The room server mounted in an Express app next to the demo pages, as an operator would. */
async function start(port) {
  const app = express();
  app.disable('x-powered-by');
  // No route of the demo takes a request body; slow or huge ones are cut.
  app.use(requestBodyLimit(httpLimits.maxBodyBytes));
  const httpServer = createServer(serverOptions, app);
  mountDemo(app, { root, secret, devTokens });
  // LIVE_SESSION_REDIS: rooms shared with other processes (see `npm run demo:cluster`).
  const redis = process.env.LIVE_SESSION_REDIS || undefined;
  // LIVE_SESSION_JANUS: every room's media through that Janus (see `npm run demo:sfu`).
  const janusUrl = process.env.LIVE_SESSION_JANUS || undefined;
  const recordingsDir = process.env.LIVE_SESSION_RECORDINGS || undefined;
  const janus = janusUrl
    ? { janus: { url: janusUrl, apiSecret: process.env.LIVE_SESSION_JANUS_API_SECRET ?? '', ...(recordingsDir ? { recordingsDir } : {}) }, topology: 'sfu' }
    : {};
  const roomServer = createRoomServer(httpServer, { ...(secret ? { secret } : {}), ...(redis ? { redis } : {}), ...janus });
  app.use(roomServer.app);
  await roomServer.ready.catch(async (error) => {
    await roomServer.close();
    throw error;
  });
  await new Promise((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(port, host, resolve);
  }).catch(async (error) => {
    await roomServer.close();
    throw error;
  });
  const address = httpServer.address();
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${address.port}/`,
    close: async () => {
      await roomServer.close();
      await new Promise((resolve) => {
        httpServer.close(() => resolve());
        httpServer.closeAllConnections();
      });
    },
  };
}

let server;
try {
  server = await start(wanted);
} catch (error) {
  if (error && error.code === 'EADDRINUSE') {
    console.log(`live-session: port ${wanted} is taken; using a free port.`);
    server = await start(0);
  } else {
    throw error;
  }
}

if (devTokens) console.error(devTokenBanner(server.url));
if (devTokenNote) console.log(`live-session: ${devTokenNote}`);
if (secret && !devTokens) {
  console.log('live-session: LIVE_SESSION_SECRET is set: joins need a token signed by your backend.');
  console.log('  The demo pages cannot join without one; to try them on this machine, run');
  console.log('  `npm start -- --dev-tokens` (development only: it signs tokens for anyone).');
}
console.log('');
console.log(`  live-session demo:  ${server.url}`);
console.log(`  open it, create a room, and open it as tutor and as students.`);
if (process.env.LIVE_SESSION_JANUS) console.log(`  every room's media goes through Janus (SFU) at ${process.env.LIVE_SESSION_JANUS}.`);
console.log('');

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (stopping) process.exit(1);
    stopping = true;
    server.close().then(() => process.exit(0), () => process.exit(1));
  });
}
