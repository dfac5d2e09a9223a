/**
 * Short-lived values that may be used once: login states, nonces, deep-linking
 * tickets. Bounded, so unauthenticated login initiations cannot fill memory.
 */
export class SingleUseStore<T> {
  readonly #entries = new Map<string, { value: T; expiresAt: number }>();
  readonly #ttlMs: number;
  readonly #capacity: number;

  constructor(ttlMs: number, capacity: number) {
    this.#ttlMs = ttlMs;
    this.#capacity = capacity;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Keeps `value` under `key`; false when the store is full of live entries. */
  put(key: string, value: T, now = Date.now()): boolean {
    if (this.#entries.size >= this.#capacity) this.sweep(now);
    if (this.#entries.size >= this.#capacity) return false;
    this.#entries.set(key, { value, expiresAt: now + this.#ttlMs });
    return true;
  }

  /** The value under `key`, removed; undefined when absent, taken already or expired. */
  take(key: string, now = Date.now()): T | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    this.#entries.delete(key);
    return entry.expiresAt > now ? entry.value : undefined;
  }

  /** Drops expired entries (insertion order is expiry order: the TTL is fixed). */
  sweep(now = Date.now()): void {
    for (const [key, entry] of this.#entries) {
      if (entry.expiresAt > now) break;
      this.#entries.delete(key);
    }
  }
}

/** Remembers values (e.g. nonces) until a given time, to refuse them a second time. */
export class SeenSet {
  readonly #until = new Map<string, number>();
  readonly #capacity: number;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  /** True the first time `value` is seen (and remembered until `until`), false after. */
  first(value: string, until: number, now = Date.now()): boolean {
    const known = this.#until.get(value);
    if (known !== undefined && known > now) return false;
    if (this.#until.size >= this.#capacity) {
      for (const [key, expiry] of this.#until) if (expiry <= now) this.#until.delete(key);
      // Still full: forget the oldest, which expire first in practice.
      while (this.#until.size >= this.#capacity) {
        const oldest = this.#until.keys().next().value;
        if (oldest === undefined) break;
        this.#until.delete(oldest);
      }
    }
    this.#until.set(value, until);
    return true;
  }
}
