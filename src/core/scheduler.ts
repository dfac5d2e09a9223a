/**
 * One place for every timer of a session. A task is scheduled with `after()`
 * (once) or `every()` (repeating) and cancelled through the function either
 * returns; `cancelAll()` cancels everything still pending, in this scheduler
 * and in every group made from it. Groups let one part of a session (say, the
 * connections) be torn down while another (the local preview) keeps running.
 *
 * The timer functions are injectable, so the decisions that depend on time
 * can be tested in Node with a manual clock.
 */
export interface SchedulerTimers {
  setTimeout(task: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /** Milliseconds on a monotonic clock; default `performance.now()`. */
  now?(): number;
}

/** Cancels a scheduled task; calling it again, or after the task ran, does nothing. */
export type Cancel = () => void;

const GLOBAL_TIMERS: SchedulerTimers = {
  setTimeout: (task, ms) => globalThis.setTimeout(task, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export class Scheduler {
  readonly #timers: SchedulerTimers;
  readonly #pending = new Map<symbol, unknown>();
  readonly #groups = new Set<Scheduler>();

  constructor(timers: SchedulerTimers = GLOBAL_TIMERS) {
    this.#timers = timers;
  }

  /** The clock the tasks run on, in ms. */
  now(): number {
    return this.#timers.now ? this.#timers.now() : performance.now();
  }

  /** Runs `task` once after `ms`. */
  after(ms: number, task: () => void): Cancel {
    const key = Symbol('task');
    const handle = this.#timers.setTimeout(() => {
      this.#pending.delete(key);
      task();
    }, Math.max(0, ms));
    this.#pending.set(key, handle);
    return () => {
      if (!this.#pending.has(key)) return;
      this.#timers.clearTimeout(this.#pending.get(key));
      this.#pending.delete(key);
    };
  }

  /** Runs `task` every `ms` until cancelled. */
  every(ms: number, task: () => void): Cancel {
    let cancelNext: Cancel = () => undefined;
    let stopped = false;
    const tick = (): void => {
      cancelNext = this.after(ms, () => {
        if (stopped) return;
        tick();
        task();
      });
    };
    tick();
    return () => {
      stopped = true;
      cancelNext();
    };
  }

  /** A scheduler whose tasks this one's `cancelAll()` also cancels. */
  group(): Scheduler {
    const child = new Scheduler(this.#timers);
    this.#groups.add(child);
    return child;
  }

  /** How many tasks are pending here and in the groups (for tests and diagnostics). */
  get size(): number {
    let total = this.#pending.size;
    for (const group of this.#groups) total += group.size;
    return total;
  }

  cancelAll(): void {
    for (const handle of this.#pending.values()) this.#timers.clearTimeout(handle);
    this.#pending.clear();
    for (const group of this.#groups) group.cancelAll();
  }
}

/**
 * A manual clock for tests: `setTimeout`/`clearTimeout` that only advance
 * when `advance(ms)` is called.
 */
export class ManualTimers implements SchedulerTimers {
  time = 0;
  #next = 0;
  readonly #tasks = new Map<number, { at: number; task: () => void }>();

  setTimeout(task: () => void, ms: number): number {
    const id = ++this.#next;
    this.#tasks.set(id, { at: this.time + ms, task });
    return id;
  }

  now(): number {
    return this.time;
  }

  clearTimeout(handle: unknown): void {
    this.#tasks.delete(handle as number);
  }

  get pending(): number {
    return this.#tasks.size;
  }

  /** Moves the clock forward, running every task that falls due, in order. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      let dueId: number | undefined;
      let due: { at: number; task: () => void } | undefined;
      for (const [id, entry] of this.#tasks) {
        if (entry.at <= end && (!due || entry.at < due.at)) {
          dueId = id;
          due = entry;
        }
      }
      if (dueId === undefined || !due) break;
      this.#tasks.delete(dueId);
      this.time = due.at;
      due.task();
    }
    this.time = end;
  }
}
