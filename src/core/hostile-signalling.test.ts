/**
 * What a hostile member can make a page do through the signalling server:
 * frames with made-up connection ids, and repeated media offers. A real room
 * server, a real tutor controller, and a hand-written websocket client (the
 * PeerJS protocol spoken by hand) that joins as a student.
 */
import { expect } from '@esm-bundle/chai';
import type { Peer } from 'peerjs';
import { uniqueId, useServer, waitFor, type StartedServer } from '../../test/browser/helpers.js';
import { Classroom, createdPeerConnections, isClosed } from '../../test/browser/session-helpers.js';
import { diagnose } from './diagnostics.js';
import type { LiveSession } from './live-session.js';
import { DEFAULT_LOST_MESSAGE_LIMITS } from './peer-guards.js';

interface Frame {
  type: string;
  src?: string;
  payload?: { code?: string; participant?: { id?: string; isHandRaised?: boolean } };
}

/** A member speaking the PeerJS protocol by hand over a plain websocket. */
class HandClient {
  readonly id = `forger${Math.random().toString(36).slice(2)}`;
  readonly received: Frame[] = [];
  #socket: WebSocket;

  constructor(server: StartedServer) {
    this.#socket = new WebSocket(`${server.url.replace(/^http/, 'ws')}/peerjs?key=peerjs&id=${this.id}&token=t${Date.now()}`);
    this.#socket.onmessage = (event) => this.received.push(JSON.parse(String(event.data)) as Frame);
  }

  async join(room: string): Promise<void> {
    await waitFor(() => this.received.some((m) => m.type === 'OPEN'), 'the hand client is open');
    this.send({ type: 'LS-JOIN', payload: { room, userId: uniqueId('mallory'), name: 'Mallory', role: 'student' } });
    await waitFor(() => this.received.some((m) => m.type === 'LS-JOINED'), 'the hand client joined');
  }

  send(frame: object): void {
    this.#socket.send(JSON.stringify(frame));
  }

  close(): void {
    this.#socket.close();
  }
}

/** Counts frames of `type` from `src` reaching `session`'s signalling socket. */
function countFrames(session: LiveSession, type: string, src: string): { count: number } {
  const counter = { count: 0 };
  const peer = diagnose(session).peer as Peer;
  peer.socket.on('message', (message: Frame) => {
    if (message.type === type && message.src === src) counter.count++;
  });
  return counter;
}

/**
 * A barrier: the hand client raises its hand and the tutor sees it. The server
 * handles one socket's frames in order and writes to the tutor's socket in
 * order, so everything relayed before has reached the tutor's page by then.
 */
async function barrier(forger: HandClient, tutor: LiveSession): Promise<void> {
  forger.send({ type: 'LS-HAND', payload: { raised: true } });
  await waitFor(() => tutor.participants.find((p) => p.id === forger.id)?.isHandRaised, 'the tutor sees the hand (every earlier frame arrived)');
}

describe('hostile signalling', function () {
  this.timeout(60_000);
  // A generous frame rate limit: the flood must reach the server's relay rules, not the socket's budget.
  const shared = useServer({ kind: 'room', options: { rateLimit: { burst: 100_000, perSecond: 100_000, overflowLimit: 1000 }, offersPerMinute: 10 } });
  let room: Classroom;
  let forger: HandClient | null = null;

  beforeEach(() => {
    room = new Classroom(shared.current);
  });
  afterEach(async () => {
    forger?.close();
    forger = null;
    await room.close();
  });

  it('CANDIDATE frames with made-up connection ids: the server relays none, and the page stores none it is handed', async () => {
    const tutor = await room.join('Tess', 'tutor');
    forger = new HandClient(shared.current);
    await forger.join(room.room);
    const tutorId = tutor.peerId ?? '';
    const candidates = countFrames(tutor, 'CANDIDATE', forger.id);
    const flood = 5000;
    const candidate = (i: number): object => ({
      type: 'CANDIDATE',
      dst: tutorId,
      payload: { type: 'media', connectionId: `mc_${i}_${Math.random().toString(36).slice(2)}`, candidate: { candidate: 'x'.repeat(200), sdpMid: '0', sdpMLineIndex: 0 } },
    });
    for (let i = 0; i < flood; i++) forger.send(candidate(i));
    await barrier(forger, tutor);
    // The server relays signalling only for connections an OFFER opened.
    expect(candidates.count).to.equal(0);
    // A server that relays them anyway (an older one, or a stock PeerJS server):
    // the same flood straight into the tutor's socket is dropped, not stored.
    const peer = diagnose(tutor).peer as Peer;
    for (let i = 0; i < flood; i++) peer.socket.emit('message', { ...candidate(i), src: forger.id });
    expect(candidates.count).to.equal(flood);
    expect(diagnose(tutor).unmatchedFrames).to.equal(0);
  });

  it('what PeerJS keeps for a pending call is bounded too', async () => {
    const tutor = await room.join('Tess', 'tutor');
    forger = new HandClient(shared.current);
    await forger.join(room.room);
    const peer = diagnose(tutor).peer as Peer;
    // Frames as the server would relay them, straight into the tutor's socket:
    // an offer that stays unanswered (no valid SDP is needed to hold it, the
    // caller is not in the roster) and a flood of candidates for it.
    const stranger = `stranger${Math.random().toString(36).slice(2)}`;
    peer.socket.emit('message', { type: 'OFFER', src: stranger, dst: tutor.peerId, payload: { type: 'media', connectionId: 'mc_pending', sdp: { type: 'offer', sdp: '' } } });
    for (let i = 0; i < 1000; i++) {
      peer.socket.emit('message', { type: 'CANDIDATE', src: stranger, dst: tutor.peerId, payload: { type: 'media', connectionId: 'mc_pending', candidate: { candidate: `c${i}` } } });
    }
    expect(diagnose(tutor).unmatchedFrames).to.equal(DEFAULT_LOST_MESSAGE_LIMITS.perConnection);
  });

  it('repeated OFFERs from one member: at most one live connection, the others closed at once, real students unaffected', async () => {
    const tutor = await room.join('Tess', 'tutor');
    forger = new HandClient(shared.current);
    await forger.join(room.room);
    const tutorId = tutor.peerId ?? '';
    // A real offer SDP, reused for every forged call.
    const source = new RTCPeerConnection();
    source.addTransceiver('audio');
    source.addTransceiver('video');
    const offer = await source.createOffer();
    source.close();
    const offers = countFrames(tutor, 'OFFER', forger.id);
    const before = createdPeerConnections.length;
    const flood = 300;
    const forged = (i: number): object => ({ type: 'OFFER', dst: tutorId, payload: { type: 'media', connectionId: `mc_${i}_x`, sdp: offer, metadata: {} } });
    for (let i = 0; i < flood; i++) forger.send(forged(i));
    await barrier(forger, tutor);
    // The server relays a few (its per-pair offer budget), never the flood.
    expect(offers.count).to.be.greaterThan(0);
    expect(offers.count).to.be.lessThan(flood);
    // A server that relays them all: the rest straight into the tutor's socket, as it would.
    const peer = diagnose(tutor).peer as Peer;
    for (let i = offers.count; i < flood; i++) peer.socket.emit('message', { ...forged(i), src: forger.id });
    expect(offers.count).to.equal(flood);
    const opened = createdPeerConnections.slice(before);
    // One answered at once, the newest waiting answered after its turn; never one per offer.
    expect(opened.length).to.be.lessThan(10);
    expect(opened.filter((pc) => !isClosed(pc)).length).to.be.at.most(1);
    expect(tutor.peerConnections.length).to.be.at.most(1);
    // A real student still gets media both ways.
    const student = await room.join('Sam', 'student');
    await room.expectSees(student, tutor);
    await room.expectSees(tutor, student);
    const live = tutor.peerConnections.filter((pc) => !isClosed(pc));
    expect(live.length).to.be.at.most(2, 'one for Sam, at most one for the forger');
  });

  /** A real offer whose tracks belong to no stream (transceivers added without one), as a crafted client could send. */
  async function streamlessOffer(): Promise<RTCSessionDescriptionInit> {
    const source = new RTCPeerConnection();
    source.addTransceiver('audio', { direction: 'sendonly' });
    source.addTransceiver('video', { direction: 'sendonly' });
    const offer = await source.createOffer();
    source.close();
    expect(offer.sdp).to.match(/a=msid:- /, 'the tracks name no stream');
    return offer;
  }

  /** Page errors (uncaught exceptions and rejections) while `run` runs and shortly after. */
  async function pageErrors(run: () => Promise<void>): Promise<string[]> {
    const errors: string[] = [];
    const onError = (event: ErrorEvent): void => {
      errors.push(event.message);
    };
    const onRejection = (event: PromiseRejectionEvent): void => {
      errors.push(String(event.reason));
    };
    window.addEventListener('error', onError);
    window.addEventListener('unhandledrejection', onRejection);
    try {
      await run();
      await new Promise((resolve) => setTimeout(resolve, 300));
    } finally {
      window.removeEventListener('error', onError);
      window.removeEventListener('unhandledrejection', onRejection);
    }
    return errors;
  }

  it('a camera call or a screen-share call whose tracks carry no stream: answered without an error, no broken stream shown, the class unaffected', async () => {
    const tutor = await room.join('Tess', 'tutor');
    forger = new HandClient(shared.current);
    await forger.join(room.room);
    const hand = forger;
    const tutorId = tutor.peerId ?? '';
    const offer = await streamlessOffer();
    await waitFor(() => tutor.participants.some((p) => p.id === hand.id), 'the tutor knows the forger');
    const before = createdPeerConnections.length;
    const errors = await pageErrors(async () => {
      // A camera call: the tutor answers students, so PeerJS sees the tracks.
      hand.send({ type: 'OFFER', dst: tutorId, payload: { type: 'media', connectionId: 'mc_streamless', sdp: offer, metadata: {} } });
      await waitFor(
        () => createdPeerConnections.slice(before).some((pc) => pc.remoteDescription !== null && pc.getReceivers().length >= 2),
        'the tutor answered the camera call (its offer applied)',
      );
      // A screen-share call, once the forger is the room's sharer.
      tutor.setStudentsMayShare(true);
      await waitFor(() => tutor.screenShare.studentsMayShare, 'students may share');
      hand.send({ type: 'LS-SCREEN-SHARE', payload: { on: true } });
      await waitFor(() => tutor.screenShare.sharer === hand.id, 'the tutor sees the forger as the sharer');
      const screenBefore = createdPeerConnections.length;
      hand.send({ type: 'OFFER', dst: tutorId, payload: { type: 'media', connectionId: 'mc_screen_streamless', sdp: offer, metadata: { kind: 'screen' } } });
      await waitFor(
        () => createdPeerConnections.slice(screenBefore).some((pc) => pc.remoteDescription !== null),
        'the tutor answered the screen call (its offer applied)',
      );
    });
    expect(errors).to.deep.equal([]);
    const shown = tutor.participants.find((p) => p.id === hand.id);
    expect(shown?.stream, 'no stream from tracks that name none').to.equal(null);
    expect(tutor.screenStream, 'no shared screen from tracks that name none').to.equal(null);
    // A real student still gets media both ways.
    const student = await room.join('Sam', 'student');
    await room.expectSees(student, tutor);
    await room.expectSees(tutor, student);
  });
});
