/**
 * The attendance records in SQLite (sql.js: SQLite compiled to WebAssembly,
 * so nothing is built at install). The database lives in memory; with a file,
 * it is read at start and written back a moment after each change and at
 * close, each time as a whole new file renamed over the old one.
 *
 * Two tables: `room_sessions` (a room from its first join into an empty room
 * until it ends) and `attendance` (one row per person per room session).
 */
import { readFile } from 'node:fs/promises';
import type { Database, SqlJsStatic, SqlValue } from 'sql.js';
import { isRole } from '../../protocol/index.js';
import { closeStint, type AttendanceRecord } from './attendance-rules.js';
import { writeFileAtomic } from './atomic-file.js';

/** The schema version this code writes (`PRAGMA user_version`). */
export const SCHEMA_VERSION = 1;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS room_sessions (
  id INTEGER PRIMARY KEY,
  room TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  ended_at INTEGER
);
CREATE INDEX IF NOT EXISTS room_sessions_by_room ON room_sessions (room, started_at);
CREATE TABLE IF NOT EXISTS attendance (
  session_id INTEGER NOT NULL,
  user_id TEXT NOT NULL,
  name TEXT NOT NULL,
  role TEXT NOT NULL,
  first_join INTEGER NOT NULL,
  last_leave INTEGER,
  connected_ms INTEGER NOT NULL,
  connected_since INTEGER,
  reconnects INTEGER NOT NULL,
  PRIMARY KEY (session_id, user_id)
);
PRAGMA user_version = ${SCHEMA_VERSION};
`;

/** One room session and everyone who was in it, in order of first join. */
export interface AttendanceSession {
  id: number;
  room: string;
  startedAt: number;
  /** Null while the session goes on. */
  endedAt: number | null;
  records: AttendanceRecord[];
}

export interface AttendanceStoreOptions {
  /** How long after a change the file is written. Default 1000 ms. */
  saveDelayMs?: number;
  /** A write of the file failed (the records stay in memory; the next change or the close tries again). */
  onSaveError?: (error: unknown) => void;
}

type Row = Record<string, SqlValue>;

function numberOf(value: SqlValue | undefined): number {
  return typeof value === 'number' ? value : Number(value);
}

function numberOrNull(value: SqlValue | undefined): number | null {
  return value === null || value === undefined ? null : numberOf(value);
}

function recordOf(row: Row): AttendanceRecord {
  const role = row['role'];
  return {
    userId: String(row['user_id']),
    name: String(row['name']),
    role: isRole(role) ? role : 'student',
    firstJoin: numberOf(row['first_join']),
    lastLeave: numberOrNull(row['last_leave']),
    connectedMs: numberOf(row['connected_ms']),
    connectedSince: numberOrNull(row['connected_since']),
    reconnects: numberOf(row['reconnects']),
  };
}

let sqlJs: Promise<SqlJsStatic> | undefined;

/** Loads sql.js once; its package is an optional peer dependency of live-session. */
function loadSqlJs(): Promise<SqlJsStatic> {
  sqlJs ??= import('sql.js').then(
    (module) => module.default(),
    (error: unknown) => {
      sqlJs = undefined;
      const code = (error as { code?: unknown } | null)?.code;
      if (code === 'ERR_MODULE_NOT_FOUND') {
        throw new Error('attendance records need the sql.js package: npm install sql.js');
      }
      throw error;
    },
  );
  return sqlJs;
}

async function readExisting(file: string): Promise<Uint8Array | undefined> {
  try {
    return await readFile(file);
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return undefined;
    throw error;
  }
}

export class AttendanceStore {
  readonly file: string | undefined;
  readonly #db: Database;
  readonly #saveDelayMs: number;
  readonly #onSaveError: (error: unknown) => void;
  #dirty = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #saving: Promise<void> = Promise.resolve();
  #closed = false;

  private constructor(db: Database, file: string | undefined, options: AttendanceStoreOptions) {
    this.#db = db;
    this.file = file;
    this.#saveDelayMs = options.saveDelayMs ?? 1000;
    this.#onSaveError = options.onSaveError ?? (() => undefined);
  }

  /**
   * Opens the store: reads `file` when it exists (refusing one that is not an
   * attendance database of this or an older version), creates the tables, and
   * writes the file once, so a path that cannot be written fails here and not
   * later. Without `file`, the records live in memory only.
   */
  static async open(file: string | undefined, options: AttendanceStoreOptions = {}): Promise<AttendanceStore> {
    const SQL = await loadSqlJs();
    const bytes = file === undefined ? undefined : await readExisting(file);
    const db = new SQL.Database(bytes);
    try {
      const version = numberOf(db.exec('PRAGMA user_version')[0]?.values[0]?.[0] ?? 0);
      if (version > SCHEMA_VERSION) {
        throw new Error(`its schema version ${version} is newer than this server's (${SCHEMA_VERSION})`);
      }
      db.exec(SCHEMA);
    } catch (error) {
      db.close();
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`attendance file ${file ?? '(memory)'} cannot be used: ${reason}`, { cause: error });
    }
    if (file !== undefined) {
      try {
        await writeFileAtomic(file, db.export());
      } catch (error) {
        db.close();
        throw new Error(`attendance file ${file} cannot be written: ${error instanceof Error ? error.message : String(error)}`, {
          cause: error,
        });
      }
    }
    return new AttendanceStore(db, file, options);
  }

  /** Starts a room session; returns its id. */
  startSession(room: string, at: number): number {
    this.#db.run('INSERT INTO room_sessions (room, started_at) VALUES (?, ?)', [room, at]);
    const id = numberOf(this.#db.exec('SELECT last_insert_rowid()')[0]?.values[0]?.[0]);
    this.#changed();
    return id;
  }

  /** Ends a room session at `at`: every stint still under way ends then too. */
  endSession(id: number, at: number): void {
    for (const record of this.records(id)) {
      if (record.connectedSince !== null) this.put(id, closeStint(record, at));
    }
    this.#db.run('UPDATE room_sessions SET ended_at = ? WHERE id = ?', [at, id]);
    this.#changed();
  }

  /** Sessions a stopped process left open (it crashed or was killed). */
  unfinishedSessions(): { id: number; room: string }[] {
    return this.#rows('SELECT id, room FROM room_sessions WHERE ended_at IS NULL ORDER BY id').map((row) => ({
      id: numberOf(row['id']),
      room: String(row['room']),
    }));
  }

  /** The time of the last thing recorded in a session: its start, or a join or leave. */
  lastActivity(id: number): number {
    const row = this.#rows(
      `SELECT MAX(s.started_at, COALESCE(MAX(a.first_join), 0), COALESCE(MAX(a.last_leave), 0), COALESCE(MAX(a.connected_since), 0)) AS at
       FROM room_sessions s LEFT JOIN attendance a ON a.session_id = s.id WHERE s.id = ?`,
      [id],
    )[0];
    return numberOf(row?.['at'] ?? 0);
  }

  get(sessionId: number, userId: string): AttendanceRecord | undefined {
    const row = this.#rows('SELECT * FROM attendance WHERE session_id = ? AND user_id = ?', [sessionId, userId])[0];
    return row ? recordOf(row) : undefined;
  }

  put(sessionId: number, record: AttendanceRecord): void {
    this.#db.run(
      `INSERT INTO attendance (session_id, user_id, name, role, first_join, last_leave, connected_ms, connected_since, reconnects)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (session_id, user_id) DO UPDATE SET
         name = excluded.name, role = excluded.role, first_join = excluded.first_join, last_leave = excluded.last_leave,
         connected_ms = excluded.connected_ms, connected_since = excluded.connected_since, reconnects = excluded.reconnects`,
      [
        sessionId,
        record.userId,
        record.name,
        record.role,
        record.firstJoin,
        record.lastLeave,
        record.connectedMs,
        record.connectedSince,
        record.reconnects,
      ],
    );
    this.#changed();
  }

  records(sessionId: number): AttendanceRecord[] {
    return this.#rows('SELECT * FROM attendance WHERE session_id = ? ORDER BY first_join, rowid', [sessionId]).map(recordOf);
  }

  session(id: number): AttendanceSession | undefined {
    const row = this.#rows('SELECT id, room, started_at, ended_at FROM room_sessions WHERE id = ?', [id])[0];
    return row ? this.#sessionOf(row) : undefined;
  }

  /** A room's latest session: the one under way, or else the last one that ended. */
  latestSession(room: string): AttendanceSession | undefined {
    const row = this.#rows(
      'SELECT id, room, started_at, ended_at FROM room_sessions WHERE room = ? ORDER BY ended_at IS NULL DESC, started_at DESC, id DESC LIMIT 1',
      [room],
    )[0];
    return row ? this.#sessionOf(row) : undefined;
  }

  /** Every session of a room, oldest first. */
  sessions(room: string): AttendanceSession[] {
    return this.#rows('SELECT id, room, started_at, ended_at FROM room_sessions WHERE room = ? ORDER BY started_at, id', [room]).map(
      (row) => this.#sessionOf(row),
    );
  }

  /** Deletes the sessions (and their records) that ended before `at`; returns how many. */
  deleteEndedBefore(at: number): number {
    const ids = this.#rows('SELECT id FROM room_sessions WHERE ended_at IS NOT NULL AND ended_at < ?', [at]).map((row) =>
      numberOf(row['id']),
    );
    for (const id of ids) {
      this.#db.run('DELETE FROM attendance WHERE session_id = ?', [id]);
      this.#db.run('DELETE FROM room_sessions WHERE id = ?', [id]);
    }
    if (ids.length > 0) this.#changed();
    return ids.length;
  }

  /** Writes pending changes to the file now (nothing without a file). */
  flush(): Promise<void> {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    return this.#writeFile();
  }

  /** Writes pending changes and frees the database. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.flush();
    this.#closed = true;
    this.#db.close();
  }

  #sessionOf(row: Row): AttendanceSession {
    const id = numberOf(row['id']);
    return {
      id,
      room: String(row['room']),
      startedAt: numberOf(row['started_at']),
      endedAt: numberOrNull(row['ended_at']),
      records: this.records(id),
    };
  }

  #rows(sql: string, params: SqlValue[] = []): Row[] {
    const statement = this.#db.prepare(sql, params);
    try {
      const rows: Row[] = [];
      while (statement.step()) rows.push(statement.getAsObject());
      return rows;
    } finally {
      statement.free();
    }
  }

  #changed(): void {
    this.#dirty = true;
    if (this.file === undefined || this.#timer !== undefined || this.#closed) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#writeFile();
    }, this.#saveDelayMs);
    this.#timer.unref();
  }

  /** One write at a time; each writes the database as it is when its turn comes. */
  #writeFile(): Promise<void> {
    const file = this.file;
    if (file === undefined) return Promise.resolve();
    this.#saving = this.#saving.then(async () => {
      if (!this.#dirty || this.#closed) return;
      this.#dirty = false;
      try {
        await writeFileAtomic(file, this.#db.export());
      } catch (error) {
        this.#dirty = true;
        this.#onSaveError(error);
      }
    });
    return this.#saving;
  }
}
