/**
 * The presentation layout and the share buttons, with real sessions through a
 * real room server. Headless Chromium's fake capture gives getDisplayMedia a
 * 1280×720 screen; headless Firefox cannot capture, so there the Share screen
 * button must say so and leave nothing half-shared.
 */
import { expect } from '@esm-bundle/chai';
import { sendKeys } from '@web/test-runner-commands';
import { expectAccessible, expectLiveVideo, waitFor } from '../../../test/browser/helpers.js';
import type { Classroom } from '../../../test/browser/session-helpers.js';
import { mountElement, useClassroom } from '../../../test/browser/element-fixtures.js';
import { deepButtonNamed } from '../../../test/browser/shadow-query.js';
import type { LiveSession } from '../../core/live-session.js';
import '../session-controls/define.js';
import type { SessionControls } from '../session-controls/session-controls.js';
import './define.js';
import type { VideoGrid } from './video-grid.js';

const canCapture = !navigator.userAgent.includes('Firefox');

const mountGrid = (session: LiveSession): Promise<VideoGrid> => mountElement('video-grid', { session }, { width: '640px', height: '360px' });
const mountControls = (session: LiveSession): Promise<SessionControls> => mountElement('session-controls', { session });

function button(root: Element, name: string): HTMLButtonElement | null {
  return deepButtonNamed(root, name);
}

describe('<video-grid> presentation and the share buttons', function () {
  this.timeout(60_000);
  let room: Classroom;
  useClassroom(['video-grid', 'session-controls'], (r) => (room = r));

  if (canCapture) {
    it('Share screen in the tutor’s bar puts the share large in the student’s grid (fitted, captioned, cameras in the strip, tutor first); the tutor sees a small preview; Stop sharing ends it', async () => {
      const tutor = await room.join('Tess', 'tutor');
      const sam = await room.join('Sam', 'student');
      await room.join('Ann', 'student');
      const controls = await mountControls(tutor);
      const studentGrid = await mountGrid(sam);
      const tutorGrid = await mountGrid(tutor);
      await room.expectSees(sam, tutor);

      const share = await waitFor(() => button(controls, 'Share screen'), 'the Share screen button');
      expect(share.getAttribute('aria-pressed')).to.equal('false');
      share.click();
      await waitFor(() => tutor.isSharingScreen, 'the tutor shares');
      const stop = await waitFor(() => button(controls, 'Stop sharing'), 'the button turns into Stop sharing');
      expect(stop.getAttribute('aria-pressed')).to.equal('true');

      await waitFor(() => studentGrid.presenting && studentGrid.hasAttribute('presenting'), "the student's grid presents");
      const root = await waitFor(() => studentGrid.shadowRoot, 'the grid renders');
      const video = await waitFor(() => root.querySelector<HTMLVideoElement>('[part~="screen-video"]'), 'the share video');
      await expectLiveVideo(video, 'the share');
      expect(getComputedStyle(video).objectFit).to.equal('contain');
      expect(root.querySelector('[part~="screen-caption"]')?.textContent).to.equal("Tess's screen");
      const strip = [...root.querySelectorAll<HTMLElement>('[part~="strip"] participant-tile')].map((t) => t.dataset['participant']);
      expect(strip[0]).to.equal(tutor.peerId, "the tutor's camera leads the strip");
      expect(strip).to.have.length(2);
      const cameraWidth = sam.participants.find((p) => p.id === tutor.peerId)?.stream?.getVideoTracks()[0]?.getSettings().width ?? 0;
      expect(video.videoWidth, 'the share is sent larger than the camera').to.be.greaterThan(cameraWidth);
      expect(button(studentGrid, 'Full screen')).to.not.equal(null);
      await expectAccessible(studentGrid);

      // The sharer: no mirror of its own share, a small preview that says so.
      const preview = await waitFor(() => tutorGrid.shadowRoot?.querySelector('[part~="screen-preview"]'), 'the sharer’s preview');
      expect(preview.textContent).to.contain('You are sharing your screen');
      expect(tutorGrid.presenting).to.equal(false);
      expect(tutorGrid.shadowRoot?.querySelector('[part~="screen"]')).to.equal(null);

      stop.click();
      await waitFor(() => !studentGrid.presenting && sam.screenShare.sharer === null, 'the layout returns');
      await waitFor(() => studentGrid.shadowRoot?.querySelector('participant-tile[data-main]'), 'the tutor large again');
      expect(tutorGrid.shadowRoot?.querySelector('[part~="screen-preview"]')).to.equal(null);
      expect(button(controls, 'Share screen')).to.not.equal(null);
    });

    it('Full screen works from the keyboard', async () => {
      const tutor = await room.join('Tess', 'tutor');
      const sam = await room.join('Sam', 'student');
      const grid = await mountGrid(sam);
      await tutor.startScreenShare();
      const full = await waitFor(() => button(grid, 'Full screen'), 'the Full screen button');
      full.focus();
      await sendKeys({ press: 'Enter' });
      await waitFor(() => document.fullscreenElement === grid, 'the share fills the screen');
      await document.exitFullscreen();
    });
  } else {
    it('where the browser cannot capture, Share screen says so and nothing is shared', async () => {
      const tutor = await room.join('Tess', 'tutor');
      const sam = await room.join('Sam', 'student');
      const controls = await mountControls(tutor);
      const studentGrid = await mountGrid(sam);
      const share = await waitFor(() => button(controls, 'Share screen'), 'the Share screen button');
      share.click();
      const alert = await waitFor(() => controls.shadowRoot?.querySelector('[part~="share-error"]'), 'the reason');
      expect(alert.getAttribute('role')).to.equal('alert');
      expect(alert.textContent).to.equal('The screen could not be shared.');
      expect(tutor.isSharingScreen).to.equal(false);
      expect(tutor.screenShare.sharer).to.equal(null);
      expect(studentGrid.presenting).to.equal(false);
    });
  }

  it('a student gets Share screen only once the tutor allows it ("Students may share")', async () => {
    const tutor = await room.join('Tess', 'tutor');
    const sam = await room.join('Sam', 'student');
    const tutorControls = await mountControls(tutor);
    const samControls = await mountControls(sam);
    expect(button(samControls, 'Share screen')).to.equal(null);
    expect(button(samControls, 'Students may share')).to.equal(null, 'the policy is the tutor’s');
    const allow = await waitFor(() => button(tutorControls, 'Students may share'), 'the tutor’s switch');
    expect(allow.getAttribute('aria-pressed')).to.equal('false');
    allow.click();
    await waitFor(() => button(samControls, 'Share screen'), 'Share screen appears for the student');
    expect(allow.getAttribute('aria-pressed')).to.equal('true');
    button(tutorControls, 'Students may share')?.click();
    await waitFor(() => button(samControls, 'Share screen') === null, 'gone again');
  });
});
