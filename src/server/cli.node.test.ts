import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { signJoinToken } from './join-token.js';
import { GUARD_MS, TestClient } from './test-client.node.test.js';

const cliPath = fileURLToPath(new URL('./cli.ts', import.meta.url));

function runCli(args: string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', cliPath, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

/** Collects stdout and resolves with the URL once the CLI prints it. */
function listeningUrl(child: ChildProcess, output: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const guard = setTimeout(() => {
      reject(new Error(`no URL printed; output: ${output.join('')}`));
    }, GUARD_MS * 3);
    child.stdout?.on('data', (chunk: Buffer) => {
      output.push(chunk.toString());
      const match = /listening at (http:\/\/\S+)/.exec(output.join(''));
      if (match?.[1]) {
        clearTimeout(guard);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(guard);
      reject(new Error(`exited with ${String(code)} before listening; output: ${output.join('')}`));
    });
  });
}

void describe('live-session-server CLI', () => {
  void test('starts, prints its URL, answers /health, serves static files, exits 0 on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'live-session-cli-'));
    writeFileSync(join(dir, 'demo.html'), '<!doctype html><title>demo</title>');
    const child = runCli(['--port', '0', '--static', dir], { LIVE_SESSION_SECRET: 'cli-test-secret-cli-test-secret-000' });
    const output: string[] = [];
    try {
      const url = await listeningUrl(child, output);
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
      const health = await fetch(`${url}health`);
      assert.equal(health.status, 200);
      const page = await fetch(`${url}demo.html`);
      assert.match(await page.text(), /<title>demo<\/title>/);
      const startLine = output.join('').split('\n').find((line) => line.includes('"event":"start"'));
      assert.ok(startLine, 'a structured start line');
      assert.equal((JSON.parse(startLine) as { mode: string }).mode, 'token');
      const exit = exited(child);
      child.kill('SIGTERM');
      assert.equal(await exit, 0);
    } finally {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  void test('--max-token-lifetime applies (a 2 h token refused under 1h); a bad duration exits 2', async () => {
    const secret = 'cli-test-secret-cli-test-secret-000';
    const child = runCli(['--port', '0', '--max-token-lifetime', '1h'], { LIVE_SESSION_SECRET: secret });
    const output: string[] = [];
    try {
      const url = await listeningUrl(child, output);
      const client = await TestClient.connect(`${url.replace(/^http/, 'ws')}peerjs`);
      const long = await signJoinToken({ room: 'cli', sub: 'user-cli', name: 'Cli', role: 'student' }, secret, { expiresIn: '2h' });
      assert.equal((await client.joinRefused({ token: long })).code, 'token-lifetime');
      await client.join({ token: await signJoinToken({ room: 'cli', sub: 'user-cli', name: 'Cli', role: 'student' }, secret, { expiresIn: '30m' }) });
      await client.close();
    } finally {
      child.kill('SIGKILL');
    }
    assert.equal(await exited(runCli(['--max-token-lifetime', 'forever'])), 2);
  });

  void test('--lti reads the tool configuration, makes the key file next to it, and serves the keyset; a bad file exits 2 naming the field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'live-session-lti-'));
    const platform = {
      issuer: 'https://lms.example.edu',
      clientId: 'tool-1',
      deploymentIds: ['1'],
      jwksUrl: 'https://lms.example.edu/jwks',
      authLoginUrl: 'https://lms.example.edu/auth',
    };
    writeFileSync(join(dir, 'lti.json'), JSON.stringify({ publicUrl: 'https://live.example.edu/', keyFile: 'tool-key.json', platforms: [platform] }));
    const child = runCli(['--port', '0', '--lti', join(dir, 'lti.json')], { LIVE_SESSION_SECRET: 'cli-test-secret-cli-test-secret-000' });
    const output: string[] = [];
    try {
      const url = await listeningUrl(child, output);
      const jwks = (await (await fetch(`${url}lti/jwks`)).json()) as { keys: { kid: string }[] };
      const stored = JSON.parse(readFileSync(join(dir, 'tool-key.json'), 'utf8')) as { kid: string };
      assert.equal(jwks.keys[0]?.kid, stored.kid);
    } finally {
      child.kill('SIGKILL');
    }
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ publicUrl: 'https://live.example.edu/', platforms: [{ ...platform, jwksUrl: 'nope' }] }));
    const bad = runCli(['--lti', join(dir, 'bad.json')], { LIVE_SESSION_SECRET: 'cli-test-secret-cli-test-secret-000' });
    let errors = '';
    bad.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    assert.equal(await exited(bad), 2);
    assert.match(errors, /platforms\[0\]\.jwksUrl/);
    rmSync(dir, { recursive: true, force: true });
  });

  void test('--help prints usage and exits 0; a bad flag exits 2', async () => {
    const help = runCli(['--help']);
    let text = '';
    help.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
    assert.equal(await exited(help), 0);
    assert.match(text, /--secret/);
    assert.match(text, /--max-token-lifetime/);
    const bad = runCli(['--no-such-flag']);
    assert.equal(await exited(bad), 2);
  });

  void test('--redis (or LIVE_SESSION_REDIS) must be a redis URL; a Redis that does not answer stops the start', async () => {
    const wrong = runCli(['--port', '0', '--redis', 'http://127.0.0.1:6379']);
    let text = '';
    wrong.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
    assert.equal(await exited(wrong), 2);
    assert.match(text, /--redis must be a redis:\/\/ or rediss:\/\/ URL/);
    // Port 1 on loopback: nothing listens there.
    const unreachable = runCli(['--port', '0', '--quiet'], { LIVE_SESSION_REDIS: 'redis://127.0.0.1:1' });
    let said = '';
    unreachable.stderr?.on('data', (chunk: Buffer) => (said += chunk.toString()));
    assert.notEqual(await exited(unreachable), 0);
    assert.match(said, /Redis did not answer/);
  });
});
