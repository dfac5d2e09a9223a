/**
 * Floor control: the tutor invites a student to speak, the student accepts
 * (and unmutes) or declines, the tutor ends the turn (microphone off, hand
 * down). In talking-stick mode a student may unmute only while holding the
 * floor: the server refuses any other LS-STATE that turns a student's
 * microphone on, and every client plays students' sound only from floor
 * holders, so a client that sends audio anyway is not heard.
 */
import { isRecord, type FloorInfo, type ServerMessage } from '../protocol/index.js';
import { checkTargetPayload } from './frames.js';
import type { Member, Room } from './room-registry.js';
import type { RequestOutcome } from './request-outcome.js';

/** What floor control asks of the room actions. */
export interface FloorHost {
  /** Turns a member's microphone off and tells it who did. */
  mute(member: Member, by: string): void;
  lowerHand(member: Member): void;
}

interface FloorState {
  talkingStick: boolean;
  speakers: string[];
  invited: string[];
}

const OK: RequestOutcome = { ok: true };

export class RoomFloor {
  readonly #rooms = new WeakMap<Room, FloorState>();
  readonly #host: FloorHost;

  constructor(host: FloorHost) {
    this.#host = host;
  }

  snapshot(room: Room): FloorInfo {
    const state = this.#rooms.get(room);
    return state ? { talkingStick: state.talkingStick, speakers: [...state.speakers], invited: [...state.invited] } : { talkingStick: false, speakers: [], invited: [] };
  }

  /** Whether this member may turn its microphone on now. */
  mayUnmute(member: Member): boolean {
    const state = this.#rooms.get(member.room);
    return !state?.talkingStick || member.info.role === 'tutor' || state.speakers.includes(member.info.id);
  }

  /** A joiner's microphone as the room should record it: off for a student without the floor in talking-stick mode. */
  admitAudio(room: Room, role: string, isAudioOn: boolean): boolean {
    return isAudioOn && (role === 'tutor' || !this.#rooms.get(room)?.talkingStick);
  }

  /** LS-INVITE-SPEAK (a tutor's). */
  invite(tutor: Member, frame: Record<string, unknown>): RequestOutcome {
    const target = this.#target(tutor, frame);
    if (!target.ok) return target.outcome;
    const state = this.#state(tutor.room);
    const id = target.member.info.id;
    if (state.speakers.includes(id) || state.invited.includes(id)) return OK;
    state.invited.push(id);
    // The floor first: when the invitation arrives, the student's page already lists itself as invited.
    this.#broadcast(tutor.room, state);
    target.member.connection.send({ type: 'LS-SPEAK-INVITED', payload: { by: tutor.info.id } });
    return OK;
  }

  /** LS-SPEAK-ANSWER (the invited student's). */
  answer(member: Member, payload: unknown): RequestOutcome {
    const accept = isRecord(payload) ? payload['accept'] : undefined;
    if (typeof accept !== 'boolean') return { ok: false, code: 'bad-payload', message: 'payload.accept must be true or false.', malformed: true };
    const state = this.#rooms.get(member.room);
    const id = member.info.id;
    if (!state?.invited.includes(id)) return { ok: false, code: 'not-invited', message: 'Nobody invited you to speak (or the invitation was withdrawn).' };
    state.invited = state.invited.filter((x) => x !== id);
    if (accept) {
      state.speakers.push(id);
      this.#host.lowerHand(member);
    }
    this.#broadcast(member.room, state);
    return OK;
  }

  /** LS-END-TURN (a tutor's): no more floor, microphone off, hand down. */
  endTurn(tutor: Member, frame: Record<string, unknown>): RequestOutcome {
    const target = this.#target(tutor, frame);
    if (!target.ok) return target.outcome;
    const state = this.#state(tutor.room);
    const id = target.member.info.id;
    const had = state.speakers.includes(id) || state.invited.includes(id);
    state.speakers = state.speakers.filter((x) => x !== id);
    state.invited = state.invited.filter((x) => x !== id);
    this.#host.mute(target.member, tutor.info.id);
    this.#host.lowerHand(target.member);
    if (had) this.#broadcast(tutor.room, state);
    return OK;
  }

  /** LS-TALKING-STICK (a tutor's). Turning it on mutes every student without the floor. */
  setTalkingStick(tutor: Member, payload: unknown): RequestOutcome {
    const on = isRecord(payload) ? payload['on'] : undefined;
    if (typeof on !== 'boolean') return { ok: false, code: 'bad-payload', message: 'payload.on must be true or false.', malformed: true };
    const state = this.#state(tutor.room);
    if (state.talkingStick === on) return OK;
    state.talkingStick = on;
    this.#broadcast(tutor.room, state);
    if (on) {
      for (const member of tutor.room.allMembers()) {
        if (member.info.role === 'student' && member.info.isAudioOn && !state.speakers.includes(member.info.id)) this.#host.mute(member, tutor.info.id);
      }
    }
    return OK;
  }

  /** A member left: it no longer holds or waits for the floor. */
  forget(member: Member): void {
    const state = this.#rooms.get(member.room);
    const id = member.info.id;
    if (!state || (!state.speakers.includes(id) && !state.invited.includes(id))) return;
    state.speakers = state.speakers.filter((x) => x !== id);
    state.invited = state.invited.filter((x) => x !== id);
    this.#broadcast(member.room, state);
  }

  #target(tutor: Member, frame: Record<string, unknown>): { ok: true; member: Member } | { ok: false; outcome: RequestOutcome } {
    const target = checkTargetPayload(frame);
    if (!target.ok) return { ok: false, outcome: { ok: false, code: 'bad-payload', message: target.message, malformed: true } };
    const member = tutor.room.member(target.value);
    if (!member || member.info.role !== 'student') {
      return { ok: false, outcome: { ok: false, code: 'no-such-participant', message: 'No student with that peer id in your room.' } };
    }
    return { ok: true, member };
  }

  #state(room: Room): FloorState {
    let state = this.#rooms.get(room);
    if (!state) {
      state = { talkingStick: false, speakers: [], invited: [] };
      this.#rooms.set(room, state);
    }
    return state;
  }

  #broadcast(room: Room, state: FloorState): void {
    const message: ServerMessage = { type: 'LS-FLOOR', payload: { floor: { talkingStick: state.talkingStick, speakers: [...state.speakers], invited: [...state.invited] } } };
    room.broadcast(message);
  }
}
