/**
 * Attendance on a real room server: websocket clients join, refresh and
 * leave; the records, the CSV download over HTTP and the webhook a local HTTP
 * server receives must match what happened.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { waitFor } from '../../../test/wait-for.js';
import { signJoinToken, type JoinTokenClaims } from '../join-token.js';
import type { LogEntry } from '../logger.js';
import type { MemberJoinEvent, MemberLeaveEvent } from '../room-actions.js';
import { TestClient, startTestServer, type TestServer } from '../test-client.node.test.js';
import { recordJoin } from './attendance-rules.js';
import { AttendanceStore } from './attendance-store.js';
import { verifyWebhookSignature } from './webhook.js';
import { refusedUrl, startReceiver, type ReceivedRequest, type WebhookReceiver } from './webhook-receiver.node.test.js';

const SECRET = 'attendance-tests-secret-long-enough-for-hs256';
const WEBHOOK_SECRET = 'attendance-webhook-secret';
const dir = mkdtempSync(join(tmpdir(), 'live-session-attendance-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

const token = (room: string, sub: string, name: string, role: 'tutor' | 'student'): Promise<string> =>
  signJoinToken({ room, sub, name, role } satisfies JoinTokenClaims, SECRET, { expiresIn: '1h' });

const iso = (ms: number | undefined): string => (ms === undefined ? 'missing' : new Date(ms).toISOString());

/** CSV text → rows of cells (the tests' names need no quoting). */
const csvRows = (text: string): string[][] =>
  text
    .split('\r\n')
    .filter((line) => line !== '')
    .map((line) => line.split(','));

/** Joins, leaves and their times, as the room server announced them. */
class EventLog {
  readonly joins: MemberJoinEvent[] = [];
  readonly leaves: MemberLeaveEvent[] = [];
  constructor(server: TestServer) {
    server.roomServer.on('join', (event) => this.joins.push(event));
    server.roomServer.on('leave', (event) => this.leaves.push(event));
  }
  joinsOf(userId: string): MemberJoinEvent[] {
    return this.joins.filter((event) => event.userId === userId);
  }
  leavesOf(userId: string): MemberLeaveEvent[] {
    return this.leaves.filter((event) => event.userId === userId);
  }
}

function download(server: TestServer, room: string, bearer?: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${server.url}attendance/${room}.csv`, {
    headers: { ...headers, ...(bearer === undefined ? {} : { Authorization: `Bearer ${bearer}` }) },
  });
}

/** The receiver's own check, with node:crypto only. */
function signatureOf(request: ReceivedRequest, body = request.body): string {
  const timestamp = String(request.headers['x-live-session-timestamp']);
  return `sha256=${createHmac('sha256', WEBHOOK_SECRET).update(`${timestamp}.${body}`).digest('hex')}`;
}

void describe('attendance on a room server', () => {
  let receiver: WebhookReceiver;
  let server: TestServer;
  let events: EventLog;
  const opened: TestClient[] = [];
  const connect = async (): Promise<TestClient> => {
    const client = await TestClient.connect(server.webSocketUrl);
    opened.push(client);
    return client;
  };

  before(async () => {
    receiver = await startReceiver([204]);
    server = await startTestServer({
      secret: SECRET,
      allowedOrigins: ['https://lms.example.edu'],
      attendance: { webhookUrl: receiver.url, webhookSecret: WEBHOOK_SECRET, emptyRoomGraceMs: 0 },
    });
    events = new EventLog(server);
  });
  after(async () => {
    await Promise.all(opened.map((client) => client.close()));
    await server.close();
    await receiver.close();
  });

  void test('join, refresh and leave: records, CSV and webhook match what happened', async () => {
    const room = 'geometry';
    const tutorToken = await token(room, 'tina', 'Tina Tutor', 'tutor');
    const studentToken = await token(room, 'sam', 'Sam Student', 'student');
    const tutor = await connect();
    await tutor.join({ token: tutorToken });
    const firstTab = await connect();
    await firstTab.join({ token: studentToken });
    await tutor.next('LS-PARTICIPANT-JOINED');

    // A refresh: the page's socket closes, the new page joins with the same identity.
    await firstTab.close();
    await tutor.next('LS-PARTICIPANT-LEFT');
    const secondTab = await connect();
    await secondTab.join({ token: studentToken });
    await tutor.next('LS-PARTICIPANT-JOINED');

    // While both are in: no last leave, the reconnect counted.
    const during = await download(server, room, tutorToken);
    assert.equal(during.status, 200, await during.clone().text());
    assert.deepEqual(
      csvRows(await during.text()).map((row) => [row[1], row[5], row[7]]),
      [
        ['user id', 'last leave', 'reconnects'],
        ['tina', '', '0'],
        ['sam', '', '1'],
      ],
    );

    secondTab.send({ type: 'LS-LEAVE' });
    await tutor.next('LS-PARTICIPANT-LEFT');

    const [samJoin1, samJoin2] = events.joinsOf('sam');
    const [samLeave1, samLeave2] = events.leavesOf('sam');
    const [tinaJoin] = events.joinsOf('tina');
    assert.ok(samJoin1 && samJoin2 && samLeave1 && samLeave2 && tinaJoin);
    assert.deepEqual(
      [samLeave1.reason, samLeave2.reason],
      ['closed', 'left'],
    );
    const session = await server.roomServer.attendance?.latestSession(room);
    assert.ok(session);
    assert.equal(session.startedAt, tinaJoin.at);
    assert.equal(session.endedAt, null);
    assert.deepEqual(
      session.records.map((r) => [r.userId, r.name, r.role, r.firstJoin, r.lastLeave, r.connectedMs, r.connectedSince, r.reconnects]),
      [
        ['tina', 'Tina Tutor', 'tutor', tinaJoin.at, null, 0, tinaJoin.at, 0],
        [
          'sam',
          'Sam Student',
          'student',
          samJoin1.at,
          samLeave2.at,
          samLeave1.at - samJoin1.at + (samLeave2.at - samJoin2.at),
          null,
          1,
        ],
      ],
    );

    const csv = await download(server, room, tutorToken);
    assert.equal(csv.status, 200);
    assert.equal(csv.headers.get('content-type'), 'text/csv; charset=utf-8');
    assert.equal(csv.headers.get('content-disposition'), `attachment; filename="attendance-${room}-${iso(tinaJoin.at).slice(0, 10)}.csv"`);
    assert.equal(csv.headers.get('cache-control'), 'no-store');
    const rows = csvRows(await csv.text());
    assert.deepEqual(rows[0], ['room', 'user id', 'name', 'role', 'first join', 'last leave', 'connected seconds', 'reconnects']);
    assert.deepEqual(
      rows.slice(1).map((row) => row.filter((_cell, index) => index !== 6)),
      [
        [room, 'tina', 'Tina Tutor', 'tutor', iso(tinaJoin.at), '', '0'],
        [room, 'sam', 'Sam Student', 'student', iso(samJoin1.at), iso(samLeave2.at), '1'],
      ],
    );

    // The tutor leaves last: the session ends and the webhook goes out.
    const before = receiver.received.length;
    tutor.send({ type: 'LS-LEAVE' });
    const requests = await receiver.waitForRequests(before + 1);
    const request = requests.find((r) => (JSON.parse(r.body) as { room: string }).room === room);
    assert.ok(request);
    const [tinaLeave] = events.leavesOf('tina');
    assert.ok(tinaLeave);
    assert.equal(request.headers['x-live-session-signature'], signatureOf(request), 'signature checks out');
    assert.deepEqual(JSON.parse(request.body), {
      delivery: request.headers['x-live-session-delivery'],
      room,
      startedAt: iso(tinaJoin.at),
      endedAt: iso(tinaLeave.at),
      participants: [
        {
          userId: 'tina',
          name: 'Tina Tutor',
          role: 'tutor',
          firstJoin: iso(tinaJoin.at),
          lastLeave: iso(tinaLeave.at),
          connectedSeconds: Math.round((tinaLeave.at - tinaJoin.at) / 1000),
          reconnects: 0,
        },
        {
          userId: 'sam',
          name: 'Sam Student',
          role: 'student',
          firstJoin: iso(samJoin1.at),
          lastLeave: iso(samLeave2.at),
          connectedSeconds: Math.round((samLeave1.at - samJoin1.at + (samLeave2.at - samJoin2.at)) / 1000),
          reconnects: 1,
        },
      ],
    });
    // A body changed on the way no longer matches its signature.
    const tampered = request.body.replace('"reconnects":1', '"reconnects":0');
    assert.notEqual(tampered, request.body);
    assert.notEqual(request.headers['x-live-session-signature'], signatureOf(request, tampered));
    const received = {
      timestamp: String(request.headers['x-live-session-timestamp']),
      signature: request.headers['x-live-session-signature'],
    };
    assert.equal(verifyWebhookSignature(WEBHOOK_SECRET, { ...received, body: request.body }), true);
    assert.equal(verifyWebhookSignature(WEBHOOK_SECRET, { ...received, body: tampered }), false);

    const ended = await server.roomServer.attendance?.latestSession(room);
    assert.equal(ended?.endedAt, tinaLeave.at);
  });

  void test('a resume after a network blip and a replacing second tab count as reconnects', async () => {
    const room = 'blips';
    const tutorToken = await token(room, 'tara', 'Tara', 'tutor');
    const studentToken = await token(room, 'ben', 'Ben', 'student');
    const tutor = await connect();
    await tutor.join({ token: tutorToken });
    const peerToken = 'one-peer-token';
    const first = await TestClient.connect(server.webSocketUrl, undefined, { peerToken });
    opened.push(first);
    await first.join({ token: studentToken });
    // PeerJS re-attaches the same peer id on a new socket.
    const resumed = await TestClient.connect(server.webSocketUrl, first.id, { peerToken, waitForOpen: false });
    opened.push(resumed);
    await resumed.join({ token: studentToken });
    // Another tab of the same user replaces that membership (a leave, then a join).
    const other = await connect();
    await other.join({ token: studentToken });
    await resumed.next('LS-EVICTED');
    const session = await server.roomServer.attendance?.latestSession(room);
    const ben = session?.records.find((r) => r.userId === 'ben');
    assert.ok(ben);
    assert.deepEqual(
      events.joinsOf('ben').map((e) => e.resumed),
      [false, true, false],
    );
    assert.deepEqual(
      events.leavesOf('ben').map((e) => e.reason),
      ['replaced'],
    );
    assert.equal(ben.reconnects, 2);
    assert.notEqual(ben.connectedSince, null, 'still in the room');
  });

  void test('only a tutor of the room gets the CSV', async () => {
    const room = 'private';
    const tutorToken = await token(room, 'tom', 'Tom', 'tutor');
    const tutor = await connect();
    await tutor.join({ token: tutorToken });

    const student = await download(server, room, await token(room, 'stu', 'Stu', 'student'));
    assert.equal(student.status, 403);
    assert.match(((await student.json()) as { error: string }).error, /Only the room's tutor/);

    const otherRoom = await download(server, room, await token('elsewhere', 'tom', 'Tom', 'tutor'));
    assert.equal(otherRoom.status, 403);
    assert.match(((await otherRoom.json()) as { error: string }).error, /another room/);

    const none = await download(server, room);
    assert.equal(none.status, 401);
    assert.equal(none.headers.get('www-authenticate'), 'Bearer');

    const forged = await signJoinToken({ room, sub: 'tom', name: 'Tom', role: 'tutor' }, 'not-the-server-secret-at-all-000000');
    const wrongKey = await download(server, room, forged);
    assert.equal(wrongKey.status, 401);
    assert.match(wrongKey.headers.get('www-authenticate') ?? '', /invalid_token/);

    const basic = await download(server, room, undefined, { Authorization: `Basic ${Buffer.from('tom:x').toString('base64')}` });
    assert.equal(basic.status, 401);

    const empty = await download(server, 'no-one-was-here', await token('no-one-was-here', 'tom', 'Tom', 'tutor'));
    assert.equal(empty.status, 404);
    assert.match(((await empty.json()) as { error: string }).error, /No attendance is recorded for room "no-one-was-here"/);

    const badName = await fetch(`${server.url}attendance/${room}.xlsx`, { headers: { Authorization: `Bearer ${tutorToken}` } });
    assert.equal(badName.status, 404);

    const allowed = await download(server, room, tutorToken);
    assert.equal(allowed.status, 200);
  });

  void test('CORS: the preflight allows the Authorization header on the attendance route only', async () => {
    const origin = 'https://lms.example.edu';
    const preflight = (path: string, from = origin): Promise<Response> =>
      fetch(`${server.url}${path}`, {
        method: 'OPTIONS',
        headers: { Origin: from, 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'authorization' },
      });
    const attendance = await preflight('attendance/private.csv');
    assert.equal(attendance.status, 204);
    assert.equal(attendance.headers.get('access-control-allow-origin'), origin);
    assert.equal(attendance.headers.get('access-control-allow-headers'), 'Authorization');
    assert.equal(attendance.headers.get('access-control-allow-methods'), 'GET, HEAD');

    const ice = await preflight('ice');
    assert.equal(ice.status, 204);
    assert.equal(ice.headers.get('access-control-allow-origin'), origin);
    assert.equal(ice.headers.get('access-control-allow-headers'), null, 'other routes take no request headers');

    const stranger = await preflight('attendance/private.csv', 'https://evil.example');
    assert.equal(stranger.headers.get('access-control-allow-origin'), null);
    assert.equal(stranger.headers.get('access-control-allow-headers'), null);

    const tutorToken = await token('private', 'tom', 'Tom', 'tutor');
    const answer = await download(server, 'private', tutorToken, { Origin: origin });
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get('access-control-allow-origin'), origin);
    assert.equal(answer.headers.get('access-control-expose-headers'), 'Content-Disposition');
  });
});

void describe('attendance settings', () => {
  void test('off by default: nothing is recorded and the route says so', async () => {
    const server = await startTestServer({ secret: SECRET });
    try {
      assert.equal(server.roomServer.attendance, undefined);
      const client = await TestClient.connect(server.webSocketUrl);
      await client.join({ token: await token('quiet', 'tom', 'Tom', 'tutor') });
      const answer = await download(server, 'quiet', await token('quiet', 'tom', 'Tom', 'tutor'));
      assert.equal(answer.status, 404);
      assert.match(((await answer.json()) as { error: string }).error, /does not record attendance/);
      await client.close();
    } finally {
      await server.close();
    }
  });

  void test('open development mode records, but refuses the download: there are no tokens to check', async () => {
    const server = await startTestServer({ attendance: { emptyRoomGraceMs: 0 } });
    try {
      const client = await TestClient.connect(server.webSocketUrl);
      await client.join({ room: 'open', userId: 'olga', name: 'Olga', role: 'tutor' });
      const answer = await download(server, 'open', 'anything');
      assert.equal(answer.status, 403);
      assert.match(((await answer.json()) as { error: string }).error, /open development mode/);
      const session = await server.roomServer.attendance?.latestSession('open');
      assert.deepEqual(
        session?.records.map((r) => r.userId),
        ['olga'],
      );
      await client.close();
    } finally {
      await server.close();
    }
  });

  void test('the records live in the file: a restarted server still has them, and a join after the restart starts a new session', async () => {
    const file = join(dir, 'restart.sqlite');
    const room = 'history';
    const tutorToken = await token(room, 'hal', 'Hal', 'tutor');
    const first = await startTestServer({ secret: SECRET, attendance: { file } });
    const events = new EventLog(first);
    try {
      const tutor = await TestClient.connect(first.webSocketUrl);
      await tutor.join({ token: tutorToken });
      const student = await TestClient.connect(first.webSocketUrl);
      await student.join({ token: await token(room, 'ivy', 'Ivy', 'student') });
      student.send({ type: 'LS-LEAVE' });
      await tutor.next('LS-PARTICIPANT-LEFT');
      await Promise.all([tutor.close(), student.close()]);
    } finally {
      await first.close();
    }
    assert.ok(existsSync(file));
    const [halJoin] = events.joinsOf('hal');
    const [halLeave] = events.leavesOf('hal');
    const [ivyJoin] = events.joinsOf('ivy');
    const [ivyLeave] = events.leavesOf('ivy');
    assert.ok(halJoin && halLeave && ivyJoin && ivyLeave);

    const second = await startTestServer({ secret: SECRET, attendance: { file } });
    try {
      const answer = await download(second, room, tutorToken);
      assert.equal(answer.status, 200);
      assert.deepEqual(
        csvRows(await answer.text())
          .slice(1)
          .map((row) => [row[1], row[4], row[5]]),
        [
          ['hal', iso(halJoin.at), iso(halLeave.at)],
          ['ivy', iso(ivyJoin.at), iso(ivyLeave.at)],
        ],
      );
      const tutor = await TestClient.connect(second.webSocketUrl);
      await tutor.join({ token: tutorToken });
      const sessions = await second.roomServer.attendance?.sessions(room);
      assert.deepEqual(
        sessions?.map((s) => [s.records.map((r) => r.userId), s.endedAt === null ? 'under way' : 'ended']),
        [
          [['hal', 'ivy'], 'ended'],
          [['hal'], 'under way'],
        ],
      );
      await tutor.close();
    } finally {
      await second.close();
    }
  });

  void test('a room emptied for a moment keeps its session; close ends it at the time it emptied and sends it', async () => {
    const receiver = await startReceiver([204]);
    const server = await startTestServer({
      secret: SECRET,
      attendance: { webhookUrl: receiver.url, webhookSecret: WEBHOOK_SECRET, emptyRoomGraceMs: 60_000 },
    });
    const events = new EventLog(server);
    const room = 'alone';
    const tutorToken = await token(room, 'ann', 'Ann', 'tutor');
    try {
      // Alone in the room, the tutor reloads the page: the room is empty for a moment.
      const before = await TestClient.connect(server.webSocketUrl);
      await before.join({ token: tutorToken });
      await before.close();
      await waitFor(() => events.leavesOf('ann').length === 1, 'the leave');
      const afterReload = await TestClient.connect(server.webSocketUrl);
      await afterReload.join({ token: tutorToken });
      afterReload.send({ type: 'LS-LEAVE' });
      await waitFor(() => events.leavesOf('ann').length === 2, 'the second leave');
      const sessions = await server.roomServer.attendance?.sessions(room);
      assert.equal(sessions?.length, 1);
      assert.equal(sessions[0]?.records[0]?.reconnects, 1);
      assert.equal(receiver.received.length, 0, 'no webhook while the room may still fill again');
      await afterReload.close();
    } finally {
      await server.close();
    }
    try {
      // The close waited for the delivery.
      assert.equal(receiver.received.length, 1);
      const [request] = receiver.received;
      assert.ok(request);
      assert.equal(request.headers['x-live-session-signature'], signatureOf(request));
      const body = JSON.parse(request.body) as { endedAt: string; participants: { reconnects: number }[] };
      assert.equal(body.endedAt, iso(events.leavesOf('ann')[1]?.at));
      assert.deepEqual(
        body.participants.map((p) => p.reconnects),
        [1],
      );
    } finally {
      await receiver.close();
    }
  });

  for (const failure of ['refused', 'HTTP 500'] as const) {
    void test(`a webhook that fails (${failure}) is logged, and the server goes on`, async () => {
      const receiver = failure === 'HTTP 500' ? await startReceiver([500]) : undefined;
      const url = receiver?.url ?? (await refusedUrl());
      const server = await startTestServer({
        secret: SECRET,
        attendance: { webhookUrl: url, webhookSecret: WEBHOOK_SECRET, emptyRoomGraceMs: 0 },
      });
      try {
        const tutorToken = await token('failing', 'fay', 'Fay', 'tutor');
        const tutor = await TestClient.connect(server.webSocketUrl);
        await tutor.join({ token: tutorToken });
        tutor.send({ type: 'LS-LEAVE' });
        const failed = await waitFor(() => server.logs.find((entry) => entry.event === 'attendance-webhook-failed'), 'the failure is logged');
        assert.equal(failed.level, 'warn');
        assert.equal(failed['room'], 'failing');
        assert.equal(typeof failed['retryInMs'], 'number');
        assert.match(String(failed['message']), failure === 'HTTP 500' ? /HTTP 500/ : /ECONNREFUSED/);
        // Still serving: HTTP, joins, and the records.
        assert.equal((await fetch(`${server.url}health`)).status, 200);
        const again = await TestClient.connect(server.webSocketUrl);
        await again.join({ token: tutorToken });
        const answer = await download(server, 'failing', tutorToken);
        assert.equal(answer.status, 200);
        await Promise.all([tutor.close(), again.close()]);
      } finally {
        await server.close();
        await receiver?.close();
      }
      assert.ok(
        server.logs.some((entry) => entry.event === 'attendance-webhook-failed' && entry['givenUp'] === true),
        'the waiting retry was given up at close',
      );
    });
  }

  void test('at start, sessions past the retention are deleted and those a killed server left open are ended', async () => {
    const file = join(dir, 'kept.sqlite');
    const day = 24 * 60 * 60 * 1000;
    const earlier = await AttendanceStore.open(file);
    const old = earlier.startSession('old-room', Date.now() - 40 * day);
    earlier.put(old, recordJoin(undefined, { userId: 'u1', name: 'Una', role: 'tutor', at: Date.now() - 40 * day, resumed: false }));
    earlier.endSession(old, Date.now() - 40 * day + 3_600_000);
    const recentStart = Date.now() - 2 * day;
    const recent = earlier.startSession('recent-room', recentStart);
    earlier.put(recent, recordJoin(undefined, { userId: 'u2', name: 'Vic', role: 'tutor', at: recentStart + 1000, resumed: false }));
    // Written without ending the recent session, as a killed process leaves it.
    await earlier.flush();

    const logged: LogEntry[] = [];
    const server = await startTestServer({ secret: SECRET, attendance: { file, retentionDays: 30 }, quiet: false, logger: (entry) => logged.push(entry) });
    try {
      const records = server.roomServer.attendance;
      assert.ok(records);
      assert.deepEqual(await records.sessions('old-room'), []);
      const [kept] = await records.sessions('recent-room');
      assert.equal(kept?.endedAt, recentStart + 1000);
      assert.deepEqual(
        logged.filter((e) => e.event.startsWith('attendance-')).map((e) => [e.event, e['room'] ?? e['sessions']]),
        [
          ['attendance-recovered', 'recent-room'],
          ['attendance-deleted', 1],
        ],
      );
    } finally {
      await server.close();
    }
  });

  void test('a bad webhook setting stops the start', async () => {
    await assert.rejects(
      startTestServer({ secret: SECRET, attendance: { webhookUrl: 'https://lms.example.edu/hook' } }),
      /webhookSecret must be given/,
    );
    await assert.rejects(
      startTestServer({ secret: SECRET, attendance: { file: join(dir, 'no-such-folder', 'a.sqlite') } }),
      /cannot be written/,
    );
  });
});
