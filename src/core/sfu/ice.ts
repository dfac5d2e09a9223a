/**
 * ICE towards Janus for one PeerConnection: Janus' own candidates, and a
 * watch on connections that never start.
 *
 * Janus' own ICE candidates for one PeerConnection. Janus trickles them all
 * (its offers and answers carry none), often before the browser has applied
 * the description they belong to: a candidate that comes early waits for
 * `described()`. Without them only Janus could start the connectivity checks,
 * which fails whenever Janus cannot reach the browser's addresses (a browser
 * behind a NAT without STUN, or a slow trickle of the browser's own).
 */

/** More than any Janus gathers for one handle; a flood beyond it is dropped. */
const MAX_PENDING = 64;
const MAX_CANDIDATE_LENGTH = 1024;
/** How long a PeerConnection may stay `new` once Janus' description is applied (no check started, no candidate from either side). */
export const ICE_START_TIMEOUT_MS = 20_000;

/** The candidate Janus sent, checked (null for one that is not a candidate); null or `completed` ends them. */
export function candidateFrom(value: unknown): RTCIceCandidateInit | 'completed' | null {
  if (value === null) return 'completed';
  if (typeof value !== 'object') return null;
  const { candidate, sdpMid, sdpMLineIndex, completed } = value as Record<string, unknown>;
  if (completed === true) return 'completed';
  if (typeof candidate !== 'string' || candidate.length === 0 || candidate.length > MAX_CANDIDATE_LENGTH) return null;
  const init: RTCIceCandidateInit = { candidate };
  if (typeof sdpMid === 'string' && sdpMid.length <= 32) init.sdpMid = sdpMid;
  if (typeof sdpMLineIndex === 'number' && Number.isInteger(sdpMLineIndex) && sdpMLineIndex >= 0 && sdpMLineIndex < 1024) init.sdpMLineIndex = sdpMLineIndex;
  if (init.sdpMid === undefined && init.sdpMLineIndex === undefined) init.sdpMLineIndex = 0;
  return init;
}

export interface RemoteCandidatesHost {
  debug(...args: unknown[]): void;
  /** The connection never started its checks: give the path up (the session opens a fresh one). */
  stuck(reason: string): void;
}

export class RemoteCandidates {
  readonly #pc: RTCPeerConnection;
  readonly #host: RemoteCandidatesHost;
  readonly #startTimeoutMs: number;
  #pending: (RTCIceCandidateInit | 'completed')[] = [];
  #watch: ReturnType<typeof setTimeout> | undefined;

  constructor(pc: RTCPeerConnection, host: RemoteCandidatesHost, startTimeoutMs = ICE_START_TIMEOUT_MS) {
    this.#pc = pc;
    this.#host = host;
    this.#startTimeoutMs = startTimeoutMs;
  }

  /** A candidate from Janus' `trickle`, null at the end (anything malformed is ignored). */
  add(value: unknown): void {
    const candidate = candidateFrom(value);
    if (candidate === null) {
      this.#host.debug('SFU candidate ignored (malformed)');
      return;
    }
    if (this.#pc.remoteDescription) this.#apply(candidate);
    else if (this.#pending.length < MAX_PENDING) this.#pending.push(candidate);
  }

  /**
   * The PeerConnection has Janus' description now: the candidates that came
   * first are applied, and the first time, the watch starts: a connection
   * still `new` after the timeout never will be (every candidate lost).
   */
  described(): void {
    for (const candidate of this.#pending.splice(0)) this.#apply(candidate);
    if (this.#watch !== undefined) return;
    this.#watch = setTimeout(() => {
      if (this.#pc.signalingState !== 'closed' && this.#pc.connectionState === 'new') {
        this.#host.stuck(`no connectivity check started in ${String(this.#startTimeoutMs / 1000)} s`);
      }
    }, this.#startTimeoutMs);
  }

  /** The PeerConnection closes. */
  stop(): void {
    clearTimeout(this.#watch);
    this.#pending = [];
  }

  #apply(candidate: RTCIceCandidateInit | 'completed'): void {
    if (this.#pc.signalingState === 'closed') return;
    // No argument: the end of Janus' candidates.
    const added = candidate === 'completed' ? this.#pc.addIceCandidate() : this.#pc.addIceCandidate(candidate);
    added.catch((error: unknown) => this.#host.debug('SFU candidate refused', error));
  }
}
