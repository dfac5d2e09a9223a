import { expect } from '@esm-bundle/chai';
import { sendKeys } from '@web/test-runner-commands';
import {
  expectAccessible,
  expectLiveVideo,
  uniqueId,
  waitFor,
} from '../../../test/browser/helpers.js';
import { joined, shadow, useLiveSessionRoom } from '../../../test/browser/element-fixtures.js';
import { createdPeerConnections, isClosed } from '../../../test/browser/session-helpers.js';
import { deepButtonNamed, deepQuery, tileVideo } from '../../../test/browser/shadow-query.js';
import './define.js';
import type { LiveSessionElement } from './live-session.js';

describe('<live-session>', function () {
  this.timeout(60_000);
  const fixture = useLiveSessionRoom();
  const mount = fixture.mount.bind(fixture);


  /** A tutor and a student, both joined. */
  async function classroom(parent?: HTMLElement): Promise<{ tutor: LiveSessionElement; student: LiveSessionElement }> {
    const tutor = await mount({ 'user-role': 'tutor', name: 'Tess', 'user-id': uniqueId('t'), autojoin: true }, parent);
    const student = await mount({ 'user-role': 'student', name: 'Sam', 'user-id': uniqueId('s'), autojoin: true }, parent);
    await joined(tutor);
    await joined(student);
    await waitFor(() => tutor.participants.length === 2 && student.participants.length === 2, 'both see two');
    return { tutor, student };
  }

  // ---------------------------------------------------------------- accessibility

  describe('accessibility', () => {
    it('pre-join: the preview, named toggles, a name field and a Join button, without axe violations', async () => {
      const element = await mount({ 'user-role': 'student', 'user-id': uniqueId('u') });
      await waitFor(() => element.session?.isVideoOn, 'preview camera on');
      await element.updateComplete;
      const root = shadow(element);
      expect(root.querySelector('[part="prejoin"] self-preview')).to.exist;
      await waitFor(() => deepButtonNamed(root, /Mute microphone/), 'microphone toggle');
      expect(deepButtonNamed(root, /Turn camera off/)).to.exist;
      expect(deepButtonNamed(root, /Raise hand/), 'no room controls before the join').to.equal(null);
      expect(root.querySelector('[part="name-field"] input')).to.exist;
      expect(root.querySelector('[part="join-button"]')?.textContent.trim()).to.equal('Join');
      await expectAccessible(root.querySelector('[part="prejoin"]') as Element);
    });

    it('in the room and after removal, for the tutor and the student', async () => {
      const { tutor, student } = await classroom();
      expect(deepButtonNamed(shadow(tutor), /Mute everyone/)).to.exist;
      expect(deepButtonNamed(shadow(student), /Mute everyone/)).to.equal(null);
      await expectAccessible(shadow(student).querySelector('[part="room"]') as Element);
      await expectAccessible(shadow(tutor).querySelector('[part="room"]') as Element);
      const samId = tutor.participants.find((p) => p.name === 'Sam')?.id ?? '';
      tutor.removeParticipant(samId);
      await waitFor(() => student.phase === 'left', 'Sam removed');
      await student.updateComplete;
      await expectAccessible(shadow(student).querySelector('[part="ended"]') as Element);
    });

    it('announces joins in a polite live region', async () => {
      const tutor = await mount({ 'user-role': 'tutor', name: 'Tess', 'user-id': uniqueId('t'), autojoin: true });
      await joined(tutor);
      const region = shadow(tutor).querySelector('[aria-live="polite"]');
      await mount({ 'user-role': 'student', name: 'Sam', 'user-id': uniqueId('s'), autojoin: true });
      await waitFor(() => region?.textContent.includes('Sam joined'), 'announced');
    });
  });

  // ---------------------------------------------------------------- properties

  describe('properties', () => {
    it('participants are plain summaries; phase is read-only and reflected; inner elements follow the session', async () => {
      const { tutor, student } = await classroom();
      const summary = student.participants.find((p) => p.name === 'Tess');
      expect(summary && Object.keys(summary).sort()).to.deep.equal(
        ['id', 'isAudioOn', 'isHandRaised', 'isLocal', 'isVideoOn', 'name', 'role', 'userId'].sort(),
      );
      expect(student.getAttribute('phase')).to.equal('joined');
      expect(() => ((student as unknown as { phase: string }).phase = 'left')).to.throw();
      const grid = shadow(student).querySelector('video-grid');
      await expectLiveVideo(await waitFor(() => tileVideo(grid, '[data-main]'), 'tutor video in the student grid'), 'student sees tutor');
      const tutorGrid = shadow(tutor).querySelector('video-grid');
      await expectLiveVideo(await waitFor(() => tileVideo(tutorGrid), 'student video in the tutor grid'), 'tutor sees student');
      expect(shadow(student).querySelector('self-preview')).to.exist;
    });

    it('replaced strings reach the inner elements', async () => {
      const element = await mount({ 'user-role': 'student', 'user-id': uniqueId('u') });
      element.strings = { join: 'Beitreten', muteMicrophone: 'Mikrofon aus' };
      await element.updateComplete;
      expect(shadow(element).querySelector('[part="join-button"]')?.textContent.trim()).to.equal('Beitreten');
      await waitFor(() => element.session?.isAudioOn, 'microphone on');
      await waitFor(() => deepButtonNamed(shadow(element), /Mikrofon aus/), 'replaced string in <session-controls>');
    });
  });

  // ---------------------------------------------------------------- events

  describe('events', () => {
    it('joins with the typed name from the keyboard and fires ls-joined (bubbling, composed)', async () => {
      const element = await mount({ 'user-role': 'student', 'user-id': uniqueId('u') });
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

    it('control bar: camera, mic and hand toggles by keyboard, with pressed state and events', async () => {
      const { tutor, student } = await classroom();
      const updates: string[] = [];
      tutor.addEventListener('ls-participant-updated', (e) => {
        const p = e.detail.participant;
        if (p.name === 'Sam') updates.push(`video:${p.isVideoOn} audio:${p.isAudioOn} hand:${p.isHandRaised}`);
      });
      deepButtonNamed(shadow(student), /Turn camera off/)?.focus();
      await sendKeys({ press: 'Enter' });
      await waitFor(() => deepButtonNamed(shadow(student), /Turn camera on/), 'label flips to "Turn camera on"');
      expect(deepButtonNamed(shadow(student), /Turn camera on/)?.getAttribute('aria-pressed')).to.equal('true');
      await waitFor(() => updates.some((u) => u.startsWith('video:false')), 'tutor hears camera off');

      deepButtonNamed(shadow(student), /Mute microphone/)?.focus();
      await sendKeys({ press: ' ' });
      await waitFor(() => deepButtonNamed(shadow(student), /Unmute microphone/), 'label flips to "Unmute microphone"');
      await waitFor(() => tutor.participants.find((p) => p.name === 'Sam')?.isAudioOn === false, 'tutor sees mic off');

      deepButtonNamed(shadow(student), /Raise hand/)?.click();
      await waitFor(() => deepButtonNamed(shadow(student), /Lower hand/), 'label flips to "Lower hand"');
      await waitFor(() => tutor.participants.find((p) => p.name === 'Sam')?.isHandRaised, 'tutor sees the hand');
      const queue = await waitFor(() => deepQuery(shadow(tutor), '[part="hand-queue"]'), 'hand queue listed');
      expect(queue.textContent).to.contain('1. Sam');
    });

    it('Speaker view: the button switches the layout (attribute reflected, pressed state) and the grid follows; a pin bubbles out as ls-pinned-changed', async () => {
      const { tutor } = await classroom();
      const grid = await waitFor(() => shadow(tutor).querySelector('video-grid'), 'the grid');
      const toggle = await waitFor(() => deepButtonNamed(shadow(tutor), 'Speaker view'), 'Speaker view button');
      expect(toggle.getAttribute('aria-pressed')).to.equal('false');
      expect(grid.layout).to.equal('grid');
      toggle.focus();
      await sendKeys({ press: 'Enter' });
      await waitFor(() => tutor.getAttribute('layout') === 'speaker' && grid.layout === 'speaker', 'speaker layout');
      expect(toggle.getAttribute('aria-pressed')).to.equal('true');
      // Sam is the only student: shown large.
      await waitFor(() => grid.shadowRoot?.querySelector('participant-tile[data-main]'), "Sam's tile large");
      const pinned = new Promise<string | null>((resolve) => tutor.addEventListener('ls-pinned-changed', (e) => resolve(e.detail.participantId), { once: true }));
      deepButtonNamed(shadow(tutor), 'Pin Sam')?.click();
      expect(await pinned).to.equal(tutor.session?.participants.find((p) => p.name === 'Sam')?.id);
      await expectAccessible(tutor);
      tutor.setAttribute('layout', 'grid');
      await waitFor(() => grid.layout === 'grid' && toggle.getAttribute('aria-pressed') === 'false', 'back to the grid from the attribute');
    });

    it('incoming video off: a banner says so with a button that turns it back on (axe-clean)', async () => {
      const { student } = await classroom();
      const session = student.session;
      if (!session) throw new Error('no session');
      session.setIncomingVideo(false);
      const banner = await waitFor(() => shadow(student).querySelector('[part~="incoming-video-banner"]'), 'the banner');
      expect(banner.textContent).to.contain('Incoming video is off');
      await expectAccessible(student);
      const on = deepButtonNamed(shadow(student), 'Turn incoming video on');
      on?.focus();
      await sendKeys({ press: 'Enter' });
      await waitFor(() => session.incomingVideo && !shadow(student).querySelector('[part~="incoming-video-banner"]'), 'on again, banner gone');
    });

    it('re-dispatches speaking as ls-speaking, with the session detail', async () => {
      const tutor = await mount({ 'user-role': 'tutor', name: 'Tess', 'user-id': uniqueId('t'), autojoin: true });
      await joined(tutor);
      const events: CustomEvent<{ id: string; speaking: boolean }>[] = [];
      const record = (e: CustomEvent<{ id: string; speaking: boolean }>): void => void events.push(e);
      document.addEventListener('ls-speaking', record);
      try {
        const student = await mount({ 'user-role': 'student', name: 'Sam', 'user-id': uniqueId('s'), autojoin: true });
        await joined(student);
        // Sam's fake microphone plays a tone: the tutor's element reports Sam speaking.
        const samId = student.session?.peerId;
        const event = await waitFor(() => events.find((e) => e.target === tutor && e.detail.id === samId && e.detail.speaking), 'Sam speaking');
        expect(event.bubbles && event.composed).to.equal(true);
        expect(event.detail).to.deep.equal({ id: samId, speaking: true });
      } finally {
        document.removeEventListener('ls-speaking', record);
      }
    });

    it('a muted student sees the announcement and can unmute; a removed student sees why and stays out', async () => {
      const { tutor, student } = await classroom();
      const muted = new Promise((resolve) => student.addEventListener('ls-muted', resolve, { once: true }));
      deepButtonNamed(shadow(tutor), /Mute everyone/)?.click();
      await muted;
      await waitFor(() => deepButtonNamed(shadow(student), /Unmute microphone/), 'student shows muted');
      deepButtonNamed(shadow(student), /Unmute microphone/)?.click();
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
      deepButtonNamed(shadow(student), 'Join again')?.click();
      expect(await refused).to.equal('removed-from-room');
      expect(tutor.participants.map((p) => p.name)).to.deep.equal(['Tess']);
      // The tutor lets Sam back in; the same button now works.
      tutor.readmitParticipant(student.getAttribute('user-id') ?? '');
      // An ordered barrier: the server answers the tutor's next request (a raised hand, with a
      // hand-queue broadcast) only after it has handled the re-admission sent before it.
      const queued = new Promise((resolve) => tutor.addEventListener('ls-hand-queue', resolve, { once: true }));
      tutor.raiseHand();
      await queued;
      await student.updateComplete;
      // After the refusal the student is back at the pre-join step.
      const join = deepButtonNamed(shadow(student), /^Join$/);
      expect(join, 'the Join button').to.exist;
      join?.click();
      await joined(student);
      await waitFor(() => tutor.participants.length === 2, 'the tutor sees Sam again');
    });

    it('leave shows the final state, closes every connection, and others see the leave', async () => {
      const tutor = await mount({ 'user-role': 'tutor', name: 'Tess', 'user-id': uniqueId('t'), autojoin: true });
      await joined(tutor);
      const before = createdPeerConnections.length;
      const student = await mount({ 'user-role': 'student', name: 'Sam', 'user-id': uniqueId('s'), autojoin: true });
      await joined(student);
      await waitFor(() => createdPeerConnections.length >= before + 2, 'connections made');
      const opened = createdPeerConnections.slice(before);
      deepButtonNamed(shadow(student), /Leave/)?.click();
      await waitFor(() => student.phase === 'left', 'left');
      await student.updateComplete;
      expect(shadow(student).querySelector('[part="ended"]')?.textContent).to.contain('You left');
      await waitFor(() => tutor.participants.length === 1, 'tutor alone');
      await waitFor(() => opened.every(isClosed), 'all connections closed');
    });
  });

  // ---------------------------------------------------------------- parts and theme

  describe('parts and theme', () => {
    it('custom properties and exported parts of the inner elements style from the page', async () => {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(`
        live-session::part(tile) { outline: 4px solid rgb(20, 30, 40); }
        live-session::part(control) { border-top-color: rgb(50, 60, 70); }
        live-session::part(participant) { color: rgb(80, 90, 100); }
        live-session::part(preview-label) { color: rgb(110, 120, 130); }`);
      document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
      try {
        const { student } = await classroom();
        student.style.setProperty('--live-session-accent', 'rgb(1, 2, 3)');
        student.style.setProperty('--live-session-transition', '0ms');
        const grid = shadow(student).querySelector('video-grid');
        const tile = await waitFor(() => grid?.shadowRoot?.querySelector('participant-tile'), 'a tile');
        expect(getComputedStyle(tile).outlineColor).to.equal('rgb(20, 30, 40)');
        const hand = await waitFor(() => deepButtonNamed(shadow(student), /Raise hand/), 'hand button');
        expect(getComputedStyle(hand).borderTopColor).to.equal('rgb(50, 60, 70)');
        hand.click();
        await waitFor(() => deepButtonNamed(shadow(student), /Lower hand/), 'hand raised');
        const pressed = deepButtonNamed(shadow(student), /Lower hand/) as HTMLElement;
        expect(getComputedStyle(pressed).backgroundColor).to.equal('rgb(1, 2, 3)');
        expect(getComputedStyle(deepQuery(shadow(student), '[part="participant"]') as Element).color).to.equal('rgb(80, 90, 100)');
        expect(getComputedStyle(deepQuery(shadow(student), '[part="label"]') as Element).color).to.equal('rgb(110, 120, 130)');
      } finally {
        document.adoptedStyleSheets = document.adoptedStyleSheets.filter((s) => s !== sheet);
      }
    });

    it('a theme set on the page or on the element reaches the tiles inside <video-grid>', async () => {
      const page = document.createElement('div');
      page.style.setProperty('--live-session-tile-background', 'rgb(4, 5, 6)');
      page.style.setProperty('--live-session-radius', '3px');
      document.body.append(page);
      try {
        const { student } = await classroom(page);
        const grid = shadow(student).querySelector('video-grid');
        const tile = await waitFor(() => grid?.shadowRoot?.querySelector<HTMLElement>('[data-participant]'), 'the tutor tile');
        expect(getComputedStyle(tile).backgroundColor).to.equal('rgb(4, 5, 6)');
        expect(getComputedStyle(tile).borderTopLeftRadius).to.equal('3px');
        student.style.setProperty('--live-session-tile-background', 'rgb(7, 8, 9)');
        expect(getComputedStyle(tile).backgroundColor).to.equal('rgb(7, 8, 9)');
      } finally {
        page.remove();
      }
    });
  });

  // ---------------------------------------------------------------- lifecycle

  describe('lifecycle', () => {
    it('removing the element from the page leaves the room; moving it does not', async () => {
      const { tutor, student } = await classroom();
      const session = student.session;
      const box = document.createElement('div');
      document.body.append(box);
      box.append(student);
      await student.updateComplete;
      expect(student.session).to.equal(session);
      expect(student.phase).to.equal('joined');
      student.remove();
      box.remove();
      await waitFor(() => student.session === undefined, 'session ended');
      await waitFor(() => tutor.participants.length === 1, 'Sam gone for the tutor');
    });

    it('mounting and unmounting leaves no listener on the sessions', async () => {
      const added = new Map<EventTarget, number>();
      // Every listener added to or removed from a session, counted per session (restored below).
      // eslint-disable-next-line @typescript-eslint/unbound-method
      const original = { add: EventTarget.prototype.addEventListener, remove: EventTarget.prototype.removeEventListener };
      const { LiveSession } = await import('../../core/live-session.js');
      const count = (target: EventTarget, delta: number): void => {
        if (target instanceof LiveSession) added.set(target, (added.get(target) ?? 0) + delta);
      };
      EventTarget.prototype.addEventListener = function (this: EventTarget, ...args: Parameters<EventTarget['addEventListener']>) {
        count(this, 1);
        original.add.apply(this, args);
      };
      EventTarget.prototype.removeEventListener = function (this: EventTarget, ...args: Parameters<EventTarget['removeEventListener']>) {
        count(this, -1);
        original.remove.apply(this, args);
      };
      try {
        for (let i = 0; i < 5; i++) {
          const element = await mount({ 'user-role': 'student', 'user-id': uniqueId('u') });
          await waitFor(() => element.session?.isVideoOn, 'preview on');
          element.remove();
          await waitFor(() => element.session === undefined, 'session ended');
        }
        expect([...added.values()].every((n) => n === 0), JSON.stringify([...added.values()])).to.equal(true);
        expect(added.size).to.equal(5);
      } finally {
        EventTarget.prototype.addEventListener = original.add;
        EventTarget.prototype.removeEventListener = original.remove;
      }
    });
  });
  // ---------------------------------------------------------------- chat

  describe('chat', () => {
    it('the Chat button counts unread messages and announces them; opening the panel shows them and focuses the box', async () => {
      const { tutor, student } = await classroom();
      const events: string[] = [];
      student.addEventListener('ls-chat-message', (e) => events.push(e.detail.message.text));
      const toggle = await waitFor(() => deepButtonNamed(shadow(student), /^Chat/), 'a Chat button');
      expect(toggle.getAttribute('aria-expanded')).to.equal('false');
      tutor.sendChat('First question: 2+2?');
      tutor.sendChat('Second one');
      await waitFor(() => shadow(student).querySelector('[part="unread-badge"]')?.textContent === '2', 'two unread');
      expect(toggle.textContent.replace(/\s+/g, ' ')).to.contain('2 unread');
      const region = shadow(student).querySelector('[aria-live="polite"]');
      await waitFor(() => region?.textContent.includes('Tess: Second one'), 'announced');
      expect(events).to.deep.equal(['First question: 2+2?', 'Second one']);
      toggle.click();
      await student.updateComplete;
      expect(toggle.getAttribute('aria-expanded')).to.equal('true');
      expect(shadow(student).querySelector('[part="unread-badge"]')).to.equal(null);
      const chat = shadow(student).querySelector('session-chat');
      await waitFor(() => chat?.shadowRoot?.activeElement?.tagName === 'TEXTAREA', 'the message box has focus');
      await sendKeys({ type: 'four' });
      await sendKeys({ press: 'Enter' });
      await waitFor(() => tutor.session?.chat.some((m) => m.text === 'four' && m.from.name === 'Sam'), 'the tutor has the answer');
      await expectAccessible(shadow(student).querySelector('[part="room"]') as Element);
      student.toggleChat(false);
      await student.updateComplete;
      expect(shadow(student).querySelector('session-chat')).to.equal(null);
    });
  });
  // ---------------------------------------------------------------- waiting room

  describe('waiting room', () => {
    it('with the waiting room on, a student waits; the tutor admits one and denies another, who is told', async () => {
      const tutor = await mount({ 'user-role': 'tutor', name: 'Tess', 'user-id': uniqueId('t'), autojoin: true });
      await joined(tutor);
      const list = await waitFor(() => shadow(tutor).querySelector('participant-list'), 'the list');
      const waitingSwitch = await waitFor(() => list.shadowRoot?.querySelector<HTMLInputElement>('[data-setting="waiting"]'), 'the switch');
      waitingSwitch.click();
      await waitFor(() => tutor.session?.admission.waiting, 'waiting room on');
      const sam = await mount({ 'user-role': 'student', name: 'Sam', 'user-id': uniqueId('s'), autojoin: true });
      const status = await waitFor(() => shadow(sam).querySelector('[part="waiting-room"]'), 'Sam is told to wait');
      expect(status.textContent).to.contain('Waiting for the tutor to let you in');
      expect(sam.phase).to.equal('joining');
      // Measured once the devices have started: a toggle that turns on during axe's run is neither colour.
      await waitFor(() => sam.session?.isVideoOn && sam.session.isAudioOn, 'Sam’s camera and microphone are on');
      await sam.updateComplete;
      await expectAccessible(shadow(sam).querySelector('[part="prejoin"]') as Element);
      const admit = await waitFor(() => list.shadowRoot?.querySelector<HTMLButtonElement>('[part="admit"]'), 'an Admit button');
      expect(admit.getAttribute('aria-label')).to.equal('Admit Sam');
      expect([...(list.shadowRoot?.querySelectorAll('[part="heading"]') ?? [])].map((h) => h.textContent)).to.include('Waiting (1)');
      await expectAccessible(list);
      await waitFor(() => shadow(tutor).querySelector('[aria-live="polite"]')?.textContent.includes('Sam is waiting to join'), 'announced to the tutor');
      admit.click();
      await joined(sam);
      await waitFor(() => sam.participants.length === 2, 'Sam sees the tutor');
      const ben = await mount({ 'user-role': 'student', name: 'Ben', 'user-id': uniqueId('b'), autojoin: true });
      await waitFor(() => shadow(ben).querySelector('[part="waiting-room"]'), 'Ben waits');
      const deny = await waitFor(() => list.shadowRoot?.querySelector<HTMLButtonElement>('[part="deny"]'), 'a Deny button');
      deny.click();
      await waitFor(() => shadow(ben).querySelector('[part="notice"]')?.textContent.includes('The tutor did not let you in'), 'Ben is told');
      expect(ben.phase).to.equal('idle');
      expect(tutor.participants.map((p) => p.name).sort()).to.deep.equal(['Sam', 'Tess']);
    });
  });
});
