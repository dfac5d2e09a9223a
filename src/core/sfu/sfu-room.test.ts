// An SFU room through the room server in real browsers: a real Janus, the real
// room server told about it (`janus`, `topology: 'sfu'`), and controllers that
// join as any page does. What a class sees of it in pages (students playing the
// tutor, one outgoing video, Janus killed and back) is the end-to-end
// e2e/sfu-class.e2e.ts; here, the path's own recovery: the room server
// restarts, every member's proxy closes, and each opens the path again.
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

  it('the room server restarts: the members re-join, ask for fresh tickets, and video flows through Janus again', async () => {
    const tutor = await room.join('Tutor', 'tutor');
    const student = await room.join('Ray', 'student');
    expect(student.mediaTopology).to.equal('sfu');
    await sees(room, student, tutor);
    expect(student.peerConnections.length).to.equal(2, 'a publisher and a subscriber, no peer-to-peer call');
    // The restart closes every member's SFU proxy with its signalling: the path breaks and must be opened again.
    await restartServer(server, 500);
    await waitFor(() => student.phase === 'joined' && student.connectionState === 'connected', 'the student back in the room', 30_000);
    await waitFor(() => student.sfuState === 'connected' && tutor.sfuState === 'connected', 'both back on the SFU', 30_000);
    await sees(room, student, tutor, 'the student sees the tutor again');
    await sees(room, tutor, student, 'the tutor sees the student again');
  });
});
