/**
 * Bounds on what a PeerJS peer keeps for signalling it cannot match yet.
 *
 * PeerJS stores every ANSWER/CANDIDATE whose connection id it does not have a
 * set-up connection for, in case that connection appears later, and never
 * frees entries for ids that never appear. A member relaying frames with made-up
 * connection ids would grow the page's heap without end. Here a frame is kept
 * only for a connection that exists (an incoming call not answered yet), and
 * at most `perConnection` frames for at most `connections` connections.
 */
import type { Peer } from 'peerjs';
import type { Logger } from './logger.js';

export interface LostMessageLimits {
  /** Frames kept per pending connection (its ICE candidates before the answer). Default 100. */
  perConnection: number;
  /** Pending connections with kept frames. Default 64. */
  connections: number;
}

export const DEFAULT_LOST_MESSAGE_LIMITS: Readonly<LostMessageLimits> = Object.freeze({ perConnection: 100, connections: 64 });

/** The PeerJS 1.5 internals this module relies on (checked at run time). */
interface PeerInternals {
  _lostMessages: Map<string, unknown[]>;
  _storeMessage: (connectionId: string, message: unknown) => void;
}

function internalsOf(peer: Peer): PeerInternals | null {
  const candidate = peer as unknown as Partial<PeerInternals>;
  return candidate._lostMessages instanceof Map && typeof candidate._storeMessage === 'function'
    ? (candidate as PeerInternals)
    : null;
}

/** How many frames `peer` holds for connections it could not match (for tests and diagnostics). */
export function storedUnmatchedFrames(peer: Peer): number {
  let total = 0;
  for (const frames of internalsOf(peer)?._lostMessages.values() ?? []) total += frames.length;
  return total;
}

/** Replaces the peer's store for unmatched frames with a bounded one that drops what cannot match. */
export function guardPeer(peer: Peer, log: Logger, limits: LostMessageLimits = DEFAULT_LOST_MESSAGE_LIMITS): void {
  const internals = internalsOf(peer);
  if (!internals) {
    log.warn('this PeerJS version keeps unmatched signalling differently; it is not bounded');
    return;
  }
  const store = internals._lostMessages;
  let dropped = 0;
  const drop = (why: string): void => {
    dropped++;
    // One line for the first, then one every thousand: a flood must not flood the console too.
    if (dropped === 1 || dropped % 1000 === 0) log.debug(`dropped unmatched signalling (${why})`, { dropped });
  };
  internals._storeMessage = (connectionId: string, message: unknown): void => {
    const src = (message as { src?: unknown } | null)?.src;
    if (typeof src !== 'string' || typeof connectionId !== 'string' || !peer.getConnection(src, connectionId)) {
      drop('no such connection');
      return;
    }
    let frames = store.get(connectionId);
    if (!frames) {
      if (store.size >= limits.connections) {
        drop('too many pending connections');
        return;
      }
      frames = [];
      store.set(connectionId, frames);
    }
    if (frames.length >= limits.perConnection) {
      drop('too many frames for one connection');
      return;
    }
    frames.push(message);
  };
  forgetClosedPeers(peer);
}

/** The PeerJS 1.5 per-peer connection lists (checked at run time). */
interface ConnectionInternals {
  _connections: Map<string, unknown[]>;
  _removeConnection: (connection: { peer: string }) => void;
}

/**
 * PeerJS keeps a list of connections per remote peer id and, when the last one
 * closes, keeps the empty list: one entry for every peer ever met, a slow
 * growth over a long lesson of joins and leaves. Here the entry goes with its
 * last connection.
 */
function forgetClosedPeers(peer: Peer): void {
  const internals = peer as unknown as Partial<ConnectionInternals>;
  const connections = internals._connections;
  const remove = internals._removeConnection;
  if (!(connections instanceof Map) || typeof remove !== 'function') return;
  internals._removeConnection = (connection: { peer: string }): void => {
    remove.call(peer, connection);
    if (connections.get(connection.peer)?.length === 0) connections.delete(connection.peer);
  };
}

/** How many remote peer ids `peer` keeps connection lists for (for tests and diagnostics). */
export function knownPeerCount(peer: Peer): number {
  const connections = (peer as unknown as Partial<ConnectionInternals>)._connections;
  return connections instanceof Map ? connections.size : 0;
}

/**
 * Calls `onOpen` once the websocket PeerJS just started for `peer` is open.
 * PeerJS tells only when the server sends OPEN, and a server that re-attaches
 * a socket to a peer id it still knows sends none. Returns a cancel function,
 * or null where this PeerJS version hides its websocket (callers fall back to
 * a timer).
 */
export function whenSocketOpens(peer: Peer, onOpen: () => void): (() => void) | null {
  const socket = (peer.socket as unknown as { _socket?: unknown })._socket;
  if (typeof WebSocket === 'undefined' || !(socket instanceof WebSocket)) return null;
  if (socket.readyState === WebSocket.OPEN) {
    onOpen();
    return () => undefined;
  }
  const listener = (): void => onOpen();
  socket.addEventListener('open', listener, { once: true });
  return () => socket.removeEventListener('open', listener);
}

/** Whether the websocket of `peer` is open (false where this PeerJS version hides it). */
export function socketIsOpen(peer: Peer): boolean {
  const socket = (peer.socket as unknown as { _socket?: unknown })._socket;
  return typeof WebSocket !== 'undefined' && socket instanceof WebSocket && socket.readyState === WebSocket.OPEN;
}

/**
 * Whether a signalling frame is a CANDIDATE for an active TCP host candidate
 * (`tcptype active`, port 9). Browsers only connect out over TCP, so two of
 * them can never pair such candidates: between two pages they are messages to
 * relay and candidates for the far side to add and check (each a blocking call
 * into the browser's WebRTC thread) for nothing.
 */
export function isActiveTcpCandidate(frame: unknown): boolean {
  if (typeof frame !== 'object' || frame === null || (frame as { type?: unknown }).type !== 'CANDIDATE') return false;
  const candidate = (frame as { payload?: { candidate?: { candidate?: unknown } } }).payload?.candidate?.candidate;
  return typeof candidate === 'string' && / tcp /i.test(candidate) && /\stcptype active(\s|$)/.test(candidate);
}

/** Keeps `peer` from sending CANDIDATE frames nobody can use (see {@link isActiveTcpCandidate}). */
export function skipUselessCandidates(peer: Peer): void {
  const socket = peer.socket as unknown as { send: (data: unknown) => void };
  const send = socket.send.bind(socket);
  socket.send = (data: unknown): void => {
    if (!isActiveTcpCandidate(data)) send(data);
  };
}
