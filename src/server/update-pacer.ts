/**
 * Paces the room broadcasts one participant's changes cause (camera, mic,
 * hand): at most `perSecond` per participant. A change inside the interval is
 * not lost: when the interval ends, one broadcast carries the participant's
 * latest state (and the room's hand queue, when it changed meanwhile).
 */

/** What the pacer sends for one participant when it is its turn. */
export interface PacedUpdate {
  /** Sends the participant's current state (and the hand queue if `handQueueChanged`). */
  (handQueueChanged: boolean): void;
}

interface PacerState {
  lastSentAt: number;
  timer: ReturnType<typeof setTimeout> | undefined;
  pending: PacedUpdate | undefined;
  handQueueChanged: boolean;
}

/** Timer functions, injectable for tests. */
export interface OneShotTimer {
  setTimeout(callback: () => void, ms: number): ReturnType<typeof setTimeout>;
  clearTimeout(handle: ReturnType<typeof setTimeout>): void;
}

const nodeTimer: OneShotTimer = {
  setTimeout: (callback, ms) => {
    const handle = setTimeout(callback, ms);
    handle.unref();
    return handle;
  },
  clearTimeout: (handle) => {
    clearTimeout(handle);
  },
};

export class UpdatePacer<K> {
  private readonly states = new Map<K, PacerState>();
  private readonly intervalMs: number;

  constructor(
    perSecond: number,
    private readonly clock: () => number = Date.now,
    private readonly timer: OneShotTimer = nodeTimer,
  ) {
    this.intervalMs = 1000 / perSecond;
  }

  /**
   * The participant `key` changed: `send` now if its interval allows, else
   * once the interval ends (the latest `send` wins).
   */
  update(key: K, send: PacedUpdate, handQueueChanged = false): void {
    const now = this.clock();
    let state = this.states.get(key);
    if (!state) {
      state = { lastSentAt: -Infinity, timer: undefined, pending: undefined, handQueueChanged: false };
      this.states.set(key, state);
    }
    state.handQueueChanged ||= handQueueChanged;
    state.pending = send;
    if (state.timer !== undefined) return;
    const wait = state.lastSentAt + this.intervalMs - now;
    if (wait <= 0) {
      this.flush(key, state, now);
      return;
    }
    const paced = state;
    paced.timer = this.timer.setTimeout(() => {
      paced.timer = undefined;
      this.flush(key, paced, this.clock());
    }, wait);
  }

  private flush(key: K, state: PacerState, now: number): void {
    const send = state.pending;
    const handQueueChanged = state.handQueueChanged;
    state.pending = undefined;
    state.handQueueChanged = false;
    state.lastSentAt = now;
    if (this.states.get(key) !== state) return;
    send?.(handQueueChanged);
  }

  /** Forgets a participant (it left): nothing pending is sent. */
  forget(key: K): void {
    const state = this.states.get(key);
    if (state?.timer !== undefined) this.timer.clearTimeout(state.timer);
    this.states.delete(key);
  }

  /** Stops every pending update. */
  clear(): void {
    for (const key of [...this.states.keys()]) this.forget(key);
  }

  get size(): number {
    return this.states.size;
  }
}
