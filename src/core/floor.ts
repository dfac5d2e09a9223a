/**
 * The floor as the session shows it: talking-stick mode, who holds the floor
 * and who is invited. An invited student answers; on accepting, the microphone
 * turns on once the server has given the floor. In talking-stick mode the
 * session keeps a student's microphone off without the floor (the server
 * refuses it too), and `isAudible` tells a UI not to play students who speak
 * without it.
 */
import type { ClientMessage, FloorInfo, ServerMessage } from '../protocol/index.js';
import type { LiveSessionEventMap, Participant } from './events.js';
import type { DetailOf } from './typed-events.js';

export interface FloorHost {
  emit<K extends keyof LiveSessionEventMap>(type: K, detail: DetailOf<LiveSessionEventMap[K]>): void;
  changed(): void;
  send(message: ClientMessage): void;
  /** In the room; with `tutorOnly`, a tutor. Fires `error` when not. */
  allowed(tutorOnly: boolean): boolean;
  participant(id: string): Participant | null;
  selfId(): string | null;
  isTutor(): boolean;
  /** Turns the local microphone off without asking the server (it already counts it off). */
  silenceMicrophone(): void;
  /** Turns the local microphone on (the floor was given). */
  unmute(): void;
}

const NO_FLOOR: Readonly<FloorInfo> = Object.freeze({ talkingStick: false, speakers: [], invited: [] });

export class Floor {
  readonly #host: FloorHost;
  #info: Readonly<FloorInfo> = NO_FLOOR;
  /** We accepted an invitation: unmute when the floor is ours. */
  #accepted = false;

  constructor(host: FloorHost) {
    this.#host = host;
  }

  get info(): Readonly<FloorInfo> {
    return this.#info;
  }

  /** Whether the local participant may turn its microphone on now. */
  get mayUnmute(): boolean {
    return !this.#info.talkingStick || this.#host.isTutor() || this.holds(this.#host.selfId() ?? '');
  }

  holds(id: string): boolean {
    return this.#info.speakers.includes(id);
  }

  /** Whether a participant's sound should be played: in talking-stick mode, tutors and floor holders only. */
  isAudible(participant: Pick<Participant, 'id' | 'role'>): boolean {
    return !this.#info.talkingStick || participant.role === 'tutor' || this.holds(participant.id);
  }

  reset(): void {
    this.#info = NO_FLOOR;
    this.#accepted = false;
  }

  /** Applied before the roster sees the message: a join into talking-stick mode silences the microphone first. */
  apply(message: ServerMessage): void {
    switch (message.type) {
      case 'LS-JOINED': {
        const floor = message.payload.floor;
        if (!floor) return;
        this.#set(floor, message.payload.self.id);
        return;
      }
      case 'LS-FLOOR':
        this.#set(message.payload.floor, this.#host.selfId());
        this.#host.emit('floor', { floor: this.#info });
        this.#host.changed();
        return;
      case 'LS-SPEAK-INVITED':
        this.#host.emit('speak-invited', { by: this.#host.participant(message.payload.by) });
        return;
      default:
        return;
    }
  }

  invite(id: string): void {
    if (this.#host.allowed(true)) this.#host.send({ type: 'LS-INVITE-SPEAK', payload: { target: id } });
  }

  endTurn(id: string): void {
    if (this.#host.allowed(true)) this.#host.send({ type: 'LS-END-TURN', payload: { target: id } });
  }

  setTalkingStick(on: boolean): void {
    if (this.#host.allowed(true)) this.#host.send({ type: 'LS-TALKING-STICK', payload: { on } });
  }

  answer(accept: boolean): void {
    if (!this.#host.allowed(false)) return;
    this.#accepted = accept;
    this.#host.send({ type: 'LS-SPEAK-ANSWER', payload: { accept } });
  }

  #set(floor: FloorInfo, selfId: string | null): void {
    const held = selfId !== null && this.#info.speakers.includes(selfId);
    this.#info = Object.freeze({ talkingStick: floor.talkingStick, speakers: Object.freeze([...floor.speakers]), invited: Object.freeze([...floor.invited]) }) as FloorInfo;
    const holds = selfId !== null && floor.speakers.includes(selfId);
    if (holds && this.#accepted) {
      this.#accepted = false;
      this.#host.unmute();
    } else if (!holds && !this.mayUnmute) {
      // Talking-stick mode without the floor (joined into it, or the turn ended): the microphone stays off.
      this.#host.silenceMicrophone();
    }
    if (held && !holds) this.#accepted = false;
  }
}
