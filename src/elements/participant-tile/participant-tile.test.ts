import { expect } from '@esm-bundle/chai';
import { sendKeys } from '@web/test-runner-commands';
import { expectAccessible, expectLiveVideo, waitFor } from '../../../test/browser/helpers.js';
import type { Classroom } from '../../../test/browser/session-helpers.js';
import { mountElement, useClassroom } from '../../../test/browser/element-fixtures.js';
import { deepButtonNamed } from '../../../test/browser/shadow-query.js';
import type { LiveSession } from '../../core/live-session.js';
import './define.js';
import type { ParticipantTile } from './participant-tile.js';

/** A tile in `viewer`'s session for `subject`'s participant. */
async function mount(viewer: LiveSession, subject: LiveSession): Promise<ParticipantTile> {
  const participant = await waitFor(() => viewer.participants.find((p) => p.id === subject.peerId), `${subject.name} seen`);
  return mountElement('participant-tile', { session: viewer, participant }, { width: '320px' });
}

const part = (tile: ParticipantTile, name: string): HTMLElement | null =>
  tile.shadowRoot?.querySelector<HTMLElement>(`[part~="${name}"]`) ?? null;

describe('<participant-tile>', function () {
  this.timeout(60_000);
  let room: Classroom;
  useClassroom('participant-tile', (r) => (room = r));

  describe('accessibility', () => {
    it('has no axe violations with the camera on and off, and named tutor buttons', async () => {
      const tutor = await room.join('Tess', 'tutor');
      const sam = await room.join('Sam Lee', 'student');
      const tile = await mount(tutor, sam);
      await waitFor(() => part(tile, 'video'), 'video');
      // The tutor's buttons come with the participant's state, which may follow the video on a busy machine.
      await waitFor(() => deepButtonNamed(tile.shadowRoot as ShadowRoot, 'Mute Sam Lee'), 'the mute button');
      expect(deepButtonNamed(tile.shadowRoot as ShadowRoot, 'Remove Sam Lee')).to.exist;
      await expectAccessible(tile);
      await sam.setCameraEnabled(false);
      await waitFor(() => part(tile, 'placeholder'), 'placeholder');
      expect(part(tile, 'placeholder')?.getAttribute('aria-label')).to.equal('Sam Lee: Camera off');
      await expectAccessible(tile);
    });
  });

  describe('long names', () => {
    it('a name of 64 letters without a space is cut with an ellipsis; the microphone and camera indicators stay inside the tile', async () => {
      const tutor = await room.join('Tess', 'tutor');
      const long = await room.join('W'.repeat(64), 'student');
      const tile = await mount(tutor, long);
      const name = await waitFor(() => part(tile, 'name'), 'the name');
      const tileBox = tile.getBoundingClientRect();
      const indicators = [...(tile.shadowRoot?.querySelectorAll<HTMLElement>('[part="indicator"]') ?? [])];
      expect(indicators).to.have.length(2);
      for (const indicator of indicators) {
        const box = indicator.getBoundingClientRect();
        expect(box.width, 'the indicator keeps its size').to.be.greaterThan(0);
        expect(box.right, 'the indicator is inside the tile').to.be.at.most(tileBox.right);
        expect(box.right, 'the indicator is inside the name pill').to.be.at.most(name.getBoundingClientRect().right + 0.5);
      }
      const text = name.querySelector('span') as HTMLElement;
      expect(getComputedStyle(text).textOverflow).to.equal('ellipsis');
      expect(text.scrollWidth, 'the name is cut').to.be.greaterThan(text.clientWidth);
    });
  });

  describe('properties', () => {
    it('shows live video and follows the participant by id; state attributes are read-only and reflected', async () => {
      const tutor = await room.join('Tess', 'tutor');
      const sam = await room.join('Ann Lee', 'student');
      const tile = await mount(tutor, sam);
      await expectLiveVideo(await waitFor(() => part(tile, 'video') as HTMLVideoElement | null, 'video'), 'tile video');
      expect((part(tile, 'video') as HTMLVideoElement).muted, 'a remote tile plays sound').to.equal(false);
      expect(tile.hasAttribute('local')).to.equal(false);
      expect(tile.hasAttribute('camera-off')).to.equal(false);
      expect(() => ((tile as unknown as { muted: boolean }).muted = true)).to.throw();

      // The tile keeps the participant object it was given; it follows the session's newer state.
      await sam.setMicrophoneEnabled(false);
      await waitFor(() => tile.hasAttribute('muted'), 'muted reflected');
      expect(tile.muted).to.equal(true);
      await sam.setCameraEnabled(false);
      await waitFor(() => tile.hasAttribute('camera-off'), 'camera-off reflected');
      expect(part(tile, 'initials')?.textContent).to.equal('AL');
      sam.raiseHand();
      await waitFor(() => tile.hasAttribute('hand-raised'), 'hand-raised reflected');
      // The queue position arrives with the hand queue, right after the hand itself.
      await waitFor(() => part(tile, 'hand-badge')?.getAttribute('aria-label')?.includes('number 1'), 'queue position');
    });

    it('speaking is reflected from the audio level, without re-rendering', async () => {
      const tutor = await room.join('Tess', 'tutor');
      const sam = await room.join('Sam', 'student');
      const tile = await mount(tutor, sam);
      // Sam's fake microphone plays a tone.
      await waitFor(() => tile.hasAttribute('speaking'), 'speaking reflected');
      expect(tile.speaking).to.equal(true);
      await sam.setMicrophoneEnabled(false);
      await waitFor(() => !tile.hasAttribute('speaking'), 'not speaking while muted');
    });

    it('the local participant: muted video, reflected as local, no tutor buttons', async () => {
      const tutor = await room.join('Tess', 'tutor');
      const tile = await mount(tutor, tutor);
      const video = await waitFor(() => part(tile, 'video') as HTMLVideoElement | null, 'own video');
      expect(video.muted).to.equal(true);
      expect(tile.hasAttribute('local')).to.equal(true);
      expect(part(tile, 'tile-actions')).to.equal(null);
    });

    it('a student gets no tutor buttons', async () => {
      const tutor = await room.join('Tess', 'tutor');
      const sam = await room.join('Sam', 'student');
      const tile = await mount(sam, tutor);
      expect(part(tile, 'name')?.textContent).to.contain('Tess');
      expect(part(tile, 'tile-actions')).to.equal(null);
    });
  });

  describe('events', () => {
    it("the tutor's buttons act on the participant from the keyboard", async () => {
      const tutor = await room.join('Tess', 'tutor');
      const sam = await room.join('Sam', 'student');
      sam.raiseHand();
      const tile = await mount(tutor, sam);
      const lower = await waitFor(() => deepButtonNamed(tile.shadowRoot as ShadowRoot, "Lower Sam's hand"), 'lower-hand button');
      lower.focus();
      await sendKeys({ press: 'Enter' });
      await waitFor(() => !sam.isHandRaised, 'hand lowered');
      deepButtonNamed(tile.shadowRoot as ShadowRoot, 'Mute Sam')?.focus();
      await sendKeys({ press: ' ' });
      await waitFor(() => !sam.isAudioOn, 'Sam muted');
      await waitFor(() => deepButtonNamed(tile.shadowRoot as ShadowRoot, 'Ask Sam to unmute'), 'ask button');
    });
  });

  describe('parts and theme', () => {
    it('exposes its parts and reads the public tokens from any ancestor', async () => {
      const tutor = await room.join('Tess', 'tutor');
      const sam = await room.join('Sam', 'student');
      const page = document.createElement('div');
      page.style.setProperty('--live-session-tile-background', 'rgb(4, 5, 6)');
      page.style.setProperty('--live-session-speaking', 'rgb(7, 8, 9)');
      document.body.append(page);
      const sheet = new CSSStyleSheet();
      sheet.replaceSync('participant-tile[hand-raised]::part(name) { color: rgb(30, 40, 50); }');
      document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
      try {
        const tile = await mount(tutor, sam);
        page.append(tile);
        expect(getComputedStyle(tile).backgroundColor).to.equal('rgb(4, 5, 6)');
        expect(getComputedStyle(tile, '::after').borderTopColor).to.equal('rgb(7, 8, 9)');
        sam.raiseHand();
        await waitFor(() => tile.hasAttribute('hand-raised'), 'hand raised');
        expect(getComputedStyle(part(tile, 'name') as Element).color).to.equal('rgb(30, 40, 50)');
      } finally {
        document.adoptedStyleSheets = document.adoptedStyleSheets.filter((s) => s !== sheet);
        page.remove();
      }
    });
  });

  describe('lifecycle', () => {
    it('mounting and unmounting leaves no listener on the session', async () => {
      const tutor = await room.join('Tess', 'tutor');
      const sam = await room.join('Sam', 'student');
      let listeners = 0;
      const add = tutor.addEventListener.bind(tutor);
      const remove = tutor.removeEventListener.bind(tutor);
      tutor.addEventListener = ((type: string, listener: EventListener, options?: boolean | AddEventListenerOptions) => {
        listeners++;
        add(type, listener, options);
      });
      tutor.removeEventListener = ((type: string, listener: EventListener, options?: boolean | EventListenerOptions) => {
        listeners--;
        remove(type, listener, options);
      });
      for (let i = 0; i < 20; i++) (await mount(tutor, sam)).remove();
      expect(listeners).to.equal(0);
      const kept = await mount(tutor, sam);
      // While mounted: the change subscription and the speaking listener.
      expect(listeners).to.equal(2);
      kept.remove();
      expect(listeners).to.equal(0);
    });

    it('a removed tile lets go of its stream; moved or put back, it shows the video again', async () => {
      const tutor = await room.join('Tess', 'tutor');
      const sam = await room.join('Sam', 'student');
      const tile = await mount(tutor, sam);
      const video = await waitFor(() => part(tile, 'video') as HTMLVideoElement | null, 'video');
      await expectLiveVideo(video, 'tile video');
      const stream = video.srcObject;
      // A move in the DOM (disconnected and connected in one go) changes nothing.
      const holder = document.createElement('div');
      document.body.append(holder);
      holder.append(tile);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(video.srcObject, 'kept across a move').to.equal(stream);
      // Removed: the browser would keep a video with a stream (and the tile) alive.
      tile.remove();
      await waitFor(() => video.srcObject === null, 'stream released');
      holder.append(tile);
      expect(video.srcObject, 'stream back').to.equal(stream);
      await expectLiveVideo(video, 'tile video again');
      holder.remove();
    });
  });
});
