/**
 * The waiting room and the lock. With the room's waiting room on (or a token
 * whose `waiting` claim is true), a student's join does not enter the room: the
 * socket waits, hears `LS-WAITING`, and gets nothing of the room (no roster,
 * chat or signalling: it has no membership) until a tutor admits it, when the
 * ordinary join runs. Tutors hear the waiting list. A locked room refuses new
 * joins; members who reconnect and tutors still get in.
 *
 * Settings live by room name as long as the room has members or someone waits.
 */
import { isRecord, type AdmissionInfo, type WaitingInfo } from '../protocol/index.js';
import type { JoinIdentity } from './join-identity.js';
import type { RoomRegistry } from './room-registry.js';
import type { RequestOutcome } from './request-outcome.js';
import type { SocketSession } from './socket-session.js';

/** A join put on hold. */
export interface WaitingJoin {
  session: SocketSession;
  identity: JoinIdentity;
  media: { isVideoOn: boolean; isAudioOn: boolean };
  tokenExpiresAt: number | undefined;
  since: number;
}

interface RoomAdmissionState extends AdmissionInfo {
  queue: WaitingJoin[];
  /** Members of the room when it moved from another process: they come back as members do. */
  returning?: Set<string>;
}

export interface AdmissionHost {
  registry: RoomRegistry<SocketSession>;
  /** Runs the ordinary join for an admitted socket. */
  enter(join: WaitingJoin): void;
  /** Most people one waiting room holds. */
  maxWaiting: number;
}

export type AdmissionVerdict = 'enter' | 'wait' | { code: 'room-locked' | 'room-full'; message: string };

export class RoomAdmission {
  readonly #rooms = new Map<string, RoomAdmissionState>();
  readonly #host: AdmissionHost;

  constructor(host: AdmissionHost) {
    this.#host = host;
  }

  settings(room: string): AdmissionInfo {
    const state = this.#rooms.get(room);
    return { waiting: state?.waiting ?? false, locked: state?.locked ?? false };
  }

  /** Tutors' view of a room's waiting room, longest waiting first. */
  waitingList(room: string): WaitingInfo[] {
    return (this.#rooms.get(room)?.queue ?? []).map((w) => ({ id: w.session.peerId, userId: w.identity.userId, name: w.identity.name, since: w.since }));
  }

  /** What happens to a join: straight in, into the waiting room, or refused. `rejoining`: the user is a member already (a refresh). */
  decide(identity: JoinIdentity, rejoining: boolean): AdmissionVerdict {
    const state = this.#rooms.get(identity.room);
    // A member of the room before it moved comes back once, as members do.
    if (state?.returning?.delete(identity.userId)) return 'enter';
    if (identity.role === 'tutor' || rejoining) return 'enter';
    if (state?.locked) return { code: 'room-locked', message: 'The tutor has locked this room: no one else can join now.' };
    if (!state?.waiting && identity.waiting !== true) return 'enter';
    if ((state?.queue.length ?? 0) >= this.#host.maxWaiting) return { code: 'room-full', message: 'The waiting room is full.' };
    return 'wait';
  }

  /** Puts a join on hold and tells the joiner and the room's tutors. */
  wait(join: WaitingJoin): void {
    const state = this.#state(join.identity.room);
    // The same user waiting from another socket (a refresh): the newest waits.
    const older = state.queue.find((w) => w.identity.userId === join.identity.userId);
    if (older) {
      this.#drop(state, older);
      older.session.waitingIn = undefined;
      older.session.send({ type: 'LS-EVICTED', payload: { reason: 'replaced', message: 'You are waiting to join this room from another connection; this one stopped waiting.' } });
    }
    state.queue.push(join);
    join.session.waitingIn = join.identity.room;
    join.session.send({
      type: 'LS-WAITING',
      payload: { room: join.identity.room, message: 'Waiting for the tutor to let you in.' },
    });
    this.#tellTutors(join.identity.room);
  }

  /** The socket left the waiting room by itself (LS-LEAVE, or it closed). */
  leave(session: SocketSession): void {
    const room = session.waitingIn;
    const state = room === undefined ? undefined : this.#rooms.get(room);
    const join = state?.queue.find((w) => w.session === session);
    session.waitingIn = undefined;
    if (!state || !join || room === undefined) return;
    this.#drop(state, join);
    this.#tellTutors(room);
    this.#forgetIfUnused(room);
  }

  /** LS-ADMIT (a tutor's): one, or everyone waiting. */
  admit(room: string, payload: unknown): RequestOutcome {
    const state = this.#rooms.get(room);
    const all = isRecord(payload) && payload['all'] === true;
    const target = isRecord(payload) ? payload['target'] : undefined;
    if (!all && typeof target !== 'string') {
      return { ok: false, code: 'bad-payload', message: 'payload.target must be the peer id of a waiting student, or payload.all true.', malformed: true };
    }
    const chosen = (state?.queue ?? []).filter((w) => all || w.session.peerId === target);
    if (!state || (!all && chosen.length === 0)) return { ok: false, code: 'not-waiting', message: 'Nobody with that peer id is waiting.' };
    for (const join of chosen) {
      this.#drop(state, join);
      join.session.waitingIn = undefined;
      if (!join.session.closed) this.#host.enter(join);
    }
    this.#tellTutors(room);
    return { ok: true };
  }

  /** LS-DENY (a tutor's). */
  deny(room: string, payload: unknown): RequestOutcome {
    const target = isRecord(payload) ? payload['target'] : undefined;
    if (typeof target !== 'string') return { ok: false, code: 'bad-payload', message: 'payload.target must be the peer id of a waiting student.', malformed: true };
    const state = this.#rooms.get(room);
    const join = state?.queue.find((w) => w.session.peerId === target);
    if (!state || !join) return { ok: false, code: 'not-waiting', message: 'Nobody with that peer id is waiting.' };
    this.#drop(state, join);
    join.session.waitingIn = undefined;
    join.session.send({ type: 'LS-DENIED', payload: { message: 'The tutor did not let you in.' } });
    this.#tellTutors(room);
    return { ok: true };
  }

  /** LS-ADMISSION (a tutor's). Turning the waiting room off lets everyone waiting in. */
  configure(room: string, by: string, payload: unknown): RequestOutcome {
    const waiting = isRecord(payload) ? payload['waiting'] : undefined;
    const locked = isRecord(payload) ? payload['locked'] : undefined;
    if ((waiting !== undefined && typeof waiting !== 'boolean') || (locked !== undefined && typeof locked !== 'boolean') || (waiting === undefined && locked === undefined)) {
      return { ok: false, code: 'bad-payload', message: 'payload.waiting and payload.locked must be true or false (at least one).', malformed: true };
    }
    const state = this.#state(room);
    const before = { waiting: state.waiting, locked: state.locked };
    if (waiting !== undefined) state.waiting = waiting;
    if (locked !== undefined) state.locked = locked;
    if (before.waiting === state.waiting && before.locked === state.locked) return { ok: true };
    this.#host.registry.get(room)?.broadcast({ type: 'LS-ADMISSION', payload: { admission: { waiting: state.waiting, locked: state.locked }, by } });
    if (before.waiting && !state.waiting && state.queue.length > 0) this.admit(room, { all: true });
    return { ok: true };
  }

  /** Settings saved by the process that ran the room before (no one is told: nobody is in the room yet). */
  restore(room: string, settings: AdmissionInfo, members: string[]): void {
    const state = this.#state(room);
    state.waiting = settings.waiting;
    state.locked = settings.locked;
    state.returning = new Set(members);
  }

  /** Whether the room has settings other than the defaults. */
  hasSettings(room: string): boolean {
    const state = this.#rooms.get(room);
    return state !== undefined && (state.waiting || state.locked);
  }

  /** A room lost its last member: its settings go unless someone still waits. */
  roomEmptied(room: string): void {
    this.#forgetIfUnused(room);
  }

  #forgetIfUnused(room: string): void {
    const state = this.#rooms.get(room);
    if (state && state.queue.length === 0 && !this.#host.registry.get(room)) this.#rooms.delete(room);
  }

  #state(room: string): RoomAdmissionState {
    let state = this.#rooms.get(room);
    if (!state) {
      state = { waiting: false, locked: false, queue: [] };
      this.#rooms.set(room, state);
    }
    return state;
  }

  #drop(state: RoomAdmissionState, join: WaitingJoin): void {
    state.queue = state.queue.filter((w) => w !== join);
  }

  #tellTutors(room: string): void {
    const members = this.#host.registry.get(room)?.allMembers() ?? [];
    const tutors = members.filter((m) => m.info.role === 'tutor');
    if (tutors.length === 0) return;
    const message = { type: 'LS-WAITING-LIST', payload: { waiting: this.waitingList(room) } } as const;
    for (const tutor of tutors) tutor.connection.send(message);
  }
}
