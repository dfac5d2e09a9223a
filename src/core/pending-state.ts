/**
 * The one update model for the local participant's own state (camera,
 * microphone, hand): optimistic, with the server's broadcast as the
 * reconciliation point.
 *
 * - A local change shows at once (the device state, or the hand as pending)
 *   and is sent to the server.
 * - The server's next view of the local participant that carries the same
 *   value confirms it: the pending value is dropped.
 * - A refusal (LS-ERROR naming the request, or `rate-limited`) ends the wait:
 *   the server's value shows again (for camera and microphone the local tile
 *   always shows the device, which is the fact).
 * - No confirmation within `stateConfirmMs` ends the wait too: a pending hand
 *   falls back to the server's value; a device state the server still does
 *   not have is sent again, once.
 */
import type { ParticipantInfo } from '../protocol/index.js';
import type { Cancel, Scheduler } from './scheduler.js';

export type PendingField = 'isVideoOn' | 'isAudioOn' | 'isHandRaised';

export interface PendingStateHost {
  /** No confirmation came in time, or the server refused: `field` is no longer pending. */
  unconfirmed(field: PendingField): void;
}

export class PendingState {
  readonly #scheduler: Scheduler;
  readonly #confirmMs: number;
  readonly #host: PendingStateHost;
  readonly #pending = new Map<PendingField, { value: boolean; cancel: Cancel }>();

  constructor(scheduler: Scheduler, confirmMs: number, host: PendingStateHost) {
    this.#scheduler = scheduler;
    this.#confirmMs = confirmMs;
    this.#host = host;
  }

  /** The value waiting for the server, if any. */
  get(field: PendingField): boolean | undefined {
    return this.#pending.get(field)?.value;
  }

  /** A local change was sent; `confirmed` is what the server last said. Returns whether it is now pending. */
  expect(field: PendingField, value: boolean, confirmed: boolean | undefined): boolean {
    this.#pending.get(field)?.cancel();
    this.#pending.delete(field);
    if (value === confirmed) return false;
    const cancel = this.#scheduler.after(this.#confirmMs, () => {
      if (this.#pending.get(field)?.cancel !== cancel) return;
      this.#pending.delete(field);
      this.#host.unconfirmed(field);
    });
    this.#pending.set(field, { value, cancel });
    return true;
  }

  /** The server's view of the local participant: drops what it confirms. Returns whether anything was dropped. */
  reconcile(self: ParticipantInfo, handRaised: boolean): boolean {
    let dropped = false;
    for (const [field, pending] of this.#pending) {
      const server = field === 'isHandRaised' ? handRaised : self[field];
      if (server === pending.value) {
        pending.cancel();
        this.#pending.delete(field);
        dropped = true;
      }
    }
    return dropped;
  }

  /** The server refused the request that carried `fields`: stop waiting (the server's value shows again). */
  refused(fields: readonly PendingField[]): void {
    for (const field of fields) {
      this.#pending.get(field)?.cancel();
      this.#pending.delete(field);
    }
  }

  clear(): void {
    for (const pending of this.#pending.values()) pending.cancel();
    this.#pending.clear();
  }
}
