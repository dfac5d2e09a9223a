// An SFU room end to end in real browsers: a real Janus, the real room server
// told about it (`janus`, `topology: 'sfu'`), and controllers that join as any
// page does. The server says the room is sfu; no peer-to-peer call is made;
// each student plays the tutor's video through Janus and the tutor sends one
// outgoing video whatever the class size; Janus killed: the sessions say the
// SFU is unavailable; back: video flows again.
import { expect } from '@esm-bundle/chai';
import { executeServerCommand } from '@web/test-runner-commands';
import { restartServer, startServer, stopServer, waitFor, type StartedServer } from '../../../test/browser/helpers.js';
import { Classroom } from '../../../test/browser/session-helpers.js';
import type { LiveSession } from '../live-session.js';

interface Janus {
  id: string;
  url: string;
  apiSecret: string;
}

/** Outgoing video streams of a session's connections (outbound-rtp of kind video, counted once per SSRC). */
async function outgoingVideo(session: LiveSession): Promise<number> {
  let count = 0;
  for (const pc of session.peerConnections) {
    const stats = await pc.getStats();
    stats.forEach((entry: { type?: string; kind?: string; rid?: string; bytesSent?: number }) => {
      // Simulcast layers of one track count once: the lowest layer's rid, or no rid at all.
      if (entry.type === 'outbound-rtp' && entry.kind === 'video' && (entry.rid === undefined || entry.rid === 'l')) count += 1;
    });
  }
  return count;
}

/** What a session's connections send and receive, printed when a check fails (the CI log then says which side stalled). */
async function mediaReport(label: string, session: LiveSession): Promise<string> {
  const lines: string[] = [label];
  for (const pc of session.peerConnections) {
    lines.push(`  pc ${pc.connectionState}, signaling ${pc.signalingState}`);
    const stats = await pc.getStats();
    stats.forEach((e: Record<string, unknown>) => {
      if ((e['type'] !== 'inbound-rtp' && e['type'] !== 'outbound-rtp') || e['kind'] !== 'video') return;
      const fields = ['mid', 'rid', 'bytesReceived', 'bytesSent', 'framesDecoded', 'framesEncoded', 'frameWidth', 'pliCount'];
      lines.push(`    ${e['type']} ${fields.map((f) => `${f}=${String(e[f])}`).join(' ')}`);
    });
  }
  return lines.join('\n');
}

/** `room.expectSees`, with both sides' media printed when it fails. */
async function sees(room: Classroom, viewer: LiveSession, subject: LiveSession, label?: string): Promise<void> {
  try {
    await room.expectSees(viewer, subject, label);
  } catch (error) {
    console.log(`${await mediaReport(`viewer ${viewer.name}`, viewer)}\n${await mediaReport(`subject ${subject.name}`, subject)}`);
    throw error;
  }
}

describe('an SFU room through the room server (real Janus)', function () {
  this.timeout(120_000);
  let janus: Janus;
  let server: StartedServer;
  let room: Classroom;

  before(async () => {
    janus = await executeServerCommand<Janus, unknown>('janus-start', {});
    server = await startServer({ options: { janus: { url: janus.url, apiSecret: janus.apiSecret }, topology: 'sfu' } });
  });
  after(async () => {
    await stopServer(server);
  });
  beforeEach(() => {
    room = new Classroom(server);
  });
  afterEach(async () => {
    await room.close();
  });

  it('students play the tutor through Janus; the tutor sends one video whatever the class size; no peer-to-peer call', async () => {
    const tutor = await room.join('Tutor', 'tutor', { video: { width: { ideal: 640 }, height: { ideal: 360 }, frameRate: { ideal: 15 } } });
    expect(tutor.mediaTopology).to.equal('sfu');
    const students: LiveSession[] = [];
    for (const name of ['Ann', 'Bob', 'Cy']) students.push(await room.join(name, 'student'));
    for (const student of students) await sees(room, student, tutor);
    // The tutor sees the students too (they publish to Janus).
    await sees(room, tutor, students[0] as LiveSession);
    await waitFor(async () => (await outgoingVideo(tutor)) === 1, 'the tutor sends exactly one video');
    expect(await outgoingVideo(tutor)).to.equal(1);
  });

  it('the room server restarts: the members re-join, ask for fresh tickets, and video flows through Janus again', async () => {
    const tutor = await room.join('Tutor', 'tutor');
    const student = await room.join('Ray', 'student');
    await sees(room, student, tutor);
    // The restart closes every member's SFU proxy with its signalling: the path breaks and must be opened again.
    await restartServer(server, 500);
    await waitFor(() => student.phase === 'joined' && student.connectionState === 'connected', 'the student back in the room', 30_000);
    await waitFor(() => student.sfuState === 'connected' && tutor.sfuState === 'connected', 'both back on the SFU', 30_000);
    await sees(room, student, tutor, 'the student sees the tutor again');
    await sees(room, tutor, student, 'the tutor sees the student again');
  });

  it('Janus killed: the session says the SFU is unavailable; back: the student plays the tutor again', async () => {
    const tutor = await room.join('Tutor', 'tutor');
    const student = await room.join('Sue', 'student');
    await sees(room, student, tutor);
    await executeServerCommand('janus-kill', { id: janus.id });
    await waitFor(() => student.sfuState === 'unavailable', 'the student told the SFU is gone', 20_000);
    await executeServerCommand('janus-restart', { id: janus.id });
    await waitFor(() => student.sfuState === 'connected', 'the SFU back', 60_000);
    await sees(room, student, tutor, 'the student sees the tutor again');
  });
});
