/**
 * The server's STUN/TURN list comes with the answer to the join: the socket
 * opens without a `GET <server>ice` first, and every call uses the list. A
 * session given its own list keeps it.
 */
import { expect } from '@esm-bundle/chai';
import { useClassroom } from '../../test/browser/element-fixtures.js';
import { waitFor } from '../../test/browser/helpers.js';
import type { Classroom } from '../../test/browser/session-helpers.js';

// Nothing listens there, and it is not a port browsers refuse (Firefox blocks 9).
const STUN = 'stun:127.0.0.1:3478';

/** The `urls` of every ICE server a connection was configured with. */
function iceUrls(pc: RTCPeerConnection): string[] {
  return (pc.getConfiguration().iceServers ?? []).flatMap((server) => (Array.isArray(server.urls) ? server.urls : [server.urls]));
}

/** Requests this page made to a room server's ICE route. */
function iceFetches(): string[] {
  return performance
    .getEntriesByType('resource')
    .map((entry) => entry.name)
    .filter((name) => new URL(name).pathname.endsWith('/ice'));
}

describe('ICE servers from the join', function () {
  this.timeout(60_000);
  let room: Classroom;
  useClassroom([], (r) => (room = r), { kind: 'room', options: { iceServers: [{ urls: STUN }] } });

  it("reach every call without fetching them; media flows; a session's own list wins", async () => {
    performance.clearResourceTimings();
    const tutor = await room.join('Tess', 'tutor');
    const sam = await room.join('Sam', 'student');
    const own = await room.join('Olga', 'student', { iceServers: [] });
    await room.expectSees(sam, tutor);
    await room.expectSees(tutor, sam);
    await room.expectSees(own, tutor);
    for (const session of [tutor, sam]) {
      expect(session.peerConnections.length, `${session.name}'s calls`).to.be.greaterThan(0);
      for (const pc of session.peerConnections) expect(iceUrls(pc), session.name).to.include(STUN);
    }
    for (const pc of own.peerConnections) expect(iceUrls(pc), 'the given list').not.to.include(STUN);
    expect(iceFetches(), 'no GET <server>ice').to.deep.equal([]);
  });
});

describe('ICE servers from an older server', function () {
  this.timeout(60_000);
  // Its LS-JOINED carries no ICE servers: they are fetched from `<server>ice`, once per join.
  let room: Classroom;
  useClassroom([], (r) => (room = r), { kind: 'older-room', options: { iceServers: [{ urls: STUN }] } });

  it('are fetched after the join and reach the calls; media flows', async () => {
    performance.clearResourceTimings();
    const tutor = await room.join('Tess', 'tutor');
    const sam = await room.join('Sam', 'student');
    await room.expectSees(sam, tutor);
    await room.expectSees(tutor, sam);
    await waitFor(() => iceFetches().length === 2, 'one GET <server>ice per join');
    // Calls placed before the list arrived get it for their next gathering; later ones are built with it.
    await waitFor(() => [tutor, sam].every((s) => s.peerConnections.length > 0 && s.peerConnections.every((pc) => iceUrls(pc).includes(STUN))), 'the list on every connection');
  });
});
