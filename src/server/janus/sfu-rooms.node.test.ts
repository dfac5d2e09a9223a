/**
 * SFU rooms in the room server, with a real Janus: the room's topology fixed
 * by its first join (the server's option, or the token's claim), each member's
 * grant in LS-JOINED and fresh on LS-SFU-TICKET, the proxy open to members
 * only, the health answer, and Janus killed and started again: every member
 * told, then given a fresh ticket. Recording: who may start it, who is told,
 * what a stop with nothing published leaves, and what the file route serves.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { WebSocket } from 'ws';
import { startJanus, type TestJanus } from '../../../test/janus.js';
import { waitFor } from '../../../test/wait-for.js';
import { signJoinToken } from '../join-token.js';
import { TestClient, identity, startTestServer, type TestServer } from '../test-client.node.test.js';
import type { SfuService } from './sfu-service.js';

/** The server's SFU service (not part of its public interface). */
const sfuOf = (server: TestServer): SfuService => {
  const sfu = (server.roomServer as unknown as { sfu?: SfuService }).sfu;
  assert.ok(sfu, 'the server has an SFU');
  return sfu;
};

interface Grant {
  state: string;
  ticket?: string;
  message?: string;
}

function openProxy(server: TestServer, ticket: string): Promise<WebSocket> {
  const socket = new WebSocket(`ws://127.0.0.1:${String(server.port)}/sfu?ticket=${encodeURIComponent(ticket)}`, 'janus-protocol');
  return new Promise((resolve, reject) => {
    socket.once('open', () => {
      resolve(socket);
    });
    socket.once('unexpected-response', (_request, response) => {
      reject(new Error(`HTTP ${String(response.statusCode)}`));
    });
    socket.once('error', reject);
  });
}

/** A session through the proxy: Janus answers `create`. */
function createSession(socket: WebSocket): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    socket.once('message', (data) => {
      resolve(JSON.parse((data as Buffer).toString('utf8')) as Record<string, unknown>);
    });
    socket.send(JSON.stringify({ janus: 'create', transaction: 't1' }));
  });
}

void describe('SFU rooms in the room server (real Janus)', () => {
  let janus: TestJanus;
  let server: TestServer;
  let recordings: string;
  const opened: TestClient[] = [];
  const connect = async (): Promise<TestClient> => {
    const client = await TestClient.connect(server.webSocketUrl);
    opened.push(client);
    return client;
  };

  before(async () => {
    janus = await startJanus();
    recordings = mkdtempSync(join(tmpdir(), 'live-session-recordings-'));
    server = await startTestServer({ janus: { url: janus.url, apiSecret: janus.apiSecret, recordingsDir: recordings }, topology: 'sfu' });
    assert.ok(await sfuOf(server).whenUp(10_000));
  });
  after(async () => {
    await Promise.all(opened.map((client) => client.close()));
    await server.close();
    await janus.stop();
    rmSync(recordings, { recursive: true, force: true });
  });

  void test('recording: tutors only; everyone told (a joiner in LS-JOINED); a stop with nothing published lists a failed recording for tutors only', async () => {
    const tutor = await connect();
    const student = await connect();
    const joined = (await tutor.join(identity('Rita', 'tutor', 'recorded'))) as { recording?: { available: boolean; active: boolean; recordings?: unknown[] } };
    assert.deepEqual(joined.recording, { available: true, active: false, recordings: [] });
    const studentJoined = (await student.join(identity('Rob', 'student', 'recorded'))) as { recording?: Record<string, unknown> };
    assert.deepEqual(studentJoined.recording, { available: true, active: false }, 'students get no list');
    student.send({ type: 'LS-RECORD', payload: { on: true } });
    assert.equal((await student.nextError()).code, 'forbidden');
    tutor.send({ type: 'LS-RECORD', payload: { on: 'yes' } });
    assert.equal((await tutor.nextError()).code, 'bad-payload');
    tutor.send({ type: 'LS-RECORD', payload: { on: true } });
    for (const client of [tutor, student]) {
      const told = (await client.next('LS-RECORDING')).payload as { active: boolean; since?: number; recordings?: unknown[] };
      assert.equal(told.active, true);
      assert.ok(typeof told.since === 'number');
      assert.equal(told.recordings !== undefined, client === tutor);
    }
    const late = await connect();
    const lateJoined = (await late.join(identity('Lea', 'student', 'recorded'))) as { recording?: { active: boolean } };
    assert.equal(lateJoined.recording?.active, true, 'a joiner learns that the lesson records');
    tutor.send({ type: 'LS-RECORD', payload: { on: false } });
    for (const client of [student, late]) assert.equal(((await client.next('LS-RECORDING')).payload as { active: boolean }).active, false);
    type Listed = { active: boolean; recordings?: { state: string; message?: string; files: unknown[] }[] };
    const stopped = (await tutor.next('LS-RECORDING')).payload as Listed;
    assert.equal(stopped.active, false);
    assert.equal(stopped.recordings?.[0]?.state, 'converting');
    const finished = (await tutor.next('LS-RECORDING')).payload as Listed;
    assert.equal(finished.recordings?.[0]?.state, 'failed');
    assert.match(finished.recordings[0].message ?? '', /Nothing was recorded/);
    assert.deepEqual(finished.recordings[0].files, []);
    // Only converted files of the right shape are served; nothing else in (or outside) the folder.
    for (const path of ['recordings/0123456789abcdef0123456789abcdef-1-video-1.webm', 'recordings/..%2F..%2Fetc%2Fpasswd', `recordings/${'0'.repeat(32)}.json`]) {
      assert.equal((await fetch(`${server.url}${path}`)).status, 404, path);
    }
  });

  void test("the proxy keeps the room server's own transactions to itself", async () => {
    const tutor = await connect();
    const joined = (await tutor.join(identity('Tom', 'tutor', 'own-transactions'))) as { sfu?: Grant };
    const proxy = await openProxy(server, joined.sfu?.ticket ?? '');
    const answer = new Promise<Record<string, unknown>>((resolve) => {
      proxy.once('message', (data) => {
        resolve(JSON.parse((data as Buffer).toString('utf8')) as Record<string, unknown>);
      });
    });
    proxy.send(JSON.stringify({ janus: 'create', transaction: 'server-record-1' }));
    const reply = await answer;
    assert.equal(reply['janus'], 'error');
    assert.equal((reply['error'] as { code: number }).code, 456);
    proxy.close();
  });

  void test('a room of the server\'s topology: LS-JOINED says sfu with a ticket that opens the proxy; LS-SFU-TICKET gives a fresh one; the health says up', async () => {
    const tutor = await connect();
    const joined = (await tutor.join(identity('Tia', 'tutor', 'lecture'))) as { topology?: string; sfu?: Grant };
    assert.equal(joined.topology, 'sfu');
    const grant = joined.sfu;
    assert.equal(grant?.state, 'up');
    const firstTicket = grant.ticket ?? '';
    const proxy = await openProxy(server, firstTicket);
    assert.equal((await createSession(proxy))['janus'], 'success');
    proxy.close();
    tutor.send({ type: 'LS-SFU-TICKET' });
    const fresh = (await tutor.next('LS-SFU')).payload as Grant;
    assert.equal(fresh.state, 'up');
    assert.ok(fresh.ticket && fresh.ticket !== firstTicket);
    const health = (await (await fetch(`${server.url}health`)).json()) as { janus: string };
    assert.equal(health.janus, 'up');
    await waitFor(() => sfuOf(server).hasRoom('lecture'), 'the VideoRoom made');
  });

  void test('a member who left cannot use its ticket; its open proxy closes; the emptied room\'s VideoRoom goes', async () => {
    const student = await connect();
    const joined = (await student.join(identity('Sol', 'student', 'seminar'))) as { sfu?: Grant };
    const ticket = joined.sfu?.ticket ?? '';
    const proxy = await openProxy(server, ticket);
    const closed = new Promise<number>((resolve) => proxy.once('close', resolve));
    student.send({ type: 'LS-LEAVE' });
    assert.equal(await closed, 1000);
    await assert.rejects(openProxy(server, ticket), /HTTP 403/);
    await waitFor(() => !sfuOf(server).hasRoom('seminar'), 'the VideoRoom destroyed');
  });

  void test('Janus killed: every member of an SFU room is told, the health says down; started again: a fresh ticket each, up', async () => {
    const a = await connect();
    const b = await connect();
    await a.join(identity('Ava', 'tutor', 'outage'));
    await b.join(identity('Ben', 'student', 'outage'));
    await janus.kill();
    for (const client of [a, b]) {
      const gone = (await client.next('LS-SFU')).payload as Grant;
      assert.equal(gone.state, 'unavailable');
      assert.match(gone.message ?? '', /video server/);
    }
    assert.equal(((await (await fetch(`${server.url}health`)).json()) as { janus: string }).janus, 'down');
    await janus.restart();
    for (const client of [a, b]) {
      const back = (await waitFor(() => client.drain('LS-SFU').at(0), 'LS-SFU up', 20_000)).payload as Grant;
      assert.equal(back.state, 'up');
      const proxy = await openProxy(server, back.ticket ?? '');
      assert.equal((await createSession(proxy))['janus'], 'success');
      proxy.close();
    }
    assert.equal(((await (await fetch(`${server.url}health`)).json()) as { janus: string }).janus, 'up');
  });
});

void describe('a room\'s topology from its token', () => {
  void test('the first join\'s token fixes it; later tokens do not change it; sfu without Janus runs as star', async () => {
    const secret = 'a-secret-for-topology-tokens-0000';
    const server = await startTestServer({ secret });
    const clients: TestClient[] = [];
    try {
      const token = (name: string, role: 'tutor' | 'student', topology?: 'mesh' | 'star' | 'sfu'): Promise<string> =>
        signJoinToken({ room: 'by-token', sub: name.toLowerCase(), name, role, ...(topology ? { topology } : {}) }, secret);
      const first = await TestClient.connect(server.webSocketUrl);
      clients.push(first);
      const joined = (await first.join({ token: await token('Tom', 'tutor', 'sfu') })) as { topology?: string; sfu?: unknown };
      assert.equal(joined.topology, 'star', 'no Janus here: star');
      assert.equal(joined.sfu, undefined);
      assert.ok(server.logs.some((entry) => entry.event === 'sfu-unconfigured'));
      const second = await TestClient.connect(server.webSocketUrl);
      clients.push(second);
      const later = (await second.join({ token: await token('Sue', 'student', 'mesh') })) as { topology?: string };
      assert.equal(later.topology, 'star', 'fixed by the first join');
      second.send({ type: 'LS-SFU-TICKET' });
      assert.equal((await second.nextError()).code, 'forbidden');
      // A room whose tokens say nothing, on a server without a topology option: the pages decide.
      const other = await TestClient.connect(server.webSocketUrl);
      clients.push(other);
      const plain = (await other.join({ token: await signJoinToken({ room: 'plain', sub: 'pat', name: 'Pat', role: 'tutor' }, secret) })) as { topology?: string };
      assert.equal(plain.topology, undefined);
      await assert.rejects(signJoinToken({ room: 'x', sub: 'y', name: 'Z', role: 'tutor', topology: 'ring' as 'mesh' }, secret), /topology/);
    } finally {
      await Promise.all(clients.map((client) => client.close()));
      await server.close();
    }
  });
});
