/**
 * Turns the room server's `join`, `leave` and `room-end` events into
 * attendance records, room session by room session, and sends each finished
 * session to the webhook.
 *
 * A room session starts with the first join into a room without one. It ends
 * when the room has stayed empty for `emptyRoomGraceMs` (a join within that
 * time continues it), at the time the room became empty; at shutdown every
 * session ends at once.
 */
import type { EventEmitter } from 'node:events';
import type { MemberJoinEvent, MemberLeaveEvent, RoomEndEvent } from '../room-actions.js';
import type { RoomServerEvents } from '../room-server.js';
import type { ServerLog } from '../socket-gate.js';
import type { ResolvedAttendanceOptions } from './attendance-options.js';
import { recordJoin, recordLeave } from './attendance-rules.js';
import { AttendanceStore, type AttendanceSession, type AttendanceStoreOptions } from './attendance-store.js';
import { WebhookSender, type WebhookTimings } from './webhook.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** The attendance records of a room server, read-only. */
export interface AttendanceRecords {
  /** Resolves once the store is open; rejects when it cannot be (the reason is logged too). */
  readonly ready: Promise<void>;
  /** A room's latest session (the one under way, or else the last one), or undefined when it has none. */
  latestSession(room: string): Promise<AttendanceSession | undefined>;
  /** Every session of a room that is still kept, oldest first. */
  sessions(room: string): Promise<AttendanceSession[]>;
  /** Writes pending changes to the file now. */
  flush(): Promise<void>;
}

/** What the webhook receives when a room session ends. */
export interface AttendanceWebhookPayload {
  room: string;
  /** ISO 8601, UTC. */
  startedAt: string;
  endedAt: string;
  participants: {
    userId: string;
    name: string;
    role: string;
    firstJoin: string;
    lastLeave: string;
    connectedSeconds: number;
    reconnects: number;
  }[];
}

export interface AttendanceRecorderParts {
  options: ResolvedAttendanceOptions;
  log: ServerLog;
  /** Store settings (the write delay); defaults otherwise. */
  store?: Omit<AttendanceStoreOptions, 'onSaveError'>;
  /** Webhook attempt timeout and retry pauses; defaults otherwise. */
  webhookTimings?: WebhookTimings;
}

interface OpenSession {
  id: number;
  /** When the room became empty, while it is. */
  emptiedAt?: number;
  endTimer?: ReturnType<typeof setTimeout>;
}

function iso(ms: number | null): string {
  return ms === null ? '' : new Date(ms).toISOString();
}

/** The webhook body of a finished session. */
export function webhookPayload(session: AttendanceSession): AttendanceWebhookPayload {
  return {
    room: session.room,
    startedAt: iso(session.startedAt),
    endedAt: iso(session.endedAt),
    participants: session.records.map((record) => ({
      userId: record.userId,
      name: record.name,
      role: record.role,
      firstJoin: iso(record.firstJoin),
      lastLeave: iso(record.lastLeave),
      connectedSeconds: Math.round(record.connectedMs / 1000),
      reconnects: record.reconnects,
    })),
  };
}

export class AttendanceRecorder implements AttendanceRecords {
  readonly ready: Promise<void>;
  readonly #options: ResolvedAttendanceOptions;
  readonly #log: ServerLog;
  readonly #webhook: WebhookSender | undefined;
  readonly #open = new Map<string, OpenSession>();
  #store: AttendanceStore | undefined;
  /** Events that came before the store opened, applied once it has. */
  #early: (() => void)[] | undefined = [];
  #pruneTimer: ReturnType<typeof setInterval> | undefined;
  #closing: Promise<void> | undefined;

  constructor(parts: AttendanceRecorderParts) {
    const { options, log } = parts;
    this.#options = options;
    this.#log = log;
    this.#webhook = options.webhook ? new WebhookSender(options.webhook, log, parts.webhookTimings) : undefined;
    this.ready = AttendanceStore.open(options.file, {
      ...parts.store,
      onSaveError: (error) => {
        log('error', 'attendance-error', { message: `writing ${options.file ?? ''} failed: ${errorMessage(error)}` });
      },
    }).then(
      (store) => {
        this.#opened(store);
      },
      (error: unknown) => {
        this.#early = undefined;
        log('error', 'attendance-error', { message: errorMessage(error) });
        throw error;
      },
    );
    // The failure is logged above; `ready` is there for those who wait on it.
    this.ready.catch(() => undefined);
  }

  /** Listens to a room server's membership events. */
  listen(server: EventEmitter<RoomServerEvents>): void {
    server.on('join', (event) => {
      this.#apply(() => {
        this.#joined(event);
      });
    });
    server.on('leave', (event) => {
      this.#apply(() => {
        this.#left(event);
      });
    });
    server.on('room-end', (event) => {
      this.#apply(() => {
        this.#ended(event);
      });
    });
  }

  async latestSession(room: string): Promise<AttendanceSession | undefined> {
    return (await this.#openStore())?.latestSession(room);
  }

  async sessions(room: string): Promise<AttendanceSession[]> {
    return (await this.#openStore())?.sessions(room) ?? [];
  }

  async flush(): Promise<void> {
    await (await this.#openStore())?.flush();
  }

  /**
   * Ends every session (at the time its room became empty, or now), sends
   * their webhooks, waits for the deliveries under way (retries are given
   * up), and writes the file. Never rejects. Idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      if (this.#pruneTimer !== undefined) clearInterval(this.#pruneTimer);
      const store = await this.ready.then(
        () => this.#store,
        () => undefined,
      );
      if (!store) return;
      for (const room of [...this.#open.keys()]) {
        this.#guarded(() => {
          this.#finish(room, Date.now());
        });
      }
      await this.#webhook?.close();
      await store.close();
    })();
    return this.#closing;
  }

  async #openStore(): Promise<AttendanceStore | undefined> {
    await this.ready;
    return this.#closing ? undefined : this.#store;
  }

  #opened(store: AttendanceStore): void {
    this.#store = store;
    for (const { id, room } of store.unfinishedSessions()) {
      // The process that recorded it stopped without a shutdown: it ends with the last thing it recorded.
      const at = store.lastActivity(id);
      store.endSession(id, at);
      this.#log('warn', 'attendance-recovered', { room, endedAt: iso(at), message: 'a session left open by a stopped server was ended at its last recorded join or leave' });
    }
    const retentionDays = this.#options.retentionDays;
    if (retentionDays !== undefined) {
      this.#prune(retentionDays);
      this.#pruneTimer = setInterval(() => {
        this.#guarded(() => {
          this.#prune(retentionDays);
        });
      }, DAY_MS);
      this.#pruneTimer.unref();
    }
    const early = this.#early ?? [];
    this.#early = undefined;
    for (const apply of early) this.#guarded(apply);
  }

  #prune(retentionDays: number): void {
    const deleted = this.#store?.deleteEndedBefore(Date.now() - retentionDays * DAY_MS) ?? 0;
    if (deleted > 0) this.#log('info', 'attendance-deleted', { sessions: deleted, retentionDays });
  }

  #apply(change: () => void): void {
    if (this.#closing) return;
    if (this.#early) this.#early.push(change);
    else if (this.#store) this.#guarded(change);
  }

  /** A store failure is logged; the room goes on. */
  #guarded(change: () => void): void {
    try {
      change();
    } catch (error) {
      this.#log('error', 'attendance-error', { message: errorMessage(error) });
    }
  }

  #joined(event: MemberJoinEvent): void {
    const store = this.#store;
    if (!store) return;
    let session = this.#open.get(event.room);
    if (session?.endTimer !== undefined) clearTimeout(session.endTimer);
    if (session) {
      session.endTimer = undefined;
      session.emptiedAt = undefined;
    } else {
      session = { id: store.startSession(event.room, event.at) };
      this.#open.set(event.room, session);
    }
    store.put(session.id, recordJoin(store.get(session.id, event.userId), event));
  }

  #left(event: MemberLeaveEvent): void {
    const store = this.#store;
    const session = this.#open.get(event.room);
    if (!store || !session) return;
    const record = store.get(session.id, event.userId);
    if (record) store.put(session.id, recordLeave(record, event.at));
  }

  #ended(event: RoomEndEvent): void {
    const session = this.#open.get(event.room);
    if (!session) return;
    session.emptiedAt = event.at;
    if (session.endTimer !== undefined) clearTimeout(session.endTimer);
    const grace = this.#options.emptyRoomGraceMs;
    if (grace === 0) {
      this.#finish(event.room, event.at);
      return;
    }
    session.endTimer = setTimeout(() => {
      this.#guarded(() => {
        this.#finish(event.room, event.at);
      });
    }, grace);
    session.endTimer.unref();
  }

  /** Ends a room's session (at the time its room became empty, else at `at`) and sends its webhook. */
  #finish(room: string, at: number): void {
    const store = this.#store;
    const session = this.#open.get(room);
    if (!store || !session) return;
    if (session.endTimer !== undefined) clearTimeout(session.endTimer);
    this.#open.delete(room);
    store.endSession(session.id, session.emptiedAt ?? at);
    const ended = store.session(session.id);
    if (ended && this.#webhook) this.#webhook.send(webhookPayload(ended), { room });
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
