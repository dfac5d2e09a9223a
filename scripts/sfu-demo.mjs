// npm run demo:sfu: the demo with every room's media going through a Janus
// (the SFU of large classes) instead of peer to peer. Writes a Janus
// configuration with the server's own generator into a temporary folder,
// starts Janus (Debian package janus) with its API on a free loopback port,
// then runs `npm start` against it, tutors allowed to record into that folder.
// Ctrl-C stops both and removes the folder.
//
// PORT and HOST as for `npm start`. With HOST on loopback (the default),
// Janus offers media on the loopback interface only.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const host = process.env.HOST ?? '127.0.0.1';

function fail(message) {
  console.error(`live-session: ${message}`);
  process.exit(2);
}

if (spawnSync('janus', ['--version'], { stdio: 'ignore' }).error) {
  fail('the SFU demo needs Janus: install it with `sudo apt-get install janus` (Debian, Ubuntu), or run `npm test` once, which installs it.');
}

if (process.env.SKIP_BUILD !== '1') {
  const build = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'inherit' });
  if (build.status !== 0) fail('the build failed; see above.');
}
const { writeJanusConfig } = await import('../dist/server/janus/janus-config.js');

const dir = mkdtempSync(join(tmpdir(), 'live-session-janus-'));
const loopback = host === '127.0.0.1' || host === 'localhost' || host === '::1';
const config = writeJanusConfig({ dir, wsPort: await freePort(), logLevel: 4, ...(loopback ? { iceInterfaces: 'lo' } : {}) });
const children = [];
let stopping = false;

function stopAll(code) {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  const done = () => {
    if (children.some((child) => child.exitCode === null && child.signalCode === null)) return;
    rmSync(dir, { recursive: true, force: true });
    process.exit(code);
  };
  for (const child of children) child.once('exit', done);
  done();
  setTimeout(() => {
    for (const child of children) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    process.exit(code);
  }, 5000).unref();
}

for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => stopAll(0));

const [command = 'janus', ...args] = config.command;
const janus = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
children.push(janus);
await new Promise((resolve) => {
  let output = '';
  const timer = setTimeout(() => {
    console.error(output.slice(-2000));
    console.error('live-session: Janus did not start within 20 s (its last lines are above).');
    stopAll(1);
  }, 20_000);
  const onData = (chunk) => {
    output = (output + chunk.toString()).slice(-20_000);
    if (/websockets server started/i.test(output)) {
      clearTimeout(timer);
      janus.stdout.off('data', onData);
      janus.stderr.off('data', onData);
      janus.stdout.resume();
      janus.stderr.resume();
      resolve();
    }
  };
  janus.stdout.on('data', onData);
  janus.stderr.on('data', onData);
  janus.once('exit', (code) => {
    clearTimeout(timer);
    if (stopping) return;
    console.error(output.slice(-2000));
    console.error(`live-session: Janus exited (${String(code)}); its last lines are above.`);
    stopAll(1);
  });
});
console.log(`live-session: Janus runs (pid ${String(janus.pid)}), its API at ${config.url}.`);

const server = spawn(process.execPath, [join(root, 'scripts/start.mjs'), ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: {
    ...process.env,
    SKIP_BUILD: '1',
    LIVE_SESSION_JANUS: config.url,
    LIVE_SESSION_JANUS_API_SECRET: config.apiSecret,
    // Tutors may record; the recordings go with the folder when the demo stops.
    LIVE_SESSION_RECORDINGS: join(dir, 'recordings'),
  },
});
children.push(server);
server.once('exit', (code) => stopAll(code ?? 1));
