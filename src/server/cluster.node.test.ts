/**
 * Rooms shared by several room server processes through a real Redis
 * (`redis-server` on a free loopback port): membership and signalling across
 * processes, peer ids unique over all of them, a process killed with SIGKILL,
 * and Redis restarted empty.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { connect as netConnect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { stopProcess } from '../../test/child-process.js';
import { freePort } from '../../test/free-port.js';
import { startRedis, type TestRedis } from '../../test/redis.js';
import { delay, waitFor } from '../../test/wait-for.js';
import { RedisBackend } from './cluster/redis-backend.js';
import { roomOfJoin } from './cluster/router.js';
import { resolveOptions } from './options.js';
import { TestClient, identity, startTestServer, type TestServer } from './test-client.node.test.js';

const cliPath = fileURLToPath(new URL('./cli.ts', import.meta.url));

/** A room server in a process of its own (so it can be killed), sharing rooms through `redisUrl`. */
interface ServerProcess {
  child: ChildProcess;
  webSocketUrl: string;
  output: () => string;
}

async function startServerProcess(redisUrl: string): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', cliPath, '--port', '0', '--redis', redisUrl], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`server did not start: ${output}`));
    }, 20_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const found = /listening at (http:\/\/\S+)/.exec(output);
      if (found?.[1]) {
        clearTimeout(timer);
        resolve(found[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${String(code)}: ${output}`));
    });
  });
  return { child, webSocketUrl: `${url.replace(/^http/, 'ws')}peerjs`, output: () => output };
}


void describe('shared rooms: pure parts', () => {
  void test('the room of a join: its room field, else its token\'s room claim (read unverified, only to route)', () => {
    const claims = Buffer.from(JSON.stringify({ room: 'from-token', sub: 'u' })).toString('base64url');
    assert.equal(roomOfJoin(JSON.stringify({ type: 'LS-JOIN', payload: { room: 'algebra' } })), 'algebra');
    assert.equal(roomOfJoin(JSON.stringify({ type: 'LS-JOIN', payload: { token: `h.${claims}.s` } })), 'from-token');
    for (const text of ['not json', '[]', JSON.stringify({ type: 'LS-STATE', payload: { room: 'x' } }), JSON.stringify({ type: 'LS-JOIN' }), JSON.stringify({ type: 'LS-JOIN', payload: { token: 'a.%%%.b' } }), JSON.stringify({ type: 'LS-JOIN', payload: { room: 'x'.repeat(65) } })]) {
      assert.equal(roomOfJoin(text), undefined, text);
    }
  });

  void test('the redis option is checked at start', () => {
    assert.throws(() => resolveOptions({ redis: 'http://localhost' }), /redis:\/\/ or rediss:\/\//);
    assert.throws(() => resolveOptions({ redis: { url: 'redis://h', heartbeatMs: 1000, processTimeoutMs: 1500 } }), /at least twice/);
    assert.deepEqual(resolveOptions({ redis: 'redis://h:1' }).redis, { url: 'redis://h:1', keyPrefix: 'ls:', heartbeatMs: 1000, processTimeoutMs: 5000, commandTimeoutMs: 5000 });
    assert.throws(() => resolveOptions({ redis: { url: 'redis://h', commandTimeoutMs: -1 } }), /commandTimeoutMs/);
    assert.equal(resolveOptions({}).redis, undefined);
  });
});

void describe('rooms shared through Redis', () => {
  let redis: TestRedis;
  const opened: TestClient[] = [];
  const servers: TestServer[] = [];
  const processes: ServerProcess[] = [];

  const connect = async (url: string, id?: string, peerToken?: string, waitForOpen = true): Promise<TestClient> => {
    const client = await TestClient.connect(url, id, { waitForOpen, ...(peerToken === undefined ? {} : { peerToken }) });
    opened.push(client);
    return client;
  };
  const startServer = async (): Promise<TestServer> => {
    const server = await startTestServer({ redis: { url: redis.url, heartbeatMs: 200, processTimeoutMs: 1000 } });
    servers.push(server);
    return server;
  };

  /** The two in-process servers the tests share (started by the first test that needs them). */
  const twoServers = async (): Promise<[TestServer, TestServer]> => [servers[0] ?? (await startServer()), servers[1] ?? (await startServer())];

  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    await Promise.all(opened.map((client) => client.close()));
    await Promise.all(servers.map((server) => server.close()));
    await Promise.all(processes.map((server) => stopProcess(server.child, 'SIGKILL')));
    await redis.stop();
  });

  void test('members on two processes see each other, signal, chat and queue hands as in one room', async () => {
    const [a, b] = [await startServer(), await startServer()];
    assert.notEqual(a.roomServer.processId, b.roomServer.processId);
    const tutor = await connect(a.webSocketUrl);
    const student = await connect(b.webSocketUrl);
    await tutor.join(identity('Tina', 'tutor', 'shared'));
    const joined = await student.join(identity('Sam', 'student', 'shared'));
    assert.deepEqual(joined.participants.map((p) => p.id), [tutor.id]);
    const announced = await tutor.next('LS-PARTICIPANT-JOINED');
    assert.equal(announced.payload.participant.id, student.id);

    // PeerJS signalling from B to A and back, with the sender set by the server.
    student.send({ type: 'OFFER', dst: tutor.id, payload: { type: 'media', connectionId: 'mc_1', sdp: { type: 'offer', sdp: 'v=0' } } });
    const offer = await tutor.next('OFFER');
    assert.equal(offer.src, student.id);
    tutor.send({ type: 'ANSWER', dst: student.id, payload: { type: 'media', connectionId: 'mc_1', sdp: { type: 'answer', sdp: 'v=0' } } });
    assert.equal((await student.next('ANSWER')).src, tutor.id);
    // In order: candidates sent one after another arrive one after another.
    for (let i = 0; i < 20; i++) {
      student.send({ type: 'CANDIDATE', dst: tutor.id, payload: { type: 'media', connectionId: 'mc_1', candidate: { candidate: `c${String(i)}` } } });
    }
    for (let i = 0; i < 20; i++) {
      const candidate = await tutor.next('CANDIDATE');
      assert.deepEqual((candidate.payload as { candidate: { candidate: string } }).candidate.candidate, `c${String(i)}`);
    }

    student.send({ type: 'LS-HAND', payload: { raised: true } });
    assert.deepEqual((await tutor.next('LS-HAND-QUEUE')).payload.handQueue, [student.id]);
    tutor.send({ type: 'LS-CHAT', payload: { text: 'hello across processes' } });
    assert.equal((await student.next('LS-CHAT')).payload.message.text, 'hello across processes');

    // A tutor-only action from the other process reaches the student.
    tutor.send({ type: 'LS-MUTE', payload: { target: student.id } });
    await student.next('LS-MUTED');

    // Leaving on B is seen on A.
    student.send({ type: 'LS-LEAVE' });
    const left = await tutor.next('LS-PARTICIPANT-LEFT');
    assert.equal(left.payload.id, student.id);
    // The room's home is the first joiner's process; the other shows no room of its own.
    assert.equal(a.roomServer.rooms.get('shared')?.participants.length, 1);
    assert.equal(b.roomServer.rooms.get('shared'), undefined);
  });

  void test('a peer id held on one process cannot be taken on another; its own token re-attaches it', async () => {
    const [a, b] = await twoServers();
    const id = `peer-${randomUUID().slice(0, 8)}`;
    const token = randomUUID();
    const holder = await connect(a.webSocketUrl, id, token);
    await holder.join(identity('Holder', 'student', 'ids'));
    const thief = await connect(b.webSocketUrl, id, randomUUID(), false);
    await thief.next('ID-TAKEN');
    await thief.closed;
    assert.ok(holder.isOpen);
    // The same browser coming back (same PeerJS token) through the other process resumes its place.
    const back = await connect(b.webSocketUrl, id, token);
    const joined = await back.join(identity('Holder', 'student', 'ids'));
    assert.deepEqual(joined.participants, []);
    assert.equal(a.roomServer.rooms.get('ids')?.participants.length, 1);
    // Claims expire unless refreshed: a crashed process leaves no key behind for ever.
    const admin = new Redis(redis.url);
    for (const key of [`ls:peer:${id}`, 'ls:home:ids']) {
      const ttl = await admin.pttl(key);
      assert.ok(ttl > 0 && ttl <= 3_600_000, `${key} expires (${String(ttl)} ms)`);
    }
    admin.disconnect();
  });

  void test('a socket closed while its peer id claim is under way leaves no claim behind: the id\'s owner gets in on another process', async () => {
    const [a, b] = await twoServers();
    const id = `peer-${randomUUID().slice(0, 8)}`;
    // The upgrade and a close frame in one write: the socket is closing by the time Redis answers the claim.
    await new Promise<void>((resolve) => {
      const socket = netConnect(Number(new URL(a.webSocketUrl).port), '127.0.0.1', () => {
        const upgrade =
          `GET ${new URL(a.webSocketUrl).pathname}?key=peerjs&id=${id}&token=someone-else HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
          'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n';
        // A masked close frame with code 1000.
        socket.write(Buffer.concat([Buffer.from(upgrade), Buffer.from([0x88, 0x82, 1, 2, 3, 4, 0x03 ^ 1, 0xe8 ^ 2])]));
      });
      socket.on('data', () => undefined);
      socket.on('error', () => undefined);
      socket.on('close', () => resolve());
    });
    const admin = new Redis(redis.url);
    try {
      await waitFor(async () => (await admin.exists(`ls:peer:${id}`)) === 0, 'the claim is released', 5000, 50);
    } finally {
      admin.disconnect();
    }
    const owner = await connect(b.webSocketUrl, id, randomUUID());
    await owner.join(identity('Owner', 'student', 'claims'));
    assert.ok(owner.isOpen);
  });

  void test('a claim Redis answers only after the socket gave up on it (timed out) is released once it lands', async () => {
    // A Redis of its own: the pause below would stall the shared processes' heartbeats too.
    const paused = await startRedis();
    const server = await startTestServer({ redis: { url: paused.url, heartbeatMs: 200, processTimeoutMs: 5000, commandTimeoutMs: 300 } });
    const id = `peer-${randomUUID().slice(0, 8)}`;
    const admin = new Redis(paused.url);
    try {
      await admin.client('PAUSE', '1200');
      const late = await connect(server.webSocketUrl, id, randomUUID(), false);
      assert.equal((await late.closed).code, 1013, 'told to try again later');
      // Redis runs the claim once the pause ends, then the release its socket's close sent after it.
      await delay(1200);
      await waitFor(async () => (await admin.exists(`ls:peer:${id}`)) === 0, 'no claim left for the socket that gave up', 5000, 50);
    } finally {
      admin.disconnect();
      await server.close();
      await paused.stop();
    }
  });

  void test('while Redis is away, messages to other processes wait in memory up to a bound; the rest are dropped and logged', async () => {
    const logs: Array<{ event: string; fields: Record<string, unknown> }> = [];
    const backend = new RedisBackend({
      url: `redis://127.0.0.1:${String(await freePort())}`,
      maxPendingMessages: 5,
      commandTimeoutMs: 500,
      log: (_level, event, fields = {}) => {
        logs.push({ event, fields });
      },
    });
    await assert.rejects(backend.ready);
    for (let i = 0; i < 12; i++) backend.send('elsewhere', { op: 'detach', from: backend.processId, sid: String(i) });
    const dropped = logs.filter((entry) => entry.event === 'cluster-messages-dropped');
    assert.equal(dropped.length, 1, 'logged once, not per message');
    assert.equal(dropped[0]?.fields['pending'], 5);
    await backend.close();
  });

  void test('socket ids are each edge\'s own: a socket closing on one process never closes another\'s', async () => {
    const [a, b] = await twoServers();
    // Both processes are edge and home at once, and their first attached sockets may share a number.
    const tutorA = await connect(a.webSocketUrl);
    const tutorB = await connect(b.webSocketUrl);
    await tutorA.join(identity('TA', 'tutor', 'sid-a'));
    await tutorB.join(identity('TB', 'tutor', 'sid-b'));
    const onB = await connect(b.webSocketUrl);
    const onA = await connect(a.webSocketUrl);
    await onB.join(identity('S1', 'student', 'sid-a'));
    await onA.join(identity('S2', 'student', 'sid-b'));
    onB.send({ type: 'LEAVE' });
    await onB.closed;
    assert.equal((await tutorA.next('LS-PARTICIPANT-LEFT')).payload.id, onB.id);
    await tutorB.roundTrip();
    assert.deepEqual(tutorB.drain('LS-PARTICIPANT-LEFT'), []);
    assert.ok(onA.isOpen);
    assert.deepEqual(b.roomServer.rooms.get('sid-b')?.participants.map((p) => p.name), ['TB', 'S2']);
  });

  void test('a join is told apart by its parsed type: an escaped "LS-JOIN" still goes to the room\'s home and its rules', async () => {
    const [a, b] = await twoServers();
    const tutor = await connect(a.webSocketUrl);
    await tutor.join(identity('Tu', 'tutor', 'escaped'));
    const student = await connect(b.webSocketUrl);
    await student.join(identity('Ev', 'student', 'escaped'));
    tutor.send({ type: 'LS-REMOVE', payload: { target: student.id } });
    await student.next('LS-EVICTED');
    const again = await connect(b.webSocketUrl);
    again.sendRaw(JSON.stringify({ type: 'LS-JOIN', payload: identity('Ev', 'student', 'escaped') }).replace('"LS-JOIN"', '"LS\\u002dJOIN"'));
    assert.equal((await again.nextError()).code, 'removed-from-room');
    assert.equal(b.roomServer.rooms.get('escaped'), undefined, 'no second copy of the room on B');
  });

  void test('Redis restarting empty: rooms go on, claims are made again, joins work', async () => {
    const [a, b] = await twoServers();
    const tutor = await connect(a.webSocketUrl);
    const student = await connect(b.webSocketUrl);
    await tutor.join(identity('Tara', 'tutor', 'restart'));
    await student.join(identity('Stu', 'student', 'restart'));
    await tutor.next('LS-PARTICIPANT-JOINED');

    await redis.restart({ crash: true, downMs: 300 });
    // Both processes are back and have said again what they hold.
    await waitFor(() => a.logs.some((entry) => entry.event === 'redis-reclaimed') && b.logs.some((entry) => entry.event === 'redis-reclaimed'), 'both processes reclaimed');

    student.send({ type: 'LS-CHAT', payload: { text: 'still here' } });
    assert.equal((await tutor.next('LS-CHAT')).payload.message.text, 'still here');
    // The room's home was claimed again: a new joiner on B lands in the same room.
    const late = await connect(b.webSocketUrl);
    const joined = await late.join(identity('Late', 'student', 'restart'));
    assert.deepEqual(joined.participants.map((p) => p.id), [tutor.id, student.id]);
    // And the tutor's peer id is still held.
    const thief = await connect(b.webSocketUrl, tutor.id, randomUUID(), false);
    await thief.next('ID-TAKEN');
    for (const server of [a, b]) assert.equal(server.logs.filter((entry) => entry.level === 'error').length, 0);
  });

  void test('after Redis lost its data, a room another process claimed meanwhile moves there: its sockets here are closed with 1012', async () => {
    const [a, b] = await twoServers();
    const tutor = await connect(a.webSocketUrl);
    const student = await connect(b.webSocketUrl);
    await tutor.join(identity('Ty', 'tutor', 'split'));
    await student.join(identity('St', 'student', 'split'));
    // Redis empty, and B's claim on the room made before A is back: the order a restart can produce.
    const admin = new Redis(redis.url);
    const prefix = 'ls:';
    await admin.flushall();
    await admin.set(`${prefix}proc:${b.roomServer.processId}`, 'alive', 'PX', 5000);
    await admin.set(`${prefix}home:split`, b.roomServer.processId);
    await admin.client('KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
    admin.disconnect();
    const [tutorClose, studentClose] = await Promise.all([tutor.closed, student.closed]);
    assert.equal(tutorClose.code, 1012);
    assert.equal(studentClose.code, 1012);
    await waitFor(() => a.logs.some((entry) => entry.event === 'room-moved' && entry['room'] === 'split'), 'A logged the move');
    // They come back and meet at the room's new home.
    const tutorAgain = await connect(a.webSocketUrl, tutor.id);
    await tutorAgain.join(identity('Ty', 'tutor', 'split'));
    assert.ok(b.roomServer.rooms.get('split'), 'the room runs on B now');
    assert.equal(a.roomServer.rooms.get('split'), undefined);
  });

  void test('Redis down for a moment: a socket connecting meanwhile waits for its peer id claim and gets in', async () => {
    const [a, b] = await twoServers();
    const tutor = await connect(a.webSocketUrl);
    await tutor.join(identity('Tom', 'tutor', 'outage'));
    const reclaimed = (): number => a.logs.filter((entry) => entry.event === 'redis-reclaimed').length;
    const before = reclaimed();
    const restarted = redis.restart({ downMs: 1500 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const student = await connect(b.webSocketUrl);
    await restarted;
    // The join once the tutor's process has claimed its room again in the empty Redis. Which of the
    // two comes first is a race of their reconnections: the other order (the room moves to the
    // student's process) is the test of a room claimed meanwhile, below.
    await waitFor(() => reclaimed() > before, "the tutor's process claimed its rooms again", 10_000);
    const joined = await student.join(identity('Sue', 'student', 'outage'));
    assert.deepEqual(joined.participants.map((p) => p.id), [tutor.id]);
    for (const server of [a, b]) assert.equal(server.logs.filter((entry) => entry.level === 'error').length, 0);
  });

  /** Cuts a process's pub/sub connection: what is published to it until it resubscribes (about 100 ms) is lost. */
  const cutSubscriber = async (processId: string): Promise<void> => {
    const admin = new Redis(redis.url);
    const clients = String(await admin.client('LIST')).split('\n');
    const subscriber = clients.find((line) => line.includes(`name=live-session:${processId} `) && / sub=1 /.test(line));
    const id = subscriber ? /^id=(\d+)/.exec(subscriber)?.[1] : undefined;
    assert.ok(id, `the subscriber of ${processId} in CLIENT LIST`);
    await admin.client('KILL', 'ID', id);
    admin.disconnect();
  };

  void test("a socket whose join the room's home refuses counts as outside every room on its own process: the per-address cap holds across processes", async () => {
    const options = { redis: { url: redis.url, heartbeatMs: 200, processTimeoutMs: 1000 }, maxSocketsPerAddress: 2 };
    const a = await startTestServer(options);
    servers.push(a);
    const b = await startTestServer(options);
    servers.push(b);
    const tutor = await connect(a.webSocketUrl);
    await tutor.join(identity('Kit', 'tutor', 'capped'));
    // Two sockets on B from one address, each with a join the room's home (A) refuses.
    const from = { localAddress: '127.0.0.6' };
    const sockets: TestClient[] = [];
    for (const name of ['Rex', 'Ray']) {
      const socket = await TestClient.connect(b.webSocketUrl, undefined, from);
      opened.push(socket);
      sockets.push(socket);
      await socket.joinRefused({ ...identity(name, 'student', 'capped'), role: 'principal' });
    }
    await assert.rejects(TestClient.connect(b.webSocketUrl, undefined, from), /HTTP 429/, 'the cap holds: both sockets are outside every room');
    // A socket the home lets in stops counting, as on one server: one more may open, then the cap holds again.
    await sockets[0]?.join(identity('Rex', 'student', 'capped'));
    const third = await waitFor(() => TestClient.connect(b.webSocketUrl, undefined, from).catch(() => undefined), 'a third socket opens once the home confirmed the join', 10_000);
    opened.push(third);
    await assert.rejects(TestClient.connect(b.webSocketUrl, undefined, from), /HTTP 429/);
  });

  void test('a detach lost on its way (the home cut from Redis for a moment): the home learns its member left within a few rounds', async () => {
    const [a, b] = await twoServers();
    const tutor = await connect(a.webSocketUrl);
    await tutor.join(identity('Gil', 'tutor', 'lost-detach'));
    const student = await connect(b.webSocketUrl);
    await student.join(identity('Hal', 'student', 'lost-detach'));
    await tutor.next('LS-PARTICIPANT-JOINED');
    await cutSubscriber(a.roomServer.processId);
    // B sends the detach at once, while A hears nothing.
    await student.close();
    const left = await waitFor(() => tutor.drain('LS-PARTICIPANT-LEFT')[0], 'the tutor sees the student leave', 10_000);
    // Left through the edge's answer to the home's check, not through the lost detach (which says 'closed').
    assert.equal((left.payload as { id: string; reason: string }).id, student.id);
    assert.equal((left.payload as { reason: string }).reason, 'timeout');
    assert.ok(b.logs.some((entry) => entry.event === 'cluster-stale-members' && entry['home'] === a.roomServer.processId));
    assert.deepEqual(a.roomServer.rooms.get('lost-detach')?.participants.map((p) => p.name), ['Gil']);
  });

  void test('an attach lost on its way: the edge closes the socket with 1012 once its home has not named it for three rounds, and the browser gets in again', async () => {
    const [a, b] = await twoServers();
    const tutor = await connect(a.webSocketUrl);
    await tutor.join(identity('Ida', 'tutor', 'lost-attach'));
    await cutSubscriber(a.roomServer.processId);
    const student = await connect(b.webSocketUrl);
    student.send({ type: 'LS-JOIN', payload: identity('Jo', 'student', 'lost-attach') });
    const closed = await Promise.race([student.closed, delay(15_000).then(() => undefined)]);
    assert.equal(closed?.code, 1012, 'closed for a reconnect');
    assert.ok(b.logs.some((entry) => entry.event === 'cluster-unconfirmed' && entry['peerId'] === student.id));
    const again = await connect(b.webSocketUrl, student.id);
    const joined = await again.join(identity('Jo', 'student', 'lost-attach'));
    assert.deepEqual(joined.participants.map((p) => p.id), [tutor.id]);
  });

  void test('a process killed with SIGKILL: its members leave everywhere, come back through another process, once', async () => {
    const [a, b, c] = [await startServerProcess(redis.url), await startServerProcess(redis.url), await startServerProcess(redis.url)];
    processes.push(a, b, c);
    const tutor = await connect(a.webSocketUrl);
    const onB = await connect(b.webSocketUrl, undefined, 'token-b');
    const onC = await connect(c.webSocketUrl);
    await tutor.join(identity('Tutor', 'tutor', 'killed'));
    await onB.join(identity('OnB', 'student', 'killed'));
    await onC.join(identity('OnC', 'student', 'killed'));
    await tutor.next('LS-PARTICIPANT-JOINED', (m) => m.payload.participant.id === onC.id);

    await stopProcess(b.child, 'SIGKILL');
    await onB.closed;
    // Seen gone by the tutor on A and the student on C (default bound: 5 s without heartbeat, two checks).
    const guard = { timeout: 15_000 };
    const leftForTutor = await waitFor(() => tutor.drain('LS-PARTICIPANT-LEFT').find((m) => (m.payload as { id: string }).id === onB.id), 'tutor sees B leave', guard.timeout);
    assert.equal((leftForTutor.payload as { reason: string }).reason, 'timeout');
    await waitFor(() => onC.drain('LS-PARTICIPANT-LEFT').some((m) => (m.payload as { id: string }).id === onB.id), 'C sees B leave', guard.timeout);
    assert.ok(tutor.isOpen && onC.isOpen);

    // The browser on B reconnects (same id and token) through C and joins again: no duplicate.
    const back = await connect(c.webSocketUrl, onB.id, 'token-b');
    const joined = await back.join(identity('OnB', 'student', 'killed'));
    assert.deepEqual(joined.participants.map((p) => p.id).sort(), [tutor.id, onC.id].sort());
    const seen = await tutor.next('LS-PARTICIPANT-JOINED', (m) => m.payload.participant.id === onB.id);
    assert.equal(seen.payload.participant.name, 'OnB');

    // What the room must keep if it moves: a chat line, a removed user, the lock.
    const removed = await connect(c.webSocketUrl);
    await removed.join(identity('Gone', 'student', 'killed'));
    tutor.send({ type: 'LS-REMOVE', payload: { target: removed.id } });
    await removed.next('LS-EVICTED');
    tutor.send({ type: 'LS-CHAT', payload: { text: 'before the move' } });
    await onC.next('LS-CHAT');
    tutor.send({ type: 'LS-ADMISSION', payload: { locked: true } });
    await onC.next('LS-ADMISSION');
    // The home saves the room's state within a second of a change.
    const peek = new Redis(redis.url);
    await waitFor(async () => {
      const saved = await peek.get('ls:state:killed');
      return saved?.includes('gone-killed') && saved.includes('before the move') && saved.includes('"locked":true');
    }, 'the room state saved in Redis');
    peek.disconnect();

    // The room's home (A, the tutor's process) is killed: everyone is told to reconnect (1012) and finds a new home.
    await stopProcess(a.child, 'SIGKILL');
    const closes = await Promise.all([onC.closed, back.closed]);
    for (const close of closes) assert.equal(close.code, 1012);
    const againC = await connect(c.webSocketUrl, onC.id);
    const againB = await connect(c.webSocketUrl, onB.id);
    // Both come back at once (as a class does): one restore of the room's state, which both joins wait for.
    const [first, second] = await Promise.all([againC.join(identity('OnC', 'student', 'killed')), againB.join(identity('OnB', 'student', 'killed'))]);
    // The new home took up the room's state: the chat, the lock (members coming back still get in), the removal.
    for (const joined of [first, second]) {
      assert.deepEqual(joined.chat?.messages.map((m) => m.text), ['before the move']);
      assert.equal(joined.admission?.locked, true);
    }
    assert.equal(first.participants.length + second.participants.length, 1, 'the later of the two sees the other');
    assert.equal(c.output().match(/"event":"room-restored"[^\n]*"room":"killed"/g)?.length, 1, 'restored once');
    const stillOut = await connect(c.webSocketUrl);
    assert.equal((await stillOut.joinRefused(identity('Gone', 'student', 'killed'))).code, 'removed-from-room');
  });
  void test('a process paused past its timeout: when it wakes, rooms taken meanwhile move to their new home, and nobody is left twice', async () => {
    const [a, b] = [await startServerProcess(redis.url), await startServerProcess(redis.url)];
    processes.push(a, b);
    const tutor = await connect(a.webSocketUrl);
    await tutor.join(identity('Pia', 'tutor', 'paused'));
    const student = await connect(b.webSocketUrl, undefined, 'token-s');
    await student.join(identity('Quin', 'student', 'paused'));
    await tutor.next('LS-PARTICIPANT-JOINED');

    // A (the room's home) stops answering: B takes it for lost and sends its socket to reconnect.
    a.child.kill('SIGSTOP');
    try {
      const studentClose = await Promise.race([student.closed, delay(15_000).then(() => undefined)]);
      assert.equal(studentClose?.code, 1012);
      const back = await connect(b.webSocketUrl, student.id, 'token-s');
      const joined = await back.join(identity('Quin', 'student', 'paused'));
      assert.deepEqual(joined.participants, [], 'the room started again on B');
    } finally {
      a.child.kill('SIGCONT');
    }
    // A wakes, finds it was taken for lost, and sends its sockets in that room to the room's home now.
    const tutorClose = await Promise.race([tutor.closed, delay(15_000).then(() => undefined)]);
    assert.equal(tutorClose?.code, 1012, 'closed for a reconnect, not cut as silent');
    await waitFor(() => a.output().includes('"event":"process-expired"'), 'A saw it had been taken for lost');
    const tutorBack = await connect(a.webSocketUrl, tutor.id);
    const joined = await tutorBack.join(identity('Pia', 'tutor', 'paused'));
    assert.deepEqual(joined.participants.map((p) => p.name), ['Quin'], 'one room, one student');
  });
});
