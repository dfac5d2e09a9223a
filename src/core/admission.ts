/**
 * The room's admission as the session shows it: whether students wait for a
 * tutor, whether the room is locked, and (for tutors) who is waiting.
 */
import type { AdmissionInfo, ClientMessage, ServerMessage, WaitingInfo } from '../protocol/index.js';
import type { LiveSessionEventMap } from './events.js';
import type { DetailOf } from './typed-events.js';

export interface AdmissionHost {
  emit<K extends keyof LiveSessionEventMap>(type: K, detail: DetailOf<LiveSessionEventMap[K]>): void;
  changed(): void;
  send(message: ClientMessage): void;
  /** In the room and a tutor; fires `error` when not. */
  allowedTutor(): boolean;
}

const OPEN: Readonly<AdmissionInfo> = Object.freeze({ waiting: false, locked: false });
const NOBODY: readonly WaitingInfo[] = Object.freeze([]);

export class Admission {
  readonly #host: AdmissionHost;
  #info: Readonly<AdmissionInfo> = OPEN;
  #waiting: readonly WaitingInfo[] = NOBODY;

  constructor(host: AdmissionHost) {
    this.#host = host;
  }

  get info(): Readonly<AdmissionInfo> {
    return this.#info;
  }

  get waiting(): readonly WaitingInfo[] {
    return this.#waiting;
  }

  reset(): void {
    this.#info = OPEN;
    this.#waiting = NOBODY;
  }

  apply(message: ServerMessage): void {
    switch (message.type) {
      case 'LS-JOINED':
        if (message.payload.admission) this.#info = Object.freeze({ ...message.payload.admission });
        this.#waiting = Object.freeze((message.payload.waiting ?? []).map((w) => Object.freeze({ ...w })));
        return;
      case 'LS-WAITING-LIST':
        this.#waiting = Object.freeze(message.payload.waiting.map((w) => Object.freeze({ ...w })));
        this.#host.emit('waiting-list', { waiting: this.#waiting });
        this.#host.changed();
        return;
      case 'LS-ADMISSION':
        this.#info = Object.freeze({ ...message.payload.admission });
        this.#host.emit('admission', { admission: this.#info });
        this.#host.changed();
        return;
      default:
        return;
    }
  }

  configure(settings: Partial<AdmissionInfo>): void {
    if (this.#host.allowedTutor()) this.#host.send({ type: 'LS-ADMISSION', payload: settings });
  }

  /** One waiting student (peer id), or everyone waiting (undefined). */
  admit(id: string | undefined): void {
    if (!this.#host.allowedTutor()) return;
    this.#host.send({ type: 'LS-ADMIT', payload: id === undefined ? { all: true } : { target: id } });
  }

  deny(id: string): void {
    if (this.#host.allowedTutor()) this.#host.send({ type: 'LS-DENY', payload: { target: id } });
  }
}
