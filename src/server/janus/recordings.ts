/**
 * Lesson recordings: the files Janus writes (`.mjr`, its own packet dumps,
 * one per recorded track) converted with `janus-pp-rec` (Debian package
 * janus-tools) once a recording stops: the camera to WebM (VP8), the
 * microphone to Ogg Opus (`.opus`; janus-pp-rec writes Opus to no WebM), and the list a room's tutors
 * see. Janus and the room server share the folder. Each recording has a
 * random id (32 hex digits) that starts all its file names; a small JSON
 * file beside them (`<id>.json`) keeps its room, times, state and files, so
 * the list survives a restart of the room server.
 *
 * Files are served at `<path>recordings/<file>`: whoever has the link can
 * download it (the id is the secret, as in a shared-document link), and only
 * tutors are ever told the links.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RecordingEntry, RecordingFile } from '../../protocol/index.js';

/** What the JSON beside a recording holds. */
interface StoredRecording extends RecordingEntry {
  room: string;
}

/** `<id>-<set>-<kind>-<mid>.mjr`: what Janus writes for a base name `<id>-<set>` (one set per tutor publish). */
const RAW_FILE = /^([0-9a-f]{32})-(\d{1,6})-(audio|video)-(\d{1,3})\.mjr$/;
/** The converted files, the only ones served. */
export const RECORDING_FILE = /^[0-9a-f]{32}-\d{1,6}-(audio-\d{1,3}\.opus|video-\d{1,3}\.webm)$/;
const ID = /^[0-9a-f]{32}$/;

export interface RecordingStoreOptions {
  dir: string;
  /** The converter; default `janus-pp-rec` from PATH. */
  converter?: string;
  /** The URL path files are served under, ending in `/` (`<server path>recordings/`). */
  urlPath: string;
  log(level: 'info' | 'warn', event: string, fields?: Record<string, unknown>): void;
}

function run(command: string, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString()).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('error', (error) => {
      resolve({ code: null, output: error.message });
    });
    child.once('close', (code) => {
      resolve({ code, output });
    });
  });
}

/**
 * Whether a Janus recording holds no packet (a track that was off the whole
 * time): `MJR00002` and at most its info header (2 bytes of length, JSON).
 */
function isEmptyTrack(path: string): boolean {
  let handle: number | undefined;
  try {
    handle = openSync(path, 'r');
    const head = Buffer.alloc(10);
    const read = readSync(handle, head, 0, 10, 0);
    if (read < 8 || head.subarray(0, 8).toString('latin1') !== 'MJR00002') return false;
    // Janus writes the info header with the first packet: a track that never had one is the 8 bytes alone.
    const size = statSync(path).size;
    return size === 8 || (read === 10 && size === 10 + head.readUInt16BE(8));
  } catch {
    return false; // the converter says what is wrong
  } finally {
    if (handle !== undefined) closeSync(handle);
  }
}

/**
 * How logs name a recording: the first 8 of its 32 hex digits. The whole id
 * is what opens its files (whoever has the link can download), and logs are
 * read by more people than the tutors; 96 unknown bits still cannot be
 * guessed, and the prefix finds the files on disk.
 */
export function recordingRef(id: string): string {
  return id.slice(0, 8);
}

/** `text` with the recording's whole id cut to its log reference. */
function withoutId(text: string, id: string): string {
  return text.split(id).join(`${recordingRef(id)}…`);
}

export class RecordingStore {
  readonly #options: RecordingStoreOptions;
  /** Conversions run one at a time: each is a CPU-heavy process. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: RecordingStoreOptions) {
    this.#options = options;
    mkdirSync(options.dir, { recursive: true });
  }

  get dir(): string {
    return this.#options.dir;
  }

  /** A room's recordings, newest first. */
  list(room: string): RecordingEntry[] {
    const entries: RecordingEntry[] = [];
    for (const name of readdirSync(this.#options.dir)) {
      if (!name.endsWith('.json') || !ID.test(name.slice(0, -5))) continue;
      const stored = this.#read(name.slice(0, -5));
      if (stored?.room !== room) continue;
      const { room: _room, ...entry } = stored;
      entries.push(entry);
    }
    return entries.sort((a, b) => b.startedAt - a.startedAt);
  }

  /** The path of a converted file on disk, or null for any other name. */
  filePath(name: string): string | null {
    if (!RECORDING_FILE.test(name)) return null;
    const path = join(this.#options.dir, name);
    return existsSync(path) ? path : null;
  }

  /**
   * A recording stopped: notes it as converting, converts each track Janus
   * wrote to WebM (removing the `.mjr` files it converted), and resolves with
   * the finished entry.
   */
  finish(id: string, room: string, startedAt: number, endedAt: number): { converting: RecordingEntry; done: Promise<RecordingEntry> } {
    if (!ID.test(id)) throw new TypeError('a recording id is 32 hex digits');
    const stored: StoredRecording = { id, room, startedAt, endedAt, state: 'converting', files: [] };
    this.#write(stored);
    const { room: _room, ...converting } = stored;
    const done = this.#queue.then(() => this.#convert(stored));
    this.#queue = done.catch(() => undefined);
    return { converting, done };
  }

  async #convert(stored: StoredRecording): Promise<RecordingEntry> {
    const raw = readdirSync(this.#options.dir)
      .map((name) => ({ name, match: RAW_FILE.exec(name) }))
      .filter((file) => file.match?.[1] === stored.id)
      .sort((a, b) => a.name.localeCompare(b.name));
    const files: RecordingFile[] = [];
    const problems: string[] = [];
    let converterMissing = false;
    /** The kinds of tracks that could not be converted. */
    const lostKinds = new Set<'audio' | 'video'>();
    for (const { name, match } of raw) {
      const kind = match?.[3] === 'audio' ? 'audio' : 'video';
      const target = name.replace(/\.mjr$/, kind === 'audio' ? '.opus' : '.webm');
      const source = join(this.#options.dir, name);
      // An empty track (a camera that was off the whole time) has a header and no packets: nothing to convert.
      if (isEmptyTrack(source)) {
        rmSync(source, { force: true });
        continue;
      }
      const result = await run(this.#options.converter ?? 'janus-pp-rec', [source, join(this.#options.dir, target)]);
      const path = join(this.#options.dir, target);
      if (result.code === 0 && existsSync(path) && statSync(path).size > 0) {
        files.push({ kind, path: `${this.#options.urlPath}${target}`, bytes: statSync(path).size });
        rmSync(source, { force: true });
      } else {
        rmSync(path, { force: true });
        lostKinds.add(kind);
        if (result.code === null) converterMissing = true;
        problems.push(`${name}: ${result.code === null ? result.output : `janus-pp-rec exited with ${String(result.code)}`}`);
        this.#options.log('warn', 'recording-convert-failed', { ref: recordingRef(stored.id), file: withoutId(name, stored.id), output: withoutId(result.output.slice(-600), stored.id) });
      }
    }
    const lost = [...lostKinds].map((kind) => (kind === 'audio' ? 'the sound' : 'the camera'));
    const finished: StoredRecording =
      files.length > 0
        ? { ...stored, state: 'ready', files, ...(lost.length > 0 ? { message: `Part of the recording could not be converted: ${lost.join(' and ')}.` } : {}) }
        : { ...stored, state: 'failed', files, message: raw.length === 0 ? 'Nothing was recorded (no tutor published camera or microphone).' : problems.length === 0 ? 'Nothing was recorded (the camera and microphone were off).' : converterMissing ? 'The recording could not be converted: janus-pp-rec (Debian package janus-tools) is not installed on the server.' : 'The recording could not be converted.' };
    if (problems.length > 0 && files.length > 0) this.#options.log('warn', 'recording-partly-converted', { ref: recordingRef(stored.id), problems: problems.map((problem) => withoutId(problem, stored.id)) });
    this.#write(finished);
    this.#options.log('info', 'recording-ready', { ref: recordingRef(stored.id), room: stored.room, state: finished.state, files: files.length });
    const { room: _room, ...entry } = finished;
    return entry;
  }

  #read(id: string): StoredRecording | undefined {
    try {
      const value = JSON.parse(readFileSync(join(this.#options.dir, `${id}.json`), 'utf8')) as unknown;
      if (typeof value !== 'object' || value === null) return undefined;
      const stored = value as StoredRecording;
      return typeof stored.room === 'string' && typeof stored.startedAt === 'number' && Array.isArray(stored.files) ? stored : undefined;
    } catch {
      return undefined;
    }
  }

  #write(stored: StoredRecording): void {
    writeFileSync(join(this.#options.dir, `${stored.id}.json`), `${JSON.stringify(stored, null, 2)}\n`);
  }

  /** Waits for the conversions under way (tests, shutdown). */
  async idle(): Promise<void> {
    await this.#queue;
  }
}
