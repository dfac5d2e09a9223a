/**
 * Floor control between real sessions in this page, through a real room
 * server: talking-stick mode, invite → accept → the tutor hears the student
 * (audio energy from the tutor's getStats), end turn.
 */
import { expect } from '@esm-bundle/chai';
import { useClassroom } from '../../test/browser/element-fixtures.js';
import { waitFor } from '../../test/browser/helpers.js';
import type { Classroom } from '../../test/browser/session-helpers.js';
import type { SessionErrorDetail } from './events.js';
import type { LiveSession } from './live-session.js';
import '../elements/session-controls/define.js';
import '../elements/participant-tile/define.js';

/** Audio energy the viewer has received from `subject` so far (inbound-rtp `totalAudioEnergy`). */
async function audioEnergy(viewer: LiveSession, subject: LiveSession): Promise<number> {
  const link = viewer.participants.find((p) => p.id === subject.peerId);
  const track = link?.stream?.getAudioTracks()[0];
  if (!track) return 0;
  let energy = 0;
  for (const pc of viewer.peerConnections) {
    const receiver = pc.getReceivers().find((r) => r.track === track);
    if (!receiver) continue;
    (await receiver.getStats()).forEach((report: { type: string; totalAudioEnergy?: number }) => {
      if (report.type === 'inbound-rtp') energy += report.totalAudioEnergy ?? 0;
    });
  }
  return energy;
}

describe('floor control', function () {
  this.timeout(60_000);
  let room: Classroom;
  useClassroom([], (r) => (room = r));

  it('talking stick: a student cannot unmute; invited and accepting, the tutor hears them; ending the turn mutes them', async () => {
    const tutor = await room.join('Tess', 'tutor');
    const sam = await room.join('Sam', 'student');
    await room.expectSees(tutor, sam);
    expect(sam.isAudioOn).to.equal(true);
    tutor.setTalkingStick(true);
    await waitFor(() => !sam.isAudioOn && sam.floor.talkingStick, 'Sam muted by the talking stick');
    await waitFor(() => tutor.participants.find((p) => p.name === 'Sam')?.isAudioOn === false, 'the tutor sees it');
    expect(tutor.isAudible(sam.peerId ?? '')).to.equal(false);

    const errors: SessionErrorDetail[] = [];
    sam.addEventListener('error', (e) => errors.push(e.detail));
    await sam.setMicrophoneEnabled(true);
    expect(sam.isAudioOn).to.equal(false);
    expect(errors.map((e) => e.code)).to.deep.equal(['floor-required']);

    const invitations: string[] = [];
    sam.addEventListener('speak-invited', (e) => invitations.push(e.detail.by?.name ?? '?'));
    sam.raiseHand();
    await waitFor(() => tutor.handQueue.includes(sam.peerId ?? ''), 'hand up');
    tutor.inviteToSpeak(sam.peerId ?? '');
    await waitFor(() => invitations.length === 1, 'Sam is invited');
    expect(invitations).to.deep.equal(['Tess']);
    expect(sam.floor.invited).to.include(sam.peerId);
    sam.answerInvitation(true);
    await waitFor(() => sam.isAudioOn, 'Sam unmuted on accepting');
    await waitFor(() => tutor.participants.find((p) => p.name === 'Sam')?.isAudioOn === true && tutor.floor.speakers.includes(sam.peerId ?? ''), 'the tutor sees Sam speak');
    expect(tutor.isAudible(sam.peerId ?? '')).to.equal(true);
    expect(tutor.handQueue).to.not.include(sam.peerId, 'accepting lowered the hand');
    // Play Sam's sound at the tutor (a browser decodes received audio only for a sink), then measure it.
    const player = new Audio();
    player.srcObject = tutor.participants.find((p) => p.id === sam.peerId)?.stream ?? null;
    player.volume = 0.01;
    await player.play().catch(() => undefined);
    try {
      const before = await audioEnergy(tutor, sam);
      await waitFor(async () => (await audioEnergy(tutor, sam)) > before, 'the tutor receives sound from Sam');
    } finally {
      player.pause();
      player.srcObject = null;
    }

    tutor.endTurn(sam.peerId ?? '');
    await waitFor(() => !sam.isAudioOn && sam.floor.speakers.length === 0, 'the turn ended');
    await sam.setMicrophoneEnabled(true);
    expect(sam.isAudioOn, 'no floor, no microphone').to.equal(false);
  });

  it("a student whose page ignores the tutor's mute and keeps sending sound is not played: a muted participant's tile stays silent", async () => {
    const tutor = await room.join('Tess', 'tutor');
    const sam = await room.join('Sam', 'student');
    await room.expectSees(tutor, sam);
    const tile = document.createElement('participant-tile');
    tile.session = tutor;
    tile.participant = tutor.participants.find((p) => p.id === sam.peerId);
    document.body.append(tile);
    try {
      const video = await waitFor(() => tile.shadowRoot?.querySelector('video'), "Sam's video in the tile");
      expect(video.muted, 'a student with the microphone on is heard').to.equal(false);
      tutor.muteParticipant(sam.peerId ?? '');
      await waitFor(() => tutor.participants.find((p) => p.id === sam.peerId)?.isAudioOn === false, 'the tutor sees Sam muted');
      // A modified page: the microphone back on by hand, the room told nothing.
      const track = sam.localStream?.getAudioTracks()[0];
      expect(track, 'Sam has a microphone track').to.not.equal(undefined);
      if (track) track.enabled = true;
      await waitFor(() => video.muted, "the tutor's tile does not play a participant the room knows as muted");
      expect(tutor.isAudible(sam.peerId ?? '')).to.equal(false);
      // Unmuting the honest way (the room is told): heard again.
      if (track) track.enabled = false;
      await sam.setMicrophoneEnabled(true);
      await waitFor(() => !video.muted, 'heard again once Sam unmutes');
    } finally {
      tile.remove();
    }
  });

  it('declining leaves the microphone off; a student who joins into talking-stick mode starts muted; turning it off frees everyone', async () => {
    const tutor = await room.join('Tess', 'tutor');
    const sam = await room.join('Sam', 'student');
    tutor.setTalkingStick(true);
    await waitFor(() => sam.floor.talkingStick, 'on');
    tutor.inviteToSpeak(sam.peerId ?? '');
    await waitFor(() => sam.floor.invited.includes(sam.peerId ?? ''), 'invited');
    sam.answerInvitation(false);
    await waitFor(() => tutor.floor.invited.length === 0, 'declined');
    expect(sam.isAudioOn).to.equal(false);
    const lee = await room.join('Lee', 'student');
    expect(lee.isAudioOn, 'joined into talking-stick mode: muted').to.equal(false);
    await waitFor(() => tutor.participants.find((p) => p.name === 'Lee')?.isAudioOn === false, 'the tutor agrees');
    tutor.setTalkingStick(false);
    await waitFor(() => !lee.floor.talkingStick, 'off');
    await lee.setMicrophoneEnabled(true);
    expect(lee.isAudioOn).to.equal(true);
  });

  it('the control bar shows the invitation with Accept and Decline; the tutor’s Talking stick is a pressed toggle', async () => {
    const tutor = await room.join('Tess', 'tutor');
    const sam = await room.join('Sam', 'student');
    const tutorBar = document.createElement('session-controls');
    tutorBar.session = tutor;
    const samBar = document.createElement('session-controls');
    samBar.session = sam;
    document.body.append(tutorBar, samBar);
    try {
      const stick = await waitFor(() => tutorBar.shadowRoot?.querySelector<HTMLButtonElement>('[data-control="talking-stick"]'), 'a Talking stick toggle');
      expect(stick.getAttribute('aria-pressed')).to.equal('false');
      stick.click();
      await waitFor(() => stick.getAttribute('aria-pressed') === 'true', 'pressed');
      tutor.inviteToSpeak(sam.peerId ?? '');
      const accept = await waitFor(() => samBar.shadowRoot?.querySelector<HTMLButtonElement>('[data-control="accept-floor"]'), 'Accept shown');
      expect(samBar.shadowRoot?.querySelector('[part~="invitation"]')?.getAttribute('role')).to.equal('alert');
      accept.click();
      await waitFor(() => sam.isAudioOn && !samBar.shadowRoot?.querySelector('[data-control="accept-floor"]'), 'accepted, the prompt gone');
      const tile = document.createElement('participant-tile');
      tile.session = tutor;
      tile.participant = tutor.participants.find((p) => p.id === sam.peerId);
      document.body.append(tile);
      try {
        const badge = await waitFor(() => tile.shadowRoot?.querySelector('[part="floor-badge"]'), 'the tile says so');
        expect(badge.textContent).to.equal('Has the floor');
        expect(tile.shadowRoot?.querySelector(`[data-action="end-turn"]`)?.getAttribute('aria-label')).to.equal("End Sam's turn");
      } finally {
        tile.remove();
      }
    } finally {
      tutorBar.remove();
      samBar.remove();
    }
  });
});
