/**
 * The room server's connection to a real Janus (started with the project's
 * own configuration): VideoRooms created and destroyed, refusals reported,
 * and Janus killed and started again: down, then up, with the state changes
 * told once each.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { freePort } from '../../../test/free-port.js';
import { startJanus, type TestJanus } from '../../../test/janus.js';
import { waitFor } from '../../../test/wait-for.js';
import { JanusAdmin, type JanusState } from './janus-admin.js';

void describe('the room server\'s Janus connection', () => {
  let janus: TestJanus;
  let admin: JanusAdmin;
  const states: JanusState[] = [];
  const logs: string[] = [];

  before(async () => {
    janus = await startJanus();
    admin = new JanusAdmin({
      url: janus.url,
      apiSecret: janus.apiSecret,
      stateChanged: (state) => states.push(state),
      log: (_level, event) => logs.push(event),
    });
    assert.ok(await admin.whenUp(10_000), 'up');
  });
  after(async () => {
    admin.close();
    await janus.stop();
  });

  void test('creates a private VideoRoom with a pin, lists it only with the room\'s secret, destroys it', async () => {
    const room = 1 + Math.floor(Math.random() * 2 ** 40);
    await admin.videoroom({ request: 'create', room, secret: 'room-secret-1', pin: 'room-pin-1', is_private: true, publishers: 50, videocodec: 'vp8' });
    assert.equal((await admin.videoroom({ request: 'exists', room }))['exists'], true);
    // Private: not listed.
    const listed = (await admin.videoroom({ request: 'list' }))['list'] as Array<{ room: number }>;
    assert.ok(!listed.some((r) => r.room === room));
    await assert.rejects(admin.videoroom({ request: 'destroy', room, secret: 'wrong' }), /VideoRoom error/);
    await admin.videoroom({ request: 'destroy', room, secret: 'room-secret-1' });
    assert.equal((await admin.videoroom({ request: 'exists', room }))['exists'], false);
  });

  void test('a wrong API secret is refused by Janus', async () => {
    const intruder = new JanusAdmin({ url: janus.url, apiSecret: 'not-the-secret-at-all', log: () => undefined });
    try {
      assert.equal(await intruder.whenUp(2000), false);
      assert.equal(intruder.state, 'down');
    } finally {
      intruder.close();
    }
  });

  void test('Janus killed: down (told once); started again: up, and requests work again', async () => {
    await janus.kill();
    await waitFor(() => admin.state === 'down', 'down');
    await assert.rejects(admin.videoroom({ request: 'list' }), /Janus is down/);
    await janus.restart();
    await waitFor(() => admin.state === 'up', 'up again', 20_000);
    assert.ok(Array.isArray((await admin.videoroom({ request: 'list' }))['list']));
    assert.deepEqual(states, ['up', 'down', 'up'], 'up at first, then down and up once each');
    assert.ok(logs.includes('janus-down') && logs.includes('janus-up'));
  });
});

void describe('live-session-server janus-config', () => {
  void test('writes a directory that Janus runs as printed, its API on the given port with the given secret, and nothing else listening', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'live-session-janus-cli-'));
    const port = await freePort();
    const cli = fileURLToPath(new URL('../cli.ts', import.meta.url));
    const printed = execFileSync(process.execPath, ['--import', 'tsx', cli, 'janus-config', '--out', dir, '--ws-port', String(port), '--api-secret', 'a-secret-for-the-cli-test', '--ice-interfaces', 'lo'], { encoding: 'utf8' });
    const command = /Run Janus: +(.+)/.exec(printed)?.[1]?.split(' ');
    assert.ok(command, printed);
    assert.match(printed, new RegExp(`ws://127\\.0\\.0\\.1:${String(port)}`));
    // The secrets are in these files: their owner alone may read them.
    for (const name of ['janus.jcfg', 'janus.transport.websockets.jcfg', 'janus.plugin.videoroom.jcfg']) {
      assert.equal(statSync(join(dir, name)).mode & 0o777, 0o600, name);
    }
    const [file = 'janus', ...args] = command;
    const child = spawn(file, args, { stdio: 'ignore' });
    const admin = new JanusAdmin({ url: `ws://127.0.0.1:${String(port)}`, apiSecret: 'a-secret-for-the-cli-test', log: () => undefined });
    try {
      assert.ok(await admin.whenUp(20_000), 'Janus runs with the written configuration');
      // VideoRoom is there (the one plugin left on).
      assert.ok(Array.isArray((await admin.videoroom({ request: 'list' }))['list']));
    } finally {
      admin.close();
      await new Promise((resolve) => {
        child.once('exit', resolve);
        child.kill('SIGTERM');
      });
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
