/**
 * The attendance webhook: a JSON POST signed with HMAC-SHA256, sent once per
 * room session as it ends. A failed delivery is tried again a few times with
 * growing pauses; a failure is logged, never thrown. Redirects are not
 * followed (a 3xx answer counts as a failure).
 *
 * Signed material: `<timestamp>.<body>`, the timestamp (Unix seconds, the
 * `X-Live-Session-Timestamp` header), a dot, and the body's exact bytes. The
 * signature header is `X-Live-Session-Signature: sha256=<hex>`. Every attempt
 * of one delivery carries the same `X-Live-Session-Delivery` id and body, and
 * a fresh timestamp and signature. The delivery id is also the body's
 * `delivery` field, which the signature covers: dedupe on that one (the header
 * alone could be changed by whoever replays a captured request).
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { ServerLog } from '../socket-gate.js';

export const SIGNATURE_HEADER = 'X-Live-Session-Signature';
export const TIMESTAMP_HEADER = 'X-Live-Session-Timestamp';
export const DELIVERY_HEADER = 'X-Live-Session-Delivery';

/** How long one attempt may take, and the pauses before the attempts after the first. */
export interface WebhookTimings {
  timeoutMs: number;
  retryDelaysMs: readonly number[];
}

export const WEBHOOK_TIMINGS: WebhookTimings = { timeoutMs: 10_000, retryDelaysMs: [5_000, 30_000, 120_000] };

/** `sha256=<hex>`: the HMAC-SHA256, keyed with `secret`, of `<timestamp>.<body>`. */
export function webhookSignature(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${String(timestamp)}.${body}`).digest('hex')}`;
}

/** What a receiver got: the body as text and the two headers as they came. */
export interface SignedWebhook {
  body: string;
  timestamp: string | undefined;
  signature: string | undefined;
}

/**
 * For receivers: whether a webhook's signature is right and its timestamp no
 * further than `toleranceSeconds` (default 300) from `now` (ms). Compares in
 * constant time. Keep the body's `delivery` ids you have seen to drop repeats.
 */
export function verifyWebhookSignature(
  secret: string,
  received: SignedWebhook,
  options: { toleranceSeconds?: number; now?: number } = {},
): boolean {
  const { toleranceSeconds = 300, now = Date.now() } = options;
  if (received.timestamp === undefined || !/^\d{1,12}$/.test(received.timestamp) || received.signature === undefined) return false;
  const timestamp = Number(received.timestamp);
  if (Math.abs(now / 1000 - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(webhookSignature(secret, timestamp, received.body));
  const given = Buffer.from(received.signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

type AttemptOutcome = { ok: true; status: number } | { ok: false; retryable: boolean; status?: number; message: string };

function failureMessage(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && error.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  if (!(error instanceof Error)) return String(error);
  const code = (error.cause as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? `${error.message} (${code})` : error.message;
}

/** Sends signed webhooks to one URL. */
export class WebhookSender {
  readonly #url: string;
  readonly #secret: string;
  readonly #log: ServerLog;
  readonly #timings: WebhookTimings;
  readonly #pending = new Set<Promise<void>>();
  /** Aborted at close: pauses before a retry end at once, and no retry follows. */
  readonly #closing = new AbortController();

  constructor(target: { url: string; secret: string }, log: ServerLog, timings: WebhookTimings = WEBHOOK_TIMINGS) {
    this.#url = target.url;
    this.#secret = target.secret;
    this.#log = log;
    this.#timings = timings;
  }

  /** Sends `payload` as JSON in the background; `fields` go into the log lines about it. */
  send(payload: object, fields: Record<string, unknown>): void {
    const id = randomUUID();
    const delivery = this.#deliver(JSON.stringify({ delivery: id, ...payload }), id, fields).catch((error: unknown) => {
      this.#log('error', 'attendance-webhook-failed', { ...fields, message: failureMessage(error, this.#timings.timeoutMs), givenUp: true });
    });
    this.#pending.add(delivery);
    void delivery.finally(() => this.#pending.delete(delivery));
  }

  /**
   * No more retries; resolves when the attempts under way have ended (each
   * within the attempt timeout). A delivery whose first attempt starts after
   * this still gets that one attempt.
   */
  async close(): Promise<void> {
    this.#closing.abort();
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }

  async #deliver(body: string, delivery: string, fields: Record<string, unknown>): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      const outcome = await this.#attempt(body, delivery);
      if (outcome.ok) {
        this.#log('info', 'attendance-webhook', { ...fields, delivery, attempt, status: outcome.status });
        return;
      }
      const pause = this.#timings.retryDelaysMs[attempt - 1];
      const retry = outcome.retryable && pause !== undefined && !this.#closing.signal.aborted;
      this.#log('warn', 'attendance-webhook-failed', {
        ...fields,
        delivery,
        attempt,
        ...(outcome.status === undefined ? {} : { status: outcome.status }),
        message: outcome.message,
        ...(retry ? { retryInMs: pause } : { givenUp: true }),
      });
      if (!retry) return;
      if (!(await this.#pause(pause))) {
        this.#log('warn', 'attendance-webhook-failed', { ...fields, delivery, message: 'the server stopped before the next attempt', givenUp: true });
        return;
      }
    }
  }

  async #attempt(body: string, delivery: string): Promise<AttemptOutcome> {
    const timestamp = Math.floor(Date.now() / 1000);
    try {
      const response = await fetch(this.#url, {
        method: 'POST',
        redirect: 'manual',
        signal: AbortSignal.timeout(this.#timings.timeoutMs),
        headers: {
          'Content-Type': 'application/json',
          'User-Agent': 'live-session-server',
          [TIMESTAMP_HEADER]: String(timestamp),
          [SIGNATURE_HEADER]: webhookSignature(this.#secret, timestamp, body),
          [DELIVERY_HEADER]: delivery,
        },
        body,
      });
      await response.body?.cancel();
      const status = response.status;
      if (status >= 200 && status < 300) return { ok: true, status };
      if (status >= 300 && status < 400) return { ok: false, retryable: false, status, message: 'redirects are not followed' };
      return { ok: false, retryable: status >= 500 || status === 408 || status === 429, status, message: `HTTP ${status}` };
    } catch (error) {
      return { ok: false, retryable: true, message: failureMessage(error, this.#timings.timeoutMs) };
    }
  }

  /** Waits `ms`; false when the sender closed first. */
  #pause(ms: number): Promise<boolean> {
    const signal = this.#closing.signal;
    if (signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onAbort = (): void => {
        clearTimeout(timer);
        resolve(false);
      };
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve(true);
      }, ms);
      timer.unref();
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
