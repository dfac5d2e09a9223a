import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ROOM_SERVER_DEFAULTS, resolveOptions } from './options.js';
import { TestClient, startTestServer } from './test-client.node.test.js';

void describe('vanished clients', () => {
  void test('the default timings drop a silent client well within 10 s', () => {
    // A client that dies right after a pong is cut at the first ping tick after pongTimeout.
    const worstCase = ROOM_SERVER_DEFAULTS.pongTimeout + ROOM_SERVER_DEFAULTS.pingInterval;
    assert.ok(worstCase < 10_000, `worst case ${worstCase} ms`);
    // PeerJS's own HEARTBEAT timeout stays far above throttled background-tab timers (one per minute).
    assert.ok(ROOM_SERVER_DEFAULTS.peerAliveTimeout >= 120_000);
  });

  void test('timings that would drop healthy clients are refused', () => {
    assert.throws(() => resolveOptions({ pingInterval: 1000, pongTimeout: 1000 }), RangeError);
    assert.throws(() => resolveOptions({ pingInterval: 0 }), RangeError);
    assert.doesNotThrow(() => resolveOptions({ pingInterval: 1000, pongTimeout: 2500 }));
  });

  void test('a frozen client is removed (reason timeout); a connected client that sends no HEARTBEAT stays', async () => {
    const pingInterval = 100;
    const pongTimeout = 400;
    const server = await startTestServer({ pingInterval, pongTimeout });
    const frozen = await TestClient.connect(server.webSocketUrl);
    const quiet = await TestClient.connect(server.webSocketUrl);
    const watcher = await TestClient.connect(server.webSocketUrl);
    try {
      await watcher.join({ room: 'live', userId: 'watcher', name: 'Watcher', role: 'tutor' });
      await frozen.join({ room: 'live', userId: 'frozen', name: 'Frozen', role: 'student' });
      await quiet.join({ room: 'live', userId: 'quiet', name: 'Quiet', role: 'student' });
      // Nobody sends PeerJS HEARTBEATs in this test; only the websocket answers pings.
      frozen.freeze();
      const left = await watcher.next('LS-PARTICIPANT-LEFT');
      assert.deepEqual(left.payload, { id: frozen.id, userId: 'frozen', reason: 'timeout' });
      assert.ok(server.logs.some((entry) => entry.event === 'ping-timeout' && entry['peerId'] === frozen.id));

      // Several more timeout periods later the quiet (but pong-answering) client is still there.
      await new Promise((resolve) => setTimeout(resolve, pongTimeout * 4));
      assert.deepEqual(
        server.roomServer.rooms.get('live')?.participants.map((p) => p.userId),
        ['watcher', 'quiet'],
      );
      assert.ok(quiet.isOpen);
      await quiet.roundTrip();
      quiet.send({ type: 'LS-STATE', payload: { isAudioOn: true } });
      await watcher.next('LS-PARTICIPANT-UPDATED', (m) => m.payload.participant.id === quiet.id);
      assert.deepEqual(watcher.drain('LS-PARTICIPANT-LEFT'), []);
    } finally {
      await Promise.all([frozen.close(), quiet.close(), watcher.close()]);
      await server.close();
    }
  });

  void test('a frozen client that never joined is disconnected too', async () => {
    const server = await startTestServer({ pingInterval: 100, pongTimeout: 300 });
    const frozen = await TestClient.connect(server.webSocketUrl);
    try {
      assert.equal(server.roomServer.rooms.connections, 1);
      frozen.freeze();
      await new Promise<void>((resolve, reject) => {
        const guard = setTimeout(() => {
          reject(new Error('frozen socket still connected'));
        }, 4000);
        const poll = setInterval(() => {
          if (server.roomServer.rooms.connections === 0) {
            clearInterval(poll);
            clearTimeout(guard);
            resolve();
          }
        }, 20);
      });
    } finally {
      await frozen.close();
      await server.close();
    }
  });
});

void describe('idle sockets', () => {
  void test('a socket that never joins a room is closed with 1008 after the join deadline; a member stays', async () => {
    const server = await startTestServer({ joinDeadlineMs: 400, pingInterval: 100, pongTimeout: 2000 });
    const idle = await TestClient.connect(server.webSocketUrl);
    const member = await TestClient.connect(server.webSocketUrl);
    try {
      await member.join({ room: 'idle-room', userId: 'member', name: 'Member', role: 'student' });
      const guard = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the idle socket was never closed')), 5000).unref());
      const closed = await Promise.race([idle.closed, guard]);
      assert.equal(closed.code, 1008);
      assert.ok(member.isOpen, 'a member is not affected');
      await member.roundTrip();
    } finally {
      await Promise.all([idle.close(), member.close()]);
      await server.close();
    }
  });
});

