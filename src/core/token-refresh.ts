/**
 * Join tokens over a long lesson. The token given at the start may expire
 * before the lesson ends; a re-join after a signalling drop would then be
 * refused. With a `tokenProvider`, every re-join asks it for a fresh token,
 * and a re-join refused for its token is retried once with another fresh one.
 * Without one, an expired token ends the session with a plain explanation.
 */
import type { ErrorCode } from '../protocol/index.js';
import type { SessionErrorDetail } from './events.js';
import type { Logger } from './logger.js';

/** Refusals a fresh token can cure. */
const TOKEN_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['token-expired', 'token-invalid', 'token-missing']);

export const EXPIRED_LINK_MESSAGE = 'Your link has expired; open it again from your course page.';

export class TokenRefresh {
  readonly #provider: (() => Promise<string>) | undefined;
  readonly #log: Logger;
  #token: string | undefined;
  #retried = false;

  constructor(token: string | undefined, provider: (() => Promise<string>) | undefined, log: Logger) {
    this.#token = token;
    this.#provider = provider;
    this.#log = log;
  }

  /**
   * The token for a join: the given one for the first join (the provider's when
   * none was given), a fresh one from the provider before every re-join. A
   * provider that fails leaves the last token in place.
   */
  async forJoin(rejoin: boolean): Promise<string | undefined> {
    if (this.#provider && (rejoin || this.#token === undefined)) {
      try {
        const fresh = await this.#provider();
        if (typeof fresh === 'string' && fresh.length > 0) this.#token = fresh;
      } catch (error) {
        this.#log.warn('the token provider failed', error);
      }
    }
    return this.#token;
  }

  /** The token of the latest join (or the one given), if any. */
  get current(): string | undefined {
    return this.#token;
  }

  /** The server took a join: a later refusal may be retried again. */
  accepted(): void {
    this.#retried = false;
  }

  /** Whether a re-join refused with `code` is worth one more try with a fresh token. */
  shouldRetry(code: ErrorCode): boolean {
    if (!this.#provider || this.#retried || !TOKEN_CODES.has(code)) return false;
    this.#retried = true;
    this.#log.debug('re-join refused for its token; retrying with a fresh one', code);
    return true;
  }

  /** The error to show for a re-join refused for good: an expired link says so plainly. */
  explain(detail: SessionErrorDetail): SessionErrorDetail {
    return detail.code === 'token-expired' ? { ...detail, message: EXPIRED_LINK_MESSAGE } : detail;
  }
}
