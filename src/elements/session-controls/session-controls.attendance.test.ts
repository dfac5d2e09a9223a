import { expect } from '@esm-bundle/chai';
import { buttonNamed, signToken, startServer, stopServer, uniqueId, waitFor, type StartedServer } from '../../../test/browser/helpers.js';
import { mountElement } from '../../../test/browser/element-fixtures.js';
import { LiveSession } from '../../core/live-session.js';
import { SessionError } from '../../core/events.js';
import './define.js';

const SECRET = 'browser-attendance-secret-long-enough-for-hs256';

/**
 * The tutor's attendance download from a page on another origin than the room
 * server (the test page's origin is not the server's): the preflight for the
 * Authorization header, the CSV, the file the browser is asked to save.
 */
describe('attendance download', function () {
  this.timeout(60_000);
  let recording: StartedServer;
  let notRecording: StartedServer;
  const sessions: LiveSession[] = [];

  before(async () => {
    recording = await startServer({ kind: 'room', options: { secret: SECRET, attendance: {} } });
    notRecording = await startServer({ kind: 'room', options: { secret: SECRET } });
  });
  after(async () => {
    await stopServer(recording);
    await stopServer(notRecording);
  });
  afterEach(() => {
    for (const element of document.querySelectorAll('session-controls')) element.remove();
    for (const session of sessions.splice(0)) session.destroy();
  });

  async function joined(server: StartedServer, room: string, sub: string, role: 'tutor' | 'student'): Promise<LiveSession> {
    const token = await signToken({ room, sub, name: sub, role }, SECRET);
    const session = new LiveSession({ server: server.url, token, storage: null, video: false, audio: false });
    sessions.push(session);
    await session.join();
    return session;
  }

  /** Catches the next `<a download>` click (instead of a real download) and reads what it points at. */
  function nextSavedFile(): Promise<{ name: string; text: string }> {
    return new Promise((resolve, reject) => {
      const onClick = (event: MouseEvent): void => {
        const link = event.target;
        if (!(link instanceof HTMLAnchorElement) || !link.download) return;
        event.preventDefault();
        document.removeEventListener('click', onClick, true);
        fetch(link.href)
          .then((response) => response.text())
          .then((text) => resolve({ name: link.download, text }), reject);
      };
      document.addEventListener('click', onClick, true);
    });
  }

  it("fetches the room's CSV across origins with the tutor's token", async () => {
    const room = uniqueId('att');
    const tutor = await joined(recording, room, 'tess', 'tutor');
    await joined(recording, room, 'sam', 'student');
    const file = await tutor.fetchAttendance();
    expect(file.fileName).to.match(new RegExp(`^attendance-${room}-\\d{4}-\\d{2}-\\d{2}\\.csv$`));
    const lines = (await file.blob.text()).trim().split('\r\n');
    expect(lines[0]).to.equal('room,user id,name,role,first join,last leave,connected seconds,reconnects');
    expect(lines.slice(1).map((line) => line.split(',').slice(0, 4))).to.deep.equal([
      [room, 'tess', 'tess', 'tutor'],
      [room, 'sam', 'sam', 'student'],
    ]);
  });

  it('a student cannot download it', async () => {
    const room = uniqueId('att');
    await joined(recording, room, 'tess', 'tutor');
    const student = await joined(recording, room, 'sam', 'student');
    const refused = await student.fetchAttendance().then(
      () => null,
      (error: unknown) => error,
    );
    expect(refused).to.be.instanceOf(SessionError);
    expect((refused as SessionError).code).to.equal('not-tutor');
  });

  it('the Download attendance button saves the file; on a server without records it says why', async () => {
    const room = uniqueId('att');
    const tutor = await joined(recording, room, 'tess', 'tutor');
    const element = await mountElement('session-controls', { session: tutor, attendance: true });
    const download = await waitFor(() => buttonNamed(element.shadowRoot as ShadowRoot, 'Download attendance'), 'the button');
    const saved = nextSavedFile();
    download.click();
    const file = await saved;
    expect(file.name).to.match(new RegExp(`^attendance-${room}-.*\\.csv$`));
    expect(file.text).to.contain(`${room},tess,tess,tutor,`);

    const elsewhere = await joined(notRecording, uniqueId('att'), 'tom', 'tutor');
    element.session = elsewhere;
    await element.updateComplete;
    (await waitFor(() => buttonNamed(element.shadowRoot as ShadowRoot, 'Download attendance'), 'the button')).click();
    const alert = await waitFor(() => element.shadowRoot?.querySelector('[part~="attendance-error"]'), 'the reason');
    expect(alert.getAttribute('role')).to.equal('alert');
    expect(alert.textContent).to.equal('Attendance not downloaded: This server does not record attendance.');
  });

  it('students see no button, nor tutors without the attendance attribute', async () => {
    const room = uniqueId('att');
    const tutor = await joined(recording, room, 'tess', 'tutor');
    const student = await joined(recording, room, 'sam', 'student');
    const forStudent = await mountElement('session-controls', { session: student, attendance: true });
    const plain = await mountElement('session-controls', { session: tutor });
    await waitFor(() => buttonNamed(forStudent.shadowRoot as ShadowRoot, 'Leave'), 'room controls');
    await waitFor(() => buttonNamed(plain.shadowRoot as ShadowRoot, 'Leave'), 'room controls');
    expect(buttonNamed(forStudent.shadowRoot as ShadowRoot, 'Download attendance')).to.equal(null);
    expect(buttonNamed(plain.shadowRoot as ShadowRoot, 'Download attendance')).to.equal(null);
  });
});
