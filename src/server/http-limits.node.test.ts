/**
 * Slow and oversized HTTP requests against a real server on loopback: a
 * client that declares a body and trickles it, one that never finishes its
 * headers, one that declares a huge body. The server must close each of
 * these connections itself, on every route, while websockets stay up.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import express from 'express';
import { delay } from '../../test/wait-for.js';
import { HTTP_LIMIT_DEFAULTS, applyHttpLimits, requestBodyLimit, resolveHttpLimits } from './http-limits.js';
import { createRoomServer } from './room-server.js';
import { startRoomServer } from './standalone.js';
import { TestClient, startTestServer, type TestServer } from './test-client.node.test.js';

/** Failure guard only: a connection the server never closes fails the test after this. */
const CLOSE_GUARD_MS = 15_000;
/** Failure guard only: how long the CLI may take to start. */
const START_GUARD_MS = 60_000;
/** Short limits for the tests: the server must act on them, however long it takes. */
const SHORT = { requestTimeout: 1000, headersTimeout: 500, keepAliveTimeout: 500, maxBodyBytes: 1024 };

interface RawExchange {
  /** Everything the server wrote before closing. */
  response: string;
  /** Bytes of body the client managed to send before the server closed. */
  sent: number;
}

/**
 * Opens a raw TCP connection, writes `head`, then (optionally) one body byte
 * every `trickleMs` for as long as the socket is open. Never closes the
 * connection itself: resolves when the server closes it, rejects after the guard.
 */
function rawExchange(port: number, head: string, trickleMs?: number): Promise<RawExchange> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let response = '';
    let sent = 0;
    let trickle: NodeJS.Timeout | undefined;
    const guard = setTimeout(() => {
      clearInterval(trickle);
      socket.destroy();
      reject(new Error(`the server did not close the connection; it answered ${JSON.stringify(response.slice(0, 80))}`));
    }, CLOSE_GUARD_MS);
    socket.on('connect', () => {
      if (head) socket.write(head);
      if (trickleMs !== undefined) {
        trickle = setInterval(() => {
          if (socket.writable) {
            socket.write('x');
            sent++;
          }
        }, trickleMs);
      }
    });
    socket.on('data', (chunk: Buffer) => {
      response += chunk.toString('latin1');
    });
    // A reset while the client still writes is also the server closing.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(guard);
      clearInterval(trickle);
      resolve({ response, sent });
    });
  });
}

function statusOf(response: string): number | undefined {
  const match = /^HTTP\/1\.1 (\d{3})/.exec(response);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

void describe('HTTP limits of the standalone server', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ http: SHORT });
  });
  after(async () => {
    await server.close();
  });

  void test('POST /health with a body trickled one byte at a time: the server closes the connection', async () => {
    const { response, sent } = await rawExchange(
      server.port,
      'POST /health HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\n',
      100,
    );
    assert.ok(sent < 1000, 'closed before the declared body was complete');
    assert.ok(statusOf(response) !== undefined, `an HTTP answer came first: ${JSON.stringify(response.slice(0, 80))}`);
  });

  void test('GET with a body trickled after the answer: closed too (the body is not read forever)', async () => {
    const { sent } = await rawExchange(server.port, 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n', 100);
    assert.ok(sent < 1000);
  });

  void test('a huge Content-Length gets 413 and the connection is closed without reading the body', async () => {
    for (const path of ['/health', '/ice', '/peerjs/id', '/no-such-route']) {
      const { response } = await rawExchange(
        server.port,
        `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000000000000\r\n\r\n`,
        100,
      );
      assert.equal(statusOf(response), 413, `${path}: ${response.slice(0, 80)}`);
      assert.match(response, /connection: close/i);
    }
  });

  void test('a body one byte over maxBodyBytes gets 413; at the limit it is read as usual', async () => {
    const over = await fetch(`${server.url}health`, { method: 'POST', body: 'x'.repeat(SHORT.maxBodyBytes + 1) });
    assert.equal(over.status, 413);
    assert.match(((await over.json()) as { error: string }).error, /1024 bytes/);
    const atLimit = await fetch(`${server.url}health`, { method: 'POST', body: 'x'.repeat(SHORT.maxBodyBytes) });
    assert.notEqual(atLimit.status, 413);
    await atLimit.body?.cancel();
  });

  void test('a chunked body (no length) gets 411 and the connection is closed', async () => {
    const { response } = await rawExchange(
      server.port,
      'POST /health HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n',
      100,
    );
    assert.equal(statusOf(response), 411);
  });

  void test('headers that never end get 408 and the connection is closed', async () => {
    const { response } = await rawExchange(server.port, 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    assert.equal(statusOf(response), 408);
  });

  void test('a connection that sends nothing is closed', async () => {
    const { response } = await rawExchange(server.port, '');
    assert.equal(statusOf(response), 408);
  });

  void test('an idle keep-alive connection is closed after its last answer', async () => {
    const { response } = await rawExchange(server.port, 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    assert.equal(statusOf(response), 200);
  });

  void test('headers over maxHeaderBytes get 431', async () => {
    const { response } = await rawExchange(
      server.port,
      `GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Filler: ${'a'.repeat(HTTP_LIMIT_DEFAULTS.maxHeaderBytes + 10)}\r\n\r\n`,
    );
    assert.equal(statusOf(response), 431);
  });

  void test('websockets are not cut by the request timeout; ordinary requests still work', async () => {
    const client = await TestClient.connect(server.webSocketUrl);
    try {
      // A fixed wait, only to show that something does NOT happen: the socket
      // outlives the HTTP request timeout (1 s) several times over.
      await delay(SHORT.requestTimeout * 3);
      assert.ok(client.isOpen, 'the websocket is still open');
      await client.join({ room: 'http-limits', userId: 'u-http-limits', name: 'Ada', role: 'student' });
      const health = await fetch(`${server.url}health`);
      assert.equal(health.status, 200);
      assert.deepEqual(await health.json(), { status: 'ok', janus: 'off' });
    } finally {
      await client.close();
    }
  });
});

void describe('HTTP limit settings', () => {
  void test('defaults: 20 s per request, 10 s for headers, 16 KiB of headers and body', async () => {
    const running = await startRoomServer({ port: 0, quiet: true });
    try {
      assert.equal(running.httpServer.requestTimeout, 20_000);
      assert.equal(running.httpServer.headersTimeout, 10_000);
      assert.equal(running.httpServer.keepAliveTimeout, 5_000);
      assert.equal((running.httpServer as typeof running.httpServer & { maxHeaderSize: number }).maxHeaderSize, 16 * 1024);
      const response = await fetch(`${running.url}health`, { method: 'POST', body: 'x'.repeat(16 * 1024 + 1) });
      assert.equal(response.status, 413);
    } finally {
      await running.close();
    }
  });

  void test('bad values are refused with the name of the setting', async () => {
    const table: [Record<string, number>, RegExp][] = [
      [{ requestTimeout: 0 }, /requestTimeout/],
      [{ headersTimeout: -1 }, /headersTimeout/],
      [{ requestTimeout: 1000, headersTimeout: 2000 }, /headersTimeout .* must not exceed requestTimeout/],
      [{ maxBodyBytes: 1.5 }, /maxBodyBytes/],
      [{ maxHeaderBytes: Number.NaN }, /maxHeaderBytes/],
    ];
    for (const [limits, message] of table) {
      assert.throws(() => resolveHttpLimits(limits), message);
    }
    await assert.rejects(startRoomServer({ port: 0, quiet: true, http: { requestTimeout: 0 } }), /requestTimeout/);
    // A short request timeout alone lowers the default headers timeout with it.
    assert.equal(resolveHttpLimits({ requestTimeout: 3000 }).headersTimeout, 3000);
  });

  void test("an operator's own HTTP server with applyHttpLimits and requestBodyLimit closes slow bodies", async () => {
    const app = express();
    app.use(requestBodyLimit(1024));
    const httpServer = createServer(app);
    applyHttpLimits(httpServer, { requestTimeout: 1000, headersTimeout: 500 });
    const roomServer = createRoomServer(httpServer, { quiet: true });
    app.use(roomServer.app);
    await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
    const { port } = httpServer.address() as AddressInfo;
    try {
      const slow = await rawExchange(port, 'POST /health HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n', 100);
      assert.ok(slow.sent < 1000);
      const huge = await rawExchange(port, 'POST /health HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 99999999\r\n\r\n');
      assert.equal(statusOf(huge.response), 413);
      const client = await TestClient.connect(`ws://127.0.0.1:${String(port)}${roomServer.webSocketPath}`);
      await client.close();
    } finally {
      await roomServer.close();
      httpServer.closeAllConnections();
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
    }
  });
});

void describe('HTTP limit flags of live-session-server', () => {
  const cliPath = fileURLToPath(new URL('./cli.ts', import.meta.url));
  function runCli(args: string[]): { child: ChildProcess; output: () => string } {
    const child = spawn(process.execPath, ['--import', 'tsx', cliPath, '--port', '0', '--quiet', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    return { child, output: () => output };
  }

  void test('--request-timeout and --headers-timeout apply; a headers timeout above the request timeout exits 2', async () => {
    const { child, output } = runCli(['--request-timeout', '1000', '--headers-timeout', '500', '--max-body', '10']);
    try {
      await new Promise<void>((resolve, reject) => {
        // Starting Node with tsx can take a while on a busy machine; this only stops a hang.
        const guard = setTimeout(() => reject(new Error(`not listening: ${output()}`)), START_GUARD_MS);
        child.stdout?.on('data', () => {
          if (/listening at/.test(output())) {
            clearTimeout(guard);
            resolve();
          }
        });
      });
      const port = Number(/listening at http:\/\/127\.0\.0\.1:(\d+)\//.exec(output())?.[1]);
      const slowHeaders = await rawExchange(port, 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n');
      assert.equal(statusOf(slowHeaders.response), 408);
      const body = await fetch(`http://127.0.0.1:${String(port)}/health`, { method: 'POST', body: 'eleven byte' });
      assert.equal(body.status, 413);
    } finally {
      child.kill('SIGKILL');
    }

    const bad = runCli(['--request-timeout', '1000', '--headers-timeout', '5000']);
    const code = await new Promise<number | null>((resolve) => bad.child.once('exit', resolve));
    assert.equal(code, 2);
    assert.match(bad.output(), /headersTimeout \(5000\) must not exceed requestTimeout \(1000\)/);
  });
});
