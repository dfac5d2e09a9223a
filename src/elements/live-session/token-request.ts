import type { TokenExpiringDetail } from '../shared/events.js';

/** How long a page that called `preventDefault()` on `ls-token-expiring` has to set a new `token`. */
export const TOKEN_WAIT_MS = 30_000;

/**
 * Asks the page for a fresh join token with a cancelable `ls-token-expiring`
 * event dispatched on `host` (it bubbles and is composed). The page answers
 * with `detail.respondWith(tokenOrPromise)` during the dispatch, or calls
 * `preventDefault()` and sets the `token` attribute within `TOKEN_WAIT_MS`
 * (`nextToken` resolves then). Without an answer the current token is used
 * again: the server decides whether it is still good.
 */
export function requestToken(
  host: EventTarget,
  current: string,
  nextToken: (timeoutMs: number) => Promise<string>,
): Promise<string> {
  let answer: Promise<string> | undefined;
  let dispatching = true;
  const detail: TokenExpiringDetail = {
    token: current,
    respondWith(token) {
      if (!dispatching) throw new DOMException('respondWith() must be called while ls-token-expiring is dispatched', 'InvalidStateError');
      if (answer) throw new DOMException('ls-token-expiring was already answered', 'InvalidStateError');
      answer = Promise.resolve(token);
    },
  };
  const event = new CustomEvent('ls-token-expiring', { detail, bubbles: true, composed: true, cancelable: true });
  try {
    host.dispatchEvent(event);
  } finally {
    dispatching = false;
  }
  if (answer) return answer.then(checked);
  if (event.defaultPrevented) return nextToken(TOKEN_WAIT_MS).then(checked);
  return Promise.resolve(current);
}

function checked(token: unknown): string {
  if (typeof token !== 'string' || token === '') throw new TypeError('the page answered ls-token-expiring without a token');
  return token;
}

/**
 * Promises of the next value of a property, resolved by `offer()` (the
 * element calls it when the property changes) or rejected after a timeout.
 */
export class NextValue<T> {
  readonly #waiting = new Set<{ resolve: (value: T) => void; timer: ReturnType<typeof setTimeout> }>();

  next(timeoutMs: number, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const waiter = {
        resolve,
        timer: setTimeout(() => {
          this.#waiting.delete(waiter);
          reject(new Error(`no new ${what} within ${timeoutMs} ms`));
        }, timeoutMs),
      };
      this.#waiting.add(waiter);
    });
  }

  offer(value: T): void {
    for (const waiter of this.#waiting) {
      clearTimeout(waiter.timer);
      waiter.resolve(value);
    }
    this.#waiting.clear();
  }
}
