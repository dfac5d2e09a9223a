/**
 * The script-tag embed, as an LMS page does it: the built, self-contained
 * dist/live-session.bundle.js loaded by a <script> tag, and two <live-session>
 * elements written as markup. Nothing from src/ is imported in this page.
 */
import { expect } from '@esm-bundle/chai';
import { expectLiveVideo, uniqueId, useServer, waitFor } from './helpers.js';

interface EmbeddedElement extends HTMLElement {
  phase: string;
  participants: { name: string; role: string }[];
}

function loadBundle(): Promise<void> {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.type = 'module';
    script.src = '/dist/live-session.bundle.js';
    script.onload = () => resolve();
    script.onerror = () => reject(new Error('the bundle did not load'));
    document.head.append(script);
  });
}

describe('script-tag bundle', function () {
  this.timeout(60_000);
  after(() => {
    document.body.replaceChildren();
  });
  const server = useServer({ kind: 'room' });
  before(async () => {
    await loadBundle();
  });

  it('registers every element on its own', () => {
    for (const tag of ['live-session', 'video-grid', 'self-preview', 'participant-tile', 'session-controls', 'participant-list']) {
      expect(customElements.get(tag), tag).to.exist;
    }
  });

  it('a tutor and a student embedded by markup see each other by frames', async () => {
    const room = uniqueId('lms');
    const host = document.createElement('div');
    host.innerHTML = `
      <live-session server="${server.current.url}" room="${room}" name="Tess" user-role="tutor" user-id="${uniqueId('t')}" autojoin></live-session>
      <live-session server="${server.current.url}" room="${room}" name="Sam" user-role="student" user-id="${uniqueId('s')}" autojoin></live-session>`;
    document.body.append(host);
    const [tutor, student] = [...host.querySelectorAll('live-session')] as unknown as EmbeddedElement[];
    if (!tutor || !student) throw new Error('elements missing');
    await waitFor(() => tutor.phase === 'joined' && student.phase === 'joined', 'both joined');
    await waitFor(() => tutor.participants.length === 2 && student.participants.length === 2, 'both see two');

    const videoIn = (element: EmbeddedElement, selector: string): HTMLVideoElement | null | undefined =>
      element.shadowRoot?.querySelector('video-grid')?.shadowRoot?.querySelector(selector)?.shadowRoot?.querySelector('video');
    const tutorSeen = await waitFor(() => videoIn(student, '[data-main]'), 'tutor video at the student');
    await expectLiveVideo(tutorSeen, 'student sees the tutor');
    const studentSeen = await waitFor(() => videoIn(tutor, '[data-participant]'), 'student video at the tutor');
    await expectLiveVideo(studentSeen, 'tutor sees the student');
  });
});
