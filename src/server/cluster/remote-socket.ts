/**
 * A socket of another process, as the room's home process sees it: the real
 * websocket lives on the edge process the browser reached; frames arrive
 * here over the cluster backend and everything sent goes back the same way.
 * It is a `GatedWebSocket`, so the socket gate, `peer` and every room module
 * treat it as any other socket.
 */
import { WebSocket } from 'ws';
import type { LeaveReason } from '../../protocol/index.js';
import { GatedWebSocket } from '../socket-session.js';
import type { ClusterBackend } from './backend.js';

const OPEN_FRAME = JSON.stringify({ type: 'OPEN' });

export class RemoteSocket extends GatedWebSocket {
  #state: number = WebSocket.OPEN;
  /** `peer` greets a newly registered client with OPEN; the edge's own `peer` already did. */
  #greeted = false;

  constructor(
    /** The edge process holding the real websocket. */
    readonly edge: string,
    /** The socket's id on the edge. */
    readonly sid: string,
    private readonly backend: ClusterBackend,
    private readonly onGone: (socket: RemoteSocket) => void,
  ) {
    // As `ws`'s own server makes its sockets: no address, and an options object
    // (which the typings of the no-address form leave out).
    super(...([null, undefined, {}] as unknown as [null]));
    // `ws` keeps these on the prototype, for its own sockets.
    Object.defineProperty(this, 'readyState', { get: () => this.#state });
    Object.defineProperty(this, 'bufferedAmount', { get: () => 0 });
  }

  override send(data: unknown): void {
    if (this.#state !== WebSocket.OPEN) return;
    const text = Buffer.isBuffer(data) ? data.toString('utf8') : String(data);
    if (!this.#greeted) {
      this.#greeted = true;
      if (text === OPEN_FRAME) return;
    }
    this.backend.send(this.edge, { op: 'send', from: this.backend.processId, sid: this.sid, text });
  }

  /**
   * Liveness of the real socket is the edge's to check (it pings it); as long
   * as the edge process lives, the socket does, so a ping is answered here.
   */
  override ping(data?: unknown): void {
    if (this.#state !== WebSocket.OPEN) return;
    const payload = Buffer.isBuffer(data) ? data : Buffer.alloc(0);
    queueMicrotask(() => {
      if (this.#state === WebSocket.OPEN) this.emit('pong', payload);
    });
  }

  override close(code?: number, reason?: string | Buffer): void {
    this.#end(code ?? 1000, reason === undefined ? '' : String(reason), false);
  }

  override terminate(): void {
    this.#end(1006, '', true);
  }

  #end(code: number, text: string, terminate: boolean): void {
    if (this.#state !== WebSocket.OPEN) return;
    this.backend.send(this.edge, { op: 'close', from: this.backend.processId, sid: this.sid, code, text, terminate });
    this.#closed(code, text);
  }

  /**
   * The real socket closed on the edge, or the edge process was lost:
   * `reason` is why its member leaves.
   */
  closedByEdge(reason: LeaveReason | undefined): void {
    if (this.#state !== WebSocket.OPEN) return;
    if (reason !== undefined && this.session) this.session.closeReason ??= reason;
    this.#closed(1006, '');
  }

  #closed(code: number, text: string): void {
    this.#state = WebSocket.CLOSED;
    this.onGone(this);
    // `ws` reports a close after the call that caused it returns.
    setImmediate(() => {
      this.emit('close', code, Buffer.from(text));
    });
  }

  /** A frame from the browser, through the edge. */
  receive(data: string, binary: boolean): void {
    if (this.#state !== WebSocket.OPEN) return;
    this.emit('message', Buffer.from(data, binary ? 'base64' : 'utf8'), binary);
  }
}
