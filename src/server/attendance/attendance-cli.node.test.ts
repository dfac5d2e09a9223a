/** The attendance flags of live-session-server, on the real command. */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, test } from 'node:test';
import { waitFor } from '../../../test/wait-for.js';

const cliPath = fileURLToPath(new URL('../cli.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'live-session-attendance-cli-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

interface Run {
  child: ChildProcess;
  stdout: string[];
  stderr: string[];
  exited: Promise<number | null>;
}

function runCli(args: string[], env: Record<string, string> = {}): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', cliPath, '--port', '0', '--quiet', ...args], {
    env: { ...process.env, LIVE_SESSION_SECRET: 'cli-attendance-secret-long-enough-000', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stdout, stderr, exited };
}

void describe('live-session-server attendance flags', () => {
  void test('--attendance <file> with a webhook (secret from the environment) starts and creates the file', async () => {
    const file = join(dir, 'attendance.sqlite');
    const run = runCli(['--attendance', file, '--attendance-webhook', 'http://127.0.0.1:9/hook'], {
      LIVE_SESSION_ATTENDANCE_WEBHOOK_SECRET: 'a-webhook-secret-of-some-length',
    });
    try {
      const url = await waitFor(() => /listening at (\S+)/.exec(run.stdout.join(''))?.[1], `the URL; stderr: ${run.stderr.join('')}`, 20_000);
      assert.ok(existsSync(file), 'the file is there from the start');
      const answer = await fetch(`${url}attendance/some-room.csv`);
      assert.equal(answer.status, 401, 'the route is on and asks for a token');
    } finally {
      run.child.kill('SIGTERM');
    }
    assert.equal(await run.exited, 0);
  });

  void test('LIVE_SESSION_ATTENDANCE turns it on too', async () => {
    const file = join(dir, 'from-env.sqlite');
    const run = runCli([], { LIVE_SESSION_ATTENDANCE: file });
    try {
      await waitFor(() => /listening at/.test(run.stdout.join('')), `the URL; stderr: ${run.stderr.join('')}`, 20_000);
      assert.ok(existsSync(file));
    } finally {
      run.child.kill('SIGTERM');
    }
    assert.equal(await run.exited, 0);
  });

  void test('a webhook without its secret exits 2 and says why', async () => {
    const run = runCli(['--attendance-webhook', 'https://lms.example.edu/hook']);
    assert.equal(await run.exited, 2);
    assert.match(run.stderr.join(''), /webhookSecret must be given with webhookUrl/);
  });

  void test('--help lists the flags', async () => {
    const run = runCli(['--help']);
    assert.equal(await run.exited, 0);
    const help = run.stdout.join('');
    for (const flag of ['--attendance <file>', '--attendance-webhook <url>', '--attendance-webhook-secret <s>', 'LIVE_SESSION_ATTENDANCE_WEBHOOK_SECRET']) {
      assert.ok(help.includes(flag), `${flag} is in the help`);
    }
  });
});
