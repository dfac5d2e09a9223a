/**
 * The room server's connection to a real Janus (started with the project's
 * own configuration): VideoRooms created and destroyed, refusals reported,
 * and Janus killed and started again: down, then up, with the state changes
 * told once each.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
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
