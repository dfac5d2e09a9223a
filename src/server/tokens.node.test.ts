import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SignJWT } from 'jose';
import { signJoinToken, verifyJoinToken } from './join-token.js';
import type { LogEntry } from './logger.js';
import { TestClient, startTestServer, type TestServer } from './test-client.node.test.js';

const SECRET = 'a-test-secret-that-is-long-enough-for-hs256!';
const key = new TextEncoder().encode(SECRET);

const alice = { room: 'physics', sub: 'user-alice', name: 'Alice', role: 'student' } as const;
const tutor = { room: 'physics', sub: 'user-tom', name: 'Tom', role: 'tutor' } as const;

void describe('join tokens', () => {
  let server: TestServer;
  let insider: TestClient;
  const opened: TestClient[] = [];
  const connect = async (): Promise<TestClient> => {
    const client = await TestClient.connect(server.webSocketUrl);
    opened.push(client);
    return client;
  };

  before(async () => {
    server = await startTestServer({ secret: SECRET });
    insider = await connect();
    await insider.join({ token: await signJoinToken(tutor, SECRET) });
  });
  after(async () => {
    await Promise.all(opened.map((client) => client.close()));
    await server.close();
  });

  void test('the server logs once at start whether it checks tokens', async () => {
    const logged: LogEntry[] = [];
    const withSecret = await startTestServer({ secret: SECRET, quiet: false, logger: (entry) => logged.push(entry) });
    const open = await startTestServer({ quiet: false, logger: (entry) => logged.push(entry) });
    await withSecret.close();
    await open.close();
    // Once per server process (each test server is two of them when rooms are shared through Redis).
    const starts = logged.filter((entry) => entry.event === 'start');
    const processes = new Set(starts.map((entry) => `${String(entry['mode'])} ${typeof entry['processId'] === 'string' ? entry['processId'] : 'local'}`));
    assert.equal(processes.size, starts.length);
    const kinds = [...new Set(starts.map((entry) => JSON.stringify([entry.level, entry['mode']])))].map((kind) => JSON.parse(kind) as unknown);
    assert.deepEqual(
      kinds,
      [
        ['info', 'token'],
        ['warn', 'open'],
      ],
    );
    assert.match(String(starts.at(-1)?.['message']), /open development mode/);
    assert.equal(server.roomServer.mode, 'token');
  });

  void test('room, identity and role come only from the token', async () => {
    const client = await connect();
    const token = await signJoinToken(alice, SECRET, { expiresIn: '10m' });
    const joined = await client.join({ token, userId: 'someone-else', name: 'Mallory', role: 'tutor', isAudioOn: true });
    assert.equal(joined.room, 'physics');
    assert.equal(joined.self.userId, 'user-alice');
    assert.equal(joined.self.name, 'Alice');
    assert.equal(joined.self.role, 'student');
    assert.equal(joined.self.isAudioOn, true);
    assert.deepEqual(
      joined.participants.map((p) => p.userId),
      ['user-tom'],
    );
    await insider.next('LS-PARTICIPANT-JOINED', (m) => m.payload.participant.id === client.id);
  });

  void test('a payload room that matches the token is accepted', async () => {
    const client = await connect();
    const joined = await client.join({ token: await signJoinToken({ ...alice, sub: 'user-match' }, SECRET), room: 'physics' });
    assert.equal(joined.room, 'physics');
    await insider.next('LS-PARTICIPANT-JOINED', (m) => m.payload.participant.id === client.id);
  });

  const refusals: Array<[string, () => Promise<Record<string, unknown>>, string]> = [
    ['no token', () => Promise.resolve({ room: 'physics', userId: 'u', name: 'N', role: 'tutor' }), 'token-missing'],
    ['empty token', () => Promise.resolve({ token: '' }), 'token-missing'],
    ['token of the wrong type', () => Promise.resolve({ token: 42 }), 'token-invalid'],
    ['garbage token', () => Promise.resolve({ token: 'not.a.jwt' }), 'token-invalid'],
    [
      'token signed with another secret',
      async () => ({ token: await signJoinToken(alice, 'another-secret-of-sufficient-length-000') }),
      'token-invalid',
    ],
    [
      'token signed with HS512',
      async () => ({
        token: await new SignJWT({ room: 'physics', name: 'A', role: 'student' })
          .setProtectedHeader({ alg: 'HS512' })
          .setSubject('user-a')
          .setExpirationTime('1h')
          .sign(key),
      }),
      'token-invalid',
    ],
    [
      'unsigned token (alg none)',
      () => {
        const encode = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
        const exp = Math.floor(Date.now() / 1000) + 3600;
        return Promise.resolve({
          token: `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ ...tutor, exp })}.`,
        });
      },
      'token-invalid',
    ],
    [
      'token without exp',
      async () => ({
        token: await new SignJWT({ room: 'physics', name: 'A', role: 'student' })
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject('user-a')
          .sign(key),
      }),
      'token-invalid',
    ],
    [
      'token with an unknown role',
      async () => ({
        token: await new SignJWT({ room: 'physics', name: 'A', role: 'admin' })
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject('user-a')
          .setExpirationTime('1h')
          .sign(key),
      }),
      'token-invalid',
    ],
    [
      'token with markup in the name',
      async () => ({
        token: await new SignJWT({ room: 'physics', name: '<img src=x onerror=alert(1)>', role: 'student' })
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject('user-a')
          .setExpirationTime('1h')
          .sign(key),
      }),
      'token-invalid',
    ],
    ['expired token', async () => ({ token: await signJoinToken(alice, SECRET, { expiresIn: -60 }) }), 'token-expired'],
    [
      'token for another room',
      async () => ({ token: await signJoinToken(alice, SECRET), room: 'chemistry' }),
      'token-wrong-room',
    ],
  ];

  for (const [label, payload, code] of refusals) {
    void test(`refused: ${label} → ${code}; the socket learns nothing about the room`, async () => {
      const client = await connect();
      const error = await client.joinRefused(await payload());
      assert.equal(error.code, code);
      assert.equal(error.request, 'LS-JOIN');
      assert.doesNotMatch(error.message, /physics|Tom|user-tom/);
      // Not in the room: nothing of it reaches this socket, and the room saw no one.
      await insider.roundTrip();
      await client.roundTrip();
      assert.deepEqual(client.drain(), []);
      assert.deepEqual(insider.drain('LS-PARTICIPANT-JOINED'), []);
      assert.ok(server.logs.some((entry) => entry.event === 'refused' && entry['code'] === code));
      assert.ok(!server.roomServer.rooms.get('physics')?.participants.some((p) => p.id === client.id));
    });
  }

  void test('a refused socket may try again with a good token', async () => {
    const client = await connect();
    assert.equal((await client.joinRefused({ token: 'nope' })).code, 'token-invalid');
    const joined = await client.join({ token: await signJoinToken({ ...alice, sub: 'user-retry' }, SECRET) });
    assert.equal(joined.self.userId, 'user-retry');
  });

  void test('requests sent right after LS-JOIN wait for the token check, in order', async () => {
    const client = await connect();
    client.send({ type: 'LS-JOIN', payload: { token: await signJoinToken({ ...alice, sub: 'user-eager' }, SECRET) } });
    client.send({ type: 'LS-STATE', payload: { isVideoOn: true } });
    await client.next('LS-JOINED');
    const update = await client.next('LS-PARTICIPANT-UPDATED');
    assert.equal(update.payload.participant.isVideoOn, true);
  });
});

void describe('signJoinToken / verifyJoinToken', () => {
  void test('round trip keeps the claims and sets exp', async () => {
    const token = await signJoinToken(alice, SECRET, { expiresIn: 120 });
    const verdict = await verifyJoinToken(token, SECRET);
    if (!verdict.ok) assert.fail(`refused: ${verdict.code}`);
    assert.deepEqual({ ...verdict.claims, exp: 0 }, { ...alice, exp: 0 });
    const now = Math.floor(Date.now() / 1000);
    assert.ok(verdict.claims.exp > now && verdict.claims.exp <= now + 121);
  });

  void test('refuses to sign unusable claims', async () => {
    await assert.rejects(signJoinToken({ ...alice, room: 'no spaces allowed' }, SECRET), TypeError);
    await assert.rejects(signJoinToken({ ...alice, sub: '' }, SECRET), TypeError);
    await assert.rejects(signJoinToken({ ...alice, name: '\u0000' }, SECRET), TypeError);
    await assert.rejects(signJoinToken({ ...alice, role: 'admin' as 'tutor' }, SECRET), TypeError);
    await assert.rejects(signJoinToken(alice, ''), TypeError);
  });

  void test('expired and tampered tokens get distinct verdicts', async () => {
    const expired = await verifyJoinToken(await signJoinToken(alice, SECRET, { expiresIn: -30 }), SECRET);
    assert.deepEqual(expired.ok ? 'ok' : expired.code, 'token-expired');
    const token = await signJoinToken(alice, SECRET);
    const [header, , signature] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...tutor, exp: 9999999999 })).toString('base64url');
    const tampered = await verifyJoinToken(`${header ?? ''}.${forged}.${signature ?? ''}`, SECRET);
    assert.deepEqual(tampered.ok ? 'ok' : tampered.code, 'token-invalid');
  });
});
