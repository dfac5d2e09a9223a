/**
 * ICE restart on a live call, through the real room server: after a network
 * change the restarting side (the lower peer id) sends a restart offer, the
 * other answers, both take new ICE credentials on the same RTCPeerConnection,
 * and the video keeps flowing with no new call.
 */
import { expect } from '@esm-bundle/chai';
import { useClassroom } from '../../test/browser/element-fixtures.js';
import { waitFor } from '../../test/browser/helpers.js';
import type { Classroom } from '../../test/browser/session-helpers.js';
import { diagnose, peerConnectionsOf } from './diagnostics.js';
import { IceRestart, UNANSWERED_MS, type RelayedFrame } from './ice-restart.js';
import { createLogger } from './logger.js';

/** The ICE username fragment of a description (the same in every media section after a restart). */
function ufrag(description: RTCSessionDescription | null): string | undefined {
  return /a=ice-ufrag:(\S+)/.exec(description?.sdp ?? '')?.[1];
}

describe('ICE restart', function () {
  this.timeout(60_000);
  let room: Classroom;
  useClassroom([], (r) => (room = r));

  it('a network change restarts ICE on the same connection: new credentials on both sides, video flows on, no new call', async () => {
    const tutor = await room.join('Tess', 'tutor');
    const sam = await room.join('Sam', 'student');
    await room.expectSees(tutor, sam);
    await room.expectSees(sam, tutor);
    const [tutorPc] = peerConnectionsOf(tutor);
    const [samPc] = peerConnectionsOf(sam);
    if (!tutorPc || !samPc) throw new Error('no connection');
    const before = { tutorLocal: ufrag(tutorPc.localDescription), samLocal: ufrag(samPc.localDescription) };
    const [restarter, other] = (tutor.peerId ?? '') < (sam.peerId ?? '') ? [tutor, sam] : [sam, tutor];

    // What the browser says when the network changes (both sessions share this page).
    window.dispatchEvent(new Event('online'));

    await waitFor(() => diagnose(restarter).iceRestarts === 1, 'the restarting side sends one restart');
    await waitFor(
      () =>
        tutorPc.signalingState === 'stable' &&
        samPc.signalingState === 'stable' &&
        ufrag(tutorPc.localDescription) !== before.tutorLocal &&
        ufrag(samPc.localDescription) !== before.samLocal &&
        ufrag(tutorPc.remoteDescription) === ufrag(samPc.localDescription) &&
        ufrag(samPc.remoteDescription) === ufrag(tutorPc.localDescription),
      'both sides negotiated new ICE credentials',
    );
    await waitFor(() => tutorPc.connectionState === 'connected' && samPc.connectionState === 'connected', 'connected again');
    expect(diagnose(other).iceRestarts).to.equal(0, 'only one side restarts');
    // The same connections, and live video over them.
    expect(peerConnectionsOf(tutor)).to.deep.equal([tutorPc]);
    expect(peerConnectionsOf(sam)).to.deep.equal([samPc]);
    await room.expectSees(tutor, sam, 'after the restart, Tess sees Sam');
    await room.expectSees(sam, tutor, 'after the restart, Sam sees Tess');
  });

  it('a restart offer that is never answered is taken back at the next restart, which sends a fresh one; the connection stays up', async () => {
    // Two connections in this page, connected directly (no server): what the
    // restart sends goes nowhere, as when the far side is gone.
    const a = new RTCPeerConnection();
    const b = new RTCPeerConnection();
    try {
      a.onicecandidate = (e) => void (e.candidate && b.addIceCandidate(e.candidate));
      b.onicecandidate = (e) => void (e.candidate && a.addIceCandidate(e.candidate));
      a.createDataChannel('x');
      await a.setLocalDescription(await a.createOffer());
      await b.setRemoteDescription(a.localDescription as RTCSessionDescription);
      await b.setLocalDescription(await b.createAnswer());
      await a.setRemoteDescription(b.localDescription as RTCSessionDescription);
      await waitFor(() => a.connectionState === 'connected', 'connected');
      const sent: RelayedFrame[] = [];
      const restart = new IceRestart(a, { remoteId: 'b', connectionId: 'mc_test', log: createLogger(false), send: (frame) => (sent.push(frame), true) });
      expect(await restart.restart()).to.equal(true);
      expect(a.signalingState).to.equal('have-local-offer');
      // A second restart while the first waits for its answer starts nothing.
      expect(await restart.restart()).to.equal(false);
      await new Promise((resolve) => setTimeout(resolve, UNANSWERED_MS + 100));
      expect(await restart.restart()).to.equal(true, 'taken back and sent again');
      const offers = sent.filter((f) => f.type === 'ANSWER').map((f) => ufrag((f.payload['sdp'] as RTCSessionDescription | undefined) ?? null));
      expect(offers).to.have.length(2);
      expect(offers[0]).to.not.equal(offers[1], 'a fresh offer');
      expect(restart.restarts).to.equal(2);
      expect(a.connectionState).to.equal('connected');
      restart.dispose();
    } finally {
      a.close();
      b.close();
    }
  });

  it('a "restart" that would change the media (one more section) is rolled back, not answered; the call goes on', async () => {
    const tutor = await room.join('Tess', 'tutor');
    const sam = await room.join('Sam', 'student');
    await room.expectSees(tutor, sam);
    const [tutorPc] = peerConnectionsOf(tutor);
    const samPeer = diagnose(sam).peer;
    if (!tutorPc || !samPeer || !tutor.peerId) throw new Error('no connection');
    const before = ufrag(tutorPc.localDescription);
    // Sam's connection id for the call with Tess, as PeerJS keeps it.
    const calls = (samPeer as unknown as { connections: Record<string, { connectionId: string }[]> }).connections[tutor.peerId] ?? [];
    const connectionId = calls.at(-1)?.connectionId;
    if (!connectionId) throw new Error('no call id');
    // A restart offer from Sam's own connection (so the browser accepts it),
    // with a third media section: a transceiver added only for this offer.
    const [samPc] = peerConnectionsOf(sam);
    if (!samPc) throw new Error('no connection');
    const sections = (samPc.localDescription?.sdp.match(/^m=/gm) ?? []).length;
    const transceivers = tutorPc.getTransceivers().length;
    samPc.addTransceiver('video', { direction: 'recvonly' });
    const offer = await samPc.createOffer({ iceRestart: true });
    expect(offer.sdp?.match(/^m=/gm)).to.have.length(sections + 1);
    const states: RTCSignalingState[] = [];
    tutorPc.addEventListener('signalingstatechange', () => states.push(tutorPc.signalingState));
    samPeer.socket.send({ type: 'ANSWER', payload: { sdp: { type: 'offer', sdp: offer.sdp }, type: 'media', connectionId, iceRestart: true }, dst: tutor.peerId });
    await waitFor(() => states.includes('have-remote-offer') && tutorPc.signalingState === 'stable', 'the crafted offer reached Tess and was rolled back');
    expect(ufrag(tutorPc.localDescription)).to.equal(before, 'nothing was answered');
    expect(tutorPc.getTransceivers()).to.have.length(transceivers);
    expect(peerConnectionsOf(tutor)).to.deep.equal([tutorPc]);
    await room.expectSees(tutor, sam, 'Tess still sees Sam');
    await room.expectSees(sam, tutor, 'Sam still sees Tess');
  });
});
