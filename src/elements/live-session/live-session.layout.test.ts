// The room's layout at a laptop's size and at a phone's: nothing covers a tile
// on a phone, the controls are thumb-sized at the bottom, the participant list
// is a sheet there and a column on a laptop. Guards what the screenshots
// (scripts/screenshots.mjs) show.
import { expect } from '@esm-bundle/chai';
import { sendKeys } from '@web/test-runner-commands';
import { expectAccessible, uniqueId, waitFor } from '../../../test/browser/helpers.js';
import { joined, shadow, useLiveSessionRoom } from '../../../test/browser/element-fixtures.js';
import './define.js';
import type { LiveSessionElement } from './live-session.js';

/** A box of the given size for an element to fill. */
function box(width: number, height: number): HTMLElement {
  const div = document.createElement('div');
  div.style.width = `${String(width)}px`;
  div.style.setProperty('--live-session-height', `${String(height)}px`);
  document.body.append(div);
  return div;
}

const rect = (element: Element): DOMRect => element.getBoundingClientRect();
const overlaps = (a: DOMRect, b: DOMRect): boolean => a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1;
const inside = (inner: DOMRect, outer: DOMRect): boolean =>
  inner.left >= outer.left - 1 && inner.right <= outer.right + 1 && inner.top >= outer.top - 1 && inner.bottom <= outer.bottom + 1;
const shown = (element: Element | null | undefined): boolean => !!element && rect(element).width > 0 && getComputedStyle(element).display !== 'none';

/** Every visible button of the room's control bars (the session controls' and the room's own). */
function controlButtons(element: LiveSessionElement): HTMLButtonElement[] {
  const root = shadow(element);
  const bar = root.querySelector('session-controls')?.shadowRoot;
  return [...(bar?.querySelectorAll<HTMLButtonElement>('button') ?? []), ...root.querySelectorAll<HTMLButtonElement>('.controls-row > button')].filter((b) => shown(b));
}

function tilesOf(element: LiveSessionElement): HTMLElement[] {
  return [...(shadow(element).querySelector('video-grid')?.shadowRoot?.querySelectorAll<HTMLElement>('participant-tile') ?? [])];
}

describe('<live-session> layout', function () {
  this.timeout(60_000);
  const fixture = useLiveSessionRoom();
  const boxes: HTMLElement[] = [];
  afterEach(() => boxes.splice(0).forEach((b) => b.remove()));

  async function room(): Promise<{ tutor: LiveSessionElement; student: LiveSessionElement; classmate: LiveSessionElement }> {
    const laptop = box(1280, 800);
    const phone = box(360, 640);
    const other = box(640, 480);
    boxes.push(laptop, phone, other);
    const tutor = await fixture.mount({ 'user-role': 'tutor', name: 'Tess', 'user-id': uniqueId('t'), autojoin: true }, laptop);
    const student = await fixture.mount({ 'user-role': 'student', name: 'Sam', 'user-id': uniqueId('s'), autojoin: true }, phone);
    const classmate = await fixture.mount({ 'user-role': 'student', name: 'Ann', 'user-id': uniqueId('a'), autojoin: true }, other);
    for (const element of [tutor, student, classmate]) await joined(element);
    await waitFor(() => [tutor, student, classmate].every((e) => e.participants.length === 3), 'everyone sees three');
    await waitFor(() => tilesOf(student).length === 2 && tilesOf(tutor).length === 2, 'the tiles');
    return { tutor, student, classmate };
  }

  it('on a phone (360×640): the self-preview covers no tile, tiles stay in the grid, controls are thumb-sized at the bottom, the list is a sheet', async () => {
    const { student } = await room();
    const root = shadow(student);
    const grid = root.querySelector('video-grid') as HTMLElement;
    const preview = root.querySelector('self-preview') as HTMLElement;
    await waitFor(() => rect(preview).width > 0, 'the self-preview laid out');
    for (const tile of tilesOf(student)) {
      expect(overlaps(rect(preview), rect(tile)), 'the self-preview covers a tile').to.equal(false);
      expect(inside(rect(tile), rect(grid)), 'a tile outside the grid').to.equal(true);
    }
    const own = rect(student);
    const buttons = controlButtons(student);
    expect(buttons.length).to.be.greaterThan(5);
    for (const button of buttons) {
      const r = rect(button);
      const name = button.getAttribute('aria-label') ?? button.textContent.trim();
      expect(r.width, `${name}: width`).to.be.at.least(44);
      expect(r.height, `${name}: height`).to.be.at.least(44);
      expect(r.top, `${name}: in the lower part of the room`).to.be.greaterThan(own.top + own.height * 0.6);
      expect(r.right, `${name}: inside the room`).to.be.at.most(own.right + 1);
    }
    // Icon buttons keep their names for assistive technology.
    expect(buttons.map((b) => b.textContent.replace(/\s+/g, ' ').trim())).to.include.members(['Mute microphone', 'Leave', 'Participants']);

    // The list is not a column here: the Participants button opens it as a sheet.
    const list = root.querySelector('[part="participants"]') as HTMLElement;
    expect(shown(list)).to.equal(false);
    const toggle = root.querySelector<HTMLButtonElement>('[data-control="participants"]') as HTMLButtonElement;
    expect(toggle.getAttribute('aria-expanded')).to.equal('false');
    toggle.click();
    const close = await waitFor(() => root.querySelector<HTMLButtonElement>('[part~="sheet-close"]'), 'the sheet');
    await waitFor(() => shown(list) && root.activeElement === close, 'the sheet shown, its Close button focused');
    expect(toggle.getAttribute('aria-expanded')).to.equal('true');
    expect(inside(rect(list), rect(student)), 'the sheet inside the room').to.equal(true);
    expect(root.querySelector('participant-list')?.shadowRoot?.textContent).to.contain('Ann');
    await expectAccessible(student);
    await sendKeys({ press: 'Escape' });
    await waitFor(() => !shown(list) && root.activeElement === toggle, 'Escape closes the sheet; focus back on the button');
  });

  it('on a laptop (1280×800): labelled controls, the list as a column, the tutor\'s tiles inside the grid', async () => {
    const { tutor } = await room();
    const root = shadow(tutor);
    expect(shown(root.querySelector('[data-control="participants"]'))).to.equal(false);
    expect(shown(root.querySelector('[part="participants"]'))).to.equal(true);
    const leave = controlButtons(tutor).find((b) => b.getAttribute('data-control') === 'leave') as HTMLButtonElement;
    const label = leave.querySelector('.label') as HTMLElement;
    expect(rect(label).width, 'the Leave label is visible').to.be.greaterThan(20);
    const grid = root.querySelector('video-grid') as HTMLElement;
    // The grid sets its columns when its resize observer reports its size: a frame or two after the tiles appear.
    await waitFor(() => tilesOf(tutor).every((tile) => inside(rect(tile), rect(grid))), "the tutor's tiles inside the grid");
    await expectAccessible(tutor);
  });
});
