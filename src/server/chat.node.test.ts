import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { LIMITS, cleanChatText } from '../protocol/index.js';
import { waitFor } from '../../test/wait-for.js';
import { TestClient, identity, startTestServer, withServer, type TestServer } from './test-client.node.test.js';

interface Classroom {
  room: string;
  tutor: TestClient;
  alice: TestClient;
  bob: TestClient;
}

void describe('chat through the room server', () => {
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

  async function classroom(): Promise<Classroom> {
    const room = `chat-${++roomCounter}`;
    const [tutor, alice, bob] = await Promise.all([1, 2, 3].map(() => TestClient.connect(server.webSocketUrl)));
    assert.ok(tutor && alice && bob);
    opened.push(tutor, alice, bob);
    await tutor.join(identity('Tess', 'tutor', room));
    await alice.join(identity('Alice', 'student', room));
    await bob.join(identity('Bob', 'student', room));
    for (const client of [tutor, alice, bob]) {
      await client.roundTrip();
      client.drain();
    }
    return { room, tutor, alice, bob };
  }

  void test('a message to the room reaches everyone, the sender included, cleaned and with its sender', async () => {
    const { tutor, alice, bob } = await classroom();
    alice.send({ type: 'LS-CHAT', payload: { text: '  What is 2+2?\u202e\u0007  ' } });
    const seen = await Promise.all([tutor, alice, bob].map((c) => c.next('LS-CHAT')));
    for (const { payload } of seen) {
      assert.equal(payload.message.text, 'What is 2+2?');
      assert.equal(payload.message.from.name, 'Alice');
      assert.equal(payload.message.from.role, 'student');
      assert.equal(payload.message.from.id, alice.id);
      assert.equal(payload.message.to, undefined);
    }
    assert.equal(new Set(seen.map((m) => m.payload.message.id)).size, 1, 'one id for everyone');
  });

  void test('markup is carried as text, never changed into anything else', async () => {
    const { tutor, bob } = await classroom();
    const text = '<img src=x onerror=alert(1)> & <b>bold</b>';
    bob.send({ type: 'LS-CHAT', payload: { text } });
    const { payload } = await tutor.next('LS-CHAT');
    assert.equal(payload.message.text, text);
  });

  void test('a private message reaches its two parties only; a student may write privately only to a tutor', async () => {
    const { tutor, alice, bob } = await classroom();
    alice.send({ type: 'LS-CHAT', payload: { text: 'I am lost', to: tutor.id } });
    const [atTutor, atAlice] = await Promise.all([tutor.next('LS-CHAT'), alice.next('LS-CHAT')]);
    assert.equal(atTutor.payload.message.to?.id, tutor.id);
    assert.equal(atAlice.payload.message.id, atTutor.payload.message.id);
    tutor.send({ type: 'LS-CHAT', payload: { text: 'See me after', to: alice.id } });
    await Promise.all([tutor.next('LS-CHAT'), alice.next('LS-CHAT')]);
    alice.send({ type: 'LS-CHAT', payload: { text: 'psst Bob', to: bob.id } });
    assert.equal((await alice.nextError()).code, 'forbidden');
    await bob.roundTrip();
    assert.deepEqual(bob.drain('LS-CHAT'), [], 'Bob saw no private message');
  });

  void test('a late joiner gets the room history and only its own private messages; a refresh keeps them', async () => {
    const { room, tutor, alice, bob } = await classroom();
    tutor.send({ type: 'LS-CHAT', payload: { text: 'Welcome' } });
    alice.send({ type: 'LS-CHAT', payload: { text: 'for the tutor', to: tutor.id } });
    tutor.send({ type: 'LS-CHAT', payload: { text: 'for Bob', to: bob.id } });
    await tutor.roundTrip();
    const late = await TestClient.connect(server.webSocketUrl);
    opened.push(late);
    const joined = await late.join(identity('Lee', 'student', room));
    assert.deepEqual(joined.chat?.messages.map((m) => m.text), ['Welcome']);
    assert.equal(joined.chat.studentsMayChat, true);
    // Bob refreshes: a new socket, the same user; his private message is still his.
    const bobAgain = await TestClient.connect(server.webSocketUrl);
    opened.push(bobAgain);
    const rejoined = await bobAgain.join(identity('Bob', 'student', room));
    assert.deepEqual(rejoined.chat?.messages.map((m) => m.text), ['Welcome', 'for Bob']);
  });

  void test('the tutor deletes a message: everyone is told and later joiners do not get it; a student cannot delete', async () => {
    const { room, tutor, alice, bob } = await classroom();
    bob.send({ type: 'LS-CHAT', payload: { text: 'spam spam' } });
    const { payload } = await tutor.next('LS-CHAT');
    alice.send({ type: 'LS-CHAT-DELETE', payload: { id: payload.message.id } });
    assert.equal((await alice.nextError()).code, 'forbidden');
    tutor.send({ type: 'LS-CHAT-DELETE', payload: { id: payload.message.id } });
    for (const client of [tutor, alice, bob]) assert.equal((await client.next('LS-CHAT-DELETED')).payload.id, payload.message.id);
    tutor.send({ type: 'LS-CHAT-DELETE', payload: { id: payload.message.id } });
    assert.equal((await tutor.nextError()).code, 'no-such-message');
    const late = await TestClient.connect(server.webSocketUrl);
    opened.push(late);
    assert.deepEqual((await late.join(identity('Lee', 'student', room))).chat?.messages, []);
  });

  void test('with students’ chat off, a student cannot write to the room but can still write to the tutor', async () => {
    const { tutor, alice, bob } = await classroom();
    bob.send({ type: 'LS-CHAT-POLICY', payload: { studentsMayChat: false } });
    assert.equal((await bob.nextError()).code, 'forbidden');
    tutor.send({ type: 'LS-CHAT-POLICY', payload: { studentsMayChat: false } });
    for (const client of [tutor, alice, bob]) assert.equal((await client.next('LS-CHAT-POLICY')).payload.studentsMayChat, false);
    alice.send({ type: 'LS-CHAT', payload: { text: 'hello all' } });
    assert.equal((await alice.nextError()).code, 'chat-disabled');
    alice.send({ type: 'LS-CHAT', payload: { text: 'hello tutor', to: tutor.id } });
    assert.equal((await tutor.next('LS-CHAT')).payload.message.text, 'hello tutor');
    tutor.send({ type: 'LS-CHAT', payload: { text: 'tutors still talk' } });
    assert.equal((await bob.next('LS-CHAT')).payload.message.text, 'tutors still talk');
    await bob.roundTrip();
    assert.equal(bob.drain('LS-CHAT').length, 0, 'the refused message reached nobody');
  });

  void test('bad chat requests are refused with a clear code and reach nobody', async () => {
    const { tutor, alice } = await classroom();
    const cases: Array<[unknown, string]> = [
      [{ type: 'LS-CHAT' }, 'bad-payload'],
      [{ type: 'LS-CHAT', payload: { text: 42 } }, 'bad-payload'],
      [{ type: 'LS-CHAT', payload: { text: '   \u2060\u200b  ' } }, 'bad-payload'],
      [{ type: 'LS-CHAT', payload: { text: 'x'.repeat(LIMITS.chatMaxLength + 1) } }, 'message-too-long'],
      [{ type: 'LS-CHAT', payload: { text: 'hi', to: 'nobody-here' } }, 'no-such-participant'],
      [{ type: 'LS-CHAT', payload: { text: 'hi', to: { id: 1 } } }, 'bad-payload'],
    ];
    for (const [request, code] of cases) {
      alice.send(request);
      assert.equal((await alice.nextError()).code, code, JSON.stringify(request).slice(0, 80));
    }
    alice.send({ type: 'LS-CHAT', payload: { text: '€'.repeat(LIMITS.chatMaxLength) } });
    assert.equal((await tutor.next('LS-CHAT')).payload.message.text.length, LIMITS.chatMaxLength, 'the longest message goes through');
    await tutor.roundTrip();
    assert.equal(tutor.drain('LS-CHAT').length, 0);
  });

  void test('a student flooding the chat is limited; the others are not, and the history stays bounded', async () => {
    await withServer({ chatPerMinute: 60, chatHistory: 10 }, async (small, clients) => {
      const room = 'flood';
      const [tutor, flooder] = await Promise.all([1, 2].map(() => TestClient.connect(small.webSocketUrl)));
      assert.ok(tutor && flooder);
      clients.push(tutor, flooder);
      await tutor.join(identity('Tess', 'tutor', room));
      await flooder.join(identity('Fay', 'student', room));
      for (let i = 0; i < 30; i++) flooder.send({ type: 'LS-CHAT', payload: { text: `flood ${String(i)}` } });
      await flooder.roundTrip();
      const delivered = flooder.drain('LS-CHAT').length;
      const refused = flooder.drain('LS-ERROR').filter((e) => (e.payload as { code?: string }).code === 'rate-limited').length;
      assert.ok(delivered >= 5 && delivered < 10, `a burst of 5 (and what refilled meanwhile) got through, not 30: ${String(delivered)}`);
      assert.equal(delivered + refused, 30);
      assert.equal(flooder.isOpen, true, 'a chat flood is refused, not punished by closing the socket');
      for (let i = 0; i < 12; i++) tutor.send({ type: 'LS-CHAT', payload: { text: `t${String(i)}` } });
      await tutor.roundTrip();
      const late = await TestClient.connect(small.webSocketUrl);
      clients.push(late);
      const joined = await late.join(identity('Lee', 'student', room));
      assert.ok(tutor.drain('LS-CHAT').length >= 5);
      assert.ok((joined.chat?.messages.length ?? 0) <= 10, 'the history keeps at most chatHistory messages');
    });
  });

  void test('a reaction reaches the whole room with its sender; unknown ones are refused; a burst is limited', async () => {
    const { tutor, alice, bob } = await classroom();
    alice.send({ type: 'LS-REACT', payload: { reaction: 'confused' } });
    for (const client of [tutor, alice, bob]) assert.deepEqual((await client.next('LS-REACTION')).payload, { from: alice.id, reaction: 'confused' });
    bob.send({ type: 'LS-REACT', payload: { reaction: '<script>' } });
    assert.equal((await bob.nextError()).code, 'bad-payload');
    for (let i = 0; i < 10; i++) bob.send({ type: 'LS-REACT', payload: { reaction: 'clap' } });
    await bob.roundTrip();
    const relayed = bob.drain('LS-REACTION').length;
    assert.ok(relayed >= 3 && relayed < 6, `a burst of 3 went through, not 10: ${String(relayed)}`);
    assert.ok(bob.drain('LS-ERROR').some((e) => (e.payload as { code?: string }).code === 'rate-limited'));
  });

  void test('the chat is the room’s: another room hears nothing, and an empty room forgets it', async () => {
    const { room, tutor, alice, bob } = await classroom();
    const other = await TestClient.connect(server.webSocketUrl);
    opened.push(other);
    await other.join(identity('Olga', 'student', `${room}-other`));
    tutor.send({ type: 'LS-CHAT', payload: { text: 'only here' } });
    await tutor.next('LS-CHAT');
    await other.roundTrip();
    assert.equal(other.drain('LS-CHAT').length, 0);
    await Promise.all([tutor, alice, bob].map((c) => c.close()));
    await waitFor(() => server.roomServer.rooms.get(room) === undefined, 'the room emptied');
    const next = await TestClient.connect(server.webSocketUrl);
    opened.push(next);
    assert.deepEqual((await next.join(identity('Tess', 'tutor', room))).chat?.messages, [], 'a new lesson starts with an empty chat');
  });
});

void describe('chat text cleaning', () => {
  void test('keeps what people write, line breaks and emoji included', () => {
    assert.equal(cleanChatText('a\r\nb\rc'), 'a\nb\nc');
    assert.equal(cleanChatText('👩‍🏫 x² — ok'), '👩‍🏫 x² — ok');
    assert.equal(cleanChatText('می‌خواهم'), 'می‌خواهم', 'ZWNJ is part of the writing');
    assert.equal(cleanChatText('a\n\n\n\n\n\nb'), 'a\n\n\nb');
  });

  void test('removes what hides or reverses text, and refuses text with nothing visible', () => {
    assert.equal(cleanChatText('abc\u202edef'), 'abcdef');
    assert.equal(cleanChatText('a\u0000b\u001b[31mc'), 'ab[31mc');
    assert.equal(cleanChatText('\ud800x'), 'x');
    assert.equal(cleanChatText('e\u0301\u0301\u0301\u0301\u0301\u0301\u0301').length, 5);
    assert.equal(cleanChatText('abc\u061cdef'), 'abcdef', 'the Arabic letter mark changes direction too');
    for (const blank of ['', '   ', '\u3164', '\u2060\u2061', '\u{e0041}\u{e0042}', '\u2800', '\u180e\u17b4', '\u00ad', '\u034f\u200d\ufe0f']) {
      assert.equal(cleanChatText(blank), '', JSON.stringify(blank));
    }
  });
});
