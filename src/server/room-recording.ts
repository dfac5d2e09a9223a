/**
 * Recording the lesson in SFU rooms: a tutor starts and stops it (LS-RECORD);
 * Janus records the tutors' camera and microphone (never the students'); when
 * it stops, the files are converted to WebM and the room's tutors get the
 * list (LS-RECORDING). Everyone in the room is told when recording starts and
 * stops, and a joiner learns it in LS-JOINED, so no one is recorded unaware.
 */
import { randomBytes } from 'node:crypto';
import type { RecordingInfo, Role } from '../protocol/index.js';
import { recordingRef, type RecordingStore } from './janus/recordings.js';
import type { SfuService } from './janus/sfu-service.js';
import type { RequestOutcome } from './request-outcome.js';

export interface RoomRecordingHost {
  /** Whether the room's media goes through the SFU. */
  isSfuRoom(room: string): boolean;
  /** Sends each member of the room what `info(role)` gives for its role. */
  tell(room: string, info: (role: Role) => RecordingInfo): void;
  log(level: 'info' | 'warn', event: string, fields?: Record<string, unknown>): void;
}

export class RoomRecording {
  readonly #store: RecordingStore;
  readonly #sfu: SfuService;
  readonly #host: RoomRecordingHost;
  /** Rooms recording now. */
  readonly #active = new Map<string, { id: string; since: number }>();

  constructor(store: RecordingStore, sfu: SfuService, host: RoomRecordingHost) {
    this.#store = store;
    this.#sfu = sfu;
    this.#host = host;
  }

  /** What a member of `room` with `role` is told (in LS-JOINED and LS-RECORDING). */
  info(room: string, role: Role): RecordingInfo {
    const active = this.#active.get(room);
    return {
      available: this.#host.isSfuRoom(room),
      active: active !== undefined,
      ...(active ? { since: active.since } : {}),
      ...(role === 'tutor' ? { recordings: this.#store.list(room) } : {}),
    };
  }

  /** LS-RECORD from a tutor (the dispatcher has checked the role). */
  request(room: string, payload: unknown): RequestOutcome {
    const on = (payload as { on?: unknown } | null | undefined)?.on;
    if (typeof on !== 'boolean') return { ok: false, code: 'bad-payload', message: 'LS-RECORD needs { on: boolean }.', malformed: true };
    if (!this.#host.isSfuRoom(room)) return { ok: false, code: 'forbidden', message: 'Only rooms whose media goes through the SFU can be recorded.' };
    if (on) {
      if (this.#active.has(room)) return { ok: true };
      if (this.#sfu.state !== 'up') return { ok: false, code: 'forbidden', message: "The video server can't be reached: nothing can be recorded now." };
      const recording = { id: randomBytes(16).toString('hex'), since: Date.now() };
      this.#active.set(room, recording);
      this.#host.log('info', 'recording-started', { room, ref: recordingRef(recording.id) });
      void this.#sfu.setRecording(room, recording.id);
      this.#tell(room);
      return { ok: true };
    }
    void this.stop(room);
    return { ok: true };
  }

  /**
   * Stops recording `room` (a tutor asked, the room emptied, or the SFU went
   * away), then converts: tutors are told when it starts converting and when
   * it is done. Resolves once converted.
   */
  async stop(room: string): Promise<void> {
    const recording = this.#active.get(room);
    if (!recording) return;
    this.#active.delete(room);
    await this.#sfu.setRecording(room, null);
    const endedAt = Date.now();
    this.#host.log('info', 'recording-stopped', { room, ref: recordingRef(recording.id) });
    const { done } = this.#store.finish(recording.id, room, recording.since, endedAt);
    this.#tell(room);
    await done.then(
      () => {
        this.#tell(room);
      },
      (error: unknown) => {
        this.#host.log('warn', 'recording-failed', { room, ref: recordingRef(recording.id), message: error instanceof Error ? error.message : String(error) });
      },
    );
  }

  /** The SFU went away: every recording stops (Janus closed its files), and is converted. */
  sfuDown(): Promise<void> {
    return Promise.all([...this.#active.keys()].map((room) => this.stop(room))).then(() => undefined);
  }

  /** Tells the room; what each role is told is made once (a tutor's list reads the recordings folder). */
  #tell(room: string): void {
    const byRole = new Map<Role, RecordingInfo>();
    this.#host.tell(room, (role) => {
      const info = byRole.get(role) ?? this.info(room, role);
      byRole.set(role, info);
      return info;
    });
  }
}
