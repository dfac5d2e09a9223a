/**
 * The client's check of server messages: what a real server sends in a busy
 * lesson all passes (so the check drops nothing the session needs), and the
 * malformed fields that used to stop a handler or break rendering are named.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TestClient, identity, withServer } from '../server/test-client.node.test.js';
import { serverMessageProblem } from './server-checks.js';

const person = { id: 'p1', userId: 'u1', name: 'Ann', role: 'student', isVideoOn: true, isAudioOn: false, isHandRaised: false, joinedAt: 1_700_000_000_000 };

void describe('server message checks', () => {
  void test('malformed fields are named; the message is not acted on', () => {
    const cases: [unknown, RegExp][] = [
      [{ type: 'LS-HAND-QUEUE', payload: { handQueue: null } }, /handQueue must be a list/],
      [{ type: 'LS-HAND-QUEUE', payload: { handQueue: Array.from({ length: 10_000 }, (_, i) => `p${String(i)}`) } }, /more than 5000 entries/],
      [{ type: 'LS-PARTICIPANT-UPDATED' }, /payload must be an object/],
      [{ type: 'LS-PARTICIPANT-UPDATED', payload: { participant: { ...person, role: 'admin' } } }, /participant\.role/],
      [{ type: 'LS-JOINED', payload: { room: 'r', self: person, participants: {}, handQueue: [] } }, /participants must be a list/],
      [{ type: 'LS-CHAT', payload: { message: { id: 'm', from: person, text: 'hi', sentAt: 'x' } } }, /sentAt must be a finite number/],
      [{ type: 'LS-CHAT', payload: { message: { id: 'm', from: person, text: 'hi', sentAt: 1e300 } } }, /sentAt must be a finite number/],
      [{ type: 'LS-RECORDING', payload: { available: true, active: false, recordings: [{ id: 'r', startedAt: Number.NaN, endedAt: 0, state: 'ready', files: [] }] } }, /startedAt/],
      [{ type: 'LS-SCREEN', payload: { screen: { sharer: 7, studentsMayShare: false }, by: 't' } }, /sharer must be a string/],
      [{ type: 'LS-NOPE' }, /unknown type/],
      ['LS-JOINED', /not a message/],
    ];
    for (const [message, expected] of cases) assert.match(String(serverMessageProblem(message)), expected, JSON.stringify(message).slice(0, 80));
    assert.equal(serverMessageProblem({ type: 'LS-PARTICIPANT-UPDATED', payload: { participant: person } }), null);
    assert.equal(serverMessageProblem({ type: 'LS-SCREEN', payload: { screen: { sharer: null, studentsMayShare: false }, by: 't' } }), null);
  });

  void test('everything a real server sends in a busy lesson passes', async () => {
    await withServer({}, async (server, opened) => {
      const received: unknown[] = [];
      const listen = (client: TestClient): TestClient => {
        client.socket.on('message', (data) => {
          const message = JSON.parse((Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as Buffer)).toString('utf8')) as { type?: string };
          if (typeof message.type === 'string' && message.type.startsWith('LS-')) received.push(message);
        });
        return client;
      };
      const tutor = listen(await TestClient.connect(server.webSocketUrl));
      const student = listen(await TestClient.connect(server.webSocketUrl));
      opened.push(tutor, student);
      await tutor.join(identity('Tutor', 'tutor', 'checks'));
      await student.join({ ...identity('Sam', 'student', 'checks'), isVideoOn: true, isAudioOn: true });
      const steps: [TestClient, unknown][] = [
        [student, { type: 'LS-STATE', payload: { isVideoOn: false, incomingVideoOff: true } }],
        [student, { type: 'LS-HAND', payload: { raised: true } }],
        [tutor, { type: 'LS-LOWER-HAND', payload: { target: student.id } }],
        [student, { type: 'LS-CHAT', payload: { text: 'hello' } }],
        [tutor, { type: 'LS-CHAT', payload: { text: 'to you', to: student.id } }],
        [tutor, { type: 'LS-CHAT-POLICY', payload: { studentsMayChat: false } }],
        [student, { type: 'LS-CHAT', payload: { text: 'refused' } }],
        [student, { type: 'LS-REACT', payload: { reaction: 'clap' } }],
        [tutor, { type: 'LS-TALKING-STICK', payload: { on: true } }],
        [tutor, { type: 'LS-INVITE-SPEAK', payload: { target: student.id } }],
        [student, { type: 'LS-SPEAK-ANSWER', payload: { accept: true } }],
        [tutor, { type: 'LS-END-TURN', payload: { target: student.id } }],
        [tutor, { type: 'LS-MUTE', payload: { target: student.id } }],
        [tutor, { type: 'LS-ASK-UNMUTE', payload: { target: student.id } }],
        [tutor, { type: 'LS-SCREEN-SHARE', payload: { on: true } }],
        [tutor, { type: 'LS-SHARE-POLICY', payload: { studentsMayShare: true } }],
        [tutor, { type: 'LS-ADMISSION', payload: { waiting: true } }],
        [student, { type: 'LS-MUTE-ALL' }],
        [student, { type: 'LS-ICE' }],
        [student, { type: 'LS-RECORD', payload: { on: true } }],
      ];
      for (const [client, message] of steps) client.send(message);
      // A newcomer waits to be let in, is admitted, and learns the whole room at once.
      const late = listen(await TestClient.connect(server.webSocketUrl));
      opened.push(late);
      late.send({ type: 'LS-JOIN', payload: identity('Lee', 'student', 'checks') });
      await late.next('LS-WAITING');
      await tutor.next('LS-WAITING-LIST', (m) => m.payload.waiting.length === 1);
      tutor.send({ type: 'LS-ADMIT', payload: { all: true } });
      const joined = await late.next('LS-JOINED');
      assert.ok(joined.payload.chat && joined.payload.floor && joined.payload.screen && joined.payload.admission);
      late.send({ type: 'LS-HAND', payload: { raised: true } });
      await tutor.next('LS-HAND-QUEUE', (m) => m.payload.handQueue.includes(late.id));
      tutor.send({ type: 'LS-REMOVE', payload: { target: student.id } });
      await late.next('LS-PARTICIPANT-LEFT');
      const types = new Set(received.map((m) => (m as { type: string }).type));
      for (const type of ['LS-JOINED', 'LS-PARTICIPANT-JOINED', 'LS-PARTICIPANT-UPDATED', 'LS-PARTICIPANT-LEFT', 'LS-HAND-QUEUE', 'LS-CHAT', 'LS-CHAT-POLICY', 'LS-REACTION', 'LS-FLOOR', 'LS-SPEAK-INVITED', 'LS-MUTED', 'LS-UNMUTE-REQUESTED', 'LS-SCREEN', 'LS-ADMISSION', 'LS-WAITING', 'LS-WAITING-LIST', 'LS-ERROR', 'LS-EVICTED']) {
        assert.ok(types.has(type), `the lesson produced ${type}`);
      }
      for (const message of received) assert.equal(serverMessageProblem(message), null, JSON.stringify(message).slice(0, 300));
    });
  });
});
