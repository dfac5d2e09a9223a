/**
 * A small client of the Janus JSON API over a websocket (subprotocol
 * `janus-protocol`): one session, its keepalive, plugin handles, transactions
 * with timeouts, the session's and handles' asynchronous events, trickle, and
 * hangup / detach / destroy. Written for the SFU path of this project (the
 * VideoRoom plugin through the room server's proxy, which adds the API secret):
 * no globals, no callbacks kept after close, promises for every request.
 */

/** A plugin's answer or event: `plugindata.data` and, for offers and answers, the JSEP. */
export interface PluginReply {
  data: Record<string, unknown>;
  jsep?: RTCSessionDescriptionInit;
}

/** What Janus sends: the fields this client reads. */
interface JanusFrame {
  janus?: unknown;
  transaction?: unknown;
  session_id?: unknown;
  sender?: unknown;
  data?: unknown;
  plugindata?: unknown;
  jsep?: unknown;
  error?: unknown;
  reason?: unknown;
  candidate?: unknown;
  type?: unknown;
  receiving?: unknown;
  mid?: unknown;
  uplink?: unknown;
  lost?: unknown;
}

/** A request Janus refused (its `error`, or a plugin's `error_code`), or one it never answered. */
export class JanusError extends Error {
  /** Janus' error code; 0 for a timeout, -1 for a closed connection. */
  readonly code: number;
  constructor(code: number, message: string) {
    super(message);
    this.name = 'JanusError';
    this.code = code;
  }
}

export interface JanusClientOptions {
  /** How long a request may go unanswered. Default 10000 ms. */
  transactionTimeoutMs?: number;
  /** Keepalive period (Janus drops a silent session after 60 s by default). Default 25000 ms. */
  keepaliveMs?: number;
  /** Only when talking to Janus directly (tests): the API secret. Through the room server's proxy, never. */
  apiSecret?: string;
  /** Called for every frame in and out, for debug logs. */
  trace?: (direction: 'in' | 'out', frame: unknown) => void;
}

/** Events of one plugin handle. */
export interface JanusHandleEvents {
  /** A plugin event no request is waiting for (publishers joining, an offer after an update, …). */
  event?(reply: PluginReply): void;
  /** The PeerConnection with Janus is up. */
  webrtcup?(): void;
  /** Janus' PeerConnection for this handle went away (`reason` from Janus). */
  hangup?(reason: string): void;
  /** Janus started or stopped receiving a medium on this handle. */
  media?(info: { type: string; receiving: boolean; mid?: string }): void;
  /** Janus saw losses on this handle. */
  slowlink?(info: { uplink: boolean; lost: number; mid?: string }): void;
  /** A candidate from Janus (only when it trickles; usually they are in its SDP). */
  trickle?(candidate: RTCIceCandidateInit | null): void;
  /** The handle is gone on Janus' side. */
  detached?(): void;
}

interface Pending {
  resolve(frame: JanusFrame): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout>;
  /** Resolved by an `ack` (keepalive, trickle) rather than kept waiting for the event. */
  ackIsAnswer: boolean;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asJsep(value: unknown): RTCSessionDescriptionInit | undefined {
  if (!isRecord(value) || (value['type'] !== 'offer' && value['type'] !== 'answer') || typeof value['sdp'] !== 'string') return undefined;
  return { type: value['type'], sdp: value['sdp'] };
}

/** The plugin data of a frame, or undefined. */
function pluginReply(frame: JanusFrame): PluginReply | undefined {
  const plugindata = frame.plugindata;
  if (!isRecord(plugindata) || !isRecord(plugindata['data'])) return undefined;
  const jsep = asJsep(frame.jsep);
  return jsep ? { data: plugindata['data'], jsep } : { data: plugindata['data'] };
}

/** A plugin's own error inside a successful Janus frame (`error_code` + `error`), or null. */
export function pluginError(data: Record<string, unknown>): JanusError | null {
  if (data['error_code'] === undefined && data['error'] === undefined) return null;
  const code = typeof data['error_code'] === 'number' ? data['error_code'] : 0;
  return new JanusError(code, typeof data['error'] === 'string' ? data['error'] : 'plugin error');
}

/** One Janus session over one websocket. Open it with `JanusSession.open(url)`. */
export class JanusSession {
  readonly #socket: WebSocket;
  readonly #options: Required<Omit<JanusClientOptions, 'apiSecret' | 'trace'>> & Pick<JanusClientOptions, 'apiSecret' | 'trace'>;
  readonly #pending = new Map<string, Pending>();
  readonly #handles = new Map<number, JanusHandle>();
  #id = 0;
  #keepalive: ReturnType<typeof setInterval> | null = null;
  #closed = false;
  #closeListeners: ((reason: string) => void)[] = [];

  private constructor(socket: WebSocket, options: JanusClientOptions) {
    this.#socket = socket;
    this.#options = { transactionTimeoutMs: 10_000, keepaliveMs: 25_000, ...options };
    socket.addEventListener('message', (event: MessageEvent) => this.#onMessage(event.data));
    socket.addEventListener('close', (event: CloseEvent) => this.#onClosed(`socket closed (${event.code}${event.reason ? `: ${event.reason}` : ''})`));
  }

  /**
   * Opens the websocket and creates the session. Rejects with a `JanusError`
   * when the socket does not open, or Janus does not create the session.
   */
  static async open(url: string, options: JanusClientOptions = {}): Promise<JanusSession> {
    const socket = new WebSocket(url, 'janus-protocol');
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => fail('the SFU did not answer'), options.transactionTimeoutMs ?? 10_000);
      const opened = (): void => {
        clearTimeout(timer);
        socket.removeEventListener('close', closed);
        resolve();
      };
      const closed = (event: CloseEvent): void => fail(`the SFU refused the connection (${event.code})`);
      function fail(message: string): void {
        clearTimeout(timer);
        socket.removeEventListener('open', opened);
        socket.removeEventListener('close', closed);
        socket.close();
        reject(new JanusError(-1, message));
      }
      socket.addEventListener('open', opened, { once: true });
      socket.addEventListener('close', closed, { once: true });
    });
    const session = new JanusSession(socket, options);
    try {
      const created = await session.#send({ janus: 'create' });
      const data = created.data;
      if (!isRecord(data) || typeof data['id'] !== 'number') throw new JanusError(0, 'no session id');
      session.#id = data['id'];
    } catch (error) {
      session.close();
      throw error;
    }
    session.#keepalive = setInterval(() => {
      session.#send({ janus: 'keepalive' }, true).catch(() => undefined);
    }, session.#options.keepaliveMs);
    return session;
  }

  get id(): number {
    return this.#id;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Called once when the session ends: socket closed, session timed out or destroyed. */
  onClose(listener: (reason: string) => void): void {
    if (this.#closed) listener('closed');
    else this.#closeListeners.push(listener);
  }

  /** Attaches a plugin handle (e.g. `janus.plugin.videoroom`). */
  async attach(plugin: string, events: JanusHandleEvents = {}): Promise<JanusHandle> {
    const answer = await this.#send({ janus: 'attach', plugin });
    const data = answer.data;
    if (!isRecord(data) || typeof data['id'] !== 'number') throw new JanusError(0, 'no handle id');
    const handle = new JanusHandle(this, data['id'], events);
    this.#handles.set(handle.id, handle);
    return handle;
  }

  /** Destroys the session on Janus (its handles and PeerConnections go too), then closes the socket. */
  async destroy(): Promise<void> {
    if (this.#closed) return;
    await this.#send({ janus: 'destroy' }).catch(() => undefined);
    this.close();
  }

  /** Closes the socket at once; Janus drops the session when its socket goes (or at its timeout). */
  close(): void {
    if (this.#closed) return;
    if (this.#socket.readyState === WebSocket.OPEN || this.#socket.readyState === WebSocket.CONNECTING) this.#socket.close(1000);
    this.#onClosed('closed');
  }

  /** @internal Sends a request for `handle` (or the session) and resolves with the frame that answers it. */
  send(request: Record<string, unknown>, ackIsAnswer = false): Promise<JanusFrame> {
    return this.#send(request, ackIsAnswer);
  }

  /** @internal */
  forget(handle: JanusHandle): void {
    this.#handles.delete(handle.id);
  }

  #send(request: Record<string, unknown>, ackIsAnswer = false): Promise<JanusFrame> {
    if (this.#closed || this.#socket.readyState !== WebSocket.OPEN) return Promise.reject(new JanusError(-1, 'the SFU connection is closed'));
    const transaction = randomTransaction();
    const frame: Record<string, unknown> = { ...request, transaction };
    if (this.#id) frame['session_id'] = this.#id;
    if (this.#options.apiSecret) frame['apisecret'] = this.#options.apiSecret;
    return new Promise<JanusFrame>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(transaction);
        reject(new JanusError(0, `the SFU did not answer ${String(request['janus'])}`));
      }, this.#options.transactionTimeoutMs);
      this.#pending.set(transaction, { resolve, reject, timer, ackIsAnswer });
      this.#options.trace?.('out', frame);
      this.#socket.send(JSON.stringify(frame));
    });
  }

  #onMessage(raw: unknown): void {
    if (typeof raw !== 'string') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      return;
    }
    if (!isRecord(parsed)) return;
    const frame = parsed as JanusFrame;
    this.#options.trace?.('in', frame);
    const kind = frame.janus;
    const pending = typeof frame.transaction === 'string' ? this.#pending.get(frame.transaction) : undefined;
    if (pending && typeof frame.transaction === 'string') {
      if (kind === 'ack' && !pending.ackIsAnswer) return; // The event with the answer follows.
      if (kind === 'ack' || kind === 'success' || kind === 'event' || kind === 'error') {
        this.#pending.delete(frame.transaction);
        clearTimeout(pending.timer);
        if (kind === 'error') {
          const error = isRecord(frame.error) ? frame.error : {};
          pending.reject(new JanusError(typeof error['code'] === 'number' ? error['code'] : 0, typeof error['reason'] === 'string' ? error['reason'] : 'error'));
        } else {
          pending.resolve(frame);
        }
        return;
      }
    }
    if (kind === 'timeout') {
      this.#onClosed('the SFU session timed out');
      return;
    }
    const handle = typeof frame.sender === 'number' ? this.#handles.get(frame.sender) : undefined;
    if (!handle) return;
    handle.dispatch(frame);
  }

  #onClosed(reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#keepalive) clearInterval(this.#keepalive);
    this.#keepalive = null;
    for (const pending of this.#pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(new JanusError(-1, 'the SFU connection closed'));
    }
    this.#pending.clear();
    this.#handles.clear();
    const listeners = this.#closeListeners;
    this.#closeListeners = [];
    for (const listener of listeners) listener(reason);
  }
}

/** One plugin handle of a session. */
export class JanusHandle {
  readonly id: number;
  readonly #session: JanusSession;
  readonly #events: JanusHandleEvents;
  #detached = false;

  /** @internal Made by `JanusSession.attach()`. */
  constructor(session: JanusSession, id: number, events: JanusHandleEvents) {
    this.#session = session;
    this.id = id;
    this.#events = events;
  }

  get detached(): boolean {
    return this.#detached || this.#session.closed;
  }

  /**
   * Sends a plugin request (`body`, with an offer or answer as `jsep`) and
   * resolves with the plugin's answer: its synchronous reply, or the event
   * that carries the same transaction. A plugin error rejects with a `JanusError`.
   */
  async request(body: Record<string, unknown>, jsep?: RTCSessionDescriptionInit): Promise<PluginReply> {
    const frame = await this.#session.send({ janus: 'message', handle_id: this.id, body, ...(jsep ? { jsep: { type: jsep.type, sdp: jsep.sdp } } : {}) });
    const reply = pluginReply(frame) ?? { data: {} };
    const error = pluginError(reply.data);
    if (error) throw error;
    return reply;
  }

  /** Sends one local candidate, or null once gathering completed. Fire and forget. */
  trickle(candidate: RTCIceCandidate | null): void {
    if (this.detached) return;
    const payload = candidate ? { candidate: candidate.candidate, sdpMid: candidate.sdpMid, sdpMLineIndex: candidate.sdpMLineIndex } : { completed: true };
    this.#session.send({ janus: 'trickle', handle_id: this.id, candidate: payload }, true).catch(() => undefined);
  }

  /** Closes Janus' PeerConnection for this handle; the handle stays. */
  async hangup(): Promise<void> {
    if (this.detached) return;
    await this.#session.send({ janus: 'hangup', handle_id: this.id }).catch(() => undefined);
  }

  /** Detaches the handle (Janus leaves the room for it and closes its PeerConnection). */
  async detach(): Promise<void> {
    if (this.detached) return;
    this.#detached = true;
    this.#session.forget(this);
    await this.#session.send({ janus: 'detach', handle_id: this.id }).catch(() => undefined);
  }

  /** @internal An asynchronous frame for this handle. */
  dispatch(frame: JanusFrame): void {
    const events = this.#events;
    switch (frame.janus) {
      case 'event': {
        const reply = pluginReply(frame);
        if (reply) events.event?.(reply);
        return;
      }
      case 'webrtcup':
        events.webrtcup?.();
        return;
      case 'hangup':
        events.hangup?.(typeof frame.reason === 'string' ? frame.reason : 'hangup');
        return;
      case 'media':
        events.media?.({ type: String(frame.type), receiving: frame.receiving === true, ...(typeof frame.mid === 'string' ? { mid: frame.mid } : {}) });
        return;
      case 'slowlink':
        events.slowlink?.({ uplink: frame.uplink === true, lost: typeof frame.lost === 'number' ? frame.lost : 0, ...(typeof frame.mid === 'string' ? { mid: frame.mid } : {}) });
        return;
      case 'trickle': {
        const candidate = isRecord(frame.candidate) ? frame.candidate : null;
        if (!candidate || candidate['completed'] === true) events.trickle?.(null);
        else events.trickle?.(candidate);
        return;
      }
      case 'detached':
        this.#detached = true;
        this.#session.forget(this);
        events.detached?.();
        return;
      default:
        return;
    }
  }
}

function randomTransaction(): string {
  const bytes = new Uint8Array(9);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
