/**
 * What a session holds underneath, for tests and troubleshooting:
 * `diagnose(session)` gives its RTCPeerConnections, its PeerJS peer, how many
 * signalling frames it keeps unmatched, how many remote peers PeerJS keeps
 * state for, and how many timers are pending.
 * Not part of the root entry; import it from `live-session/core`.
 */
import type { Peer } from 'peerjs';
import type { SfuMedia } from './sfu/index.js';
import { knownPeerCount, storedUnmatchedFrames } from './peer-guards.js';

export const DIAGNOSTICS: unique symbol = Symbol('live-session.diagnostics');

export interface SessionInternals {
  peerConnections: RTCPeerConnection[];
  peer: Peer | null;
  pendingTimers: number;
  /** ICE restarts this side sent over the media connections held now. */
  iceRestarts: number;
  /** SFU rooms: the SFU path while it is connected (its two PeerConnections, the layers asked for). */
  sfu?: SfuMedia | null;
}

export interface SessionDiagnostics extends SessionInternals {
  /** Signalling frames PeerJS keeps for connections it has not set up (bounded). */
  unmatchedFrames: number;
  /** Remote peer ids PeerJS keeps connection lists for: only those with a connection. */
  knownPeers: number;
}

export function diagnose(session: { [DIAGNOSTICS](): SessionInternals }): SessionDiagnostics {
  const internals = session[DIAGNOSTICS]();
  const peer = internals.peer;
  return { ...internals, unmatchedFrames: peer ? storedUnmatchedFrames(peer) : 0, knownPeers: peer ? knownPeerCount(peer) : 0 };
}

/** The RTCPeerConnections a session holds open. */
export function peerConnectionsOf(session: { [DIAGNOSTICS](): SessionInternals }): RTCPeerConnection[] {
  return session[DIAGNOSTICS]().peerConnections;
}
