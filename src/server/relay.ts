/**
 * Relay of PeerJS signalling (OFFER, ANSWER, CANDIDATE, and LEAVE to a peer):
 * only between two members of the same room, and only media calls.
 */
import { isRecord } from '../protocol/index.js';
import type { SocketGate } from './socket-gate.js';
import type { SocketSession } from './socket-session.js';

/** A signalling frame on its way to another peer. */
export interface RelayFrame {
  type: string;
  dst: unknown;
  payload: unknown;
}

export class SignallingRelay {
  constructor(private readonly gate: SocketGate) {}

  /** Forwards the frame to `peer` (which routes it to `dst`) or refuses it. */
  relay(session: SocketSession, frame: RelayFrame, data: unknown, isBinary: boolean): void {
    const { type, dst, payload } = frame;
    if (typeof dst !== 'string' || dst.length === 0) {
      this.gate.refuseMalformed(session, 'bad-payload', `${type} needs a string "dst" (the peer id to reach).`, type);
      return;
    }
    const room = session.membership?.room;
    if (!room) {
      session.sendError('not-joined', `${type} refused: join a room first (LS-JOIN).`, type);
      return;
    }
    if (!room.member(dst)) {
      session.sendError('peer-not-in-room', `${type} refused: the destination peer is not in your room.`, type);
      return;
    }
    // Media calls only: PeerJS data connections are not part of this protocol, and
    // a crafted data OFFER can break the receiving client.
    if (type === 'OFFER' && !(isRecord(payload) && payload['type'] === 'media')) {
      this.gate.refuseMalformed(session, 'bad-payload', 'OFFER must carry a media call (payload.type "media").', type);
      return;
    }
    session.socket.forwardToPeer(data, isBinary);
  }
}
