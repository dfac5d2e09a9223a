// Server commands for browser tests: a test asks the Node side to start, stop or
// restart a real server on a free loopback port, through web-test-runner's
// `executeServerCommand`. Every server started here is stopped when the run ends.
import { createServer } from 'node:http';

/** @type {Map<string, { stop: () => Promise<void>, port: number, kind: string, options: object }>} */
const servers = new Map();
let nextId = 1;

/** Listens on loopback at `port` (0: a free one); resolves with the port, and a stop that ends every connection. */
async function listenOnLoopback(httpServer, port) {
  await new Promise((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(port, '127.0.0.1', resolve);
  });
  const address = httpServer.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    stop: () =>
      new Promise((resolve) => {
        httpServer.closeAllConnections();
        httpServer.close(() => resolve());
      }),
  };
}

async function startBarePeerServer(port = 0) {
  const { ExpressPeerServer } = await import('peer');
  const express = (await import('express')).default;
  const app = express();
  const httpServer = createServer(app);
  const peerApp = ExpressPeerServer(httpServer, { path: '/' });
  peerApp.on('error', () => {});
  app.use('/', peerApp);
  return listenOnLoopback(httpServer, port);
}

async function startRoomServer(options, port = 0) {
  // The built server: `npm test` builds before the browser tests run.
  const { startRoomServer: start } = await import('../dist/server/index.js');
  const running = await start({ quiet: true, ...options, port, host: '127.0.0.1' });
  return { port: running.port, stop: () => running.close() };
}

/**
 * Janus for the SFU browser tests: the one the test harness starts (test/janus.ts,
 * loaded through tsx), or one already running named by LIVE_SESSION_TEST_JANUS
 * (`ws://host:port api-secret`, for iterating on one file).
 */
async function startJanus() {
  const given = process.env.LIVE_SESSION_TEST_JANUS;
  if (given) {
    const [url, apiSecret = ''] = given.split(/\s+/);
    return { url, apiSecret, stop: () => Promise.resolve() };
  }
  const { tsImport } = await import('tsx/esm/api');
  const harness = await tsImport('./janus.ts', import.meta.url);
  const janus = await harness.startJanus();
  return { url: janus.url, apiSecret: janus.apiSecret, stop: () => janus.stop(), kill: () => janus.kill(), restart: () => janus.restart() };
}

/**
 * A room server as an older version answers: the same server behind a relay
 * that takes `iceServers` out of every LS-JOINED (older servers sent the ICE
 * servers only at `GET <path>ice`). HTTP requests and websocket frames pass
 * through unchanged otherwise.
 */
async function startOlderRoomServer(options, port = 0) {
  const { WebSocketServer, WebSocket } = await import('ws');
  const { request } = await import('node:http');
  const inner = await startRoomServer(options, 0);
  const target = `127.0.0.1:${String(inner.port)}`;
  const sockets = new WebSocketServer({ noServer: true });
  const httpServer = createServer((req, res) => {
    const forward = request({ host: '127.0.0.1', port: inner.port, path: req.url, method: req.method, headers: { ...req.headers, host: target } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forward.on('error', () => res.writeHead(502).end());
    req.pipe(forward);
  });
  httpServer.on('upgrade', (req, socket, head) => {
    sockets.handleUpgrade(req, socket, head, (client) => {
      const upstream = new WebSocket(`ws://${target}${req.url ?? '/'}`, { headers: req.headers.origin ? { origin: req.headers.origin } : {} });
      const early = [];
      client.on('message', (data, isBinary) => {
        if (upstream.readyState === WebSocket.OPEN) upstream.send(data, { binary: isBinary });
        else early.push([data, isBinary]);
      });
      upstream.on('open', () => {
        for (const [data, isBinary] of early.splice(0)) upstream.send(data, { binary: isBinary });
      });
      upstream.on('message', (data, isBinary) => {
        let out = data;
        try {
          const message = JSON.parse(String(data));
          if (message?.type === 'LS-JOINED' && message.payload) {
            delete message.payload.iceServers;
            out = JSON.stringify(message);
          }
        } catch {
          // Not JSON: as is.
        }
        client.send(out, { binary: isBinary });
      });
      const end = () => {
        client.terminate();
        upstream.terminate();
      };
      client.on('close', end);
      upstream.on('close', end);
      client.on('error', end);
      upstream.on('error', end);
    });
  });
  const listening = await listenOnLoopback(httpServer, port);
  return {
    port: listening.port,
    stop: async () => {
      for (const client of sockets.clients) client.terminate();
      await listening.stop();
      await inner.stop();
    },
  };
}

async function start(kind, options, port) {
  if (kind === 'peer') return startBarePeerServer(port);
  if (kind === 'older-room') return startOlderRoomServer(options, port);
  return startRoomServer(options, port);
}

export function stopAllServers() {
  const all = [...servers.values()];
  servers.clear();
  return Promise.all(all.map((s) => s.stop().catch(() => {})));
}

export function serverCommandsPlugin() {
  return {
    name: 'live-session-server-commands',
    async executeCommand({ command, payload }) {
      switch (command) {
        case 'server-start': {
          const kind = payload?.kind === 'peer' || payload?.kind === 'older-room' ? payload.kind : 'room';
          const options = payload?.options ?? {};
          const started = await start(kind, options, 0);
          const id = String(nextId++);
          servers.set(id, { ...started, kind, options });
          return { id, port: started.port };
        }
        case 'server-stop': {
          const entry = servers.get(payload?.id);
          if (!entry) return { stopped: false };
          servers.delete(payload.id);
          await entry.stop();
          return { stopped: true };
        }
        case 'server-restart': {
          const entry = servers.get(payload?.id);
          if (!entry) throw new Error(`no server ${payload?.id}`);
          await entry.stop();
          const downMs = Number(payload?.downMs ?? 0);
          if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
          const started = await start(entry.kind, entry.options, entry.port);
          servers.set(payload.id, { ...started, kind: entry.kind, options: entry.options });
          return { id: payload.id, port: started.port };
        }
        case 'janus-start': {
          // A real Janus for the SFU tests: `{ url, apiSecret }` (the API secret only a
          // test talking to Janus directly uses; browsers in a room go through the room server).
          const janus = await startJanus();
          const id = String(nextId++);
          servers.set(id, { ...janus, port: 0, kind: 'janus', options: {} });
          return { id, url: janus.url, apiSecret: janus.apiSecret };
        }
        case 'janus-kill':
        case 'janus-restart': {
          // The SFU taken away (SIGKILL) and brought back on the same port.
          const janus = servers.get(payload.id);
          if (!janus || janus.kind !== 'janus' || !janus.kill) throw new Error(`no test Janus ${String(payload?.id)}`);
          await (command === 'janus-kill' ? janus.kill() : janus.restart());
          return { id: payload.id };
        }
        case 'sign-token': {
          const { signJoinToken } = await import('../dist/server/index.js');
          return { token: await signJoinToken(payload.claims, payload.secret, payload.options) };
        }
        default:
          return undefined;
      }
    },
  };
}
