/** The SQLite store on real files in a temporary directory. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { recordJoin, recordLeave } from './attendance-rules.js';
import { AttendanceStore } from './attendance-store.js';

const dir = mkdtempSync(join(tmpdir(), 'live-session-attendance-store-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

let files = 0;
const newFile = (): string => join(dir, `attendance-${++files}.sqlite`);

void describe('attendance store', () => {
  void test('a new file is created at open; records survive a close and a reopen', async () => {
    const file = newFile();
    const store = await AttendanceStore.open(file);
    assert.equal(statSync(file).mode & 0o777, 0o600, 'personal data: readable by the owner only');
    const id = store.startSession('maths', 1000);
    store.put(id, recordJoin(undefined, { userId: 'u1', name: 'Ada', role: 'tutor', at: 1000, resumed: false }));
    store.put(id, recordJoin(undefined, { userId: 'u2', name: 'Bo', role: 'student', at: 2000, resumed: false }));
    const bo = store.get(id, 'u2');
    assert.ok(bo);
    store.put(id, recordLeave(bo, 5000));
    store.endSession(id, 9000);
    await store.close();

    const again = await AttendanceStore.open(file);
    const session = again.latestSession('maths');
    assert.ok(session);
    assert.deepEqual(
      { room: session.room, startedAt: session.startedAt, endedAt: session.endedAt },
      { room: 'maths', startedAt: 1000, endedAt: 9000 },
    );
    assert.deepEqual(
      session.records.map((r) => [r.userId, r.role, r.firstJoin, r.lastLeave, r.connectedMs, r.connectedSince, r.reconnects]),
      [
        ['u1', 'tutor', 1000, 9000, 8000, null, 0],
        ['u2', 'student', 2000, 5000, 3000, null, 0],
      ],
      'ending the session ended the stint still under way',
    );
    assert.equal(again.latestSession('other'), undefined);
    await again.close();
  });

  void test('changes reach the file after the write delay, without a close', async () => {
    const file = newFile();
    const store = await AttendanceStore.open(file, { saveDelayMs: 20 });
    const before = readFileSync(file);
    store.startSession('art', 1);
    const deadline = Date.now() + 4000;
    while (readFileSync(file).equals(before)) {
      assert.ok(Date.now() < deadline, 'the change was never written');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    // Read what is on disk now through a copy, so the store that wrote it stays untouched.
    const copy = newFile();
    writeFileSync(copy, readFileSync(file));
    const reader = await AttendanceStore.open(copy);
    assert.equal(reader.sessions('art').length, 1);
    await reader.close();
    await store.close();
    assert.deepEqual(
      readdirSync(dir).filter((name) => name.endsWith('.tmp')),
      [],
      'no temporary file is left behind',
    );
  });

  void test('the latest session is the one under way, else the last one that ended', async () => {
    const store = await AttendanceStore.open(undefined);
    const first = store.startSession('r', 1000);
    store.endSession(first, 2000);
    const second = store.startSession('r', 3000);
    store.endSession(second, 4000);
    assert.equal(store.latestSession('r')?.id, second);
    const third = store.startSession('r', 5000);
    assert.equal(store.latestSession('r')?.id, third);
    assert.deepEqual(
      store.sessions('r').map((s) => s.id),
      [first, second, third],
    );
    await store.close();
  });

  void test('sessions left open by a stopped process are found and end at their last recorded event', async () => {
    const file = newFile();
    const crashed = await AttendanceStore.open(file);
    const id = crashed.startSession('lab', 1000);
    crashed.put(id, recordJoin(undefined, { userId: 'u1', name: 'Ada', role: 'tutor', at: 1000, resumed: false }));
    crashed.put(id, recordJoin(undefined, { userId: 'u2', name: 'Bo', role: 'student', at: 4000, resumed: false }));
    // Written, then abandoned without a close (as a killed process would leave it).
    await crashed.flush();

    const store = await AttendanceStore.open(file);
    assert.deepEqual(store.unfinishedSessions(), [{ id, room: 'lab' }]);
    assert.equal(store.lastActivity(id), 4000);
    store.endSession(id, store.lastActivity(id));
    assert.deepEqual(store.unfinishedSessions(), []);
    assert.deepEqual(
      store.records(id).map((r) => [r.userId, r.connectedMs, r.lastLeave]),
      [
        ['u1', 3000, 4000],
        ['u2', 0, 4000],
      ],
    );
    await store.close();
  });

  void test('sessions that ended before a time are deleted with their records', async () => {
    const store = await AttendanceStore.open(undefined);
    const old = store.startSession('r', 1000);
    store.put(old, recordJoin(undefined, { userId: 'u1', name: 'Ada', role: 'tutor', at: 1000, resumed: false }));
    store.endSession(old, 2000);
    const recent = store.startSession('r', 50_000);
    store.endSession(recent, 60_000);
    const open = store.startSession('r', 70_000);
    assert.equal(store.deleteEndedBefore(55_000), 1);
    assert.deepEqual(
      store.sessions('r').map((s) => s.id),
      [recent, open],
    );
    assert.deepEqual(store.records(old), []);
    await store.close();
  });

  void test('a file that is not an attendance database is refused and left alone', async () => {
    const file = newFile();
    writeFileSync(file, 'name,role\nAda,tutor\n');
    await assert.rejects(AttendanceStore.open(file), /cannot be used: file is not a database/);
    assert.equal(readFileSync(file, 'utf8'), 'name,role\nAda,tutor\n');
  });

  void test('a file in a folder that does not exist fails at open', async () => {
    await assert.rejects(AttendanceStore.open(join(dir, 'missing', 'a.sqlite')), /cannot be written: .*ENOENT/);
  });
});
