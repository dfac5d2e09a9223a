import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { signJoinToken } from './join-token.js';
import { TestClient, identity, startTestServer, withServer, type TestServer } from './test-client.node.test.js';

void describe('waiting room and lock', () => {
  let server: TestServer;
  let roomCounter = 0;
  const opened: TestClient[] = [];

  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await Promise.all(opened.map((client) => client.close()));
    await server.close();
  });

  async function connect(): Promise<TestClient> {
    const client = await TestClient.connect(server.webSocketUrl);
    opened.push(client);
    return client;
  }

  /** A room with a tutor and one student in, the waiting room on. */
  async function guardedRoom() {
    const room = `wait-${++roomCounter}`;
    const tutor = await connect();
    const inside = await connect();
    const joined = await tutor.join(identity('Tess', 'tutor', room));
    assert.deepEqual(joined.admission, { waiting: false, locked: false });
    assert.deepEqual(joined.waiting, []);
    await inside.join(identity('Ivy', 'student', room));
    tutor.send({ type: 'LS-ADMISSION', payload: { waiting: true } });
    assert.deepEqual((await inside.next('LS-ADMISSION')).payload.admission, { waiting: true, locked: false });
    tutor.drain();
    return { room, tutor, inside };
  }

  void test('a joining student waits and gets nothing of the room, even asking by hand; admitted, it joins with the full room', async () => {
    const { room, tutor, inside } = await guardedRoom();
    const sam = await connect();
    sam.send({ type: 'LS-JOIN', payload: identity('Sam', 'student', room) });
    assert.equal((await sam.nextOf(['LS-WAITING', 'LS-JOINED'])).type, 'LS-WAITING');
    const list = (await tutor.next('LS-WAITING-LIST')).payload.waiting;
    assert.deepEqual(list.map((w) => [w.id, w.name]), [[sam.id, 'Sam']]);
    // Nothing of the room: requests are refused, signalling to members too.
    for (const request of [
      { type: 'LS-CHAT', payload: { text: 'let me in' } },
      { type: 'LS-HAND', payload: { raised: true } },
      { type: 'OFFER', dst: inside.id, payload: { type: 'media', connectionId: 'mc_x', sdp: { type: 'offer', sdp: 'v=0' } } },
    ]) {
      sam.send(request);
      assert.equal((await sam.nextError()).code, 'not-joined', request.type);
    }
    inside.send({ type: 'LS-CHAT', payload: { text: 'inside only' } });
    await inside.next('LS-CHAT');
    sam.send({ type: 'LS-PING' });
    await sam.next('LS-PONG');
    assert.deepEqual(sam.drain().map((m) => m.type).filter((t) => t !== 'LS-ERROR'), [], 'no roster, chat or offers while waiting');
    assert.equal(server.roomServer.rooms.get(room)?.participants.length, 2);
    tutor.send({ type: 'LS-ADMIT', payload: { target: sam.id } });
    const joined = await sam.next('LS-JOINED');
    assert.equal(joined.payload.participants.length, 2);
    assert.deepEqual(joined.payload.chat?.messages.map((m) => m.text), ['inside only']);
    assert.equal(joined.payload.waiting, undefined, 'a student never sees the waiting list');
    assert.deepEqual((await tutor.next('LS-WAITING-LIST')).payload.waiting, []);
    await inside.next('LS-PARTICIPANT-JOINED', (m) => m.payload.participant.id === sam.id);
  });

  void test('deny: the student is told and stays out; admit all lets everyone in; turning the waiting room off admits who waits', async () => {
    const { room, tutor } = await guardedRoom();
    const [ann, ben, cat] = [await connect(), await connect(), await connect()];
    for (const [client, name] of [[ann, 'Ann'], [ben, 'Ben'], [cat, 'Cat']] as const) {
      client.send({ type: 'LS-JOIN', payload: identity(name, 'student', room) });
      await client.next('LS-WAITING');
    }
    tutor.send({ type: 'LS-DENY', payload: { target: ann.id } });
    assert.equal((await ann.next('LS-DENIED')).payload.message, 'The tutor did not let you in.');
    tutor.send({ type: 'LS-ADMIT', payload: { target: ann.id } });
    assert.equal((await tutor.nextError()).code, 'not-waiting');
    tutor.send({ type: 'LS-ADMIT', payload: { all: true } });
    await Promise.all([ben.next('LS-JOINED'), cat.next('LS-JOINED')]);
    // Ann may ask again; the waiting room is then turned off and she goes in.
    ann.send({ type: 'LS-JOIN', payload: identity('Ann', 'student', room) });
    await ann.next('LS-WAITING');
    tutor.send({ type: 'LS-ADMISSION', payload: { waiting: false } });
    await ann.next('LS-JOINED');
    assert.equal(server.roomServer.rooms.get(room)?.participants.length, 5);
  });

  void test('a waiting student who leaves or closes is dropped from the list; tutors join straight in; only tutors admit', async () => {
    const { room, tutor, inside } = await guardedRoom();
    const sam = await connect();
    sam.send({ type: 'LS-JOIN', payload: identity('Sam', 'student', room) });
    await sam.next('LS-WAITING');
    await tutor.next('LS-WAITING-LIST', (m) => m.payload.waiting.length === 1);
    inside.send({ type: 'LS-ADMIT', payload: { all: true } });
    assert.equal((await inside.nextError()).code, 'forbidden');
    const secondTutor = await connect();
    const joined = await secondTutor.join(identity('Theo', 'tutor', room));
    assert.deepEqual(joined.waiting?.map((w) => w.name), ['Sam'], 'a tutor who joins sees who waits');
    sam.send({ type: 'LS-LEAVE' });
    assert.deepEqual((await tutor.next('LS-WAITING-LIST', (m) => m.payload.waiting.length === 0)).payload.waiting, []);
    const zoe = await connect();
    zoe.send({ type: 'LS-JOIN', payload: identity('Zoe', 'student', room) });
    await zoe.next('LS-WAITING');
    await tutor.next('LS-WAITING-LIST', (m) => m.payload.waiting.length === 1);
    await zoe.close();
    await tutor.next('LS-WAITING-LIST', (m) => m.payload.waiting.length === 0);
  });

  void test('a locked room refuses new students; a member who refreshes and a tutor still get in', async () => {
    const room = `lock-${++roomCounter}`;
    const tutor = await connect();
    const ivy = await connect();
    await tutor.join(identity('Tess', 'tutor', room));
    await ivy.join(identity('Ivy', 'student', room));
    tutor.send({ type: 'LS-ADMISSION', payload: { locked: true } });
    await ivy.next('LS-ADMISSION');
    const stranger = await connect();
    assert.equal((await stranger.joinRefused(identity('Sid', 'student', room))).code, 'room-locked');
    const ivyAgain = await connect();
    await ivyAgain.join(identity('Ivy', 'student', room));
    const coTutor = await connect();
    await coTutor.join(identity('Theo', 'tutor', room));
    tutor.send({ type: 'LS-ADMISSION', payload: { locked: false } });
    await coTutor.next('LS-ADMISSION');
    await stranger.join(identity('Sid', 'student', room));
  });

  void test('waiting is not idling: the join deadline does not cut a waiting student', async () => {
    await withServer({ joinDeadlineMs: 300, pingInterval: 100, pongTimeout: 1000 }, async (quick, clients) => {
      const tutor = await TestClient.connect(quick.webSocketUrl);
      const sam = await TestClient.connect(quick.webSocketUrl);
      const idle = await TestClient.connect(quick.webSocketUrl);
      clients.push(tutor, sam, idle);
      await tutor.join(identity('Tess', 'tutor', 'slow'));
      tutor.send({ type: 'LS-ADMISSION', payload: { waiting: true } });
      await tutor.roundTrip();
      sam.send({ type: 'LS-JOIN', payload: identity('Sam', 'student', 'slow') });
      await sam.next('LS-WAITING');
      await new Promise((resolve) => setTimeout(resolve, 1200));
      assert.equal(idle.isOpen, false, 'a socket outside every room is cut at the deadline');
      assert.equal(sam.isOpen, true, 'a waiting one is not');
      tutor.send({ type: 'LS-ADMIT', payload: { all: true } });
      await sam.next('LS-JOINED');
    });
  });

  void test("a token's waiting claim puts that student in the waiting room whatever the room's setting", async () => {
    const secret = 'waiting-room-secret-for-tests-only';
    await withServer({ secret }, async (tokenServer, clients) => {
      const room = 'claims';
      const tutor = await TestClient.connect(tokenServer.webSocketUrl);
      const sam = await TestClient.connect(tokenServer.webSocketUrl);
      clients.push(tutor, sam);
      await tutor.join({ token: await signJoinToken({ room, sub: 'tess', name: 'Tess', role: 'tutor' }, secret) });
      sam.send({ type: 'LS-JOIN', payload: { token: await signJoinToken({ room, sub: 'sam', name: 'Sam', role: 'student', waiting: true }, secret) } });
      await sam.next('LS-WAITING');
      tutor.send({ type: 'LS-ADMIT', payload: { target: sam.id } });
      await sam.next('LS-JOINED');
    });
  });
});
