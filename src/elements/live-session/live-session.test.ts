import { expect } from '@esm-bundle/chai';
import { sendKeys } from '@web/test-runner-commands';
import {
  buttonNamed,
  expectAccessible,
  expectLiveVideo,
  startServer,
  stopServer,
  uniqueId,
  waitFor,
  type StartedServer,
} from '../../../test/browser/helpers.js';
import { createdPeerConnections, isClosed } from '../../../test/browser/session-helpers.js';
import './define.js';
import type { LiveSessionElement } from './live-session.js';

describe('<live-session>', function () {
  this.timeout(60_000);
  let server: StartedServer;
  let room: string;

  before(async () => {
    server = await startServer({ kind: 'room' });
  });
  after(async () => {
    await stopServer(server);
  });
  beforeEach(() => {
    room = uniqueId('room');
  });
  afterEach(async () => {
    for (const element of document.querySelectorAll('live-session')) element.remove();
    await new Promise((resolve) => setTimeout(resolve, 10));
  });

  async function mount(attributes: Record<string, string | true>): Promise<LiveSessionElement> {
    const element = document.createElement('live-session');
    element.setAttribute('server', server.url);
    element.setAttribute('room', room);
    for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value === true ? '' : value);
    document.body.append(element);
    await element.updateComplete;
    return element;
  }

  const shadow = (element: LiveSessionElement): ShadowRoot => element.shadowRoot as ShadowRoot;

  async function joined(element: LiveSessionElement): Promise<void> {
    await waitFor(() => element.phase === 'joined', `${element.getAttribute('name') ?? ''} joined`);
    await element.updateComplete;
  }

  describe('pre-join', () => {
    it('shows the preview, named toggles, a name field and a Join button', async () => {
      const element = await mount({ role: 'student', 'user-id': uniqueId('u') });
      await waitFor(() => element.session?.isVideoOn, 'preview camera on');
      await element.updateComplete;
      const root = shadow(element);
      expect(root.querySelector('[part="prejoin"] self-preview')).to.exist;
      expect(buttonNamed(root, /Mute microphone/)).to.exist;
      expect(buttonNamed(root, /Turn camera off/)).to.exist;
      expect(root.querySelector('[part="name-field"] input')).to.exist;
      expect(root.querySelector('[part="join-button"]')?.textContent.trim()).to.equal('Join');
      await expectAccessible(root.querySelector('[part="prejoin"]') as Element);
    });

    it('joins with the typed name from the keyboard and fires ls-joined (bubbling, composed)', async () => {
      const element = await mount({ role: 'student', 'user-id': uniqueId('u') });
      const events: CustomEvent[] = [];
      document.addEventListener('ls-joined', (e) => events.push(e), { once: true });
      const input = shadow(element).querySelector<HTMLInputElement>('[part="name-field"] input');
      input?.focus();
      await sendKeys({ type: 'Grace' });
      await sendKeys({ press: 'Enter' });
      await joined(element);
      expect(events).to.have.length(1);
      expect(events[0]?.bubbles).to.equal(true);
      expect(events[0]?.composed).to.equal(true);
      expect(element.participants.map((p) => p.name)).to.deep.equal(['Grace']);
    });
  });

  describe('in the room', () => {
    it('tutor and student elements see each other; inner elements follow the session through context', async () => {
      const tutor = await mount({ role: 'tutor', name: 'Tess', 'user-id': uniqueId('t'), autojoin: true });
      const student = await mount({ role: 'student', name: 'Sam', 'user-id': uniqueId('s'), autojoin: true });
      await joined(tutor);
      await joined(student);
      await waitFor(() => tutor.participants.length === 2 && student.participants.length === 2, 'both see two');
      const summary = student.participants.find((p) => p.name === 'Tess');
      expect(summary && Object.keys(summary).sort()).to.deep.equal(
        ['id', 'isAudioOn', 'isHandRaised', 'isLocal', 'isVideoOn', 'name', 'role', 'userId'].sort(),
      );
      const grid = shadow(student).querySelector('video-grid');
      const tutorVideo = await waitFor(
        () => grid?.shadowRoot?.querySelector<HTMLVideoElement>('[data-main] video'),
        'tutor video in the student grid',
      );
      await expectLiveVideo(tutorVideo, 'student sees tutor');
      const studentGrid = shadow(tutor).querySelector('video-grid');
      const studentVideo = await waitFor(
        () => studentGrid?.shadowRoot?.querySelector<HTMLVideoElement>('[data-participant] video'),
        'student video in the tutor grid',
      );
      await expectLiveVideo(studentVideo, 'tutor sees student');
      expect(shadow(student).querySelector('self-preview')).to.exist;
      expect(buttonNamed(shadow(tutor), /Mute everyone/)).to.exist;
      expect(buttonNamed(shadow(student), /Mute everyone/)).to.equal(null);
      await expectAccessible(shadow(student).querySelector('[part="room"]') as Element);
      await expectAccessible(shadow(tutor).querySelector('[part="room"]') as Element);
    });

    it('control bar: camera, mic and hand toggles by keyboard, with pressed state and events', async () => {
      const tutor = await mount({ role: 'tutor', name: 'Tess', 'user-id': uniqueId('t'), autojoin: true });
      const student = await mount({ role: 'student', name: 'Sam', 'user-id': uniqueId('s'), autojoin: true });
      await joined(tutor);
      await joined(student);
      const updates: string[] = [];
      tutor.addEventListener('ls-participant-updated', (e) => {
        const p = e.detail.participant;
        if (p.name === 'Sam') updates.push(`video:${p.isVideoOn} audio:${p.isAudioOn} hand:${p.isHandRaised}`);
      });
      const camera = buttonNamed(shadow(student), /Turn camera off/);
      camera?.focus();
      await sendKeys({ press: 'Enter' });
      await waitFor(() => buttonNamed(shadow(student), /Turn camera on/), 'label flips to "Turn camera on"');
      expect(buttonNamed(shadow(student), /Turn camera on/)?.getAttribute('aria-pressed')).to.equal('true');
      await waitFor(() => updates.some((u) => u.startsWith('video:false')), 'tutor hears camera off');

      buttonNamed(shadow(student), /Mute microphone/)?.focus();
      await sendKeys({ press: ' ' });
      await waitFor(() => buttonNamed(shadow(student), /Unmute microphone/), 'label flips to "Unmute microphone"');
      await waitFor(() => tutor.participants.find((p) => p.name === 'Sam')?.isAudioOn === false, 'tutor sees mic off');

      buttonNamed(shadow(student), /Raise hand/)?.click();
      await waitFor(() => buttonNamed(shadow(student), /Lower hand/), 'label flips to "Lower hand"');
      await waitFor(() => tutor.participants.find((p) => p.name === 'Sam')?.isHandRaised, 'tutor sees the hand');
      const queue = await waitFor(() => shadow(tutor).querySelector('[part="participants"] ol'), 'hand queue listed');
      expect(queue.textContent).to.contain('1. Sam');
    });

    it('announces joins in a polite live region', async () => {
      const tutor = await mount({ role: 'tutor', name: 'Tess', 'user-id': uniqueId('t'), autojoin: true });
      await joined(tutor);
      const region = shadow(tutor).querySelector('[aria-live="polite"]');
      await mount({ role: 'student', name: 'Sam', 'user-id': uniqueId('s'), autojoin: true });
      await waitFor(() => region?.textContent.includes('Sam joined'), 'announced');
    });

    it('a muted student sees the announcement and can unmute; a removed student sees why and stays out', async () => {
      const tutor = await mount({ role: 'tutor', name: 'Tess', 'user-id': uniqueId('t'), autojoin: true });
      const student = await mount({ role: 'student', name: 'Sam', 'user-id': uniqueId('s'), autojoin: true });
      await joined(tutor);
      await joined(student);
      const muted = new Promise((resolve) => student.addEventListener('ls-muted', resolve, { once: true }));
      buttonNamed(shadow(tutor), /Mute everyone/)?.click();
      await muted;
      await waitFor(() => buttonNamed(shadow(student), /Unmute microphone/), 'student shows muted');
      buttonNamed(shadow(student), /Unmute microphone/)?.click();
      await waitFor(() => tutor.participants.find((p) => p.name === 'Sam')?.isAudioOn, 'tutor sees Sam unmuted');

      const left = new Promise<string>((resolve) => student.addEventListener('ls-left', (e) => resolve(e.detail.reason), { once: true }));
      const samId = tutor.participants.find((p) => p.name === 'Sam')?.id ?? '';
      tutor.removeParticipant(samId);
      expect(await left).to.equal('removed');
      await student.updateComplete;
      expect(shadow(student).querySelector('[part="ended"]')?.textContent).to.contain('removed you');
      await expectAccessible(shadow(student).querySelector('[part="ended"]') as Element);
      // The server keeps a removed user out of the room until the tutor re-admits them.
      const refused = new Promise<string>((resolve) => student.addEventListener('ls-error', (e) => resolve(e.detail.code), { once: true }));
      buttonNamed(shadow(student), 'Join again')?.click();
      expect(await refused).to.equal('removed-from-room');
      expect(tutor.participants.map((p) => p.name)).to.deep.equal(['Tess']);
    });

    it('leave shows the final state, closes every connection, and others see the leave', async () => {
      const tutor = await mount({ role: 'tutor', name: 'Tess', 'user-id': uniqueId('t'), autojoin: true });
      await joined(tutor);
      const before = createdPeerConnections.length;
      const student = await mount({ role: 'student', name: 'Sam', 'user-id': uniqueId('s'), autojoin: true });
      await joined(student);
      await waitFor(() => createdPeerConnections.length >= before + 2, 'connections made');
      const opened = createdPeerConnections.slice(before);
      buttonNamed(shadow(student), /Leave/)?.click();
      await waitFor(() => student.phase === 'left', 'left');
      await student.updateComplete;
      expect(shadow(student).querySelector('[part="ended"]')?.textContent).to.contain('You left');
      await waitFor(() => tutor.participants.length === 1, 'tutor alone');
      await waitFor(() => opened.every(isClosed), 'all connections closed');
    });

    it('removing the element from the page leaves the room', async () => {
      const tutor = await mount({ role: 'tutor', name: 'Tess', 'user-id': uniqueId('t'), autojoin: true });
      const student = await mount({ role: 'student', name: 'Sam', 'user-id': uniqueId('s'), autojoin: true });
      await joined(tutor);
      await joined(student);
      await waitFor(() => tutor.participants.length === 2, 'two');
      student.remove();
      await waitFor(() => tutor.participants.length === 1, 'Sam gone for the tutor');
    });
  });

  describe('styling and strings', () => {
    it('applies custom properties and replaced strings', async () => {
      const element = await mount({ role: 'student', 'user-id': uniqueId('u') });
      element.style.setProperty('--live-session-accent', 'rgb(1, 2, 3)');
      element.strings = { join: 'Beitreten' };
      await element.updateComplete;
      const join = shadow(element).querySelector<HTMLElement>('[part="join-button"]');
      expect(join?.textContent.trim()).to.equal('Beitreten');
      expect(getComputedStyle(join as Element).backgroundColor).to.equal('rgb(1, 2, 3)');
    });
  });
});
