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
});
