import { expect } from '@esm-bundle/chai';
import { expectAccessible, waitFor } from '../../../test/browser/helpers.js';
import type { Classroom } from '../../../test/browser/session-helpers.js';
import { mountElement, useClassroom } from '../../../test/browser/element-fixtures.js';
import type { LiveSession } from '../../core/live-session.js';
import './define.js';
import type { ParticipantList } from './participant-list.js';

const mount = (session: LiveSession): Promise<ParticipantList> => mountElement('participant-list', { session });

const items = (element: ParticipantList): string[] =>
  [...(element.shadowRoot?.querySelectorAll('[part="participant"]') ?? [])].map((li) => li.textContent.replace(/\s+/g, ' ').trim());

describe('<participant-list>', function () {
  this.timeout(60_000);
  let room: Classroom;
  useClassroom('participant-list', (r) => (room = r));

  describe('accessibility', () => {
    it('has no axe violations, with hands raised', async () => {
      const tutor = await room.join('Tess', 'tutor');
      const sam = await room.join('Sam', 'student');
      sam.raiseHand();
      const element = await mount(tutor);
      await waitFor(() => element.shadowRoot?.querySelector('[part="hand-queue"]'), 'hand queue');
      await expectAccessible(element);
    });
  });

  describe('properties', () => {
    it('lists everyone with role and microphone, then the raised hands in order', async () => {
      const tutor = await room.join('Tess', 'tutor');
      const ann = await room.join('Ann', 'student');
      const ben = await room.join('Ben', 'student');
      const element = await mount(tutor);
      await waitFor(() => items(element).length === 3, 'three listed');
      expect(element.shadowRoot?.querySelector('[part="heading"]')?.textContent).to.contain('Participants (3)');
      expect(items(element).some((text) => text.startsWith('Tess (You) Tutor'))).to.equal(true);
      ben.raiseHand();
      await waitFor(() => tutor.handQueue.length === 1, 'Ben first');
      ann.raiseHand();
      const queue = await waitFor(
        () => (tutor.handQueue.length === 2 ? element.shadowRoot?.querySelector('[part="hand-queue"]') : null),
        'two hands',
      );
      await element.updateComplete;
      expect(queue.textContent.replace(/\s+/g, ' ')).to.contain('1. Ben').and.to.contain('2. Ann');
    });
  });

  describe('parts', () => {
    it('exposes heading, list, participant, role and hand-queue', async () => {
      const tutor = await room.join('Tess', 'tutor');
      const element = await mount(tutor);
      const sheet = new CSSStyleSheet();
      sheet.replaceSync('participant-list::part(role) { color: rgb(1, 2, 3); }');
      document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
      try {
        expect(getComputedStyle(element.shadowRoot?.querySelector('[part="role"]') as Element).color).to.equal('rgb(1, 2, 3)');
        for (const name of ['heading', 'list', 'participant']) expect(element.shadowRoot?.querySelector(`[part="${name}"]`), name).to.exist;
      } finally {
        document.adoptedStyleSheets = document.adoptedStyleSheets.filter((s) => s !== sheet);
      }
    });
  });

  describe('lifecycle', () => {
    it('unmounted lists stop following the session', async () => {
      const tutor = await room.join('Tess', 'tutor');
      const element = await mount(tutor);
      element.remove();
      let updates = 0;
      const original = element.requestUpdate.bind(element);
      element.requestUpdate = (...args: Parameters<ParticipantList['requestUpdate']>) => {
        updates++;
        original(...args);
      };
      await room.join('Ann', 'student');
      await waitFor(() => tutor.participants.length === 2, 'Ann joined');
      expect(updates).to.equal(0);
    });
  });
});
