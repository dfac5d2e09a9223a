import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Bystanders, TestClient, startTestServer, type TestServer } from './test-client.node.test.js';

function identity(name: string, role: 'tutor' | 'student', room = 'algebra') {
  return { room, userId: `user-${name.toLowerCase()}`, name, role };
}

void describe('room membership', () => {
  let server: TestServer;
  const opened: TestClient[] = [];
  const connect = async (id?: string): Promise<TestClient> => {
    const client = await TestClient.connect(server.webSocketUrl, id);
    opened.push(client);
    return client;
  };

  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await Promise.all(opened.map((client) => client.close()));
    await server.close();
  });

  void test('a late joiner gets a snapshot of everyone already there, with state and hand queue', async () => {
    const tutor = await connect();
    const first = await connect();
    const late = await connect();
    await tutor.join({ ...identity('Tina', 'tutor', 'late'), isVideoOn: true });
    await first.join(identity('Sam', 'student', 'late'));
    tutor.send({ type: 'LS-STATE', payload: { isAudioOn: true } });
    first.send({ type: 'LS-HAND', payload: { raised: true } });
    await tutor.next('LS-HAND-QUEUE');

    const joined = await late.join(identity('Lea', 'student', 'late'));
    assert.equal(joined.room, 'late');
    assert.equal(joined.self.id, late.id);
    assert.equal(joined.self.name, 'Lea');
    assert.deepEqual(
      joined.participants.map((p) => [p.id, p.name, p.role, p.isVideoOn, p.isAudioOn, p.isHandRaised]),
      [
        [tutor.id, 'Tina', 'tutor', true, true, false],
        [first.id, 'Sam', 'student', false, false, true],
      ],
    );
    assert.deepEqual(joined.handQueue, [first.id]);
    const announced = await tutor.next('LS-PARTICIPANT-JOINED', (m) => m.payload.participant.id === late.id);
    assert.equal(announced.payload.participant.userId, 'user-lea');
  });

  void test('media state starts off unless the join says otherwise', async () => {
    const client = await connect();
    const joined = await client.join(identity('Off', 'student', 'defaults'));
    assert.equal(joined.self.isVideoOn, false);
    assert.equal(joined.self.isAudioOn, false);
    assert.equal(joined.self.isHandRaised, false);
    assert.equal(typeof joined.self.joinedAt, 'number');
  });

  void test('join, state, hand and leave are broadcast to the room only', async () => {
    const bystanders = await Bystanders.create(server, 'other-room');
    const a = await connect();
    const b = await connect();
    await a.join(identity('Ann', 'tutor', 'scoped'));
    await b.join(identity('Ben', 'student', 'scoped'));
    await a.next('LS-PARTICIPANT-JOINED');

    b.send({ type: 'LS-STATE', payload: { isVideoOn: true, isAudioOn: true } });
    const update = await a.next('LS-PARTICIPANT-UPDATED', (m) => m.payload.participant.id === b.id);
    assert.equal(update.payload.participant.isVideoOn, true);
    assert.equal(update.payload.participant.isAudioOn, true);
    await b.next('LS-PARTICIPANT-UPDATED');

    b.send({ type: 'LS-HAND', payload: { raised: true } });
    assert.deepEqual((await a.next('LS-HAND-QUEUE')).payload.handQueue, [b.id]);
    assert.equal((await a.next('LS-PARTICIPANT-UPDATED')).payload.participant.isHandRaised, true);

    b.send({ type: 'LS-LEAVE' });
    const left = await a.next('LS-PARTICIPANT-LEFT');
    assert.deepEqual(left.payload, { id: b.id, userId: 'user-ben', reason: 'left' });
    assert.deepEqual((await a.next('LS-HAND-QUEUE')).payload.handQueue, []);

    // Everything above was sent before this round trip: the other room saw none of it.
    await bystanders.assertUnaffected();
    await bystanders.close();
  });

  void test('incoming video off: the flag rides on the member (present only while on) and is broadcast; a late joiner sees it', async () => {
    const a = await connect();
    const b = await connect();
    await a.join(identity('Ann', 'tutor', 'incoming'));
    const joined = await b.join(identity('Ben', 'student', 'incoming'));
    await a.next('LS-PARTICIPANT-JOINED');
    assert.equal('incomingVideoOff' in joined.self, false, 'absent unless on');

    b.send({ type: 'LS-STATE', payload: { incomingVideoOff: true } });
    const off = await a.next('LS-PARTICIPANT-UPDATED', (m) => m.payload.participant.id === b.id);
    assert.equal(off.payload.participant.incomingVideoOff, true);
    const late = await connect();
    const snapshot = await late.join(identity('Cid', 'student', 'incoming'));
    assert.equal(snapshot.participants.find((p) => p.id === b.id)?.incomingVideoOff, true);

    b.send({ type: 'LS-STATE', payload: { incomingVideoOff: false } });
    const on = await a.next('LS-PARTICIPANT-UPDATED', (m) => m.payload.participant.id === b.id && !('incomingVideoOff' in m.payload.participant));
    assert.equal(on.payload.participant.isVideoOn, false, 'the other flags untouched');
    // The same value again changes nothing: no broadcast (the next update a sees is the hand).
    b.send({ type: 'LS-STATE', payload: { incomingVideoOff: false } });
    b.send({ type: 'LS-HAND', payload: { raised: true } });
    assert.equal((await a.next('LS-PARTICIPANT-UPDATED', (m) => m.payload.participant.id === b.id)).payload.participant.isHandRaised, true);
  });

  void test('the hand queue keeps the order hands went up; lowering removes one', async () => {
    const tutor = await connect();
    const s1 = await connect();
    const s2 = await connect();
    await tutor.join(identity('T', 'tutor', 'hands'));
    await s1.join(identity('One', 'student', 'hands'));
    await s2.join(identity('Two', 'student', 'hands'));
    s2.send({ type: 'LS-HAND', payload: { raised: true } });
    await tutor.next('LS-HAND-QUEUE');
    s1.send({ type: 'LS-HAND', payload: { raised: true } });
    assert.deepEqual((await tutor.next('LS-HAND-QUEUE')).payload.handQueue, [s2.id, s1.id]);
    s2.send({ type: 'LS-HAND', payload: { raised: false } });
    assert.deepEqual((await tutor.next('LS-HAND-QUEUE')).payload.handQueue, [s1.id]);
    assert.deepEqual(server.roomServer.rooms.get('hands')?.handQueue, [s1.id]);
  });

  void test('a closed socket leaves at once; rooms are created on first join and removed when empty', async () => {
    const a = await connect();
    const b = await connect();
    assert.equal(server.roomServer.rooms.get('ephemeral'), undefined);
    await a.join(identity('A', 'student', 'ephemeral'));
    assert.equal(server.roomServer.rooms.get('ephemeral')?.participants.length, 1);
    await b.join(identity('B', 'student', 'ephemeral'));
    await b.close();
    const left = await a.next('LS-PARTICIPANT-LEFT');
    assert.equal(left.payload.id, b.id);
    assert.equal(left.payload.reason, 'closed');
    a.send({ type: 'LS-LEAVE' });
    a.joined = false;
    await a.roundTrip();
    assert.equal(server.roomServer.rooms.get('ephemeral'), undefined);
  });

  void test('the same peer re-attaching its socket (network blip) resumes its membership without a leave or join', async () => {
    const tutor = await connect();
    const peerToken = 'same-token-for-both-sockets';
    const blip = await TestClient.connect(server.webSocketUrl, undefined, { peerToken });
    opened.push(blip);
    await tutor.join(identity('Tutor', 'tutor', 'blip'));
    await blip.join({ ...identity('Bea', 'student', 'blip'), isVideoOn: true });
    await tutor.next('LS-PARTICIPANT-JOINED');
    tutor.drain();
    // PeerJS reconnects with the same id and token; the server re-attaches and sends no OPEN.
    const again = await TestClient.connect(server.webSocketUrl, blip.id, { peerToken, waitForOpen: false });
    opened.push(again);
    const joined = await again.join({ ...identity('Bea', 'student', 'blip'), isVideoOn: false });
    assert.equal(joined.self.id, blip.id);
    assert.deepEqual(joined.participants.map((p) => p.name), ['Tutor']);
    const update = await tutor.next('LS-PARTICIPANT-UPDATED');
    assert.equal(update.payload.participant.id, blip.id);
    assert.equal(update.payload.participant.isVideoOn, false);
    assert.deepEqual(tutor.drain().filter((m) => m.type === 'LS-PARTICIPANT-LEFT' || m.type === 'LS-PARTICIPANT-JOINED'), []);
    // The old socket closing later changes nothing.
    await blip.close();
    const still = await connect();
    const snapshot = await still.join(identity('Late', 'student', 'blip'));
    assert.deepEqual(snapshot.participants.map((p) => p.name), ['Tutor', 'Bea']);
  });

  void test('the same user joining again replaces the old membership: one entry, old socket told', async () => {
    const tutor = await connect();
    const oldTab = await connect();
    const newTab = await connect();
    await tutor.join(identity('Tutor', 'tutor', 'refresh'));
    await oldTab.join({ ...identity('Stu', 'student', 'refresh'), isVideoOn: true });
    await tutor.next('LS-PARTICIPANT-JOINED');
    oldTab.send({ type: 'LS-HAND', payload: { raised: true } });
    await tutor.next('LS-HAND-QUEUE');
    await oldTab.next('LS-HAND-QUEUE');
    tutor.drain();
    oldTab.drain();

    const joined = await newTab.join(identity('Stu', 'student', 'refresh'));
    assert.deepEqual(
      joined.participants.map((p) => p.id),
      [tutor.id],
      'the new tab does not see its old self',
    );
    const evicted = await oldTab.next('LS-EVICTED');
    assert.equal(evicted.payload.reason, 'replaced');

    // The room hears: old peer left (replaced), then the new one joined.
    const sequence = [await tutor.next('LS-PARTICIPANT-LEFT'), await tutor.next('LS-PARTICIPANT-JOINED')];
    assert.deepEqual(sequence[0]?.payload, { id: oldTab.id, userId: 'user-stu', reason: 'replaced' });
    assert.equal((sequence[1] as { payload: { participant: { id: string } } }).payload.participant.id, newTab.id);
    const participants = server.roomServer.rooms.get('refresh')?.participants ?? [];
    assert.deepEqual(
      participants.map((p) => p.userId),
      ['user-tutor', 'user-stu'],
    );
    assert.deepEqual(server.roomServer.rooms.get('refresh')?.handQueue, []);

    // The old socket is outside the room now and hears nothing more from it.
    assert.ok(oldTab.isOpen);
    oldTab.joined = false;
    await oldTab.roundTrip();
    newTab.send({ type: 'LS-STATE', payload: { isAudioOn: true } });
    await tutor.next('LS-PARTICIPANT-UPDATED', (m) => m.payload.participant.id === newTab.id);
    await oldTab.roundTrip();
    assert.deepEqual(oldTab.drain('LS-PARTICIPANT-UPDATED'), []);
  });

  void test('LS-JOIN twice is refused; requests before joining are refused', async () => {
    const client = await connect();
    client.send({ type: 'LS-STATE', payload: { isVideoOn: true } });
    assert.equal((await client.nextError()).code, 'not-joined');
    client.send({ type: 'LS-HAND', payload: { raised: true } });
    assert.equal((await client.nextError()).code, 'not-joined');
    await client.join(identity('Twice', 'student', 'twice'));
    const error = await client.joinRefused(identity('Twice', 'student', 'elsewhere'));
    assert.equal(error.code, 'already-joined');
    assert.equal(error.request, 'LS-JOIN');
  });

  void test('OFFER is relayed inside a room and refused across rooms', async () => {
    const caller = await connect();
    const callee = await connect();
    const stranger = await connect();
    const outsider = await connect();
    await caller.join(identity('Caller', 'tutor', 'call'));
    await callee.join(identity('Callee', 'student', 'call'));
    await stranger.join(identity('Stranger', 'student', 'elsewhere'));

    caller.send({ type: 'OFFER', dst: callee.id, payload: { sdp: 'v=0', type: 'media', connectionId: 'mc_1' } });
    const offer = await callee.next('OFFER');
    assert.equal(offer.src, caller.id);
    assert.deepEqual(offer.payload, { sdp: 'v=0', type: 'media', connectionId: 'mc_1' });
    callee.send({ type: 'ANSWER', dst: caller.id, payload: { sdp: 'v=0', connectionId: 'mc_1' } });
    assert.equal((await caller.next('ANSWER')).src, callee.id);
    callee.send({ type: 'CANDIDATE', dst: caller.id, payload: { candidate: 'c', connectionId: 'mc_1' } });
    assert.equal((await caller.next('CANDIDATE')).src, callee.id);

    stranger.send({ type: 'OFFER', dst: callee.id, payload: { sdp: 'v=0', connectionId: 'mc_2' } });
    // Two meanings, two codes: the destination is in another room; the sender is in none.
    const refused = await stranger.nextError();
    assert.equal(refused.code, 'peer-not-in-room');
    assert.equal(refused.request, 'OFFER');
    outsider.send({ type: 'CANDIDATE', dst: caller.id, payload: { candidate: 'c', connectionId: 'mc_1' } });
    const notJoined = await outsider.nextError();
    assert.equal(notJoined.code, 'not-joined');
    assert.equal(notJoined.request, 'CANDIDATE');

    await callee.roundTrip();
    await caller.roundTrip();
    assert.deepEqual(callee.drain('OFFER'), []);
    assert.deepEqual(caller.drain('CANDIDATE'), []);
  });

  void test('a room has a size limit', async () => {
    const small = await startTestServer({ maxRoomSize: 2 });
    const clients = await Promise.all([1, 2, 3].map(() => TestClient.connect(small.webSocketUrl)));
    const [a, b, c] = clients as [TestClient, TestClient, TestClient];
    await a.join(identity('A', 'tutor', 'tiny'));
    await b.join(identity('B', 'student', 'tiny'));
    assert.equal((await c.joinRefused(identity('C', 'student', 'tiny'))).code, 'room-full');
    // A refresh of someone already inside is not refused.
    await c.join({ ...identity('B', 'student', 'tiny') });
    await Promise.all(clients.map((client) => client.close()));
    await small.close();
  });
});

void describe('HTTP endpoints and shutdown', () => {
  void test('GET /health is 200 while running, ICE servers are served, discovery stays off', async () => {
    const iceServers = [{ urls: 'stun:stun.example.org:3478' }];
    const server = await startTestServer({ iceServers });
    try {
      const health = await fetch(`${server.url}health`);
      assert.equal(health.status, 200);
      assert.deepEqual(await health.json(), { status: 'ok', janus: 'off' });
      const ice = await fetch(`${server.url}ice`, { headers: { Origin: 'https://lms.example.edu' } });
      assert.deepEqual(await ice.json(), { iceServers });
      assert.equal(ice.headers.get('access-control-allow-origin'), '*');
      const peers = await fetch(`${server.url}peerjs/peers`);
      assert.equal(peers.status, 401);
    } finally {
      await server.close();
    }
  });

  void test('a path option moves every endpoint under it', async () => {
    const server = await startTestServer({ path: '/rtc' });
    try {
      assert.equal(server.url.endsWith('/rtc/'), true);
      assert.equal((await fetch(`${server.url}health`)).status, 200);
      const client = await TestClient.connect(server.webSocketUrl);
      assert.equal(server.roomServer.webSocketPath, '/rtc/peerjs');
      await client.join(identity('P', 'student', 'pathed'));
      await client.close();
    } finally {
      await server.close();
    }
  });

  void test('allowed origins: another browser origin cannot open the websocket', async () => {
    const server = await startTestServer({ allowedOrigins: ['https://lms.example.edu'] });
    try {
      await assert.rejects(
        TestClient.connect(server.webSocketUrl, undefined, { origin: 'https://evil.example' }),
        /HTTP 401/,
      );
      const allowed = await TestClient.connect(server.webSocketUrl, undefined, { origin: 'https://lms.example.edu' });
      await allowed.close();
      const ice = await fetch(`${server.url}ice`, { headers: { Origin: 'https://evil.example' } });
      assert.equal(ice.headers.get('access-control-allow-origin'), null);
    } finally {
      await server.close();
    }
  });

  void test('graceful shutdown tells every client LS-SHUTDOWN and closes with 1001', async () => {
    const server = await startTestServer();
    const joined = await TestClient.connect(server.webSocketUrl);
    const idle = await TestClient.connect(server.webSocketUrl);
    await joined.join(identity('Last', 'tutor', 'closing'));
    const closing = server.close();
    const [shutdownJoined, shutdownIdle] = await Promise.all([joined.next('LS-SHUTDOWN'), idle.next('LS-SHUTDOWN')]);
    assert.equal(typeof shutdownJoined.payload.message, 'string');
    assert.equal(typeof shutdownIdle.payload.message, 'string');
    assert.equal((await joined.closed).code, 1001);
    assert.equal((await idle.closed).code, 1001);
    await closing;
    assert.equal(server.roomServer.rooms.size, 0);
    assert.ok(server.logs.some((entry) => entry.event === 'leave' && entry['reason'] === 'shutdown'));
  });
});
