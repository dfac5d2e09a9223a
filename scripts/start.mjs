// npm start: builds the package, then runs one live-session server that also
// serves the demo pages and the bundle, and prints the URL to open.
// PORT and HOST choose where it listens (default 127.0.0.1:8080, or a free port
// when 8080 is taken). LIVE_SESSION_SECRET turns on signed join tokens.
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);

if (process.env.SKIP_BUILD !== '1') {
  const build = spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
  if (build.status !== 0) {
    console.error('live-session: the build failed; see above.');
    process.exit(1);
  }
}

const { createRoomServer } = await import('../dist/server/index.js');
const { mountDemo } = await import('../demo/demo-server.mjs');
const express = (await import('express')).default;

const host = process.env.HOST ?? '127.0.0.1';
const wanted = Number(process.env.PORT ?? 8080);
const secret = process.env.LIVE_SESSION_SECRET || undefined;

/** The room server mounted in an Express app next to the demo pages, as an operator would. */
async function start(port) {
  const app = express();
  const httpServer = createServer(app);
  mountDemo(app, { root, secret });
  const roomServer = createRoomServer(httpServer, { ...(secret ? { secret } : {}) });
  app.use(roomServer.app);
  await new Promise((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(port, host, resolve);
  });
  const address = httpServer.address();
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${address.port}/`,
    close: async () => {
      await roomServer.close();
      await new Promise((resolve) => httpServer.close(() => resolve()));
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

console.log('');
console.log(`  live-session demo:  ${server.url}`);
console.log(`  open it, create a room, and open it as tutor and as students.`);
console.log('');

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (stopping) process.exit(1);
    stopping = true;
    server.close().then(() => process.exit(0), () => process.exit(1));
  });
}
