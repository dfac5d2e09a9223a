import { expect } from '@esm-bundle/chai';
import { sendKeys } from '@web/test-runner-commands';
import {
  expectAccessible,
  expectLiveVideo,
  waitFor,
} from '../../../test/browser/helpers.js';
import type { Classroom } from '../../../test/browser/session-helpers.js';
import { mountElement, useClassroom } from '../../../test/browser/element-fixtures.js';
import { deepButtonNamed, deepQuery } from '../../../test/browser/shadow-query.js';
import type { LiveSession } from '../../core/live-session.js';
import './define.js';
import type { VideoGrid } from './video-grid.js';

const mount = (session: LiveSession): Promise<VideoGrid> => mountElement('video-grid', { session }, { width: '640px', height: '360px' });

function tiles(grid: VideoGrid): HTMLElement[] {
  return [...(grid.shadowRoot?.querySelectorAll<HTMLElement>('[data-participant]') ?? [])];
}

describe('<video-grid>', function () {
  this.timeout(60_000);
  let room: Classroom;
  useClassroom('video-grid', (r) => (room = r));

  describe('student view', () => {
    it('says "Waiting for the tutor" until the tutor comes, then shows the tutor large with live video', async () => {
      const student = await room.join('Sam', 'student');
      const grid = await mount(student);
      expect(grid.view).to.equal('student');
      expect(grid.shadowRoot?.querySelector('[part="waiting"]')?.textContent).to.contain('Waiting for the tutor');
      await expectAccessible(grid);
      const tutor = await room.join('Tess', 'tutor');
      const main = await waitFor(
        () => grid.shadowRoot?.querySelector<HTMLElement>(`[data-participant="${tutor.peerId ?? ''}"][data-main]`),
        'tutor tile',
      );
      expect(grid.shadowRoot?.querySelector('[part="waiting"]')).to.equal(null);
      const video = await waitFor(() => main.shadowRoot?.querySelector('video'), 'tutor video element');
      await expectLiveVideo(video, 'tutor tile video');
      expect(video.muted).to.equal(false); // Remote sound plays from the tile.
      // The tutor's fake microphone plays a tone: the tile is highlighted as speaking.
      await waitFor(() => main.hasAttribute('speaking'), 'speaking highlight');
      await expectAccessible(grid);
    });

    it('shows classmates in a strip (mesh)', async () => {
      await room.join('Tess', 'tutor');
      const sam = await room.join('Sam', 'student');
      await room.join('Ann', 'student');
      const grid = await mount(sam);
      await waitFor(() => tiles(grid).length === 2, 'tutor and one classmate');
      const strip = grid.shadowRoot?.querySelector('[part="strip"]');
      expect(strip?.querySelectorAll('[data-participant]').length).to.equal(1);
      expect(strip?.querySelector('participant-tile')?.shadowRoot?.querySelector('[part="name"]')?.textContent).to.contain('Ann');
    });
  });

  describe('tutor view', () => {
    it('pages the grid when the tiles would be too small to read, with Previous and Next; one page again when there is room', async () => {
      const tutor = await room.join('Tess', 'tutor');
      const students = [await room.join('Ann', 'student', { video: false, audio: false }), await room.join('Ben', 'student', { video: false, audio: false }), await room.join('Cid', 'student', { video: false, audio: false })];
      const grid = await mountElement('video-grid', { session: tutor }, { width: '300px', height: '150px', 'min-height': '0' });
      const status = (): string => grid.shadowRoot?.querySelector('[part="page-status"]')?.textContent.trim() ?? '';
      const shown = (): string[] => tiles(grid).map((t) => t.getAttribute('data-participant') ?? '');
      await waitFor(() => status() === 'Page 1 of 3', 'three pages of one tile');
      expect(shown()).to.have.length(1);
      const previous = grid.shadowRoot?.querySelector<HTMLButtonElement>('[part="page-previous"]');
      const next = grid.shadowRoot?.querySelector<HTMLButtonElement>('[part="page-next"]');
      expect(previous?.disabled).to.equal(true);
      expect(grid.shadowRoot?.querySelector('[part="pager"]')?.getAttribute('aria-label')).to.equal('Pages');
      const seen = new Set(shown());
      next?.click();
      await waitFor(() => status() === 'Page 2 of 3', 'page 2');
      shown().forEach((id) => seen.add(id));
      next?.click();
      await waitFor(() => status() === 'Page 3 of 3', 'page 3');
      shown().forEach((id) => seen.add(id));
      expect(next?.disabled).to.equal(true);
      expect([...seen].sort()).to.deep.equal(students.map((p) => p.peerId ?? '').sort(), 'every student on some page');
      await expectAccessible(grid);
      // Room enough: one page, no page bar.
      grid.style.width = '900px';
      grid.style.height = '600px';
      await waitFor(() => tiles(grid).length === 3 && !grid.shadowRoot?.querySelector('[part="pager"]'), 'all three on one page');
    });

    it('shows every student in a grid with names, indicators and a camera-off placeholder', async () => {
      const tutor = await room.join('Tess', 'tutor');
      const grid = await mount(tutor);
      expect(grid.view).to.equal('tutor');
      expect(grid.shadowRoot?.querySelector('[part="empty"]')).to.exist;
      const ann = await room.join('Ann Lee', 'student');
      const ben = await room.join('Ben', 'student');
      await waitFor(() => tiles(grid).length === 2, 'two student tiles');
      expect(grid.shadowRoot?.querySelector('[part="grid"]')).to.exist;
      await ann.setCameraEnabled(false);
      const annTile = await waitFor(
        () => grid.shadowRoot?.querySelector<HTMLElement>(`[data-participant="${ann.peerId ?? ''}"][camera-off]`),
        'Ann camera off',
      );
      expect(annTile.shadowRoot?.querySelector('[part="initials"]')?.textContent).to.equal('AL');
      const benTile = grid.shadowRoot?.querySelector<HTMLElement>(`[data-participant="${ben.peerId ?? ''}"]`);
      const benVideo = await waitFor(() => benTile?.shadowRoot?.querySelector('video'), 'Ben video');
      await expectLiveVideo(benVideo, 'Ben in the grid');
      await expectAccessible(grid);
    });

    it('per-tile actions are real named buttons that work from the keyboard', async () => {
      const tutor = await room.join('Tess', 'tutor');
      const sam = await room.join('Sam', 'student');
      sam.raiseHand();
      const grid = await mount(tutor);
      const mute = await waitFor(() => grid.shadowRoot && deepButtonNamed(grid.shadowRoot, 'Mute Sam'), 'Mute Sam button');
      await waitFor(() => deepButtonNamed(grid.shadowRoot as ShadowRoot, "Lower Sam's hand"), 'lower-hand button once the hand is up');
      expect(deepButtonNamed(grid.shadowRoot as ShadowRoot, 'Remove Sam')).to.exist;
      // The badge shows at once (optimistic); its queue position comes with the server's hand queue.
      const badge = await waitFor(() => deepQuery(grid.shadowRoot as ShadowRoot, '[part="hand-badge"]'), 'hand badge');
      await waitFor(() => tutor.handQueue.length === 1, "the server's hand queue");
      await grid.updateComplete;
      expect(badge.getAttribute('aria-label')).to.contain('number 1');

      mute.focus();
      await sendKeys({ press: 'Enter' });
      await waitFor(() => !sam.isAudioOn, 'Sam muted by keyboard');
      const ask = await waitFor(() => grid.shadowRoot && deepButtonNamed(grid.shadowRoot, 'Ask Sam to unmute'), 'ask button');
      const lower = deepButtonNamed(grid.shadowRoot as ShadowRoot, "Lower Sam's hand");
      lower?.focus();
      await sendKeys({ press: ' ' });
      await waitFor(() => !sam.isHandRaised, 'hand lowered by keyboard');
      expect(ask).to.exist;
    });

    it('students get no moderation buttons', async () => {
      await room.join('Tess', 'tutor');
      const sam = await room.join('Sam', 'student');
      const grid = await mount(sam);
      await waitFor(() => tiles(grid).length === 1, 'tutor tile');
      expect(deepQuery(grid.shadowRoot as ShadowRoot, '[part="tile-actions"]')).to.equal(null);
    });
  });

  describe('connection quality', () => {
    it('each tile shows its connection as three labelled bars, the latest figures as a tooltip; your own quality is measured too', async () => {
      const tutor = await room.join('Tess', 'tutor', { audio: false });
      const sam = await room.join('Sam', 'student', { audio: false });
      const grid = await mount(tutor);
      const tile = await waitFor(() => grid.shadowRoot?.querySelector<HTMLElement>(`participant-tile[data-participant="${sam.peerId ?? ''}"]`), "Sam's tile");
      // Two readings 2 s apart after the connection is up: a verdict.
      const bars = await waitFor(() => tile.shadowRoot?.querySelector<HTMLElement>('[part="quality"]'), 'the connection indicator', 20_000);
      expect(bars.getAttribute('data-quality')).to.equal('good');
      expect(bars.getAttribute('role')).to.equal('img');
      expect(bars.getAttribute('aria-label')).to.equal('Connection: good');
      bars.dispatchEvent(new PointerEvent('pointerenter'));
      expect(bars.title).to.match(/round trip \d+ ms/);
      expect(tutor.connectionFigures(sam.peerId ?? '')?.rttMs).to.be.a('number');
      expect(tutor.participants.find((p) => p.isLocal)?.connectionQuality).to.equal('good');
      await expectAccessible(grid);
      // Gone with the connection: nothing left measured.
      await sam.leave();
      await waitFor(() => tutor.participants.find((p) => p.isLocal)?.connectionQuality === null, 'own quality cleared with the last connection', 10_000);
    });
  });

  describe('incoming video off', () => {
    it('the others stop sending their camera to that student only (encoder paused, no frames arrive), tiles show initials, and it comes back when turned on', async () => {
      // A budget two students split (600 kbit/s each): with one paused, the other gets it whole.
      const tutor = await room.join('Tess', 'tutor', { audio: false, videoBudgetBps: 1_200_000 });
      const sam = await room.join('Sam', 'student', { audio: false });
      const ann = await room.join('Ann', 'student', { audio: false });
      const grid = await mount(sam);
      const tutorTile = await waitFor(() => grid.shadowRoot?.querySelector<HTMLElement>(`participant-tile[data-participant="${tutor.peerId ?? ''}"]`), "the tutor's tile");
      await expectLiveVideo(await waitFor(() => tutorTile.shadowRoot?.querySelector('video'), 'tutor video'), 'tutor video before');
      /** Video frames Sam has decoded from everyone, and whether the tutor's camera encoder for Sam (and for Ann) is active. */
      const framesAtSam = async (): Promise<number> => {
        let frames = 0;
        for (const pc of sam.peerConnections) (await pc.getStats()).forEach((r: { type: string; kind?: string; framesDecoded?: number }) => (frames += r.type === 'inbound-rtp' && r.kind === 'video' ? (r.framesDecoded ?? 0) : 0));
        return frames;
      };
      const tutorSendsTo = (peer: LiveSession): boolean => {
        // The tutor's connection to `peer`: the one whose receivers carry that peer's stream.
        const tracks = new Set(tutor.participants.find((p) => p.id === peer.peerId)?.stream?.getTracks().map((t) => t.id));
        const pc = tutor.peerConnections.find((c) => c.getReceivers().some((r) => tracks.has(r.track.id)));
        return pc?.getSenders().find((sender) => sender.track?.kind === 'video')?.getParameters().encodings.every((e) => e.active !== false) ?? false;
      };
      const tutorBitrateTo = (peer: LiveSession): number | undefined => {
        const tracks = new Set(tutor.participants.find((p) => p.id === peer.peerId)?.stream?.getTracks().map((t) => t.id));
        const pc = tutor.peerConnections.find((c) => c.getReceivers().some((r) => tracks.has(r.track.id)));
        return pc?.getSenders().find((sender) => sender.track?.kind === 'video')?.getParameters().encodings[0]?.maxBitrate;
      };
      await waitFor(() => tutorBitrateTo(ann) === 600_000, "Ann's share of the budget, split two ways");
      expect(sam.incomingVideo).to.equal(true);
      sam.setIncomingVideo(false);
      await waitFor(() => tutor.participants.find((p) => p.id === sam.peerId)?.incomingVideoOff === true, 'the tutor hears of it');
      await waitFor(() => !tutorSendsTo(sam), "the tutor's encoder for Sam paused");
      expect(tutorSendsTo(ann), 'Ann still gets the tutor').to.equal(true);
      await waitFor(() => tutorBitrateTo(ann) === 1_200_000, "Sam's share goes to Ann");
      const placeholder = await waitFor(() => tutorTile.shadowRoot?.querySelector('[part="placeholder"]'), 'initials on the tutor tile');
      expect(placeholder.getAttribute('aria-label')).to.contain('video paused');
      await new Promise((r) => setTimeout(r, 1000)); // Frames in flight land.
      const before = await framesAtSam();
      await new Promise((r) => setTimeout(r, 1500));
      expect(await framesAtSam(), 'no video frames reach Sam').to.equal(before);
      await expectAccessible(grid);

      sam.setIncomingVideo(true);
      await waitFor(() => tutorSendsTo(sam), "the tutor's encoder for Sam active again");
      await waitFor(() => tutorBitrateTo(ann) === 600_000, 'split two ways again');
      await expectLiveVideo(await waitFor(() => tutorTile.shadowRoot?.querySelector<HTMLVideoElement>('video:not([hidden])'), 'tutor video back'), 'tutor video after');
      expect(await framesAtSam()).to.be.greaterThan(before);
    });
  });

  describe('speaker layout and pins', () => {
    it('shows whoever speaks large, a pinned participant instead while pinned, and unpins someone who leaves', async () => {
      const tutor = await room.join('Tess', 'tutor', { audio: false });
      const ann = await room.join('Ann', 'student', { video: false, audio: false });
      // Ben's fake microphone plays a tone: he is the one speaking.
      const ben = await room.join('Ben', 'student', { video: false });
      const grid = await mountElement('video-grid', { session: tutor, layout: 'speaker' }, { width: '640px', height: '400px' });
      const main = (): string | null => grid.shadowRoot?.querySelector('participant-tile[data-main]')?.getAttribute('data-participant') ?? null;
      const tileOf = (id: string | null): HTMLElement | null | undefined => grid.shadowRoot?.querySelector<HTMLElement>(`participant-tile[data-participant="${id ?? ''}"]`);
      const pinButton = (id: string | null): HTMLButtonElement | null | undefined => tileOf(id)?.shadowRoot?.querySelector<HTMLButtonElement>('[part="pin-button"]');
      const pins: (string | null)[] = [];
      grid.addEventListener('ls-pinned-changed', (event) => pins.push((event as CustomEvent<{ participantId: string | null }>).detail.participantId));
      expect(grid.getAttribute('layout')).to.equal('speaker');

      await waitFor(() => main() === ben.peerId, 'Ben, who speaks, shown large');
      expect(grid.shadowRoot?.querySelector('[part="strip"] [data-participant]')?.getAttribute('data-participant')).to.equal(ann.peerId);
      await expectAccessible(grid);

      // Pin Ann from her strip tile: she takes the stage although Ben speaks.
      const annPin = await waitFor(() => pinButton(ann.peerId), "Ann's pin button");
      expect(annPin.getAttribute('aria-label')).to.equal('Pin Ann');
      expect(annPin.getAttribute('aria-pressed')).to.equal('false');
      annPin.click();
      await waitFor(() => main() === ann.peerId, 'Ann pinned large');
      expect(grid.pinned).to.equal(ann.peerId);
      const pressed = await waitFor(() => (pinButton(ann.peerId)?.getAttribute('aria-pressed') === 'true' ? pinButton(ann.peerId) : null), 'pin shown pressed');
      expect(pressed.getAttribute('aria-label')).to.equal('Unpin Ann');
      await expectAccessible(grid);
      pressed.click();
      await waitFor(() => main() === ben.peerId, 'unpinned: the speaker again');
      expect(grid.pinned).to.equal(null);

      // The grid layout: no stage until someone is pinned; a pinned participant who leaves is unpinned.
      grid.layout = 'grid';
      await waitFor(() => main() === null && grid.shadowRoot?.querySelector('[part="grid"]'), 'the plain grid');
      (await waitFor(() => pinButton(ben.peerId), "Ben's pin button in the grid")).click();
      await waitFor(() => main() === ben.peerId, 'Ben pinned large in the grid layout');
      const benId = ben.peerId;
      void ben.leave();
      await waitFor(() => grid.pinned === null && main() === null && tiles(grid).length === 1, 'Ben gone, unpinned, the grid again');
      expect(pins).to.deep.equal([ann.peerId, null, benId, null]);
    });
  });

  describe('styling and strings', () => {
    it('applies the gap custom property and replaced strings', async () => {
      const tutor = await room.join('Tess', 'tutor');
      const grid = await mount(tutor);
      grid.strings = { noStudentsYet: 'Noch keine Schüler' };
      grid.style.setProperty('--live-session-gap', '21px');
      await grid.updateComplete;
      expect(grid.shadowRoot?.textContent).to.contain('Noch keine Schüler');
      await room.join('Ann', 'student');
      const gridPart = await waitFor(() => grid.shadowRoot?.querySelector<HTMLElement>('[part="grid"]'), 'grid');
      expect(getComputedStyle(gridPart).columnGap).to.equal('21px');
    });
  });

  describe('theme', () => {
    it('a --live-session-* value set on an ancestor reaches the tiles', async () => {
      const tutor = await room.join('Tess', 'tutor');
      const page = document.createElement('div');
      page.style.setProperty('--live-session-tile-background', 'rgb(4, 5, 6)');
      page.style.setProperty('--live-session-speaking', 'rgb(10, 11, 12)');
      document.body.append(page);
      try {
        const grid = await mount(tutor);
        page.append(grid);
        await room.join('Ann', 'student');
        const tile = await waitFor(() => grid.shadowRoot?.querySelector<HTMLElement>('[data-participant]'), 'a tile');
        expect(getComputedStyle(tile).backgroundColor).to.equal('rgb(4, 5, 6)');
        expect(getComputedStyle(tile, '::after').borderTopColor).to.equal('rgb(10, 11, 12)');
      } finally {
        page.remove();
      }
    });
  });

  describe('parts and events', () => {
    it('forwards the tile parts under their names; view is read-only and reflected', async () => {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(`
        video-grid::part(tile) { outline: 4px solid rgb(20, 30, 40); }
        video-grid::part(name) { color: rgb(50, 60, 70); }
        video-grid[view='tutor']::part(grid) { column-gap: 13px; }`);
      document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
      try {
        const tutor = await room.join('Tess', 'tutor');
        const grid = await mount(tutor);
        expect(grid.getAttribute('view')).to.equal('tutor');
        expect(() => ((grid as unknown as { view: string }).view = 'student')).to.throw();
        await room.join('Ann', 'student');
        const tile = await waitFor(() => grid.shadowRoot?.querySelector<HTMLElement>('participant-tile'), 'a tile');
        expect(getComputedStyle(tile).outlineColor).to.equal('rgb(20, 30, 40)');
        const name = await waitFor(() => tile.shadowRoot?.querySelector('[part="name"]'), 'name badge');
        expect(getComputedStyle(name).color).to.equal('rgb(50, 60, 70)');
        expect(getComputedStyle(grid.shadowRoot?.querySelector('[part="grid"]') as Element).columnGap).to.equal('13px');
      } finally {
        document.adoptedStyleSheets = document.adoptedStyleSheets.filter((s) => s !== sheet);
      }
    });

    it('a tile whose sound the browser blocks brings the "Click to enable audio" button, which starts it', async () => {
      const tutor = await room.join('Tess', 'tutor');
      const sam = await room.join('Sam', 'student');
      const grid = await mount(sam);
      const tile = await waitFor(() => grid.shadowRoot?.querySelector('participant-tile'), 'tutor tile');
      await expectLiveVideo(await waitFor(() => tile.shadowRoot?.querySelector('video'), 'tutor video'), 'tutor video');
      // What a tile reports when play() is refused with NotAllowedError.
      tile.dispatchEvent(new CustomEvent('ls-autoplay-blocked', { detail: { participantId: tutor.peerId ?? '' }, bubbles: true }));
      const button = await waitFor(() => deepButtonNamed(grid.shadowRoot as ShadowRoot, 'Click to enable audio'), 'enable-audio button');
      button.click();
      await waitFor(() => !deepButtonNamed(grid.shadowRoot as ShadowRoot, 'Click to enable audio'), 'button gone once playing');
      await waitFor(() => tile.shadowRoot?.querySelector('video')?.paused === false, 'the video plays');
    });
  });

  describe('lifecycle', () => {
    it('unmounted grids stop following the session', async () => {
      const tutor = await room.join('Tess', 'tutor');
      const grid = await mount(tutor);
      grid.remove();
      let updates = 0;
      const original = grid.requestUpdate.bind(grid);
      grid.requestUpdate = (...args: Parameters<VideoGrid['requestUpdate']>) => {
        updates++;
        original(...args);
      };
      await room.join('Ann', 'student');
      await waitFor(() => tutor.participants.length === 2, 'Ann joined');
      expect(updates).to.equal(0);
    });
  });
});
