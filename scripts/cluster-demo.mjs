// npm run demo:cluster: the demo on several room server processes sharing
// rooms through Redis, behind a small load balancer that sends each new
// connection to the next process in turn and passes over a process that is
// down. Open the printed URL in several tabs: they land on different
// processes and still meet in one room. Kill a process (its pid is printed)
// and watch its participants come back through another.
//
// Options: --processes <n> (default 2). PORT/HOST: where the balancer listens
// (default 127.0.0.1:8080). LIVE_SESSION_REDIS: use that Redis instead of
// starting one (the redis-server program, Debian package redis-server).
import { spawn, spawnSync } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.mjs';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { processes: { type: 'string' } } });
const count = Number(values.processes ?? 2);
if (!Number.isInteger(count) || count < 1 || count > 16) {
  console.error('live-session: --processes must be a whole number from 1 to 16');
  process.exit(2);
}
const host = process.env.HOST ?? '127.0.0.1';
const children = [];

function stopAll() {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
}

/** Spawns a child and resolves once `pattern` shows in its output. */
function started(command, args, env, pattern, what) {
  const child = spawn(command, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk) => {
      output += chunk.toString();
      const match = pattern.exec(output);
      if (match) resolve({ child, match });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', (error) => reject(new Error(`${what} could not start: ${error.message}`)));
    child.once('exit', (code) => reject(new Error(`${what} exited (${code}):\n${output.slice(-1000)}`)));
  });
}

try {
  if (process.env.SKIP_BUILD !== '1') {
    const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
    if (build.status !== 0) throw new Error('the build failed; see above');
  }
  let redisUrl = process.env.LIVE_SESSION_REDIS;
  if (!redisUrl) {
    const port = await freePort();
    await started('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {}, /Ready to accept connections/, 'redis-server').catch((error) => {
      throw new Error(`${error.message}\n  Install it (Debian: apt-get install redis-server), or set LIVE_SESSION_REDIS to a Redis URL.`);
    });
    redisUrl = `redis://127.0.0.1:${port}`;
  }
  const backends = [];
  for (let i = 0; i < count; i++) {
    const { child, match } = await started(
      process.execPath,
      ['scripts/start.mjs'],
      { SKIP_BUILD: '1', PORT: String(await freePort()), HOST: '127.0.0.1', LIVE_SESSION_REDIS: redisUrl },
      /live-session demo:\s+http:\/\/127\.0\.0\.1:(\d+)\//,
      `room server process ${i + 1}`,
    );
    backends.push({ port: Number(match[1]), pid: child.pid });
  }

  // Each new connection to the next process in turn; a process that refuses is passed over.
  let turn = 0;
  const balancer = createServer((client) => {
    client.pause();
    const first = turn++ % backends.length;
    const attempt = (tries) => {
      if (tries === backends.length) return client.destroy();
      const upstream = connect(backends[(first + tries) % backends.length].port, '127.0.0.1');
      let connected = false;
      upstream.once('error', () => {
        upstream.destroy();
        if (connected) client.destroy();
        else attempt(tries + 1);
      });
      upstream.once('connect', () => {
        connected = true;
        client.on('error', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
        client.on('close', () => upstream.destroy());
        client.pipe(upstream).pipe(client);
        client.resume();
      });
    };
    attempt(0);
  });
  const wanted = Number(process.env.PORT ?? 8080);
  await new Promise((resolve, reject) => {
    balancer.once('error', (error) => {
      if (error.code !== 'EADDRINUSE') return reject(error);
      console.log(`live-session: port ${wanted} is taken; using a free port.`);
      balancer.listen(0, host, resolve);
    });
    balancer.listen(wanted, host, resolve);
  });
  const url = `http://${host}:${balancer.address().port}/`;
  console.log('');
  console.log(`  live-session demo on ${count} processes sharing rooms through ${redisUrl}:`);
  console.log(`  ${url}`);
  for (const [i, backend] of backends.entries()) console.log(`    process ${i + 1}: pid ${backend.pid}, port ${backend.port}`);
  console.log('  Open the room in several tabs: each lands on the next process, all meet in one room.');
  console.log('  `kill -9 <pid>` one process: its people come back through another within seconds.');
  console.log('');
} catch (error) {
  console.error(`live-session: ${error instanceof Error ? error.message : String(error)}`);
  stopAll();
  process.exit(1);
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    stopAll();
    setTimeout(() => process.exit(0), 1500).unref();
  });
}
