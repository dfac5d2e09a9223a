/**
 * Session state as small observables that start with the current value
 * (LiveKit's `startWith` lesson): `get()` reads it now, `subscribe()` tells
 * about later changes. The shape is what React's `useSyncExternalStore`,
 * Svelte stores, Vue's `customRef` or a plain callback need:
 *
 * ```ts
 * const participants = observe(session, (s) => s.participants);
 * const list = useSyncExternalStore(participants.subscribe, participants.get);
 * ```
 *
 * `get()` returns the same value until the session reports a change, so a
 * selector that builds a new array (`s.participants.filter(...)`) is safe.
 */
export interface Observable<T> {
  /** The current value. */
  get(): T;
  /** Calls `listener` with each new value (not the current one); returns the unsubscribe function. */
  subscribe(listener: (value: T) => void): () => void;
}

export interface ObserveOptions<T> {
  /** When two values count as the same (no notification). Default `Object.is`. */
  equals?: (a: T, b: T) => boolean;
  /** The events after which the value is read again. Default `['change']`. */
  events?: readonly string[];
}

interface Versioned {
  version: number;
}

const versions = new WeakMap<EventTarget, Map<string, Versioned>>();

/** A counter per source and event, bumped on every such event (one listener per pair). */
function versionOf(source: EventTarget, events: readonly string[]): () => string {
  let bySource = versions.get(source);
  if (!bySource) {
    bySource = new Map();
    versions.set(source, bySource);
  }
  const counters = events.map((type) => {
    let counter = bySource.get(type);
    if (!counter) {
      const created: Versioned = { version: 0 };
      source.addEventListener(type, () => created.version++);
      bySource.set(type, created);
      counter = created;
    }
    return counter;
  });
  return () => counters.map((c) => c.version).join(':');
}

export function observe<S extends EventTarget, T>(source: S, selector: (source: S) => T, options: ObserveOptions<T> = {}): Observable<T> {
  const equals = options.equals ?? Object.is;
  const events = options.events ?? ['change'];
  const version = versionOf(source, events);
  let cached: { version: string; value: T } | null = null;
  const get = (): T => {
    const now = version();
    if (cached?.version === now) return cached.value;
    const value = selector(source);
    // Keep the old reference when nothing really changed, so renders can skip.
    cached = { version: now, value: cached && equals(cached.value, value) ? cached.value : value };
    return cached.value;
  };
  return {
    get,
    subscribe(listener) {
      let last = get();
      const onEvent = (): void => {
        const next = get();
        if (next === last) return;
        last = next;
        listener(next);
      };
      for (const type of events) source.addEventListener(type, onEvent);
      return () => {
        for (const type of events) source.removeEventListener(type, onEvent);
      };
    },
  };
}

/** Calls `listener` with the selected value now and whenever it changes; returns the unsubscribe function. */
export function select<S extends EventTarget, T>(
  source: S,
  selector: (source: S) => T,
  listener: (value: T) => void,
  options: ObserveOptions<T> = {},
): () => void {
  const observable = observe(source, selector, options);
  listener(observable.get());
  return observable.subscribe(listener);
}
