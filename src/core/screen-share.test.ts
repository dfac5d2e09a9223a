/**
 * Screen sharing between real sessions in this page through a real room
 * server. Headless Chromium's fake capture gives getDisplayMedia a 1280×720
 * screen; headless Firefox cannot capture (NotFoundError, or InvalidStateError
 * without a user gesture), so in Firefox a test checks that the failure is
 * reported and nothing is left half-shared; Firefox as a viewer runs in the
 * e2e suite.
 */
import { expect } from '@esm-bundle/chai';
import { useClassroom } from '../../test/browser/element-fixtures.js';
import { waitFor } from '../../test/browser/helpers.js';
import type { Classroom } from '../../test/browser/session-helpers.js';
import { SessionError } from './events.js';
import type { LiveSession } from './live-session.js';

const canCapture = !navigator.userAgent.includes('Firefox');

/** Frames and size of a stream, played in a muted video element. */
async function playing(stream: MediaStream | null): Promise<{ width: number; frames: number; stop: () => void }> {
  const video = document.createElement('video');
  video.muted = true;
  video.srcObject = stream;
  document.body.append(video);
  await video.play().catch(() => undefined);
  return {
    get width() {
      return video.videoWidth;
    },
    get frames() {
      return video.getVideoPlaybackQuality().totalVideoFrames;
    },
    stop: () => {
      video.srcObject = null;
      video.remove();
    },
  };
}

async function expectSharedFrames(viewer: LiveSession, label: string): Promise<number> {
  const stream = await waitFor(() => viewer.screenStream, `${label}: the share arrives`);
  const video = await playing(stream);
  try {
    await waitFor(() => video.width > 0, `${label}: the share has a size`);
    const first = video.frames;
    await waitFor(() => video.frames >= first + 3, `${label}: the share's frames advance`);
    return video.width;
  } finally {
    video.stop();
  }
}

describe('screen share', function () {
  this.timeout(60_000);
  let room: Classroom;
  useClassroom([], (r) => (room = r));

  if (!canCapture) {
    it('a browser that cannot capture rejects startScreenShare with its error, and the room never hears of a share', async () => {
      const tutor = await room.join('Tess', 'tutor');
      const sam = await room.join('Sam', 'student');
      const error = await tutor.startScreenShare().then(() => null, (e: unknown) => e as Error);
      // Nothing to capture (NotFoundError), or no user gesture in a test (InvalidStateError).
      expect(['NotFoundError', 'InvalidStateError', 'NotAllowedError']).to.include(error?.name);
      expect(tutor.isSharingScreen).to.equal(false);
      expect(tutor.screenShare.sharer).to.equal(null);
      expect(sam.screenShare.sharer).to.equal(null, 'the room never heard of a share');
    });
    it('a student is refused without the tutor’s leave', async () => {
      await room.join('Tess', 'tutor');
      const sam = await room.join('Sam', 'student');
      const refused = await sam.startScreenShare().then(() => null, (e: unknown) => e);
      expect((refused as SessionError).code).to.equal('share-not-allowed');
    });
    return;
  }

  it('the tutor shares: a student sees it live, larger than the camera; a late joiner too; stopping ends it everywhere', async () => {
    const tutor = await room.join('Tess', 'tutor');
    const sam = await room.join('Sam', 'student');
    await room.expectSees(sam, tutor);
    const seen: Array<string | null> = [];
    sam.addEventListener('screen-share', (e) => seen.push(e.detail.sharer?.name ?? null));
    await tutor.startScreenShare();
    expect(tutor.isSharingScreen).to.equal(true);
    expect(tutor.screenStream?.getVideoTracks()[0]?.contentHint).to.equal('detail');
    const width = await expectSharedFrames(sam, 'Sam');
    const camera = sam.participants.find((p) => p.id === tutor.peerId)?.stream?.getVideoTracks()[0]?.getSettings().width ?? 0;
    expect(width, 'the share is sent larger than the camera').to.be.greaterThan(camera);
    expect(seen).to.deep.equal(['Tess']);
    const lee = await room.join('Lee', 'student');
    expect(lee.screenShare.sharer).to.equal(tutor.peerId);
    await expectSharedFrames(lee, 'Lee (late)');
    await tutor.stopScreenShare();
    await waitFor(() => sam.screenShare.sharer === null && sam.screenStream === null && lee.screenStream === null, 'gone for everyone');
    expect(tutor.screenStream).to.equal(null);
  });

  it('the browser’s own Stop sharing (the track ends) stops it everywhere', async () => {
    const tutor = await room.join('Tess', 'tutor');
    const sam = await room.join('Sam', 'student');
    await tutor.startScreenShare();
    await expectSharedFrames(sam, 'Sam');
    // What the browser does when its "Stop sharing" bar is clicked: the capture track ends.
    const track = tutor.screenStream?.getVideoTracks()[0];
    track?.stop();
    track?.dispatchEvent(new Event('ended'));
    await waitFor(() => sam.screenShare.sharer === null && !tutor.isSharingScreen, 'stopped');
  });

  it('a student may share only when the tutor allows it; a new share replaces the old one', async () => {
    const tutor = await room.join('Tess', 'tutor');
    const sam = await room.join('Sam', 'student');
    const refused = await sam.startScreenShare().then(() => null, (e: unknown) => e);
    expect(refused).to.be.instanceOf(SessionError);
    expect((refused as SessionError).code).to.equal('share-not-allowed');
    await tutor.startScreenShare();
    await waitFor(() => sam.screenShare.sharer === tutor.peerId, 'the tutor shares');
    tutor.setStudentsMayShare(true);
    await waitFor(() => sam.screenShare.studentsMayShare, 'allowed');
    const ended: string[] = [];
    tutor.addEventListener('screen-share-ended', (e) => ended.push(e.detail.reason));
    await sam.startScreenShare();
    await waitFor(() => ended.length === 1 && !tutor.isSharingScreen, "the tutor's share ended");
    await expectSharedFrames(tutor, 'the tutor watches Sam');
    tutor.setStudentsMayShare(false);
    await waitFor(() => !sam.isSharingScreen && tutor.screenShare.sharer === null, "forbidding ended Sam's share");
  });
});
