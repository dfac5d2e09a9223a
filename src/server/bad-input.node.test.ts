import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Bystanders, TestClient, startTestServer, type TestServer } from './test-client.node.test.js';

/** Each case: what the offender sends, and the LS-ERROR code it must get back. */
interface BadInputCase {
  label: string;
  /** Join a room first (as a tutor), to reach handlers that need membership. */
  joined?: boolean;
  /** Peer id to connect with. */
  peerId?: string;
  send: (client: TestClient) => void;
  code: string;
}

const join = (payload: Record<string, unknown>) => (client: TestClient) => {
  client.send({ type: 'LS-JOIN', payload: { room: 'r', userId: 'u1', name: 'Name', role: 'student', ...payload } });
};

const cases: BadInputCase[] = [
  { label: 'not JSON', send: (c) => c.sendRaw('{"type": "LS-JOIN", oops'), code: 'bad-message' },
  { label: 'JSON null', send: (c) => c.sendRaw('null'), code: 'bad-message' },
  { label: 'JSON array', send: (c) => c.sendRaw('[{"type":"LS-JOIN"}]'), code: 'bad-message' },
  { label: 'JSON number', send: (c) => c.sendRaw('42'), code: 'bad-message' },
  { label: 'JSON string', send: (c) => c.sendRaw('"LS-JOIN"'), code: 'bad-message' },
  { label: 'object without type', send: (c) => c.send({ payload: {} }), code: 'bad-message' },
  { label: 'type not a string', send: (c) => c.send({ type: 7 }), code: 'bad-message' },
  { label: 'binary frame', send: (c) => c.sendRaw(Buffer.from('{"type":"HEARTBEAT"}')), code: 'bad-message' },
  { label: 'unknown type', send: (c) => c.send({ type: 'FOO' }), code: 'unknown-type' },
  { label: 'unknown LS- type', send: (c) => c.send({ type: 'LS-SELF-DESTRUCT' }), code: 'unknown-type' },
  { label: 'a server-only type', send: (c) => c.send({ type: 'LS-JOINED', payload: {} }), code: 'unknown-type' },
  { label: 'LS-JOIN payload a string', send: (c) => c.send({ type: 'LS-JOIN', payload: 'room' }), code: 'bad-payload' },
  { label: 'LS-JOIN room a number', send: join({ room: 5 }), code: 'bad-payload' },
  { label: 'LS-JOIN room with a slash', send: join({ room: '../etc' }), code: 'bad-payload' },
  { label: 'LS-JOIN isVideoOn a string', send: join({ isVideoOn: 'yes' }), code: 'bad-payload' },
  { label: 'LS-JOIN role unknown', send: join({ role: 'admin' }), code: 'bad-payload' },
  { label: 'LS-JOIN userId with control characters', send: join({ userId: 'u\u0000\u0007' }), code: 'bad-payload' },
  { label: 'LS-JOIN userId with markup', send: join({ userId: '<script>' }), code: 'bad-payload' },
  { label: 'LS-JOIN overlong userId', send: join({ userId: 'u'.repeat(200) }), code: 'bad-payload' },
  { label: 'LS-JOIN name only control characters', send: join({ name: '\u0000\u001b\u202e' }), code: 'bad-payload' },
  { label: 'LS-JOIN name with markup', send: join({ name: '<img src=x onerror=alert(1)>' }), code: 'bad-payload' },
  { label: 'LS-JOIN overlong name', send: join({ name: 'n'.repeat(1000) }), code: 'bad-payload' },
  { label: 'LS-JOIN name an object', send: join({ name: { first: 'A' } }), code: 'bad-payload' },
  { label: 'peer id with markup', peerId: '<b>x</b>', send: join({}), code: 'bad-payload' },
  { label: 'overlong peer id', peerId: 'p'.repeat(300), send: join({}), code: 'bad-payload' },
  { label: 'LS-STATE isAudioOn a number', joined: true, send: (c) => c.send({ type: 'LS-STATE', payload: { isAudioOn: 1 } }), code: 'bad-payload' },
  { label: 'LS-STATE incomingVideoOff a string', joined: true, send: (c) => c.send({ type: 'LS-STATE', payload: { incomingVideoOff: 'yes' } }), code: 'bad-payload' },
  { label: 'LS-STATE empty', joined: true, send: (c) => c.send({ type: 'LS-STATE', payload: {} }), code: 'bad-payload' },
  { label: 'LS-HAND raised a string', joined: true, send: (c) => c.send({ type: 'LS-HAND', payload: { raised: 'true' } }), code: 'bad-payload' },
  { label: 'LS-MUTE target a number', joined: true, send: (c) => c.send({ type: 'LS-MUTE', payload: { target: 42 } }), code: 'bad-payload' },
  { label: 'LS-REMOVE without payload', joined: true, send: (c) => c.send({ type: 'LS-REMOVE' }), code: 'bad-payload' },
  { label: 'LS-CHAT without payload', joined: true, send: (c) => c.send({ type: 'LS-CHAT' }), code: 'bad-payload' },
  { label: 'LS-CHAT text an array', joined: true, send: (c) => c.send({ type: 'LS-CHAT', payload: { text: ['a'] } }), code: 'bad-payload' },
  { label: 'LS-CHAT text only invisible characters', joined: true, send: (c) => c.send({ type: 'LS-CHAT', payload: { text: '\u200b\u2062\u3164' } }), code: 'bad-payload' },
  { label: 'LS-CHAT to a number', joined: true, send: (c) => c.send({ type: 'LS-CHAT', payload: { text: 'hi', to: 9 } }), code: 'bad-payload' },
  { label: 'LS-CHAT text of 2,500 characters', joined: true, send: (c) => c.send({ type: 'LS-CHAT', payload: { text: 'x'.repeat(2500) } }), code: 'message-too-long' },
  { label: 'LS-CHAT-DELETE id an object', joined: true, send: (c) => c.send({ type: 'LS-CHAT-DELETE', payload: { id: {} } }), code: 'bad-payload' },
  { label: 'LS-SPEAK-ANSWER accept a string', joined: true, send: (c) => c.send({ type: 'LS-SPEAK-ANSWER', payload: { accept: 'yes' } }), code: 'bad-payload' },
  { label: 'LS-TALKING-STICK without payload', joined: true, send: (c) => c.send({ type: 'LS-TALKING-STICK' }), code: 'bad-payload' },
  { label: 'LS-INVITE-SPEAK target an array', joined: true, send: (c) => c.send({ type: 'LS-INVITE-SPEAK', payload: { target: ['x'] } }), code: 'bad-payload' },
  { label: 'LS-ADMISSION empty', joined: true, send: (c) => c.send({ type: 'LS-ADMISSION', payload: {} }), code: 'bad-payload' },
  { label: 'LS-ADMIT target a number', joined: true, send: (c) => c.send({ type: 'LS-ADMIT', payload: { target: 3 } }), code: 'bad-payload' },
  { label: 'LS-DENY without payload', joined: true, send: (c) => c.send({ type: 'LS-DENY' }), code: 'bad-payload' },
  { label: 'LS-REACT an unknown reaction', joined: true, send: (c) => c.send({ type: 'LS-REACT', payload: { reaction: 'boo' } }), code: 'bad-payload' },
  { label: 'LS-CHAT-POLICY a string', joined: true, send: (c) => c.send({ type: 'LS-CHAT-POLICY', payload: { studentsMayChat: 'no' } }), code: 'bad-payload' },
  { label: 'OFFER without dst', joined: true, send: (c) => c.send({ type: 'OFFER', payload: {} }), code: 'bad-payload' },
  { label: 'CANDIDATE dst a number', joined: true, send: (c) => c.send({ type: 'CANDIDATE', dst: 1, payload: {} }), code: 'bad-payload' },
  {
    label: 'OFFER for a data connection with a crafted serializer',
    joined: true,
    send: (c) => c.send({ type: 'OFFER', dst: c.id, payload: { type: 'data', serialization: 'constructor', connectionId: 'dc_x' } }),
    code: 'bad-payload',
  },
];

void describe('bad input never hurts', () => {
  let server: TestServer;
  let bystanders: Bystanders;
  const opened: TestClient[] = [];

  before(async () => {
    server = await startTestServer({ maxBadMessages: 1000, maxPayload: 4096 });
    bystanders = await Bystanders.create(server);
  });
  after(async () => {
    await Promise.all(opened.map((client) => client.close()));
    await bystanders.close();
    await server.close();
  });

  for (const badInput of cases) {
    void test(`${badInput.label} → LS-ERROR ${badInput.code}; the server and another room carry on`, async () => {
      const offender = await TestClient.connect(server.webSocketUrl, badInput.peerId);
      opened.push(offender);
      if (badInput.joined) {
        await offender.join({ room: 'offenders', userId: `offender-${offender.id}`, name: 'Offender', role: 'tutor' });
      }
      const peerErrorsBefore = server.logs.filter((entry) => entry.event === 'peer-error').length;
      badInput.send(offender);
      const error = await offender.nextError();
      assert.equal(error.code, badInput.code);
      assert.equal(typeof error.message, 'string');
      assert.ok(error.message.length > 0);
      // The frame never reached peer (which would log an error for non-JSON), and nothing changed.
      await offender.roundTrip();
      assert.equal(server.logs.filter((entry) => entry.event === 'peer-error').length, peerErrorsBefore);
      assert.ok(offender.isOpen, 'one bad message does not cost the socket');
      assert.equal(server.roomServer.rooms.get('r'), undefined);
      await bystanders.assertUnaffected();
    });
  }

  void test('control characters are cleaned out of an otherwise good name; long names are cut', async () => {
    const client = await TestClient.connect(server.webSocketUrl);
    opened.push(client);
    const joined = await client.join({ room: 'names', userId: 'names-1', name: '  Al\u0000i\u0007ce\u202e ', role: 'student' });
    assert.equal(joined.self.name, 'Alice');
    const other = await TestClient.connect(server.webSocketUrl);
    opened.push(other);
    const long = await other.join({ room: 'names', userId: 'names-2', name: 'x'.repeat(100), role: 'student' });
    assert.equal(long.self.name.length, 64);
    await bystanders.assertUnaffected();
  });

  void test('a frame over maxPayload closes that socket with 1009', async () => {
    const offender = await TestClient.connect(server.webSocketUrl);
    opened.push(offender);
    offender.send({ type: 'LS-JOIN', payload: { room: 'r', userId: 'u', name: 'x'.repeat(5000), role: 'student' } });
    assert.equal((await offender.closed).code, 1009);
    await bystanders.assertUnaffected();
  });

  void test('a connection that repeats id, token or key is closed with 1008 (no acting as someone else)', async () => {
    const { WebSocket } = await import('ws');
    for (const query of ['id=a1&id=b1&token=t&key=peerjs', 'id=a2&token=t&token=u&key=peerjs', 'id=a3&token=t&key=peerjs&key=peerjs']) {
      const socket = new WebSocket(`${server.webSocketUrl}?${query}`);
      const code = await new Promise<number>((resolve) => socket.once('close', (closeCode) => resolve(closeCode)));
      assert.equal(code, 1008, query);
    }
    await bystanders.assertUnaffected();
  });

  void test('a client may send PeerJS HEARTBEATs and LEAVE without dst as usual', async () => {
    const client = await TestClient.connect(server.webSocketUrl);
    opened.push(client);
    client.send({ type: 'HEARTBEAT' });
    client.send({ type: 'HEARTBEAT' });
    await client.roundTrip();
    assert.deepEqual(client.drain('LS-ERROR'), []);
  });
});

void describe('repeat offenders and floods', () => {
  void test('too many malformed messages close the socket with 1008; others carry on', async () => {
    const server = await startTestServer({ maxBadMessages: 3 });
    const bystanders = await Bystanders.create(server);
    const offender = await TestClient.connect(server.webSocketUrl);
    try {
      for (let i = 0; i < 3; i += 1) offender.sendRaw('garbage');
      for (let i = 0; i < 3; i += 1) assert.equal((await offender.nextError()).code, 'bad-message');
      assert.equal((await offender.closed).code, 1008);
      assert.ok(server.logs.some((entry) => entry.event === 'policy-close' && entry['reason'] === 'bad-messages'));
      await bystanders.assertUnaffected();
    } finally {
      await offender.close();
      await bystanders.close();
      await server.close();
    }
  });

  void test('a message flood gets rate-limited, then closed with 1008; a normal client and another room carry on', async () => {
    const server = await startTestServer({ rateLimit: { burst: 20, perSecond: 10, overflowLimit: 10 } });
    const bystanders = await Bystanders.create(server);
    const flooder = await TestClient.connect(server.webSocketUrl);
    const neighbour = await TestClient.connect(server.webSocketUrl);
    try {
      await flooder.join({ room: 'flood', userId: 'flooder', name: 'Flooder', role: 'student' });
      await neighbour.join({ room: 'flood', userId: 'neighbour', name: 'Neighbour', role: 'tutor' });
      for (let i = 0; i < 200; i += 1) flooder.send({ type: 'LS-HAND', payload: { raised: i % 2 === 0 } });
      assert.equal((await flooder.nextError()).code, 'rate-limited');
      assert.equal((await flooder.closed).code, 1008);
      const left = await neighbour.next('LS-PARTICIPANT-LEFT');
      assert.equal(left.payload.id, flooder.id);
      assert.ok(server.logs.some((entry) => entry.event === 'policy-close' && entry['reason'] === 'flood'));
      // The neighbour, within its own budget, is served as usual.
      for (let i = 0; i < 5; i += 1) neighbour.send({ type: 'HEARTBEAT' });
      neighbour.send({ type: 'LS-STATE', payload: { isVideoOn: true } });
      const own = await neighbour.next('LS-PARTICIPANT-UPDATED', (m) => m.payload.participant.id === neighbour.id);
      assert.equal(own.payload.participant.isVideoOn, true);
      await bystanders.assertUnaffected();
    } finally {
      await Promise.all([flooder.close(), neighbour.close()]);
      await bystanders.close();
      await server.close();
    }
  });
});
