/**
 * ICE restart on a live media connection: new candidates on the same
 * RTCPeerConnection, so the call, its tracks and its video elements survive a
 * network change (Wi-Fi to mobile, a new address) or a path that died, with
 * no new call to place and answer.
 *
 * PeerJS has no renegotiation of its own: an OFFER for a connection it already
 * has closes that connection. The restart therefore travels in the frames the
 * room server already relays for a live connection between the two members:
 * the restart offer in an ANSWER frame (PeerJS on the far side applies any
 * description an ANSWER carries; this side then sees a remote offer on a
 * connection that had settled, and answers it), the answer in an ANSWER frame
 * (PeerJS applies it), and the new candidates in CANDIDATE frames. No server
 * change is needed, and the server's rule holds: only a connection an OFFER
 * between these two opened is relayed.
 *
 * Only one side restarts (the lower peer id, as for re-calls), so two restarts
 * never cross.
 */
import type { Logger } from './logger.js';

/** A PeerJS signalling frame to the far side. */
export interface RelayedFrame {
  type: 'ANSWER' | 'CANDIDATE';
  payload: Record<string, unknown>;
  dst: string;
}

export interface IceRestartPeer {
  /** The far side's peer id. */
  readonly remoteId: string;
  /** PeerJS's id of this media connection. */
  readonly connectionId: string;
  /** Sends a frame through the room server; false when signalling is down. */
  send(frame: RelayedFrame): boolean;
  readonly log: Logger;
}

/** Restart offers answered per connection and minute, at most (the restarting side sends one a second while down). */
const MAX_ANSWERS_PER_MINUTE = 20;

/** A restart offer unanswered this long (ms) is taken back before the next restart. */
export const UNANSWERED_MS = 3000;

/** Media sections of a description (m= lines). */
function sectionCount(description: RTCSessionDescription | null): number {
  return (description?.sdp.match(/^m=/gm) ?? []).length;
}

export class IceRestart {
  readonly #pc: RTCPeerConnection;
  readonly #peer: IceRestartPeer;
  /** The first offer/answer exchange (PeerJS's own) is over: later remote offers are restarts. */
  #settled = false;
  /** When our restart offer that is still unanswered left (ms), or null. */
  #offeredAt: number | null = null;
  #restarts = 0;
  /** When this side answered restarts (ms), within the last minute. */
  #answeredAt: number[] = [];
  #disposed = false;
  readonly #onSignalling = (): void => this.#signallingChanged();

  constructor(pc: RTCPeerConnection, peer: IceRestartPeer) {
    this.#pc = pc;
    this.#peer = peer;
    this.#settled = pc.signalingState === 'stable' && pc.remoteDescription !== null;
    pc.addEventListener('signalingstatechange', this.#onSignalling);
  }

  /** Restarts this side sent. */
  get restarts(): number {
    return this.#restarts;
  }

  /**
   * Restarts ICE from this side: a restart offer to the far side, which
   * answers. Resolves false when it could not start (signalling down, the
   * connection closed or still negotiating).
   */
  async restart(): Promise<boolean> {
    const pc = this.#pc;
    // Read again after each await: the connection may have moved on meanwhile.
    const ready = (): boolean => !this.#disposed && pc.signalingState === 'stable';
    if (this.#unanswered()) {
      // Our last restart was never answered (lost, or the far side is gone): take it back and try anew.
      this.#offeredAt = null;
      await pc.setLocalDescription({ type: 'rollback' }).catch(() => undefined);
    }
    if (!ready() || !this.#settled || pc.connectionState === 'closed') return false;
    try {
      this.#sendCandidates();
      const offer = await pc.createOffer({ iceRestart: true });
      if (!ready()) return false;
      await pc.setLocalDescription(offer);
      if (!this.#sendLocalDescription()) {
        // Nobody will answer: back to the settled state, so a later restart can start.
        await pc.setLocalDescription({ type: 'rollback' }).catch(() => undefined);
        return false;
      }
      this.#restarts++;
      this.#offeredAt = Date.now();
      this.#peer.log.debug('ICE restart sent', this.#peer.remoteId);
      return true;
    } catch (error) {
      this.#peer.log.debug('ICE restart failed to start', error);
      return false;
    }
  }

  /** Our restart offer has waited for its answer for `UNANSWERED_MS` or longer. */
  #unanswered(): boolean {
    return this.#offeredAt !== null && this.#pc.signalingState === 'have-local-offer' && Date.now() - this.#offeredAt >= UNANSWERED_MS;
  }

  dispose(): void {
    this.#disposed = true;
    this.#pc.removeEventListener('signalingstatechange', this.#onSignalling);
  }

  #signallingChanged(): void {
    const pc = this.#pc;
    if (pc.signalingState === 'stable' && pc.remoteDescription !== null) {
      this.#settled = true;
      this.#offeredAt = null;
      return;
    }
    // A remote offer on a connection that had settled: the far side restarts ICE.
    if (pc.signalingState === 'have-remote-offer' && this.#settled && !this.#disposed) void this.#answer();
  }

  #awaitingAnswer(): boolean {
    return !this.#disposed && this.#pc.signalingState === 'have-remote-offer';
  }

  async #answer(): Promise<void> {
    const pc = this.#pc;
    try {
      // A restart changes ICE only. An offer that changes the media (more or
      // fewer sections), or one of too many in a row, is not answered: the far
      // side gets nothing new from this page by it.
      const now = Date.now();
      this.#answeredAt = this.#answeredAt.filter((at) => now - at < 60_000);
      if (sectionCount(pc.remoteDescription) !== sectionCount(pc.currentLocalDescription) || this.#answeredAt.length >= MAX_ANSWERS_PER_MINUTE) {
        this.#peer.log.warn('ignored a renegotiation that is not a plain ICE restart', this.#peer.remoteId);
        await pc.setRemoteDescription({ type: 'rollback' });
        return;
      }
      this.#answeredAt.push(now);
      this.#sendCandidates();
      const answer = await pc.createAnswer();
      if (!this.#awaitingAnswer()) return;
      await pc.setLocalDescription(answer);
      if (this.#sendLocalDescription()) this.#peer.log.debug('ICE restart answered', this.#peer.remoteId);
    } catch (error) {
      this.#peer.log.debug('ICE restart could not be answered', error);
    }
  }

  /** Sends our local description (the restart offer, or our answer) in an ANSWER frame; false when it could not go. */
  #sendLocalDescription(): boolean {
    const description = this.#pc.localDescription;
    if (!description) return false;
    return this.#peer.send({
      type: 'ANSWER',
      payload: { sdp: { type: description.type, sdp: description.sdp }, type: 'media', connectionId: this.#peer.connectionId, iceRestart: true },
      dst: this.#peer.remoteId,
    });
  }

  /**
   * New candidates go to the far side as PeerJS does it (PeerJS stops sending
   * them once ICE completed the first time, which a restart needs again).
   */
  #sendCandidates(): void {
    this.#pc.onicecandidate = (event) => {
      if (this.#disposed || !event.candidate?.candidate) return;
      this.#peer.send({
        type: 'CANDIDATE',
        payload: { candidate: event.candidate.toJSON(), type: 'media', connectionId: this.#peer.connectionId },
        dst: this.#peer.remoteId,
      });
    };
  }
}
