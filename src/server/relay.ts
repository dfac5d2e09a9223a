/**
 * Relay of PeerJS signalling (OFFER, ANSWER, CANDIDATE, and LEAVE to a peer):
 * only between two members of the same room, only media calls, and only for a
 * media connection that an OFFER between those two members opened.
 *
 * Media connections are kept per direction (caller → callee) and slot (the
 * camera call, and a screen share's call): a new OFFER from the same caller to
 * the same callee in the same slot replaces the previous one, whose
 * connection id is forgotten, so ANSWER/CANDIDATE frames for it are no longer
 * relayed. Both directions may be live at once, because two members that
 * recover at the same moment call each other and then keep one call. OFFERs
 * per caller → callee are rate-limited. Everything of a member is forgotten
 * when it leaves its room.
 */
import { isRecord } from '../protocol/index.js';
import { TokenBucket } from './frames.js';
import type { SocketGate } from './socket-gate.js';
import type { SocketSession } from './socket-session.js';

/** A signalling frame on its way to another peer. */
export interface RelayFrame {
  type: string;
  dst: unknown;
  payload: unknown;
}

/** A member pair may have one live camera call and one live screen-share call per direction. */
export type MediaSlot = 'camera' | 'screen';
const MEDIA_SLOTS: readonly MediaSlot[] = ['camera', 'screen'];

/** The slot of an OFFER: a screen share says so in its call metadata (`{ kind: 'screen' }`). */
function slotOf(payload: unknown): MediaSlot {
  const metadata = isRecord(payload) ? payload['metadata'] : undefined;
  return isRecord(metadata) && metadata['kind'] === 'screen' ? 'screen' : 'camera';
}

/** Longest PeerJS connection id accepted (PeerJS makes `mc_` plus a dozen characters). */
const MAX_CONNECTION_ID_LENGTH = 64;

/**
 * The largest OFFER or ANSWER relayed, in bytes of the whole frame. A
 * Chromium SDP of camera, microphone and a screen share's two streams is
 * about 15 KB; this leaves room for more codecs and long candidate lists.
 */
export const MAX_SDP_FRAME_BYTES = 48 * 1024;
/** The largest CANDIDATE relayed: one ICE candidate line is a few hundred bytes. */
export const MAX_CANDIDATE_FRAME_BYTES = 4 * 1024;
/**
 * What one member may relay to others (OFFER, ANSWER, CANDIDATE) at once, in
 * seconds of its byte rate (the server's `relayBytesPerSecond`): with the
 * default, 512 KB, which covers a tutor answering a whole class at once, ICE
 * restarts included, then a steady rate far above any call's. Without it, one
 * member's frames at the frame rate limit (64 KB each) could fill another
 * member's downlink until the server cut that member for not reading.
 */
const RELAY_BURST_SECONDS = 8;

function byteLengthOf(data: unknown): number {
  if (typeof data === 'string') return Buffer.byteLength(data);
  if (Buffer.isBuffer(data)) return data.length;
  if (Array.isArray(data)) return data.reduce<number>((sum, part) => sum + (Buffer.isBuffer(part) ? part.length : 0), 0);
  if (data instanceof ArrayBuffer) return data.byteLength;
  return 0;
}

/** A budget of bytes per sending member, refilled over time (kept with the socket's session, gone with it). */
class ByteBudgets {
  readonly #budgets = new WeakMap<SocketSession, TokenBucket>();

  constructor(private readonly perSecond: number) {}

  take(session: SocketSession, bytes: number, now: number = Date.now()): boolean {
    let budget = this.#budgets.get(session);
    if (!budget) {
      budget = new TokenBucket(this.perSecond * RELAY_BURST_SECONDS, this.perSecond, now);
      this.#budgets.set(session, budget);
    }
    return budget.take(now, bytes);
  }
}

/** Live media connections and OFFER budgets, by caller → callee. Bounded by room sizes. */
export class MediaConnectionTable {
  /** `caller\ncallee` → live connection id. */
  private readonly live = new Map<string, string>();
  /** `caller\ncallee` → OFFER budget. */
  private readonly offerBudgets = new Map<string, TokenBucket>();
  /** peer id → keys it takes part in, for forgetting. */
  private readonly keysOf = new Map<string, Set<string>>();

  constructor(
    private readonly offersPerMinute: number,
    private readonly clock: () => number = Date.now,
  ) {}

  private static key(caller: string, callee: string, slot: MediaSlot = 'camera'): string {
    return `${caller}\n${callee}\n${slot}`;
  }

  private remember(peerId: string, key: string): void {
    let keys = this.keysOf.get(peerId);
    if (!keys) {
      keys = new Set();
      this.keysOf.set(peerId, keys);
    }
    keys.add(key);
  }

  /** Takes one OFFER from the caller's budget towards `callee`; false when it is spent. */
  takeOffer(caller: string, callee: string): boolean {
    const key = MediaConnectionTable.key(caller, callee);
    let budget = this.offerBudgets.get(key);
    if (!budget) {
      budget = new TokenBucket(this.offersPerMinute, this.offersPerMinute / 60, this.clock());
      this.offerBudgets.set(key, budget);
      this.remember(caller, key);
      this.remember(callee, key);
    }
    return budget.take(this.clock());
  }

  /** The caller's OFFER opens `connectionId` towards `callee`, replacing its previous one in that slot. */
  open(caller: string, callee: string, connectionId: string, slot: MediaSlot = 'camera'): void {
    const key = MediaConnectionTable.key(caller, callee, slot);
    this.live.set(key, connectionId);
    this.remember(caller, key);
    this.remember(callee, key);
  }

  /** Whether `connectionId` is live between the two peers (either direction). */
  isLive(from: string, to: string, connectionId: string): boolean {
    return MEDIA_SLOTS.some(
      (slot) =>
        this.live.get(MediaConnectionTable.key(from, to, slot)) === connectionId ||
        this.live.get(MediaConnectionTable.key(to, from, slot)) === connectionId,
    );
  }

  /** Forgets every connection and budget a peer takes part in. */
  forget(peerId: string): void {
    for (const key of this.keysOf.get(peerId) ?? []) {
      this.live.delete(key);
      this.offerBudgets.delete(key);
      const [caller, callee] = key.split('\n');
      const other = caller === peerId ? callee : caller;
      if (other !== undefined) this.keysOf.get(other)?.delete(key);
    }
    this.keysOf.delete(peerId);
  }

  /** Entries held for one peer (for tests and operations). */
  sizeFor(peerId: string): number {
    return this.keysOf.get(peerId)?.size ?? 0;
  }
}

function connectionIdOf(payload: unknown): string | undefined {
  const id = isRecord(payload) ? payload['connectionId'] : undefined;
  return typeof id === 'string' && id.length > 0 && id.length <= MAX_CONNECTION_ID_LENGTH ? id : undefined;
}

export class SignallingRelay {
  readonly #budgets: ByteBudgets;

  constructor(
    private readonly gate: SocketGate,
    private readonly connections: MediaConnectionTable,
    relayBytesPerSecond: number,
  ) {
    this.#budgets = new ByteBudgets(relayBytesPerSecond);
  }

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
    if (type === 'LEAVE') {
      session.socket.forwardToPeer(data, isBinary);
      return;
    }
    const bytes = byteLengthOf(data);
    const limit = type === 'CANDIDATE' ? MAX_CANDIDATE_FRAME_BYTES : MAX_SDP_FRAME_BYTES;
    if (bytes > limit) {
      this.gate.refuseMalformed(session, 'bad-payload', `${type} refused: ${String(bytes)} bytes, more than the ${String(limit)} a ${type} may have.`, type);
      return;
    }
    const connectionId = connectionIdOf(payload);
    if (connectionId === undefined) {
      this.gate.refuseMalformed(session, 'bad-payload', `${type} needs a string payload.connectionId (at most ${MAX_CONNECTION_ID_LENGTH} characters).`, type);
      return;
    }
    if (type === 'OFFER') {
      // Media calls only: PeerJS data connections are not part of this protocol, and
      // a crafted data OFFER can break the receiving client.
      if (!(isRecord(payload) && payload['type'] === 'media')) {
        this.gate.refuseMalformed(session, 'bad-payload', 'OFFER must carry a media call (payload.type "media").', type);
        return;
      }
      if (!this.connections.takeOffer(session.peerId, dst)) {
        this.gate.refuse(session, type, 'offer-rate-limited', 'Too many calls to this participant in a minute; wait before calling again.');
        return;
      }
      this.connections.open(session.peerId, dst, connectionId, slotOf(payload));
    } else if (!this.connections.isLive(session.peerId, dst, connectionId)) {
      // ANSWER / CANDIDATE for a connection no OFFER between these two opened (or a replaced one).
      this.gate.refuse(session, type, 'unknown-connection', `${type} refused: no open media connection with that id between you and the destination.`);
      return;
    }
    if (!this.#budgets.take(session, bytes)) {
      this.gate.refuse(session, type, 'rate-limited', `${type} refused: too much signalling sent to others in a short time; wait a moment.`);
      return;
    }
    session.socket.forwardToPeer(data, isBinary);
  }
}
