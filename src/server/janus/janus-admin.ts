/**
 * The room server's own connection to Janus: one websocket (subprotocol
 * `janus-protocol`, the API secret on every request), one session with one
 * VideoRoom handle, kept alive, reconnected with a growing pause when Janus
 * goes away. It creates and destroys the VideoRooms of SFU rooms; browsers
 * never use it.
 */
import { randomBytes } from 'node:crypto';
import { WebSocket } from 'ws';

export type JanusState = 'up' | 'down';

export interface JanusAdminOptions {
  url: string;
  apiSecret: string;
  /** How long a request may go unanswered. Default 5000 ms. */
  timeoutMs?: number;
  /** Told when Janus comes up or goes down (`up` again after a reconnect: its rooms are gone). */
  stateChanged?(state: JanusState): void;
  log(level: 'info' | 'warn', event: string, fields?: Record<string, unknown>): void;
}

interface Pending {
  resolve(frame: Record<string, unknown>): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

export class JanusAdmin {
  #socket: WebSocket | undefined;
  #session: number | undefined;
  #handle: number | undefined;
  #state: JanusState = 'down';
  #closed = false;
  #attempt = 0;
  #keepalive: NodeJS.Timeout | undefined;
  #retry: NodeJS.Timeout | undefined;
  readonly #pending = new Map<string, Pending>();
  readonly #options: JanusAdminOptions;
  /** Resolves when Janus is first up (or never, while it stays down). */
  #upWaiters: Array<() => void> = [];

  constructor(options: JanusAdminOptions) {
    this.#options = options;
    this.#connect();
  }

  get state(): JanusState {
    return this.#state;
  }

  /** Resolves once Janus is up, or after `ms`. */
  whenUp(ms: number): Promise<boolean> {
    if (this.#state === 'up') return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#upWaiters = this.#upWaiters.filter((w) => w !== done);
        resolve(false);
      }, ms);
      const done = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      this.#upWaiters.push(done);
    });
  }

  #connect(): void {
    if (this.#closed) return;
    const socket = new WebSocket(this.#options.url, 'janus-protocol', { maxPayload: 1024 * 1024 });
    this.#socket = socket;
    socket.on('open', () => {
      void this.#setUp(socket);
    });
    socket.on('message', (data) => {
      const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
      this.#onMessage(buffer.toString('utf8'));
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (this.#socket !== socket) return;
      this.#down('connection closed');
    });
  }

  async #setUp(socket: WebSocket): Promise<void> {
    try {
      const created = await this.#send({ janus: 'create' });
      this.#session = Number((created['data'] as { id?: unknown } | undefined)?.id);
      const attached = await this.#send({ janus: 'attach', session_id: this.#session, plugin: 'janus.plugin.videoroom' });
      this.#handle = Number((attached['data'] as { id?: unknown } | undefined)?.id);
      if (!Number.isFinite(this.#session) || !Number.isFinite(this.#handle)) throw new Error('Janus gave no session or handle');
    } catch (error) {
      this.#options.log('warn', 'janus-setup-failed', { message: error instanceof Error ? error.message : String(error) });
      socket.terminate();
      return;
    }
    this.#attempt = 0;
    this.#keepalive = setInterval(() => {
      this.#send({ janus: 'keepalive', session_id: this.#session }).catch(() => undefined);
    }, 25_000);
    this.#keepalive.unref();
    this.#state = 'up';
    this.#options.log('info', 'janus-up', { url: this.#options.url });
    for (const waiter of this.#upWaiters.splice(0)) waiter();
    this.#options.stateChanged?.('up');
  }

  #down(why: string): void {
    clearInterval(this.#keepalive);
    this.#session = undefined;
    this.#handle = undefined;
    for (const [id, pending] of this.#pending) {
      clearTimeout(pending.timer);
      pending.reject(new Error(`Janus connection lost (${why})`));
      this.#pending.delete(id);
    }
    const wasUp = this.#state === 'up';
    this.#state = 'down';
    if (wasUp) {
      this.#options.log('warn', 'janus-down', { url: this.#options.url, message: why });
      this.#options.stateChanged?.('down');
    }
    if (this.#closed) return;
    // 0.5 s, doubling, at most 5 s apart.
    const pause = Math.min(5000, 500 * 2 ** this.#attempt++);
    this.#retry = setTimeout(() => {
      this.#connect();
    }, pause);
    this.#retry.unref();
  }

  #onMessage(text: string): void {
    let frame: Record<string, unknown>;
    try {
      frame = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return;
    }
    const transaction = frame['transaction'];
    if (typeof transaction !== 'string') return;
    const pending = this.#pending.get(transaction);
    if (!pending || frame['janus'] === 'ack') return;
    this.#pending.delete(transaction);
    clearTimeout(pending.timer);
    if (frame['janus'] === 'error') {
      const error = frame['error'] as { code?: unknown; reason?: unknown } | undefined;
      pending.reject(new Error(`Janus error ${String(error?.code)}: ${String(error?.reason)}`));
      return;
    }
    pending.resolve(frame);
  }

  #send(request: Record<string, unknown>): Promise<Record<string, unknown>> {
    const socket = this.#socket;
    if (socket?.readyState !== WebSocket.OPEN) return Promise.reject(new Error('Janus is not connected'));
    const transaction = randomBytes(9).toString('base64url');
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(transaction);
        reject(new Error(`Janus did not answer ${String(request['janus'])} in time`));
      }, this.#options.timeoutMs ?? 5000);
      this.#pending.set(transaction, { resolve, reject, timer });
      socket.send(JSON.stringify({ ...request, transaction, apisecret: this.#options.apiSecret }));
    });
  }

  /** A synchronous VideoRoom request (create, destroy, exists, list…); resolves with its `plugindata.data`. */
  async videoroom(body: Record<string, unknown>): Promise<Record<string, unknown>> {
    if (this.#state !== 'up' || this.#session === undefined || this.#handle === undefined) throw new Error('Janus is down');
    const answer = await this.#send({ janus: 'message', session_id: this.#session, handle_id: this.#handle, body });
    const data = ((answer['plugindata'] as { data?: unknown } | undefined)?.data ?? {}) as Record<string, unknown>;
    if (typeof data['error_code'] === 'number') throw new Error(`VideoRoom error ${String(data['error_code'])}: ${String(data['error'])}`);
    return data;
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#retry);
    clearInterval(this.#keepalive);
    const socket = this.#socket;
    this.#socket = undefined;
    if (socket && this.#session !== undefined && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify({ janus: 'destroy', session_id: this.#session, transaction: 'bye', apisecret: this.#options.apiSecret }));
    }
    socket?.close();
    for (const pending of this.#pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(new Error('closed'));
    }
    this.#pending.clear();
  }
}
