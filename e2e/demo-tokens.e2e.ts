/**
 * The demo server (`npm start`) as an attacker meets it: its development
 * token signer must not hand out tutor tokens unless a developer asked for it
 * on their own machine, its HTTP routes must cut slow and huge requests, and
 * the embed snippet of the room page must not carry markup from a crafted link.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { resolve } from 'node:path';
import { describe, test } from 'node:test';
import { chromium } from 'playwright-core';
import { chromiumArgs, chromiumPath } from '../scripts/browsers.mjs';
import { waitFor } from './harness.js';

const ROOT = resolve(import.meta.dirname, '..');
const SECRET = 'demo-tokens-test-secret-long-enough-for-hs256';
/** Failure guard only: starting Node on a busy machine can be slow. */
const START_GUARD_MS = 60_000;
/** Failure guard only: a connection the server never closes fails the test after this. */
const CLOSE_GUARD_MS = 15_000;

interface Demo {
  url: string;
  output: () => string;
  stop: () => Promise<void>;
}

function spawnDemo(args: string[], env: Record<string, string>): { child: ChildProcess; output: () => string } {
  const inherited = { ...process.env };
  delete inherited['NODE_ENV'];
  delete inherited['LIVE_SESSION_SECRET'];
  delete inherited['LIVE_SESSION_DEV_TOKENS'];
  const child = spawn(process.execPath, [resolve(ROOT, 'scripts/start.mjs'), ...args], {
    env: { ...inherited, SKIP_BUILD: '1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output };
}

async function startDemo(args: string[], env: Record<string, string>): Promise<Demo> {
  const { child, output } = spawnDemo(args, env);
  const url = await new Promise<string>((done, fail) => {
    const guard = setTimeout(() => fail(new Error(`the demo did not start: ${output()}`)), START_GUARD_MS);
    const check = (): void => {
      const match = /live-session demo:\s+(\S+)/.exec(output());
      if (match?.[1]) {
        clearTimeout(guard);
        done(match[1]);
      }
    };
    child.stdout?.on('data', check);
    child.stderr?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(guard);
      fail(new Error(`the demo exited (${String(code)}): ${output()}`));
    });
  });
  return {
    url,
    output,
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null) {
          done();
          return;
        }
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}

function exitOf(args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const { child, output } = spawnDemo(args, env);
  return new Promise((done) => child.once('exit', (code) => done({ code, output: output() })));
}

/** What a stranger gets from the signer when asking for a tutor token. */
async function askForTutorToken(demo: Demo): Promise<{ status: number; body: { token?: string; error?: string } }> {
  const query = new URLSearchParams({ room: 'physics', name: 'Mallory', role: 'tutor', userId: 'mallory' });
  const response = await fetch(`${demo.url}demo/dev-token?${query}`);
  return { status: response.status, body: (await response.json()) as { token?: string; error?: string } };
}

async function config(demo: Demo): Promise<{ tokens: boolean; devTokens: boolean }> {
  return (await (await fetch(`${demo.url}demo/config.json`)).json()) as { tokens: boolean; devTokens: boolean };
}

function claims(token: string): Record<string, unknown> {
  const [, payload] = token.split('.');
  return JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

void describe('demo: development token signer', { timeout: 300_000 }, () => {
  void test('with a secret and NODE_ENV=production: no token for anyone', async () => {
    const demo = await startDemo([], { LIVE_SESSION_SECRET: SECRET, NODE_ENV: 'production' });
    try {
      const { status, body } = await askForTutorToken(demo);
      assert.equal(status, 404);
      assert.equal(body.token, undefined);
      assert.match(String(body.error), /signer is off/);
      assert.deepEqual(await config(demo), { tokens: true, devTokens: false });
    } finally {
      await demo.stop();
    }
  });

  void test('with a secret and no --dev-tokens: off by default', async () => {
    const demo = await startDemo([], { LIVE_SESSION_SECRET: SECRET });
    try {
      const { status, body } = await askForTutorToken(demo);
      assert.equal(status, 404);
      assert.equal(body.token, undefined);
      assert.match(demo.output(), /--dev-tokens/, 'the start output says how to turn it on');
      assert.doesNotMatch(demo.output(), /TOKEN SIGNER ON/);
    } finally {
      await demo.stop();
    }
  });

  void test('--dev-tokens or LIVE_SESSION_DEV_TOKENS=1 with NODE_ENV=production: refuses to start', async () => {
    for (const [args, env] of [
      [['--dev-tokens'], { LIVE_SESSION_SECRET: SECRET, NODE_ENV: 'production' }],
      [[], { LIVE_SESSION_SECRET: SECRET, NODE_ENV: 'production', LIVE_SESSION_DEV_TOKENS: '1' }],
    ] as const) {
      const { code, output } = await exitOf([...args], env);
      assert.equal(code, 2, output);
      assert.match(output, /refusing to start/);
      assert.doesNotMatch(output, /live-session demo:/);
    }
  });

  void test('with a secret and --dev-tokens: signs, says so loudly at start and logs every token', async () => {
    const demo = await startDemo(['--dev-tokens'], { LIVE_SESSION_SECRET: SECRET });
    try {
      // The banner may reach the pipe just after the line that says the demo listens.
      await waitFor(() => /DEVELOPMENT TOKEN SIGNER ON/.test(demo.output()), 'the loud start banner');
      assert.deepEqual(await config(demo), { tokens: true, devTokens: true });
      const { status, body } = await askForTutorToken(demo);
      assert.equal(status, 200);
      assert.ok(body.token);
      assert.equal(claims(body.token)['role'], 'tutor');
      await waitFor(() => /DEVELOPMENT token signed: role=tutor room="physics" user="mallory"/.test(demo.output()), 'the token is logged');
    } finally {
      await demo.stop();
    }
  });

  void test('without a secret, --dev-tokens changes nothing (open mode needs no token)', async () => {
    const demo = await startDemo(['--dev-tokens'], {});
    try {
      const { status } = await askForTutorToken(demo);
      assert.equal(status, 404);
      assert.doesNotMatch(demo.output(), /TOKEN SIGNER ON/);
      assert.deepEqual(await config(demo), { tokens: false, devTokens: false });
    } finally {
      await demo.stop();
    }
  });
});

/** Writes `head`, then a body byte every `trickleMs`; resolves with the answer once the server closes. */
function rawExchange(url: string, head: string, trickleMs?: number): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((done, fail) => {
    const socket = connect(Number(port), hostname);
    let response = '';
    let trickle: NodeJS.Timeout | undefined;
    const guard = setTimeout(() => {
      clearInterval(trickle);
      socket.destroy();
      fail(new Error(`the demo server did not close the connection; it answered ${JSON.stringify(response.slice(0, 80))}`));
    }, CLOSE_GUARD_MS);
    socket.on('connect', () => {
      socket.write(head);
      if (trickleMs !== undefined) {
        trickle = setInterval(() => {
          if (socket.writable) socket.write('x');
        }, trickleMs);
      }
    });
    socket.on('data', (chunk: Buffer) => (response += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(guard);
      clearInterval(trickle);
      done(response);
    });
  });
}

void describe('demo: HTTP limits', { timeout: 120_000 }, () => {
  void test('slow bodies, slow headers and huge bodies are cut on the demo routes too', async () => {
    const demo = await startDemo(['--request-timeout', '1000', '--headers-timeout', '500'], {});
    try {
      for (const path of ['/health', '/demo/config.json', '/room.html', '/dist/live-session.bundle.js']) {
        const slow = await rawExchange(demo.url, `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n`, 100);
        assert.match(slow, /^HTTP\/1\.1 \d{3}/, `${path}: answered, then closed`);
        const huge = await rawExchange(demo.url, `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000000\r\n\r\n`, 100);
        assert.match(huge, /^HTTP\/1\.1 413/, path);
      }
      const slowHeaders = await rawExchange(demo.url, 'GET / HTTP/1.1\r\nHost: x\r\n');
      assert.match(slowHeaders, /^HTTP\/1\.1 408/);
      const page = await fetch(demo.url);
      assert.equal(page.status, 200);
      assert.equal(page.headers.get('x-powered-by'), null);
    } finally {
      await demo.stop();
    }
  });
});

void describe('demo: embed snippet', { timeout: 120_000 }, () => {
  void test('a crafted room or name in the link cannot put markup into the copied snippet', async () => {
    const demo = await startDemo([], {});
    const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
    try {
      const page = await browser.newPage();
      const room = `x"><img src=x onerror="window.pwned=1"><script>window.pwned=2</script><b a='`;
      const name = `Eve' onmouseover='window.pwned=3' &quot; &amp; <i>`;
      const params = new URLSearchParams({ room, name, role: 'tutor', topology: 'star' });
      await page.goto(`${demo.url}room.html?${params}`);
      const snippet = await waitFor(() => page.locator('#snippet').textContent(), 'the snippet is shown');
      // Parse the copied text exactly as a page that pastes it would.
      const parsed = await page.evaluate((html) => {
        const doc = new DOMParser().parseFromString(`<!doctype html><body>${html}</body>`, 'text/html');
        return {
          tags: [...doc.body.querySelectorAll('*')].map((element) => element.localName),
          attributes: [...(doc.querySelector('live-session')?.attributes ?? [])].map((attribute) => [attribute.name, attribute.value]),
        };
      }, snippet);
      assert.deepEqual(parsed.tags, ['script', 'live-session'], snippet);
      assert.deepEqual(parsed.attributes, [
        ['server', demo.url],
        ['room', room],
        ['name', name],
        ['user-role', 'tutor'],
        ['topology', 'star'],
      ]);
      assert.equal(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned), undefined);
    } finally {
      await browser.close();
      await demo.stop();
    }
  });
});
