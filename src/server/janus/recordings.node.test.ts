/**
 * The recordings folder without Janus: what the list shows (its room only,
 * newest first, junk ignored), what a recording of nothing, a missing
 * converter and a file the real janus-pp-rec cannot read each leave, and
 * which names are ever served.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { RecordingStore } from './recordings.js';

const ID_A = 'a'.repeat(32);
const ID_B = 'b'.repeat(32);
const ID_C = 'c'.repeat(32);

void describe('recordings folder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'live-session-recordings-'));
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const logs: string[] = [];
  const store = (converter?: string): RecordingStore =>
    new RecordingStore({ dir, urlPath: '/recordings/', ...(converter ? { converter } : {}), log: (_level, event) => logs.push(event) });

  void test('a recording of nothing is listed as failed, for its room only, newest first; junk in the folder is ignored', async () => {
    const recordings = store();
    assert.equal((await recordings.finish(ID_A, 'algebra', 1000, 2000).done).state, 'failed');
    const later = recordings.finish(ID_B, 'algebra', 3000, 4000);
    assert.equal(later.converting.state, 'converting');
    const done = await later.done;
    assert.match(done.message ?? '', /Nothing was recorded/);
    await recordings.finish(ID_C, 'physics', 5000, 6000).done;
    writeFileSync(join(dir, `${'d'.repeat(32)}.json`), '{ not json');
    writeFileSync(join(dir, 'notes.json'), '{}');
    assert.deepEqual(
      recordings.list('algebra').map((r) => r.id),
      [ID_B, ID_A],
    );
    assert.deepEqual(
      recordings.list('physics').map((r) => r.id),
      [ID_C],
    );
    assert.throws(() => recordings.finish('../../etc', 'algebra', 0, 0), /32 hex digits/);
  });

  void test('a converter that is not installed: failed, saying which package; the raw file is kept', async () => {
    const id = 'e'.repeat(32);
    const raw = join(dir, `${id}-1-video-1.mjr`);
    writeFileSync(raw, 'MJR00002 not really');
    const entry = await store('/nonexistent/janus-pp-rec').finish(id, 'algebra', 0, 1).done;
    assert.equal(entry.state, 'failed');
    assert.match(entry.message ?? '', /janus-tools/);
    assert.ok(existsSync(raw), 'kept for a later conversion by hand');
    assert.ok(logs.includes('recording-convert-failed'));
  });

  void test('a file janus-pp-rec cannot read: failed, no half-written output, the raw file kept', async () => {
    const id = 'f'.repeat(32);
    const raw = join(dir, `${id}-1-audio-0.mjr`);
    writeFileSync(raw, 'garbage');
    const entry = await store().finish(id, 'algebra', 0, 1).done;
    assert.equal(entry.state, 'failed');
    assert.match(entry.message ?? '', /could not be converted/);
    assert.ok(existsSync(raw));
    assert.ok(!existsSync(join(dir, `${id}-1-audio-0.opus`)));
  });

  void test('only converted files of the right shape are served', () => {
    const recordings = store();
    const name = `${ID_A}-1-video-1.webm`;
    writeFileSync(join(dir, name), 'x');
    assert.equal(recordings.filePath(name), join(dir, name));
    for (const bad of [`${ID_A}.json`, `${ID_A}-1-video-1.mjr`, `../${name}`, `${ID_A}-1-audio-0.webm`, `${ID_B}-1-video-1.webm`]) {
      assert.equal(recordings.filePath(bad), null, bad);
    }
  });
});
