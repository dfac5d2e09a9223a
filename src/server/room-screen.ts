/**
 * Screen sharing: one share at a time per room. A tutor may always share; a
 * student when a tutor allows students to. Starting a share ends the one
 * before it (its sharer is told, as everyone is, through LS-SCREEN). The media
 * itself goes peer to peer, a call per viewer in its own slot (see relay.ts).
 */
import { isRecord, type ScreenInfo, type ServerMessage } from '../protocol/index.js';
import type { Member, Room } from './room-registry.js';
import type { RequestOutcome } from './request-outcome.js';

interface ScreenState {
  sharer: string | null;
  studentsMayShare: boolean;
}

export class RoomScreen {
  readonly #rooms = new WeakMap<Room, ScreenState>();

  snapshot(room: Room): ScreenInfo {
    const state = this.#rooms.get(room);
    return { sharer: state?.sharer ?? null, studentsMayShare: state?.studentsMayShare ?? false };
  }

  /** LS-SCREEN-SHARE. */
  share(member: Member, payload: unknown): RequestOutcome {
    const on = isRecord(payload) ? payload['on'] : undefined;
    if (typeof on !== 'boolean') return { ok: false, code: 'bad-payload', message: 'payload.on must be true or false.', malformed: true };
    const state = this.#state(member.room);
    const id = member.info.id;
    if (!on) {
      if (state.sharer !== id) return { ok: true };
      state.sharer = null;
      this.#broadcast(member.room, state, id);
      return { ok: true };
    }
    if (member.info.role !== 'tutor' && !state.studentsMayShare) {
      return { ok: false, code: 'share-not-allowed', message: 'The tutor has not allowed students to share their screen.' };
    }
    if (state.sharer === id) {
      // Already the sharer (a repeated request): nothing changed for the room; only the asker is answered.
      member.connection.send(this.#message(state, id));
      return { ok: true };
    }
    const replaced = state.sharer ?? undefined;
    state.sharer = id;
    this.#broadcast(member.room, state, id, replaced);
    return { ok: true };
  }

  /** LS-SHARE-POLICY (a tutor's). Forbidding ends a student's share. */
  setPolicy(tutor: Member, payload: unknown): RequestOutcome {
    const allowed = isRecord(payload) ? payload['studentsMayShare'] : undefined;
    if (typeof allowed !== 'boolean') return { ok: false, code: 'bad-payload', message: 'payload.studentsMayShare must be true or false.', malformed: true };
    const state = this.#state(tutor.room);
    if (state.studentsMayShare === allowed) return { ok: true };
    state.studentsMayShare = allowed;
    let replaced: string | undefined;
    if (!allowed && state.sharer !== null && tutor.room.member(state.sharer)?.info.role !== 'tutor') {
      replaced = state.sharer;
      state.sharer = null;
    }
    this.#broadcast(tutor.room, state, tutor.info.id, replaced);
    return { ok: true };
  }

  /** A member left: its share ends. */
  forget(member: Member): void {
    const state = this.#rooms.get(member.room);
    if (state?.sharer !== member.info.id) return;
    state.sharer = null;
    this.#broadcast(member.room, state, member.info.id);
  }

  #state(room: Room): ScreenState {
    let state = this.#rooms.get(room);
    if (!state) {
      state = { sharer: null, studentsMayShare: false };
      this.#rooms.set(room, state);
    }
    return state;
  }

  #message(state: ScreenState, by: string, replaced?: string): ServerMessage {
    return {
      type: 'LS-SCREEN',
      payload: { screen: { sharer: state.sharer, studentsMayShare: state.studentsMayShare }, by, ...(replaced ? { replaced } : {}) },
    };
  }

  #broadcast(room: Room, state: ScreenState, by: string, replaced?: string): void {
    room.broadcast(this.#message(state, by, replaced));
  }
}
