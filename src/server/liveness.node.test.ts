import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LivenessMonitor, livenessVerdict, type LivenessTiming, type LivenessVerdict, type WatchedConnection } from './liveness.js';
import { ROOM_SERVER_DEFAULTS, resolveOptions } from './options.js';
import { waitFor } from '../../test/wait-for.js';
import { TokenBucket } from './frames.js';
import { SocketSession, type GatedWebSocket } from './socket-session.js';
import { GUARD_MS, TestClient, startTestServer } from './test-client.node.test.js';

void describe('ping payloads', () => {
  /** A session over a stand-in socket that records the ping payloads it is given. */
  function sessionWithPings(): { session: SocketSession; sent: Buffer[] } {
    const sent: Buffer[] = [];
    const socket = { ping: (data: Buffer) => sent.push(Buffer.from(data)), readyState: 1 } as unknown as GatedWebSocket;
    return { session: new SocketSession(socket, 'p', 'token', '127.0.0.1', new TokenBucket(1, 1), 1024, 0), sent };
  }

  void test('only the echo of one of our last four pings is proof of life; a late answer counts, an answer never counts twice', () => {
    const { session, sent } = sessionWithPings();
    for (let i = 0; i < 6; i++) session.ping();
    assert.equal(new Set(sent.map((b) => b.toString('hex'))).size, 6, 'every payload is fresh');
    assert.equal(session.onPong(Buffer.from('000000000000', 'hex'), 1), false, 'a guessed payload');
    assert.equal(session.onPong(Buffer.alloc(0), 1), false, 'an empty pong');
    assert.equal(session.onPong(sent[0] as Buffer, 1), false, 'older than the last four');
    assert.equal(session.onPong(sent[3] as Buffer, 2), true, 'a late answer to a kept ping');
    assert.equal(session.lastPongAt, 2);
    assert.equal(session.onPong(sent[3] as Buffer, 3), false, 'the same answer again');
    assert.equal(session.onPong(sent[2] as Buffer, 3), false, 'an older ping than one answered');
    assert.equal(session.onPong(sent[5] as Buffer, 4), true, 'the newest');
    assert.equal(session.onPong(sent[4] as Buffer, 5), false);
    assert.equal(session.lastPongAt, 4);
  });
});

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

      // Four more timeout periods of pings later, the quiet (but pong-answering) client is still there.
      const pingsNow = quiet.pings;
      await waitFor(() => quiet.pings >= pingsNow + (4 * pongTimeout) / pingInterval, 'the server keeps pinging', GUARD_MS * 2, 20);
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
      await waitFor(() => server.roomServer.rooms.connections === 0, 'the frozen socket is disconnected', GUARD_MS, 20);
    } finally {
      await frozen.close();
      await server.close();
    }
  });
});

void describe('signs of life for the client', () => {
  void test('LS-PING is answered with LS-PONG at once, before and after the join', async () => {
    const server = await startTestServer();
    const client = await TestClient.connect(server.webSocketUrl, 'pinger-1');
    try {
      client.send({ type: 'LS-PING' });
      assert.equal((await client.nextOf(['LS-PONG', 'LS-ERROR'])).type, 'LS-PONG');
      await client.join({ room: 'pings', userId: 'pinger', name: 'Pia', role: 'student' });
      client.send({ type: 'LS-PING' });
      assert.equal((await client.nextOf(['LS-PONG', 'LS-ERROR'])).type, 'LS-PONG');
    } finally {
      await client.close();
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


/** A connection as the monitor sees it, with what the monitor did to it. */
class FakeConnection implements WatchedConnection {
  isOpen = true;
  inRoom = false;
  lastPongAt: number;
  inRoomAt: number;
  bufferedAmount = 0;
  overBufferSince: number | undefined = undefined;
  readonly done: string[] = [];

  constructor(now: number) {
    this.lastPongAt = now;
    this.inRoomAt = now;
  }
}

void describe('liveness monitor (injected clock, no sockets)', () => {
  const timing: LivenessTiming = { pingInterval: 100, pongTimeout: 250, joinDeadlineMs: 1000, maxBufferedBytes: 1000 };

  const cases: Array<{ label: string; connection: Partial<FakeConnection>; now: number; expected: LivenessVerdict['action'] }> = [
    { label: 'closed socket', connection: { isOpen: false, lastPongAt: -10_000 }, now: 0, expected: 'skip' },
    { label: 'fresh pong', connection: { lastPongAt: 0 }, now: 100, expected: 'ping' },
    { label: 'silent exactly pongTimeout', connection: { lastPongAt: 0 }, now: 250, expected: 'ping' },
    { label: 'silent past pongTimeout', connection: { lastPongAt: 0 }, now: 251, expected: 'timed-out' },
    { label: 'outside a room up to the deadline', connection: { lastPongAt: 1000, inRoomAt: 0 }, now: 1000, expected: 'ping' },
    { label: 'outside a room past the deadline', connection: { lastPongAt: 1001, inRoomAt: 0 }, now: 1001, expected: 'no-room' },
    { label: 'in a room, long ago seen there', connection: { lastPongAt: 5000, inRoomAt: 0, inRoom: true }, now: 5000, expected: 'ping' },
    { label: 'outside a room and silent: the deadline wins', connection: { lastPongAt: 0, inRoomAt: 0 }, now: 2000, expected: 'no-room' },
    { label: 'unsent data over the bound, briefly', connection: { bufferedAmount: 1001, overBufferSince: 0 }, now: 250, expected: 'ping' },
    { label: 'unsent data over the bound past pongTimeout', connection: { bufferedAmount: 1001, overBufferSince: 0 }, now: 251, expected: 'stalled' },
    { label: 'unsent data back under the bound', connection: { bufferedAmount: 1000, overBufferSince: 0, lastPongAt: 300 }, now: 300, expected: 'ping' },
    { label: 'unsent data over four times the bound', connection: { bufferedAmount: 4001 }, now: 1, expected: 'stalled' },
  ];
  for (const { label, connection, now, expected } of cases) {
    void test(`${label} → ${expected}`, () => {
      const fake = Object.assign(new FakeConnection(0), connection);
      assert.equal(livenessVerdict(fake, now, timing).action, expected);
    });
  }

  void test('ticks of an injected clock: pinged while answering, cut once silent, closed when roomless', () => {
    let now = 0;
    const answering = Object.assign(new FakeConnection(0), { inRoom: true });
    const silent = Object.assign(new FakeConnection(0), { inRoom: true });
    const roomless = new FakeConnection(0);
    // Answers pings but stops reading the rest: its unsent data grows on every tick.
    const stalling = Object.assign(new FakeConnection(0), { inRoom: true });
    const connections = [answering, silent, roomless, stalling];
    const monitor = new LivenessMonitor<FakeConnection>(
      timing,
      {
        connections: () => connections,
        ping: (c) => {
          c.done.push('ping');
          if (c !== silent) c.lastPongAt = now;
          if (c === stalling) c.bufferedAmount += 600;
        },
        timedOut: (c) => {
          c.done.push('timed-out');
          c.isOpen = false;
        },
        stalled: (c) => {
          c.done.push('stalled');
          c.isOpen = false;
        },
        noRoom: (c) => {
          c.done.push('no-room');
          c.isOpen = false;
        },
      },
      () => now,
    );
    for (now = 100; now <= 1200; now += 100) monitor.check();
    assert.deepEqual(silent.done, ['ping', 'ping', 'timed-out']);
    // Over the bound from the tick at 300 (1200 bytes) and still over at 600, more than pongTimeout later: cut.
    assert.deepEqual(stalling.done, ['ping', 'ping', 'ping', 'ping', 'ping', 'stalled']);
    assert.equal(answering.done.length, 12);
    assert.ok(answering.done.every((action) => action === 'ping'));
    assert.deepEqual(roomless.done.at(-1), 'no-room');
    assert.equal(roomless.done.filter((action) => action === 'ping').length, 10);
    // A member's "last seen in a room" follows the clock.
    assert.equal(answering.inRoomAt, 1200);
  });

  void test('a process that did not run for a while (paused, starved) holds nobody\'s silence over that time against them', () => {
    let now = 0;
    const answering = Object.assign(new FakeConnection(0), { inRoom: true });
    const silent = Object.assign(new FakeConnection(0), { inRoom: true });
    const roomless = new FakeConnection(0);
    const late: number[] = [];
    const monitor = new LivenessMonitor<FakeConnection>(
      timing,
      {
        connections: () => [answering, silent, roomless],
        ping: (c) => {
          c.done.push('ping');
          if (c !== silent) c.lastPongAt = now;
        },
        timedOut: (c) => {
          c.done.push('timed-out');
          c.isOpen = false;
        },
        stalled: () => undefined,
        noRoom: (c) => {
          c.done.push('no-room');
          c.isOpen = false;
        },
        resumed: (lateByMs) => {
          late.push(lateByMs);
        },
      },
      () => now,
    );
    now = 100;
    monitor.check();
    // The next tick comes 10 s late: the pongs that came meanwhile were never read.
    now = 10_200;
    monitor.check();
    assert.deepEqual(late, [10_000]);
    for (const c of [answering, silent, roomless]) assert.deepEqual(c.done, ['ping', 'ping']);
    // From then on the clocks run as usual: the silent one is cut a pong timeout after the resume.
    for (now = 10_300; now <= 11_000; now += 100) monitor.check();
    assert.equal(silent.done.at(-1), 'timed-out');
    assert.ok(answering.done.every((action) => action === 'ping'));
  });

  void test('start() ticks on the injected timer; stop() cancels it', () => {
    const ticks: Array<() => void> = [];
    let cleared = 0;
    let checks = 0;
    const monitor = new LivenessMonitor<FakeConnection>(
      timing,
      {
        connections: () => {
          checks += 1;
          return [];
        },
        ping: () => undefined,
        timedOut: () => undefined,
        stalled: () => undefined,
        noRoom: () => undefined,
      },
      () => 0,
      {
        setInterval: (callback, ms) => {
          assert.equal(ms, timing.pingInterval);
          ticks.push(callback);
          return { unref: () => undefined };
        },
        clearInterval: () => {
          cleared += 1;
        },
      },
    );
    monitor.start();
    monitor.start();
    assert.equal(ticks.length, 1, 'one timer only');
    ticks[0]?.();
    ticks[0]?.();
    assert.equal(checks, 2);
    monitor.stop();
    assert.equal(cleared, 1);
  });
});
