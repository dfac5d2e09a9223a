/**
 * A lean websocket client for the server benchmark: connects like the PeerJS
 * client (`<ws path>?key=peerjs&id=…&token=…`), speaks the room protocol, and
 * lets the benchmark wait for one expected message by key with the time it
 * arrived. Thousands of these live in one process, so it keeps no inbox:
 * a waiter is registered before the request that causes the message, and
 * messages nobody waits for are dropped (and counted).
 */
import { performance } from 'node:perf_hooks';
import { WebSocket, type RawData } from 'ws';

/** A frame from the server, parsed. */
export interface WireMessage {
  type: string;
  src?: string;
  dst?: string;
  payload?: unknown;
}

/** A message and when it arrived (`performance.now()`, before parsing). */
export interface Receipt {
  at: number;
  message: WireMessage;
}

interface Waiter {
  resolve: (receipt: Receipt) => void;
  reject: (error: Error) => void;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function toText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

function parse(data: RawData): WireMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(toText(data));
  } catch {
    return undefined;
  }
  if (!isRecord(value) || typeof value.type !== 'string') return undefined;
  return {
    type: value.type,
    ...(typeof value.src === 'string' ? { src: value.src } : {}),
    ...(typeof value.dst === 'string' ? { dst: value.dst } : {}),
    payload: value.payload,
  };
}

/**
 * The key a benchmark waits on for this message, or undefined for messages it
 * never waits for:
 * - `open`: PeerJS `OPEN`, and its refusals `ERROR` / `ID-TAKEN`;
 * - `reply`: `LS-JOINED` / `LS-ERROR` (the answer to a request);
 * - `joined:<peer id>`, `left:<peer id>`: room broadcasts about that peer;
 * - `relay:<src>:<seq>`: a relayed `CANDIDATE` whose payload carries `seq`.
 */
export function messageKey(message: WireMessage): string | undefined {
  const payload = isRecord(message.payload) ? message.payload : {};
  switch (message.type) {
    case 'OPEN':
    case 'ERROR':
    case 'ID-TAKEN':
      return 'open';
    case 'LS-JOINED':
    case 'LS-ERROR':
      return 'reply';
    case 'LS-PARTICIPANT-JOINED': {
      const participant = isRecord(payload.participant) ? payload.participant : {};
      return typeof participant.id === 'string' ? `joined:${participant.id}` : undefined;
    }
    case 'LS-PARTICIPANT-LEFT':
      return typeof payload.id === 'string' ? `left:${payload.id}` : undefined;
    case 'CANDIDATE':
      return message.src !== undefined && typeof payload.seq === 'number'
        ? `relay:${message.src}:${payload.seq}`
        : undefined;
    default:
      return undefined;
  }
}

export class BenchClient {
  private readonly socket: WebSocket;
  private readonly waiters = new Map<string, Waiter>();
  private failure: Error | undefined;
  private closing = false;
  /** Resolves once the websocket is open and PeerJS's `OPEN` arrived. */
  readonly opened: Promise<void>;
  /** Messages that arrived while nobody waited for them. */
  dropped = 0;

  /** Starts connecting to `<webSocketUrl>?key=peerjs&id=<id>&token=<token>`. */
  constructor(
    webSocketUrl: string,
    readonly id: string,
    token: string,
  ) {
    const openReceipt = this.expect('open');
    const url = `${webSocketUrl}?key=peerjs&id=${encodeURIComponent(id)}&token=${encodeURIComponent(token)}`;
    this.socket = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: 15_000 });
    this.socket.on('message', (data) => {
      this.onMessage(performance.now(), data);
    });
    this.socket.on('error', (error) => {
      this.fail(new Error(`${id}: websocket error: ${error.message}`));
    });
    this.socket.on('unexpected-response', (_request, response) => {
      this.fail(new Error(`${id}: websocket upgrade refused with HTTP ${String(response.statusCode)}`));
      this.socket.terminate();
    });
    this.socket.on('close', (code) => {
      if (!this.closing) this.fail(new Error(`${id}: socket closed by the server (code ${code})`));
    });
    this.opened = openReceipt.then(({ message }) => {
      if (message.type !== 'OPEN') {
        throw new Error(`${id}: server answered ${message.type} ${JSON.stringify(message.payload)} instead of OPEN`);
      }
    });
    this.opened.catch(() => undefined);
  }

  private onMessage(at: number, data: RawData): void {
    const message = parse(data);
    const key = message ? messageKey(message) : undefined;
    const waiter = key === undefined ? undefined : this.waiters.get(key);
    if (!message || !key || !waiter) {
      this.dropped += 1;
      return;
    }
    this.waiters.delete(key);
    waiter.resolve({ at, message });
  }

  /**
   * The next message with `key` (see {@link messageKey}). Register it before
   * sending what causes the message; it rejects if the client fails (socket
   * closed or errored, run aborted) first. A wait abandoned because the run
   * failed elsewhere never becomes an unhandled rejection.
   */
  expect(key: string): Promise<Receipt> {
    let receipt: Promise<Receipt>;
    if (this.failure) receipt = Promise.reject(this.failure);
    else if (this.waiters.has(key)) receipt = Promise.reject(new Error(`${this.id}: already waiting for ${key}`));
    else {
      receipt = new Promise<Receipt>((resolve, reject) => {
        this.waiters.set(key, { resolve, reject });
      });
    }
    receipt.catch(() => undefined);
    return receipt;
  }

  send(message: object): void {
    if (this.failure) throw this.failure;
    this.socket.send(JSON.stringify(message));
  }

  /** Rejects every pending and future {@link expect} with `error`. */
  fail(error: Error): void {
    this.failure ??= error;
    for (const waiter of this.waiters.values()) waiter.reject(this.failure);
    this.waiters.clear();
  }

  /** Drops the connection at once (no close handshake) and fails any waiter. */
  terminate(): void {
    this.closing = true;
    this.fail(new Error(`${this.id}: client terminated`));
    this.socket.terminate();
  }

  /** Resolves when the socket is fully closed. */
  whenClosed(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once('close', () => {
        resolve();
      });
    });
  }
}

/**
 * Runs `task(0)` … `task(count - 1)` with at most `inFlight` at once, in index
 * order. Stops starting tasks after the first failure or once `signal` aborts,
 * and rejects with that failure.
 */
export async function runPool(
  count: number,
  inFlight: number,
  signal: AbortSignal,
  task: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (next < count && !failed) {
      signal.throwIfAborted();
      const index = next;
      next += 1;
      try {
        await task(index);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  const workers = Array.from({ length: Math.max(1, Math.min(inFlight, count)) }, () => worker());
  await Promise.all(workers);
}

/** Nearest-rank percentile (`p` in 0–100) of all `samples`; NaN when there are none. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] ?? Number.NaN;
}
