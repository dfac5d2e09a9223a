import { expect } from '@esm-bundle/chai';
import { sendKeys } from '@web/test-runner-commands';
import { buttonNamed, expectAccessible, waitFor } from '../../../test/browser/helpers.js';
import type { Classroom } from '../../../test/browser/session-helpers.js';
import { mountElement, useClassroom } from '../../../test/browser/element-fixtures.js';
import type { LiveSession } from '../../core/live-session.js';
import './define.js';
import type { SessionControls } from './session-controls.js';
import { deepQuery } from '../../../test/browser/shadow-query.js';
import '../video-grid/define.js';
import '../participant-list/define.js';

const mount = (session: LiveSession): Promise<SessionControls> => mountElement('session-controls', { session });

const button = (element: SessionControls, name: string | RegExp): HTMLButtonElement | null =>
  buttonNamed(element.shadowRoot as ShadowRoot, name);

describe('<session-controls>', function () {
  this.timeout(60_000);
  let room: Classroom;
  useClassroom('session-controls', (r) => (room = r));

  describe('accessibility', () => {
    it('a named toolbar of real buttons, without axe violations, before and in the room', async () => {
      const tutor = room.create('Tess', 'tutor');
      const element = await mount(tutor);
      await tutor.startPreview();
      await waitFor(() => button(element, 'Mute microphone'), 'microphone toggle');
      expect(element.shadowRoot?.querySelector('[role="toolbar"]')?.getAttribute('aria-label')).to.equal('Session controls');
      expect(button(element, 'Turn camera off')).to.exist;
      expect(button(element, 'Raise hand'), 'room controls wait for the join').to.equal(null);
      await expectAccessible(element);
      await tutor.join();
      await waitFor(() => button(element, 'Raise hand'), 'room controls');
      expect(button(element, 'Mute everyone')).to.exist;
      expect(button(element, 'Leave')).to.exist;
      await expectAccessible(element);
    });
  });

  describe('properties', () => {
    it('students get no Mute everyone; toggles show their pressed state', async () => {
      await room.join('Tess', 'tutor');
      const sam = await room.join('Sam', 'student');
      const element = await mount(sam);
      expect(button(element, 'Mute everyone')).to.equal(null);
      button(element, 'Turn camera off')?.focus();
      await sendKeys({ press: 'Enter' });
      const on = await waitFor(() => button(element, 'Turn camera on'), 'label flips');
      expect(on.getAttribute('aria-pressed')).to.equal('true');
      expect(sam.isVideoOn).to.equal(false);
      button(element, 'Raise hand')?.click();
      await waitFor(() => button(element, 'Lower hand')?.getAttribute('aria-pressed') === 'true', 'hand raised');
      expect(sam.isHandRaised).to.equal(true);
    });
  });

  describe('events', () => {
    it("shows the tutor's request to unmute until the microphone is on", async () => {
      const tutor = await room.join('Tess', 'tutor');
      const sam = await room.join('Sam', 'student');
      const element = await mount(sam);
      tutor.muteParticipant(sam.peerId ?? '');
      await waitFor(() => !sam.isAudioOn, 'Sam muted');
      tutor.askToUnmute(sam.peerId ?? '');
      const request = await waitFor(() => element.shadowRoot?.querySelector('[part="request"]'), 'request shown');
      expect(request.getAttribute('role')).to.equal('alert');
      button(element, 'Unmute microphone')?.click();
      await waitFor(() => sam.isAudioOn, 'Sam unmuted');
      await element.updateComplete;
      expect(element.shadowRoot?.querySelector('[part="request"]')).to.equal(null);
    });

    it('Leave leaves the room', async () => {
      const sam = await room.join('Sam', 'student');
      const element = await mount(sam);
      button(element, 'Leave')?.click();
      await waitFor(() => sam.phase === 'left', 'left');
    });
  });

  describe('parts', () => {
    it('exposes bar, control and request', async () => {
      const sam = await room.join('Sam', 'student');
      const element = await mount(sam);
      const sheet = new CSSStyleSheet();
      sheet.replaceSync('session-controls::part(control) { border-top-color: rgb(1, 2, 3); } session-controls::part(bar) { column-gap: 17px; }');
      document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
      try {
        expect(getComputedStyle(button(element, 'Leave') as Element).borderTopColor).to.equal('rgb(1, 2, 3)');
        expect(getComputedStyle(element.shadowRoot?.querySelector('[part="bar"]') as Element).columnGap).to.equal('17px');
      } finally {
        document.adoptedStyleSheets = document.adoptedStyleSheets.filter((s) => s !== sheet);
      }
    });
  });

  describe('lifecycle', () => {
    it('mounting and unmounting leaves no listener on the session', async () => {
      const sam = room.create('Sam', 'student');
      let listeners = 0;
      const add = sam.addEventListener.bind(sam);
      const remove = sam.removeEventListener.bind(sam);
      sam.addEventListener = ((type: string, listener: EventListener, options?: boolean | AddEventListenerOptions) => {
        listeners++;
        add(type, listener, options);
      });
      sam.removeEventListener = ((type: string, listener: EventListener, options?: boolean | EventListenerOptions) => {
        listeners--;
        remove(type, listener, options);
      });
      for (let i = 0; i < 20; i++) (await mount(sam)).remove();
      expect(listeners).to.equal(0);
      const kept = await mount(sam);
      // While mounted: the change subscription and the unmute-request listener.
      expect(listeners).to.equal(2);
      kept.remove();
      expect(listeners).to.equal(0);
    });
  });
  describe('reactions', () => {
    it('React shows the reactions; one click sends it: on the tile and in the tutor’s tally (its expiry: reactions.node.test.ts)', async () => {
      const tutor = await room.join('Tess', 'tutor');
      const sam = await room.join('Sam', 'student');
      const controls = await mount(sam);
      const grid = await mountElement('video-grid', { session: tutor });
      const list = await mountElement('participant-list', { session: tutor });
      const react = await waitFor(() => button(controls, /React$/), 'a React button');
      expect(react.getAttribute('aria-expanded')).to.equal('false');
      react.click();
      await controls.updateComplete;
      expect(react.getAttribute('aria-expanded')).to.equal('true');
      expect(controls.shadowRoot?.querySelector('[part="reactions"]')?.getAttribute('role')).to.equal('group');
      await expectAccessible(controls);
      const confused = button(controls, "I'm confused");
      if (!confused) throw new Error('no "I\'m confused" button');
      confused.click();
      const badge = await waitFor(() => deepQuery(grid, '[part="reaction-badge"]'), 'a badge on Sam’s tile');
      expect(badge.getAttribute('aria-label')).to.equal("Sam: I'm confused");
      await waitFor(() => list.shadowRoot?.querySelector('[part="reaction-tally"]')?.textContent.includes("I'm confused: 1"), 'the tally');
      expect(tutor.reactionTally.confused).to.equal(1);
      expect(sam.reactionOf(sam.peerId ?? '')).to.equal('confused', 'the sender sees its own');
      expect(controls.shadowRoot?.querySelector('[part="reactions"]'), 'the group closes after a pick').to.equal(null);
    });
  });
});
