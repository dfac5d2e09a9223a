import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FloorInfo } from '../protocol/index.js';
import { TestClient, identity, startTestServer, type TestServer } from './test-client.node.test.js';

void describe('floor control', () => {
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

  async function classroom() {
    const room = `floor-${++roomCounter}`;
    const [tutor, alice, bob] = await Promise.all([1, 2, 3].map(() => TestClient.connect(server.webSocketUrl)));
    assert.ok(tutor && alice && bob);
    opened.push(tutor, alice, bob);
    await tutor.join({ ...identity('Tess', 'tutor', room), isAudioOn: true });
    await alice.join({ ...identity('Alice', 'student', room), isAudioOn: true });
    await bob.join({ ...identity('Bob', 'student', room), isAudioOn: false });
    for (const client of [tutor, alice, bob]) {
      await client.roundTrip();
      client.drain();
    }
    const stateOf = (client: TestClient) => server.roomServer.rooms.get(room)?.participants.find((p) => p.id === client.id);
    return { room, tutor, alice, bob, stateOf };
  }

  const floorOf = async (client: TestClient): Promise<FloorInfo> => (await client.next('LS-FLOOR')).payload.floor;

  void test('invite → accept: the student holds the floor, its hand goes down, and it may unmute in talking-stick mode', async () => {
    const { tutor, bob, alice, stateOf } = await classroom();
    tutor.send({ type: 'LS-TALKING-STICK', payload: { on: true } });
    assert.equal((await floorOf(bob)).talkingStick, true);
    // Turning it on muted Alice, who had her microphone on.
    assert.equal((await alice.next('LS-MUTED')).payload.by, tutor.id);
    await tutor.next('LS-PARTICIPANT-UPDATED', (m) => m.payload.participant.id === alice.id && !m.payload.participant.isAudioOn);
    bob.send({ type: 'LS-HAND', payload: { raised: true } });
    await tutor.next('LS-HAND-QUEUE', (m) => m.payload.handQueue.includes(bob.id));
    bob.send({ type: 'LS-STATE', payload: { isAudioOn: true } });
    assert.equal((await bob.nextError()).code, 'floor-required');
    assert.equal(stateOf(bob)?.isAudioOn, false);
    bob.drain('LS-FLOOR');
    tutor.send({ type: 'LS-INVITE-SPEAK', payload: { target: bob.id } });
    // The floor comes first: a page told of its invitation already lists itself as invited.
    const first = await bob.nextOf(['LS-FLOOR', 'LS-SPEAK-INVITED']);
    assert.equal(first.type, 'LS-FLOOR', 'LS-FLOOR with the invitation arrives before LS-SPEAK-INVITED');
    assert.ok((first as { payload: { floor: { invited: string[] } } }).payload.floor.invited.includes(bob.id));
    assert.equal((await bob.next('LS-SPEAK-INVITED')).payload.by, tutor.id);
    await alice.next('LS-FLOOR', (m) => m.payload.floor.invited.includes(bob.id));
    bob.send({ type: 'LS-SPEAK-ANSWER', payload: { accept: true } });
    const floor = (await tutor.next('LS-FLOOR', (m) => m.payload.floor.speakers.length > 0)).payload.floor;
    assert.deepEqual(floor, { talkingStick: true, speakers: [bob.id], invited: [] });
    await tutor.next('LS-HAND-QUEUE', (m) => !m.payload.handQueue.includes(bob.id));
    bob.send({ type: 'LS-STATE', payload: { isAudioOn: true } });
    await tutor.next('LS-PARTICIPANT-UPDATED', (m) => m.payload.participant.id === bob.id && m.payload.participant.isAudioOn);
    // Alice, without the floor, still may not.
    alice.send({ type: 'LS-STATE', payload: { isAudioOn: true } });
    assert.equal((await alice.nextError()).code, 'floor-required');
  });

  void test('end turn: microphone off, floor gone; declining leaves nothing; answers without an invitation are refused', async () => {
    const { tutor, alice, bob, stateOf } = await classroom();
    tutor.send({ type: 'LS-INVITE-SPEAK', payload: { target: alice.id } });
    await alice.next('LS-SPEAK-INVITED');
    alice.send({ type: 'LS-SPEAK-ANSWER', payload: { accept: true } });
    assert.deepEqual((await floorOf(bob)).invited, [alice.id], 'first the invitation');
    assert.deepEqual(await floorOf(bob), { talkingStick: false, speakers: [alice.id], invited: [] }, 'then the answer');
    tutor.send({ type: 'LS-END-TURN', payload: { target: alice.id } });
    await alice.next('LS-MUTED');
    assert.deepEqual(await floorOf(bob), { talkingStick: false, speakers: [], invited: [] }, 'then the end of the turn');
    await tutor.roundTrip();
    assert.equal(stateOf(alice)?.isAudioOn, false);
    tutor.send({ type: 'LS-INVITE-SPEAK', payload: { target: bob.id } });
    await bob.next('LS-SPEAK-INVITED');
    bob.send({ type: 'LS-SPEAK-ANSWER', payload: { accept: false } });
    await bob.roundTrip();
    const last = bob.drain('LS-FLOOR').at(-1)?.payload as { floor: FloorInfo } | undefined;
    assert.deepEqual(last?.floor, { talkingStick: false, speakers: [], invited: [] });
    bob.send({ type: 'LS-SPEAK-ANSWER', payload: { accept: true } });
    assert.equal((await bob.nextError()).code, 'not-invited');
  });

  void test('students cannot give themselves the floor, and the tutor can only invite students of the room', async () => {
    const { tutor, alice, bob } = await classroom();
    for (const request of [
      { type: 'LS-INVITE-SPEAK', payload: { target: alice.id } },
      { type: 'LS-END-TURN', payload: { target: bob.id } },
      { type: 'LS-TALKING-STICK', payload: { on: false } },
    ]) {
      alice.send(request);
      assert.equal((await alice.nextError()).code, 'forbidden', request.type);
    }
    tutor.send({ type: 'LS-INVITE-SPEAK', payload: { target: tutor.id } });
    assert.equal((await tutor.nextError()).code, 'no-such-participant');
    tutor.send({ type: 'LS-INVITE-SPEAK', payload: { target: 'nobody' } });
    assert.equal((await tutor.nextError()).code, 'no-such-participant');
    tutor.send({ type: 'LS-TALKING-STICK', payload: { on: 'yes' } });
    assert.equal((await tutor.nextError()).code, 'bad-payload');
  });

  void test('a joiner learns the floor; in talking-stick mode its microphone is recorded off; a speaker who leaves gives the floor back', async () => {
    const { room, tutor, alice } = await classroom();
    tutor.send({ type: 'LS-TALKING-STICK', payload: { on: true } });
    tutor.send({ type: 'LS-INVITE-SPEAK', payload: { target: alice.id } });
    await alice.next('LS-SPEAK-INVITED');
    alice.send({ type: 'LS-SPEAK-ANSWER', payload: { accept: true } });
    await tutor.next('LS-FLOOR', (m) => m.payload.floor.speakers.includes(alice.id));
    const late = await TestClient.connect(server.webSocketUrl);
    opened.push(late);
    const joined = await late.join({ ...identity('Lee', 'student', room), isAudioOn: true });
    assert.equal(joined.self.isAudioOn, false, 'the join cannot open the microphone');
    assert.deepEqual(joined.floor, { talkingStick: true, speakers: [alice.id], invited: [] });
    await alice.close();
    const floor = (await tutor.next('LS-FLOOR', (m) => !m.payload.floor.speakers.includes(alice.id))).payload.floor;
    assert.deepEqual(floor.speakers, []);
  });

  void test('screen share: one at a time, a student only when allowed, by hand too; a sharer who leaves ends it', async () => {
    const { room, tutor, alice, bob } = await classroom();
    alice.send({ type: 'LS-SCREEN-SHARE', payload: { on: true } });
    assert.equal((await alice.nextError()).code, 'share-not-allowed');
    tutor.send({ type: 'LS-SCREEN-SHARE', payload: { on: true } });
    assert.equal((await bob.next('LS-SCREEN')).payload.screen.sharer, tutor.id);
    // Asking again while sharing: the asker is answered, the room hears nothing (no broadcast per repeat).
    for (let i = 0; i < 20; i++) tutor.send({ type: 'LS-SCREEN-SHARE', payload: { on: true } });
    for (let i = 0; i < 20; i++) assert.equal((await tutor.next('LS-SCREEN')).payload.screen.sharer, tutor.id);
    tutor.send({ type: 'LS-SHARE-POLICY', payload: { studentsMayShare: true } });
    assert.equal((await bob.next('LS-SCREEN')).payload.screen.studentsMayShare, true, 'the next LS-SCREEN bob hears is the policy change');
    alice.send({ type: 'LS-SCREEN-SHARE', payload: { on: true } });
    const replaced = await tutor.next('LS-SCREEN', (m) => m.payload.screen.sharer === alice.id);
    assert.equal(replaced.payload.replaced, tutor.id, "the tutor's share was replaced");
    const late = await TestClient.connect(server.webSocketUrl);
    opened.push(late);
    assert.equal((await late.join(identity('Lee', 'student', room))).screen?.sharer, alice.id, 'a late joiner learns who shares');
    await alice.close();
    await bob.next('LS-SCREEN', (m) => m.payload.screen.sharer === null);
  });
});
