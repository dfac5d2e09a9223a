import { expect } from '@esm-bundle/chai';
import { expectAccessible, waitFor } from '../../../test/browser/helpers.js';
import type { Classroom } from '../../../test/browser/session-helpers.js';
import { mountElement, useClassroom } from '../../../test/browser/element-fixtures.js';
import type { LiveSession } from '../../core/live-session.js';
import './define.js';
import type { SessionChat } from './session-chat.js';

const mount = (session: LiveSession): Promise<SessionChat> => mountElement('session-chat', { session });

const $ = (element: SessionChat, selector: string): Element | null => element.shadowRoot?.querySelector(selector) ?? null;

const texts = (element: SessionChat): string[] =>
  [...(element.shadowRoot?.querySelectorAll('[part~="message"] [part="text"]') ?? [])].map((p) => p.textContent);

/** Types into the message box and presses Enter, as a user does. */
async function type(element: SessionChat, text: string): Promise<void> {
  const box = $(element, 'textarea') as HTMLTextAreaElement | null;
  if (!box) throw new Error('no message box');
  box.value = text;
  box.dispatchEvent(new InputEvent('input', { bubbles: true }));
  await element.updateComplete;
  box.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
  await element.updateComplete;
}

describe('<session-chat>', function () {
  this.timeout(60_000);
  let room: Classroom;
  useClassroom('session-chat', (r) => (room = r));

  describe('messages', () => {
    it('Enter sends to everyone; the text arrives as text, markup included, and links are safe links', async () => {
      const tutor = await room.join('Tess', 'tutor');
      const sam = await room.join('Sam', 'student');
      const element = await mount(sam);
      const hostile = '<img src=x onerror="window.__chatXss=1"> see https://example.org/a_(b). or javascript:alert(1)';
      await type(element, hostile);
      await waitFor(() => tutor.chat.length === 1, 'the tutor has it');
      expect(tutor.chat[0]?.text).to.equal(hostile);
      expect(tutor.chat[0]?.from.name).to.equal('Sam');
      await waitFor(() => texts(element).length === 1, 'shown');
      expect(texts(element)[0]).to.equal(hostile);
      expect(element.shadowRoot?.querySelector('img')).to.equal(null);
      expect((window as unknown as { __chatXss?: number }).__chatXss).to.equal(undefined);
      const links = [...(element.shadowRoot?.querySelectorAll('[part="text"] a') ?? [])] as HTMLAnchorElement[];
      expect(links.map((a) => a.href)).to.deep.equal(['https://example.org/a_(b)']);
      expect(links[0]?.rel).to.equal('noopener noreferrer nofollow');
      expect(links[0]?.title, 'the title says where the link goes, whatever its text').to.equal('https://example.org/a_(b)');
      expect(links[0]?.target).to.equal('_blank');
      expect(($(element, 'textarea') as HTMLTextAreaElement | null)?.value).to.equal('', 'the box is cleared once sent');
      expect($(element, '[part~="own"] [part="sender"]')?.textContent).to.equal('You');
    });

    it('a later joiner sees the messages sent before it came', async () => {
      const tutor = await room.join('Tess', 'tutor');
      tutor.sendChat('Open page 12');
      await waitFor(() => tutor.chat.length === 1, 'sent');
      const late = await room.join('Lee', 'student');
      const element = await mount(late);
      expect(texts(element)).to.deep.equal(['Open page 12']);
      expect($(element, '[part~="message"] [part="sender-role"]')?.textContent, "the tutor's message carries the role the server gave").to.equal('Tutor');
    });

    it('a student who takes the tutor\'s name still has no Tutor badge on their messages', async () => {
      const tutor = await room.join('Tess', 'tutor');
      const impostor = await room.join('Tess', 'student');
      const element = await mount(tutor);
      impostor.sendChat('Homework is cancelled');
      tutor.sendChat('It is not');
      await waitFor(() => texts(element).length === 2, 'both shown');
      const roles = [...(element.shadowRoot?.querySelectorAll('[part~="message"]') ?? [])].map((m) => m.querySelector('[part="sender-role"]')?.textContent ?? null);
      expect(roles).to.deep.equal([null, 'Tutor']);
    });
  });

  describe('private messages', () => {
    it('a student can pick only the tutor; the message reaches the tutor and no other student', async () => {
      const tutor = await room.join('Tess', 'tutor');
      const sam = await room.join('Sam', 'student');
      const ann = await room.join('Ann', 'student');
      const element = await mount(sam);
      await waitFor(() => element.shadowRoot?.querySelectorAll('option').length === 2, 'Everyone and the tutor');
      const options = [...(element.shadowRoot?.querySelectorAll('option') ?? [])].map((o) => o.textContent.trim());
      expect(options).to.deep.equal(['Everyone', 'Tess (private)']);
      const select = $(element, 'select') as HTMLSelectElement | null;
      if (!select) throw new Error('no recipient list');
      select.value = tutor.peerId ?? '';
      select.dispatchEvent(new Event('change'));
      await type(element, 'I am stuck on 3b');
      await waitFor(() => tutor.chat.length === 1, 'the tutor has it');
      expect(tutor.chat[0]?.isPrivate).to.equal(true);
      await waitFor(() => texts(element).length === 1, 'Sam sees it');
      expect($(element, '[part="recipient"]')?.textContent).to.equal('to Tess (private)');
      ann.sendChat('public');
      await waitFor(() => sam.chat.length === 2, 'a later public message arrives');
      expect(ann.chat.map((m) => m.text)).to.deep.equal(['public'], 'Ann never saw the private one');
    });
  });

  describe('tutor controls', () => {
    it('the tutor deletes a message for everyone, and turns students’ messages to everyone off and on', async () => {
      const tutor = await room.join('Tess', 'tutor');
      const sam = await room.join('Sam', 'student');
      const tutorView = await mount(tutor);
      const samView = await mount(sam);
      sam.sendChat('rude words');
      await waitFor(() => tutorView.shadowRoot?.querySelector('[part="delete"]'), 'a Delete button').then((b) => (b as HTMLButtonElement).click());
      await waitFor(() => sam.chat.length === 0 && texts(samView).length === 0, 'gone for Sam');
      const policy = await waitFor(() => ($(tutorView, '[part="policy"] input') as HTMLInputElement | null), 'the switch');
      expect(policy.checked).to.equal(true);
      policy.click();
      await waitFor(() => !sam.studentsMayChat && $(samView, '[part="chat-status"]'), 'Sam is told');
      const everyone = $(samView, 'option[value=""]') as HTMLOptionElement | null;
      expect(everyone?.disabled).to.equal(true);
      // Sam still writes: to the tutor, privately.
      await type(samView, 'may I ask?');
      await waitFor(() => tutor.chat.some((m) => m.text === 'may I ask?'), 'the tutor has it');
      expect(tutor.chat.find((m) => m.text === 'may I ask?')?.to?.name).to.equal('Tess');
      // Sent by hand to everyone, it is refused and the reason shows.
      expect(sam.sendChat('to all')).to.equal(false);
      policy.click();
      await waitFor(() => sam.studentsMayChat, 'on again');
    });
  });

  describe('errors', () => {
    it('a flood is refused by the server and the reason shows in the chat', async () => {
      await room.join('Tess', 'tutor');
      const sam = await room.join('Sam', 'student');
      const element = await mount(sam);
      for (let i = 0; i < 12; i++) sam.sendChat(`spam ${String(i)}`);
      const error = await waitFor(() => $(element, '[part="chat-error"]'), 'an error shows');
      expect(error.getAttribute('role')).to.equal('alert');
      expect(error.textContent).to.match(/too fast/);
    });
  });

  describe('accessibility', () => {
    it('has no axe violations, as a tutor with messages and as a student with chat off', async () => {
      const tutor = await room.join('Tess', 'tutor');
      const sam = await room.join('Sam', 'student');
      tutor.sendChat('Welcome, see www.example.org');
      sam.sendChat('hi', { to: tutor.peerId ?? '' });
      await waitFor(() => tutor.chat.length === 2, 'two messages');
      const tutorView = await mount(tutor);
      await expectAccessible(tutorView);
      expect($(tutorView, '[part="messages"]')?.getAttribute('role')).to.equal('log');
      tutor.setStudentsMayChat(false);
      const samView = await mount(sam);
      await waitFor(() => $(samView, '[part="chat-status"]'), 'chat off shown');
      await expectAccessible(samView);
    });
  });
});
