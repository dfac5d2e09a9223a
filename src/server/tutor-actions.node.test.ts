import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { ParticipantInfo } from '../protocol/index.js';
import { TestClient, startTestServer, type TestServer } from './test-client.node.test.js';

interface Classroom {
  tutor: TestClient;
  alice: TestClient;
  bob: TestClient;
}

void describe('tutor-only actions', () => {
  let server: TestServer;
  let room: string;
  let classroom: Classroom;
  let roomCounter = 0;
  const opened: TestClient[] = [];

  const stateOf = (client: TestClient): ParticipantInfo | undefined =>
    server.roomServer.rooms.get(room)?.participants.find((p) => p.id === client.id);

  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await Promise.all(opened.map((client) => client.close()));
    await server.close();
  });

  /** A fresh room: a tutor, and two students with mic and camera on, Alice's hand raised. */
  beforeEach(async () => {
    room = `class-${++roomCounter}`;
    const [tutor, alice, bob] = await Promise.all([1, 2, 3].map(() => TestClient.connect(server.webSocketUrl)));
    assert.ok(tutor && alice && bob);
    opened.push(tutor, alice, bob);
    await tutor.join({ room, userId: `tutor-${room}`, name: 'Tutor', role: 'tutor' });
    await alice.join({ room, userId: `alice-${room}`, name: 'Alice', role: 'student', isAudioOn: true, isVideoOn: true });
    await bob.join({ room, userId: `bob-${room}`, name: 'Bob', role: 'student', isAudioOn: true, isVideoOn: true });
    alice.send({ type: 'LS-HAND', payload: { raised: true } });
    await tutor.next('LS-HAND-QUEUE');
    await Promise.all([alice.next('LS-HAND-QUEUE'), bob.next('LS-HAND-QUEUE')]);
    for (const client of [tutor, alice, bob]) client.drain();
    classroom = { tutor, alice, bob };
  });

  const studentAttempts: Array<[string, (target: string) => unknown]> = [
    ['LS-MUTE', (target) => ({ type: 'LS-MUTE', payload: { target } })],
    ['LS-MUTE-ALL', () => ({ type: 'LS-MUTE-ALL' })],
    ['LS-REMOVE', (target) => ({ type: 'LS-REMOVE', payload: { target } })],
    ['LS-LOWER-HAND', (target) => ({ type: 'LS-LOWER-HAND', payload: { target } })],
    ['LS-ASK-UNMUTE', (target) => ({ type: 'LS-ASK-UNMUTE', payload: { target } })],
  ];

  for (const [type, request] of studentAttempts) {
    void test(`${type} from a student is refused with forbidden and changes nothing`, async () => {
      const { tutor, alice, bob } = classroom;
      const before = server.roomServer.rooms.get(room);
      bob.send(request(alice.id));
      const error = await bob.nextError();
      assert.equal(error.code, 'forbidden');
      assert.equal(error.request, type);
      await Promise.all([alice.roundTrip(), tutor.roundTrip()]);
      assert.deepEqual(server.roomServer.rooms.get(room), before);
      assert.deepEqual(alice.drain(), [], 'the target was told nothing');
      assert.deepEqual(tutor.drain(), [], 'the room was told nothing');
      assert.ok(server.logs.some((entry) => entry.event === 'refused' && entry['code'] === 'forbidden'));
    });
  }

  void test('LS-MUTE from the tutor turns the target mic off, tells it, and broadcasts', async () => {
    const { tutor, alice, bob } = classroom;
    tutor.send({ type: 'LS-MUTE', payload: { target: alice.id } });
    assert.deepEqual((await alice.next('LS-MUTED')).payload, { by: tutor.id });
    const update = await bob.next('LS-PARTICIPANT-UPDATED');
    assert.equal(update.payload.participant.id, alice.id);
    assert.equal(update.payload.participant.isAudioOn, false);
    assert.equal(update.payload.participant.isVideoOn, true, 'muting leaves the camera alone');
    assert.equal(stateOf(alice)?.isAudioOn, false);
    // The student may unmute herself afterwards.
    alice.send({ type: 'LS-STATE', payload: { isAudioOn: true } });
    assert.equal((await tutor.next('LS-PARTICIPANT-UPDATED', (m) => m.payload.participant.isAudioOn)).payload.participant.id, alice.id);
  });

  void test('LS-MUTE-ALL mutes every other participant, not the tutor', async () => {
    const { tutor, alice, bob } = classroom;
    tutor.send({ type: 'LS-STATE', payload: { isAudioOn: true } });
    await tutor.next('LS-PARTICIPANT-UPDATED');
    tutor.send({ type: 'LS-MUTE-ALL' });
    await Promise.all([alice.next('LS-MUTED'), bob.next('LS-MUTED')]);
    await tutor.roundTrip();
    assert.equal(stateOf(alice)?.isAudioOn, false);
    assert.equal(stateOf(bob)?.isAudioOn, false);
    assert.equal(stateOf(tutor)?.isAudioOn, true);
    assert.deepEqual(tutor.drain('LS-MUTED'), []);
  });

  void test('LS-REMOVE evicts the target; the room hears reason removed; the socket stays open outside', async () => {
    const { tutor, alice, bob } = classroom;
    tutor.send({ type: 'LS-REMOVE', payload: { target: alice.id } });
    assert.equal((await alice.next('LS-EVICTED')).payload.reason, 'removed');
    const left = await bob.next('LS-PARTICIPANT-LEFT');
    assert.deepEqual(left.payload, { id: alice.id, userId: `alice-${room}`, reason: 'removed' });
    assert.deepEqual((await bob.next('LS-HAND-QUEUE')).payload.handQueue, []);
    assert.equal(stateOf(alice), undefined);
    assert.ok(alice.isOpen);
    alice.joined = false;
    await alice.roundTrip();
    bob.send({ type: 'OFFER', dst: tutor.id, payload: { type: 'media', connectionId: 'mc_bob' } });
    await tutor.next('OFFER');
    // Removed, Alice is in no room: her OFFER is refused as from someone who has not joined.
    alice.send({ type: 'OFFER', dst: tutor.id, payload: { type: 'media', connectionId: 'mc_alice' } });
    assert.equal((await alice.nextError()).code, 'not-joined');
  });

  void test('LS-LOWER-HAND lowers the target hand and updates the queue', async () => {
    const { tutor, alice, bob } = classroom;
    tutor.send({ type: 'LS-LOWER-HAND', payload: { target: alice.id } });
    assert.deepEqual((await bob.next('LS-HAND-QUEUE')).payload.handQueue, []);
    const update = await alice.next('LS-PARTICIPANT-UPDATED');
    assert.equal(update.payload.participant.isHandRaised, false);
    assert.equal(stateOf(alice)?.isHandRaised, false);
  });

  void test('LS-ASK-UNMUTE only asks: the target is told, its mic stays as it is', async () => {
    const { tutor, alice, bob } = classroom;
    tutor.send({ type: 'LS-MUTE', payload: { target: bob.id } });
    await bob.next('LS-MUTED');
    tutor.send({ type: 'LS-ASK-UNMUTE', payload: { target: bob.id } });
    assert.deepEqual((await bob.next('LS-UNMUTE-REQUESTED')).payload, { by: tutor.id });
    await Promise.all([tutor.roundTrip(), alice.roundTrip()]);
    assert.equal(stateOf(bob)?.isAudioOn, false);
    assert.deepEqual(alice.drain('LS-UNMUTE-REQUESTED'), []);
  });

  void test('nobody can turn someone else on: LS-STATE only ever changes the sender', async () => {
    const { tutor, bob } = classroom;
    tutor.send({ type: 'LS-MUTE', payload: { target: bob.id } });
    await bob.next('LS-MUTED');
    tutor.send({ type: 'LS-STATE', payload: { isAudioOn: true, target: bob.id, id: bob.id } });
    const update = await tutor.next('LS-PARTICIPANT-UPDATED', (m) => m.payload.participant.id === tutor.id);
    assert.equal(update.payload.participant.isAudioOn, true);
    assert.equal(stateOf(bob)?.isAudioOn, false);
  });

  void test('a tutor cannot target someone in another room', async () => {
    const { tutor } = classroom;
    const elsewhere = await TestClient.connect(server.webSocketUrl);
    opened.push(elsewhere);
    await elsewhere.join({ room: 'other', userId: 'elsewhere', name: 'Else', role: 'student', isAudioOn: true });
    for (const type of ['LS-MUTE', 'LS-REMOVE', 'LS-LOWER-HAND', 'LS-ASK-UNMUTE']) {
      tutor.send({ type, payload: { target: elsewhere.id } });
      const error = await tutor.nextError();
      assert.equal(error.code, 'no-such-participant');
      assert.equal(error.request, type);
    }
    await elsewhere.roundTrip();
    assert.deepEqual(
      elsewhere.drain().map((m) => m.type),
      [],
    );
    assert.equal(server.roomServer.rooms.get('other')?.participants[0]?.isAudioOn, true);
  });
});
