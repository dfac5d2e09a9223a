/**
 * Hostile sockets (issue rows 1, 6, 7, 8, 12): each test reproduces an attack
 * against a real server on loopback, bounded in time and count. "Another
 * address" is another loopback source address (127.0.0.2, 127.0.0.3).
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { describe, test } from 'node:test';
import { WebSocket } from 'ws';
import { waitFor } from '../../test/wait-for.js';
import { GUARD_MS, TestClient, identity, withServer } from './test-client.node.test.js';


void describe('row 1: members that stop reading', () => {
  void test('unsolicited pongs are not proof of life: a frozen client sending them is still cut (timeout)', async () => {
    // pongTimeout generous enough for a loaded machine; the frozen client is still cut once it passes.
    await withServer({ pingInterval: 250, pongTimeout: 1500 }, async (server, opened) => {
      const tutor = await TestClient.connect(server.webSocketUrl);
      const frozen = await TestClient.connect(server.webSocketUrl);
      opened.push(tutor, frozen);
      await tutor.join(identity('Tutor', 'tutor', 'pongs'));
      await frozen.join(identity('Frozen', 'student', 'pongs'));
      frozen.freeze();
      const pongs = setInterval(() => {
        if (frozen.socket.readyState === WebSocket.OPEN) frozen.socket.pong();
      }, 20);
      try {
        const left = await tutor.next('LS-PARTICIPANT-LEFT');
        assert.deepEqual(left.payload, { id: frozen.id, userId: 'frozen-pongs', reason: 'timeout' });
        assert.ok(server.logs.some((entry) => entry.event === 'ping-timeout' && entry['peerId'] === frozen.id));
      } finally {
        clearInterval(pongs);
      }
    });
  });

  void test('a member whose unsent data stays over maxBufferedBytes is cut; the sender and the room carry on', async () => {
    // pongTimeout far above the test's length: only the send buffer can cut the reader.
    const maxBufferedBytes = 64 * 1024;
    // A relay budget far above the default: here the sender stands for many members writing to one reader.
    await withServer({ pingInterval: 100, pongTimeout: 60_000, maxBufferedBytes, relayBytesPerSecond: 10 * 1024 * 1024 }, async (server, opened) => {
      const tutor = await TestClient.connect(server.webSocketUrl);
      const reader = await TestClient.connect(server.webSocketUrl);
      const stalled = await TestClient.connect(server.webSocketUrl);
      opened.push(tutor, reader, stalled);
      await tutor.join(identity('Tutor', 'tutor', 'buffers'));
      await reader.join(identity('Reader', 'student', 'buffers'));
      await stalled.join(identity('Stalled', 'student', 'buffers'));
      tutor.send({ type: 'OFFER', dst: stalled.id, payload: { type: 'media', sdp: 'v=0', connectionId: 'mc_big' } });
      await stalled.next('OFFER');
      stalled.freeze();
      const pongs = setInterval(() => {
        if (stalled.socket.readyState === WebSocket.OPEN) stalled.socket.pong();
      }, 50);
      // 3.5 KB candidates (under the size limit), within the sender's relay budget, until the reader is cut (bounded count).
      const candidate = { type: 'CANDIDATE', dst: stalled.id, payload: { candidate: 'x'.repeat(3_500), connectionId: 'mc_big' } };
      let sent = 0;
      const sender = setInterval(() => {
        for (let i = 0; i < 5 && sent < 2000 && tutor.isOpen; i++, sent++) tutor.send(candidate);
      }, 50);
      try {
        const left = await waitFor(
          () => tutor.drain('LS-PARTICIPANT-LEFT').find((m) => (m.payload as { id: string }).id === stalled.id),
          'the stalled reader leaves the room',
          GUARD_MS * 5,
          20,
        );
        assert.equal((left.payload as { reason: string }).reason, 'timeout');
        const cut = server.logs.find((entry) => entry.event === 'stalled' && entry['peerId'] === stalled.id);
        assert.ok(cut, 'logged as stalled');
        assert.ok(Number(cut['bufferedBytes']) > maxBufferedBytes);
        assert.ok(sent < 2000, 'cut before the sender ran out of frames');
      } finally {
        clearInterval(sender);
        clearInterval(pongs);
      }
      // The sender and the other member are untouched.
      assert.ok(tutor.isOpen && reader.isOpen);
      reader.send({ type: 'LS-STATE', payload: { isAudioOn: true } });
      await tutor.next('LS-PARTICIPANT-UPDATED', (m) => m.payload.participant.id === reader.id);
    });
  });
});

void describe('signalling relayed to another member is bounded', () => {
  void test('an oversized CANDIDATE or OFFER is refused; a flood of candidates gets through only up to the byte budget, the rest refused as rate-limited; the target keeps reading', async () => {
    await withServer({ rateLimit: { burst: 10_000, perSecond: 10_000 } }, async (server, opened) => {
      const tutor = await TestClient.connect(server.webSocketUrl);
      const student = await TestClient.connect(server.webSocketUrl);
      opened.push(tutor, student);
      await tutor.join(identity('Tutor', 'tutor', 'relay-budget'));
      await student.join(identity('Student', 'student', 'relay-budget'));
      student.send({ type: 'OFFER', dst: tutor.id, payload: { type: 'media', sdp: 'x'.repeat(60_000), connectionId: 'mc_huge' } });
      const huge = await student.next('LS-ERROR', (m) => m.payload.request === 'OFFER');
      assert.equal(huge.payload.code, 'bad-payload');
      student.send({ type: 'OFFER', dst: tutor.id, payload: { type: 'media', sdp: 'v=0', connectionId: 'mc_flood' } });
      await tutor.next('OFFER');
      student.send({ type: 'CANDIDATE', dst: tutor.id, payload: { candidate: 'x'.repeat(5_000), connectionId: 'mc_flood' } });
      const big = await student.next('LS-ERROR', (m) => m.payload.request === 'CANDIDATE');
      assert.equal(big.payload.code, 'bad-payload');
      // 400 candidates of about 3.5 KB at once: 1.4 MB, more than the 512 KB budget.
      const candidate = { type: 'CANDIDATE', dst: tutor.id, payload: { candidate: 'x'.repeat(3_400), connectionId: 'mc_flood' } };
      for (let i = 0; i < 400; i++) student.send(candidate);
      const refused = await student.next('LS-ERROR', (m) => m.payload.request === 'CANDIDATE');
      assert.equal(refused.payload.code, 'rate-limited');
      await new Promise((resolve) => setTimeout(resolve, 300));
      const received = tutor.drain('CANDIDATE').length;
      // The burst (512 KB) and what refilled meanwhile: about 150 of 3.5 KB, far below the 400 sent.
      assert.ok(received >= 100 && received < 250, `the tutor received ${String(received)} candidates`);
      assert.ok(tutor.isOpen && student.isOpen);
    });
  });
});

void describe('row 6: many sockets from one address', () => {
  void test('a per-address cap on sockets outside rooms; joined users are not crowded out; another address gets in', async () => {
    await withServer({ maxSocketsPerAddress: 5, concurrentLimit: 3 }, async (server, opened) => {
      for (let i = 0; i < 5; i++) {
        opened.push(await TestClient.connect(server.webSocketUrl, undefined, { localAddress: '127.0.0.2' }));
      }
      await assert.rejects(TestClient.connect(server.webSocketUrl, undefined, { localAddress: '127.0.0.2' }), /HTTP 429/);
      assert.ok(server.logs.some((entry) => entry.event === 'refused-address' && entry['address'] === '127.0.0.2'));
      // Five idle sockets and a limit of three participants: legitimate users still join.
      const tutor = await TestClient.connect(server.webSocketUrl, undefined, { localAddress: '127.0.0.3' });
      const student = await TestClient.connect(server.webSocketUrl, undefined, { localAddress: '127.0.0.3' });
      opened.push(tutor, student);
      await tutor.join(identity('Tutor', 'tutor', 'crowded'));
      await student.join(identity('Student', 'student', 'crowded'));
      // Joined members do not count against their address: the same address may open more.
      const third = await TestClient.connect(server.webSocketUrl, undefined, { localAddress: '127.0.0.3' });
      opened.push(third);
      await third.join(identity('Third', 'student', 'crowded'));
      // The participant limit itself still holds, with its own code.
      const fourth = await TestClient.connect(server.webSocketUrl, undefined, { localAddress: '127.0.0.3' });
      opened.push(fourth);
      assert.equal((await fourth.joinRefused(identity('Fourth', 'student', 'crowded'))).code, 'server-full');
    });
  });
  void test('the per-address count follows sockets as they join and close (kept, not recounted per upgrade)', async () => {
    await withServer({ maxSocketsPerAddress: 2 }, async (server, opened) => {
      const from = { localAddress: '127.0.0.4' };
      const first = await TestClient.connect(server.webSocketUrl, undefined, from);
      const second = await TestClient.connect(server.webSocketUrl, undefined, from);
      opened.push(first, second);
      await assert.rejects(TestClient.connect(server.webSocketUrl, undefined, from), /HTTP 429/);
      // A socket that joins stops counting: one more may open, then the cap holds again.
      await second.join(identity('Tutor', 'tutor', 'counted'));
      const third = await TestClient.connect(server.webSocketUrl, undefined, from);
      opened.push(third);
      await assert.rejects(TestClient.connect(server.webSocketUrl, undefined, from), /HTTP 429/);
      // A socket that closes frees its place (once the server has seen it go).
      await first.close();
      let fourth: TestClient | undefined;
      for (let attempt = 0; attempt < 50 && !fourth; attempt++) {
        fourth = await TestClient.connect(server.webSocketUrl, undefined, from).catch(async () => {
          await new Promise((resolve) => setTimeout(resolve, 20));
          return undefined;
        });
      }
      assert.ok(fourth, 'a closed socket freed its place');
      opened.push(fourth);
    });
  });
});

void describe('row 7: PeerJS LEAVE without dst', () => {
  void test('the socket is closed (and leaves its room), not kept open and uncounted', async () => {
    await withServer({}, async (server, opened) => {
      const tutor = await TestClient.connect(server.webSocketUrl);
      const leaver = await TestClient.connect(server.webSocketUrl);
      const idle = await TestClient.connect(server.webSocketUrl);
      opened.push(tutor, leaver, idle);
      await tutor.join(identity('Tutor', 'tutor', 'leaving'));
      await leaver.join(identity('Leaver', 'student', 'leaving'));
      leaver.send({ type: 'LEAVE' });
      idle.send({ type: 'LEAVE' });
      const left = await tutor.next('LS-PARTICIPANT-LEFT');
      assert.deepEqual(left.payload, { id: leaver.id, userId: 'leaver-leaving', reason: 'left' });
      assert.equal((await leaver.closed).code, 1000);
      assert.equal((await idle.closed).code, 1000);
      await waitFor(() => server.roomServer.rooms.connections === 1, 'only the tutor is still connected', GUARD_MS, 20);
    });
  });
});

void describe('row 8: refused joins in a loop', () => {
  void test('refused joins count as bad requests: the socket is cut with 1008', async () => {
    await withServer({ secret: 'a-secret-for-refused-join-storms-0123456789', maxBadMessages: 10 }, async (server, opened) => {
      const spammer = await TestClient.connect(server.webSocketUrl);
      opened.push(spammer);
      for (let i = 0; i < 30 && spammer.isOpen; i++) spammer.send({ type: 'LS-JOIN', payload: { token: `not-a-token-${i}` } });
      const closed = await spammer.closed;
      assert.equal(closed.code, 1008);
      assert.ok(spammer.drain('LS-ERROR').length <= 10);
    });
  });

  void test('the join deadline holds for a socket that keeps sending refused joins; repeated log lines are summarised', async () => {
    const options = {
      secret: 'a-secret-for-refused-join-storms-0123456789',
      maxBadMessages: 100_000,
      joinDeadlineMs: 600,
      pingInterval: 100,
      pongTimeout: 2000,
      logBurst: 5,
    };
    await withServer(options, async (server, opened) => {
      const spammer = await TestClient.connect(server.webSocketUrl);
      opened.push(spammer);
      let sent = 0;
      const spam = setInterval(() => {
        // Syntactically a JWT, so every one is verified (asynchronously) before it is refused.
        for (let i = 0; i < 5 && spammer.isOpen && sent < 5000; i++, sent++) {
          spammer.send({ type: 'LS-JOIN', payload: { token: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl' } });
        }
      }, 10);
      try {
        const closed = await Promise.race([
          spammer.closed,
          new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the spamming socket outlived the join deadline')), GUARD_MS * 2).unref()),
        ]);
        assert.equal(closed.code, 1008);
      } finally {
        clearInterval(spam);
      }
      const refusedLines = server.logs.filter((entry) => entry.event === 'refused');
      assert.ok(sent > 20, `enough refused joins were sent (${sent})`);
      assert.ok(refusedLines.length <= options.logBurst, `${refusedLines.length} refused lines`);
      await server.close();
      const summary = server.logs.find((entry) => entry.event === 'log-suppressed');
      assert.ok(summary, 'one summary line for what was left out');
      assert.ok(Number((summary['suppressed'] as Record<string, number>)['refused:token-invalid']) > 0);
    });
  });
});

void describe('row 12: response headers', () => {
  void test('no X-Powered-By, nosniff everywhere, CORS preflight only for the methods used, no reflected origin in open mode', async () => {
    await withServer({}, async (server) => {
      for (const path of ['health', 'ice', 'peerjs/id', 'peerjs/peers', '', 'no-such-page']) {
        const response = await fetch(`${server.url}${path}`, { headers: { Origin: 'https://evil.example' } });
        await response.arrayBuffer();
        assert.equal(response.headers.get('x-powered-by'), null, `${path}: X-Powered-By`);
        assert.equal(response.headers.get('x-content-type-options'), 'nosniff', `${path}: nosniff`);
        assert.notEqual(response.headers.get('access-control-allow-origin'), 'https://evil.example', `${path}: reflected origin`);
      }
      for (const path of ['health', 'peerjs/id', 'peerjs']) {
        const preflight = await fetch(`${server.url}${path}`, {
          method: 'OPTIONS',
          headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'DELETE' },
        });
        assert.equal(preflight.status, 204, path);
        assert.equal(preflight.headers.get('access-control-allow-origin'), '*', path);
        assert.equal(preflight.headers.get('access-control-allow-methods'), 'GET, HEAD', path);
        assert.equal(preflight.headers.get('x-content-type-options'), 'nosniff', path);
        assert.equal(preflight.headers.get('x-powered-by'), null, path);
      }
    });
  });

  void test('with allowed origins, a preflight from another origin gets no CORS headers', async () => {
    await withServer({ allowedOrigins: ['https://lms.example.edu'] }, async (server) => {
      const refused = await fetch(`${server.url}health`, {
        method: 'OPTIONS',
        headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'GET' },
      });
      assert.equal(refused.headers.get('access-control-allow-origin'), null);
      assert.equal(refused.headers.get('access-control-allow-methods'), null);
      const allowed = await fetch(`${server.url}health`, {
        method: 'OPTIONS',
        headers: { Origin: 'https://lms.example.edu', 'Access-Control-Request-Method': 'GET' },
      });
      assert.equal(allowed.headers.get('access-control-allow-origin'), 'https://lms.example.edu');
      assert.match(allowed.headers.get('vary') ?? '', /Origin/);
    });
  });
});

void describe('protocol errors on sockets the gate never hands to peer', () => {
  /** Opens a websocket by hand and sends `frame` right behind the upgrade (no masking unless the frame has it). */
  async function rawUpgrade(port: number, query: string, frame: Buffer): Promise<Socket> {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    await new Promise((resolve) => socket.once('connect', resolve));
    const request =
      `GET /peerjs?${query} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n';
    socket.write(Buffer.concat([Buffer.from(request), frame]));
    return socket;
  }
  // An unmasked text frame "hi": clients must mask theirs, so this is a protocol error.
  const unmasked = Buffer.from([0x81, 0x02, 0x68, 0x69]);

  void test("frames sent while the gate holds a socket (its peer id being taken over) are dropped when peer then refuses the socket: it never joins a room", async () => {
    await withServer({}, async (server, opened) => {
      const port = Number(new URL(server.webSocketUrl).port);
      const tutor = await TestClient.connect(server.webSocketUrl);
      opened.push(tutor);
      await tutor.join(identity('Tutor', 'tutor', 'held-refused'));
      // Holds the id "ghost" without joining: a newcomer with that id is held until it is cut.
      const squatter = await TestClient.connect(server.webSocketUrl, 'ghost');
      opened.push(squatter);
      // The newcomer has no PeerJS token (peer refuses it) and sends LS-JOIN in the same write as its upgrade.
      const join = JSON.stringify({ type: 'LS-JOIN', payload: identity('Ghost', 'student', 'held-refused') });
      const payload = Buffer.from(join);
      const mask = Buffer.from([1, 2, 3, 4]);
      const masked = Buffer.from(payload.map((byte, i) => byte ^ (mask[i % 4] ?? 0)));
      const frame = Buffer.concat([Buffer.from([0x81, 0x80 | 126, payload.length >> 8, payload.length & 0xff]), mask, masked]);
      const raw = await rawUpgrade(port, 'key=peerjs&id=ghost', frame);
      try {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        const room = server.roomServer.rooms.get('held-refused');
        assert.deepEqual(room?.participants.map((p) => p.name), ['Tutor']);
        assert.equal(tutor.drain('LS-PARTICIPANT-JOINED').length, 0, 'nobody joined');
      } finally {
        raw.destroy();
      }
    });
  });

  void test('an unmasked frame or one over the size limit, on a socket refused for repeated parameters or held for a claimed id, closes that socket only: the server stays up', async () => {
    await withServer({}, async (server, opened) => {
      const port = Number(new URL(server.webSocketUrl).port);
      const raw: Socket[] = [];
      try {
        // Refused by the gate itself (repeated id): never seen by peer.
        raw.push(await rawUpgrade(port, 'key=peerjs&id=a&id=b&token=t', unmasked));
        // The same with an ordinary client, over the frame size limit.
        const oversized = new WebSocket(`${server.webSocketUrl}?key=peerjs&id=c&id=d&token=t`);
        oversized.on('error', () => undefined);
        oversized.on('open', () => oversized.send('x'.repeat(70_000)));
        // Held while an older socket with the same id, not in a room, is cut.
        const squatter = await TestClient.connect(server.webSocketUrl, 'held-id');
        opened.push(squatter);
        raw.push(await rawUpgrade(port, 'key=peerjs&id=held-id&token=t2', unmasked));
        await new Promise((resolve) => setTimeout(resolve, 500));
        oversized.terminate();
        // Still serving: health answers and a member joins.
        const health = await fetch(`${server.url}health`);
        assert.equal(health.status, 200);
        const member = await TestClient.connect(server.webSocketUrl);
        opened.push(member);
        await member.join(identity('After', 'student', 'proto-errors'));
        assert.ok(member.joined);
      } finally {
        for (const socket of raw) socket.destroy();
      }
    });
  });
});
