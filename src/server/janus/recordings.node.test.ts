/**
 * The recordings folder without Janus: what the list shows (its room only,
 * newest first, junk ignored), what a recording of nothing, a missing
 * converter, a file the real janus-pp-rec cannot read, one track of two
 * converted and tracks without a packet each leave, and which names are ever
 * served.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { RecordingStore } from './recordings.js';

const ID_A = 'a'.repeat(32);
const ID_B = 'b'.repeat(32);
const ID_C = 'c'.repeat(32);

/**
 * A Janus audio recording as Janus writes it (format MJR00002: the magic, the
 * info header's length and JSON, then each packet as "MEET", a 4-byte time, a
 * 2-byte length and the RTP packet) of `packets` Opus packets of silence;
 * with none, the info header alone.
 */
function opusTrack(packets: number): Buffer {
  const info = Buffer.from(JSON.stringify({ t: 'a', c: 'opus', s: 1_700_000_000_000_000, u: 1_700_000_000_000_000 }));
  const length = Buffer.alloc(2);
  length.writeUInt16BE(info.length);
  const parts = [Buffer.from('MJR00002'), length, info];
  for (let i = 0; i < packets; i += 1) {
    const rtp = Buffer.alloc(15);
    rtp[0] = 0x80; // RTP version 2
    rtp[1] = 111; // payload type
    rtp.writeUInt16BE(i, 2);
    rtp.writeUInt32BE(i * 960, 4); // 20 ms at 48 kHz
    rtp.writeUInt32BE(0x1234, 8);
    rtp.set([0xf8, 0xff, 0xfe], 12); // an Opus frame of silence
    const frame = Buffer.alloc(10);
    frame.write('MEET');
    frame.writeUInt32BE(i * 20, 4);
    frame.writeUInt16BE(rtp.length, 8);
    parts.push(frame, rtp);
  }
  return Buffer.concat(parts);
}

void describe('recordings folder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'live-session-recordings-'));
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const logs: string[] = [];
  /** Every log record's fields, as JSON: no log may carry a recording's whole id (it opens the files). */
  const logText: string[] = [];
  const store = (converter?: string): RecordingStore =>
    new RecordingStore({ dir, urlPath: '/recordings/', ...(converter ? { converter } : {}), log: (_level, event, fields) => {
      logs.push(event);
      logText.push(JSON.stringify(fields ?? {}));
    } });

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

  void test('one track converted and one not: ready with what was saved, and a message naming what was lost', async () => {
    const id = '1'.repeat(32);
    writeFileSync(join(dir, `${id}-1-audio-0.mjr`), opusTrack(100));
    writeFileSync(join(dir, `${id}-1-video-1.mjr`), 'MJR00002 cut short');
    const entry = await store().finish(id, 'algebra', 0, 1).done;
    assert.equal(entry.state, 'ready');
    assert.deepEqual(
      entry.files.map((file) => [file.kind, file.path]),
      [['audio', `/recordings/${id}-1-audio-0.opus`]],
    );
    assert.ok((entry.files[0]?.bytes ?? 0) > 100);
    assert.equal(readFileSync(join(dir, `${id}-1-audio-0.opus`)).subarray(0, 4).toString('latin1'), 'OggS');
    assert.equal(entry.message, 'Part of the recording could not be converted: the camera.');
    assert.ok(!existsSync(join(dir, `${id}-1-audio-0.mjr`)), 'the converted raw file is gone');
    assert.ok(existsSync(join(dir, `${id}-1-video-1.mjr`)), 'the other is kept');
    assert.ok(logs.includes('recording-partly-converted'));
    assert.ok(logText.some((text) => text.includes(id.slice(0, 8))), 'logs name the recording by its prefix');
    assert.ok(!logText.some((text) => text.includes(id)), 'no log carries the whole id');
  });

  void test('tracks that never had a packet (camera and microphone off): nothing to convert, no warning, the raw files gone', async () => {
    const id = '2'.repeat(32);
    const before = logs.filter((event) => event === 'recording-convert-failed').length;
    writeFileSync(join(dir, `${id}-1-video-1.mjr`), 'MJR00002');
    writeFileSync(join(dir, `${id}-1-audio-0.mjr`), opusTrack(0));
    const entry = await store().finish(id, 'algebra', 0, 1).done;
    assert.equal(entry.state, 'failed');
    assert.match(entry.message ?? '', /camera and microphone were off/);
    assert.equal(logs.filter((event) => event === 'recording-convert-failed').length, before);
    assert.ok(!existsSync(join(dir, `${id}-1-video-1.mjr`)) && !existsSync(join(dir, `${id}-1-audio-0.mjr`)));
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
