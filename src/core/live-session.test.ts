/**
 * The session controller against a real room server, with real WebRTC between
 * several controllers in this page. Remote video is proven by frames.
 */
import { expect } from '@esm-bundle/chai';
import { Peer } from 'peerjs';
import { restartServer, startServer, stopServer, uniqueId, useServer, waitFor } from '../../test/browser/helpers.js';
import { Classroom, createdPeerConnections, isClosed, roster } from '../../test/browser/session-helpers.js';
import { attachStream } from './attach-stream.js';
import { diagnose } from './diagnostics.js';
import { SessionError, type SessionErrorDetail } from './events.js';

/**
 * Counts the calls of a browser method by the object it is called on, until
 * `restore()` puts the original back. The call still goes through.
 */
function spyOn<T extends object>(proto: T, name: keyof T & string): { calls: Map<object, number>; restore: () => void } {
  const descriptor = Object.getOwnPropertyDescriptor(proto, name);
  const original = descriptor?.value as (this: object, ...args: unknown[]) => unknown;
  const calls = new Map<object, number>();
  Object.defineProperty(proto, name, {
    ...descriptor,
    value: function (this: object, ...args: unknown[]) {
      calls.set(this, (calls.get(this) ?? 0) + 1);
      return original.apply(this, args);
    },
  });
  return {
    calls,
    restore: () => {
      if (descriptor) Object.defineProperty(proto, name, descriptor);
    },
  };
}

describe('LiveSession', function () {
  this.timeout(60_000);
  const shared = useServer({ kind: 'room', options: { pingInterval: 1000, pongTimeout: 2000 } });
  let room: Classroom;

  beforeEach(() => {
    room = new Classroom(shared.current);
  });
  afterEach(async () => {
    await room.close();
  });

  describe('joining', () => {
    it('tutor first, then a student: each sees the other, and their own preview', async () => {
      const tutor = await room.join('Tess', 'tutor');
      const student = await room.join('Sam', 'student');
      await room.expectSees(student, tutor);
      await room.expectSees(tutor, student);
      expect(roster(student)).to.deep.equal(['Sam:student', 'Tess:tutor']);
      expect(roster(tutor)).to.deep.equal(['Sam:student', 'Tess:tutor']);
      for (const session of [tutor, student]) {
        expect(session.localStream?.getVideoTracks()[0]?.readyState).to.equal('live');
        expect(session.localParticipant?.isLocal).to.equal(true);
      }
    });

    it('student first, then the tutor: both see each other', async () => {
      const student = await room.join('Sam', 'student');
      expect(student.tutor).to.equal(null);
      const tutor = await room.join('Tess', 'tutor');
      await waitFor(() => student.tutor?.id === tutor.peerId, 'the student learns the tutor arrived');
      await room.expectSees(student, tutor);
      await room.expectSees(tutor, student);
    });

    it('media state starts off and turns on only with real tracks', async () => {
      const session = room.create('Sam', 'student');
      expect(session.isVideoOn).to.equal(false);
      expect(session.isAudioOn).to.equal(false);
      await session.join();
      expect(session.isVideoOn).to.equal(true);
      expect(session.isAudioOn).to.equal(true);
      expect(session.localParticipant?.isVideoOn).to.equal(true);
    });

    it('a refused join rejects with the server\'s reason and leaves nothing open', async () => {
      const before = createdPeerConnections.length;
      const session = room.create('Bad', 'student', { room: 'not a valid room!' });
      const errors: SessionErrorDetail[] = [];
      session.addEventListener('error', (e) => errors.push(e.detail));
      let failure: unknown;
      await session.join().catch((error: unknown) => (failure = error));
      expect(String(failure)).to.match(/bad-payload/);
      expect(failure).to.be.instanceOf(SessionError);
      expect((failure as SessionError).code).to.equal('bad-payload');
      expect(errors.map((e) => e.code)).to.include('bad-payload');
      expect(session.phase).to.equal('idle');
      expect(session.connectionState).to.equal('disconnected');
      expect(createdPeerConnections.length).to.equal(before);
    });
  });

  describe('leaving and joining again', () => {
    it('a session that left joins again: same controller, video both ways, one entry each', async () => {
      const tutor = await room.join('Tess', 'tutor');
      const student = await room.join('Sam', 'student');
      await room.expectSees(tutor, student);
      await student.leave();
      expect(student.phase).to.equal('left');
      await waitFor(() => tutor.participants.length === 1, 'the tutor sees the student go');
      await student.join();
      expect(student.phase).to.equal('joined');
      await room.expectSees(tutor, student, 'the tutor sees the student again');
      await room.expectSees(student, tutor, 'the student sees the tutor again');
      expect(roster(tutor)).to.deep.equal(['Sam:student', 'Tess:tutor']);
      expect(roster(student)).to.deep.equal(['Sam:student', 'Tess:tutor']);
    });

    it('join() rejects with a code to switch on: destroyed, cancelled by leave()', async () => {
      const gone = room.create('Gus', 'student');
      gone.destroy();
      const destroyed = await gone.join().catch((error: unknown) => error);
      expect(destroyed).to.be.instanceOf(SessionError);
      expect((destroyed as SessionError).code).to.equal('destroyed');
      const quitter = room.create('Quin', 'student');
      const joining = quitter.join().catch((error: unknown) => error);
      void quitter.leave();
      const cancelled = await joining;
      expect(cancelled).to.be.instanceOf(SessionError);
      expect((cancelled as SessionError).code).to.equal('join-cancelled');
    });

    it('attachStream shows a participant in a <video>: playing, inline, the local one muted', async () => {
      const tutor = await room.join('Tess', 'tutor');
      const student = await room.join('Sam', 'student');
      const remote = await waitFor(() => tutor.participants.find((p) => !p.isLocal && p.stream), 'the student\'s stream');
      const video = document.createElement('video');
      document.body.append(video);
      try {
        expect(await attachStream(video, remote)).to.equal(true);
        expect(video.srcObject).to.equal(remote.stream);
        expect(video.hasAttribute('playsinline')).to.equal(true);
        expect(video.muted).to.equal(false);
        await waitFor(() => video.videoWidth > 0, 'the remote video has frames');
        const self = student.localParticipant;
        await attachStream(video, self);
        expect(video.srcObject).to.equal(self?.stream);
        expect(video.muted).to.equal(true);
        expect(await attachStream(video, null)).to.equal(true);
        expect(video.srcObject).to.equal(null);
      } finally {
        video.remove();
      }
    });
  });

  describe('topologies', () => {
    it('mesh: a tutor and three students all see each other', async () => {
      const tutor = await room.join('Tess', 'tutor');
      const students = [
        await room.join('Ann', 'student'),
        await room.join('Ben', 'student'),
        await room.join('Cid', 'student'),
      ];
      const everyone = [tutor, ...students];
      for (const viewer of everyone) {
        await waitFor(() => viewer.participants.length === 4, `${viewer.name} sees four participants`);
      }
      for (const viewer of everyone) {
        for (const subject of everyone) {
          if (viewer !== subject) await room.expectSees(viewer, subject);
        }
      }
    });

    it('star: students see the tutor only; the tutor sees every student', async () => {
      const tutor = await room.join('Tess', 'tutor', { topology: 'star' });
      const students = [
        await room.join('Ann', 'student', { topology: 'star' }),
        await room.join('Ben', 'student', { topology: 'star' }),
        await room.join('Cid', 'student', { topology: 'star' }),
      ];
      for (const student of students) {
        await room.expectSees(tutor, student);
        await room.expectSees(student, tutor);
      }
      for (const student of students) {
        // Classmates are in the roster, but no media flows between students.
        expect(student.participants).to.have.length(4);
        expect(student.peerConnections).to.have.length(1);
        for (const classmate of students) {
          if (classmate !== student) expect(room.remote(student, classmate)?.stream ?? null).to.equal(null);
        }
      }
      expect(tutor.peerConnections).to.have.length(3);
    });

    it('caps the video bitrate of every sender by the number of peers', async () => {
      const tutor = await room.join('Tess', 'tutor', { topology: 'star' });
      await room.join('Ann', 'student', { topology: 'star' });
      await room.join('Ben', 'student', { topology: 'star' });
      await room.join('Cid', 'student', { topology: 'star' });
      await room.join('Dee', 'student', { topology: 'star' });
      await waitFor(() => tutor.peerConnections.filter((pc) => pc.connectionState === 'connected').length === 4, 'four connections');
      await waitFor(() => {
        const bitrates = tutor.peerConnections.flatMap((pc) =>
          pc.getSenders().filter((s) => s.track?.kind === 'video').map((s) => s.getParameters().encodings[0]?.maxBitrate),
        );
        return bitrates.length === 4 && bitrates.every((b) => b === 625_000);
      }, 'each of the four video senders is capped at a quarter of the budget');
    });
  });

  describe('local controls', () => {
    it('a student toggles camera and mic, and the tutor sees each change', async () => {
      const tutor = await room.join('Tess', 'tutor');
      const student = await room.join('Sam', 'student');
      await room.expectSees(tutor, student);

      await student.toggleCamera();
      expect(student.isVideoOn).to.equal(false);
      expect(student.localStream?.getVideoTracks() ?? []).to.have.length(0);
      await waitFor(() => room.remote(tutor, student)?.isVideoOn === false, 'tutor sees camera off');

      await student.toggleMic();
      expect(student.isAudioOn).to.equal(false);
      await waitFor(() => room.remote(tutor, student)?.isAudioOn === false, 'tutor sees mic off');

      await student.toggleCamera();
      await student.toggleMic();
      expect(student.isVideoOn).to.equal(true);
      await waitFor(() => {
        const seen = room.remote(tutor, student);
        return seen?.isVideoOn === true && seen.isAudioOn;
      }, 'tutor sees camera and mic on again');
      // The new camera track reaches the tutor over the same connection (replaceTrack).
      await room.expectSees(tutor, student, 'tutor sees the re-acquired camera');
    });

    it('marks who is speaking from the audio level, and never while muted', async () => {
      const tutor = await room.join('Tess', 'tutor');
      const heard: boolean[] = [];
      tutor.addEventListener('speaking', (e) => {
        if (e.detail.speaking) heard.push(e.detail.speaking);
      });
      const student = await room.join('Sam', 'student');
      await room.expectSees(tutor, student);
      // The fake microphone plays a tone: the tutor hears Sam speak, and Sam sees itself speaking.
      await waitFor(() => tutor.isParticipantSpeaking(student.peerId ?? ''), 'the tutor sees Sam speaking');
      expect(heard).to.include(true);
      // The local level needs a running AudioContext: headless Firefox without a
      // sound device keeps it suspended, so there it is checked as "never speaking".
      const probe = new AudioContext();
      await Promise.race([probe.resume(), new Promise((resolve) => setTimeout(resolve, 1000))]);
      const localLevels = probe.state === 'running';
      await probe.close();
      if (localLevels) await waitFor(() => student.isSpeaking, 'Sam sees itself speaking');
      // The tutor reads Sam's level from the receiver while Sam is unmuted, and stops once Sam mutes.
      const reads = spyOn(RTCRtpReceiver.prototype, 'getSynchronizationSources');
      try {
        const fromSam = tutor.peerConnections.flatMap((pc) => pc.getReceivers().filter((r) => r.track.kind === 'audio'));
        const readsOfSam = (): number => fromSam.reduce((n, r) => n + (reads.calls.get(r) ?? 0), 0);
        await waitFor(() => readsOfSam() > 0, "the tutor reads Sam's level");
        await student.setMicrophoneEnabled(false);
        await waitFor(() => room.remote(tutor, student)?.isAudioOn === false, 'muted');
        expect(tutor.isParticipantSpeaking(student.peerId ?? '')).to.equal(false);
        expect(student.isSpeaking).to.equal(false);
        const afterMute = readsOfSam();
        await new Promise((resolve) => setTimeout(resolve, 700));
        expect(readsOfSam(), "no reads of a muted participant's level").to.equal(afterMute);
      } finally {
        reads.restore();
      }
    });

    it('hands go up and down with a queue position everyone sees', async () => {
      const tutor = await room.join('Tess', 'tutor');
      const ann = await room.join('Ann', 'student');
      const ben = await room.join('Ben', 'student');
      ben.raiseHand();
      await waitFor(() => room.remote(tutor, ben)?.handPosition === 1, 'Ben is first');
      ann.raiseHand();
      await waitFor(() => room.remote(tutor, ann)?.handPosition === 2, 'Ann is second');
      await waitFor(() => room.remote(ann, ben)?.isHandRaised, 'Ann sees Ben\'s hand');
      tutor.lowerHand(ben.peerId ?? '');
      await waitFor(() => room.remote(tutor, ann)?.handPosition === 1 && !room.remote(tutor, ben)?.isHandRaised, 'Ann moves up');
      ann.lowerHand();
      await waitFor(() => tutor.handQueue.length === 0, 'queue empty');
    });
  });

  describe('tutor controls', () => {
    it('the tutor mutes a student, who can unmute themselves', async () => {
      const tutor = await room.join('Tess', 'tutor');
      const student = await room.join('Sam', 'student');
      await waitFor(() => room.remote(tutor, student)?.isAudioOn, 'student mic on');
      let mutedEvents = 0;
      student.addEventListener('muted', () => mutedEvents++);
      tutor.muteParticipant(student.peerId ?? '');
      await waitFor(() => !student.isAudioOn, 'student mic off');
      await waitFor(() => room.remote(tutor, student)?.isAudioOn === false, 'tutor sees it off');
      expect(mutedEvents).to.equal(1);
      await student.toggleMic();
      expect(student.isAudioOn).to.equal(true);
      await waitFor(() => room.remote(tutor, student)?.isAudioOn === true, 'tutor sees it on again');
    });

    it('mute all, ask to unmute, and remove', async () => {
      const tutor = await room.join('Tess', 'tutor');
      const ann = await room.join('Ann', 'student');
      const ben = await room.join('Ben', 'student');
      tutor.muteAll();
      await waitFor(() => !ann.isAudioOn && !ben.isAudioOn, 'both muted');
      expect(tutor.isAudioOn).to.equal(true);
      const asked = new Promise((resolve) => ann.addEventListener('unmute-requested', resolve, { once: true }));
      tutor.askToUnmute(ann.peerId ?? '');
      await asked;
      expect(ann.isAudioOn).to.equal(false); // A request, not a remote unmute.
      const left = new Promise<string>((resolve) => ben.addEventListener('left', (e) => resolve(e.detail.reason), { once: true }));
      tutor.removeParticipant(ben.peerId ?? '');
      expect(await left).to.equal('removed');
      expect(ben.peerConnections).to.have.length(0);
      await waitFor(() => !room.remote(tutor, ben) && !room.remote(ann, ben), 'Ben is gone for everyone');
    });

    it('a student cannot do tutor actions, through the API or by sending messages by hand', async () => {
      const tutor = await room.join('Tess', 'tutor');
      const student = await room.join('Sam', 'student');
      const clientErrors: string[] = [];
      student.addEventListener('error', (e) => clientErrors.push(e.detail.code));
      student.muteParticipant(tutor.peerId ?? '');
      expect(clientErrors).to.deep.equal(['not-tutor']);

      // A hand-written client: a stock PeerJS peer that joins as a student and forges commands.
      const forger = new Peer(uniqueId('forger'), { host: '127.0.0.1', port: shared.current.port, path: '/' });
      try {
        await new Promise((resolve, reject) => {
          forger.once('open', resolve);
          forger.once('error', reject);
        });
        const replies: { type: string; payload?: { code?: string } }[] = [];
        forger.socket.on('message', (m: { type: string; payload?: { code?: string } }) => replies.push(m));
        forger.socket.send({ type: 'LS-JOIN', payload: { room: room.room, userId: uniqueId('f'), name: 'Mallory', role: 'student' } });
        await waitFor(() => replies.some((m) => m.type === 'LS-JOINED'), 'forger joined');
        for (const type of ['LS-MUTE', 'LS-REMOVE', 'LS-LOWER-HAND', 'LS-ASK-UNMUTE']) {
          forger.socket.send({ type, payload: { target: tutor.peerId } });
        }
        forger.socket.send({ type: 'LS-MUTE-ALL' });
        await waitFor(() => replies.filter((m) => m.payload?.code === 'forbidden').length === 5, 'five refusals');
        expect(tutor.isAudioOn).to.equal(true);
        expect(tutor.phase).to.equal('joined');
        expect(room.remote(student, tutor)?.isAudioOn).to.equal(true);
      } finally {
        forger.destroy();
      }
    });
  });

  describe('identity and recovery', () => {
    it('a refresh (destroy and re-create with the same user id) leaves no duplicate', async () => {
      const tutor = await room.join('Tess', 'tutor');
      const first = await room.join('Sam', 'student', { userId: 'sam-1' });
      await room.expectSees(tutor, first);
      first.destroy();
      const again = await room.join('Sam', 'student', { userId: 'sam-1' });
      await room.expectSees(tutor, again, 'tutor sees Sam again');
      await waitFor(() => tutor.participants.filter((p) => p.userId === 'sam-1').length === 1, 'one Sam');
      expect(tutor.participants).to.have.length(2);
    });

    it('a participant that leaves disappears for others and its connection closes', async () => {
      const tutor = await room.join('Tess', 'tutor');
      const student = await room.join('Sam', 'student');
      await room.expectSees(tutor, student);
      const tutorSide = tutor.peerConnections[0];
      await student.leave();
      await waitFor(() => tutor.participants.length === 1, 'tutor alone');
      await waitFor(() => tutorSide !== undefined && isClosed(tutorSide), 'tutor closed its connection');
    });

    it('students who come and go leave no per-peer state on the tutor\'s side', async () => {
      const tutor = await room.join('Tess', 'tutor');
      for (let i = 0; i < 3; i++) {
        const student = await room.join(`Sam ${String(i)}`, 'student');
        await room.expectSees(tutor, student);
        expect(diagnose(tutor).knownPeers).to.equal(1);
        await student.leave();
        student.destroy();
        await waitFor(() => tutor.participants.length === 1, 'tutor alone');
      }
      await waitFor(() => diagnose(tutor).knownPeers === 0, 'PeerJS forgot every student', 10_000);
      expect(tutor.peerConnections).to.have.length(0);
    });

    it('leave closes every RTCPeerConnection the session opened and stops local media', async () => {
      const tutor = await room.join('Tess', 'tutor');
      const before = createdPeerConnections.length;
      const student = await room.join('Sam', 'student');
      await room.expectSees(student, tutor);
      const opened = createdPeerConnections.slice(before);
      expect(opened.length).to.be.greaterThan(0);
      const tracks = student.localStream?.getTracks() ?? [];
      await student.leave();
      expect(student.phase).to.equal('left');
      expect(student.peerConnections).to.have.length(0);
      // Every connection created since the student came (both sides) closes.
      await waitFor(() => opened.every(isClosed), 'all connections closed');
      expect(tracks.every((t) => t.readyState === 'ended')).to.equal(true);
    });

    for (const side of ['re-caller', 'other'] as const) {
      it(`re-establishes a media connection that dies (closed on the ${side}'s side), without duplicates`, async () => {
        const tutor = await room.join('Tess', 'tutor', { mediaRecoveryDelayMs: 1000 });
        const student = await room.join('Sam', 'student', { mediaRecoveryDelayMs: 1000 });
        await room.expectSees(student, tutor);
        await room.expectSees(tutor, student);
        // The lower peer id re-calls; close the connection on one chosen side.
        const [lower, higher] = (tutor.peerId ?? '') < (student.peerId ?? '') ? [tutor, student] : [student, tutor];
        const dying = (side === 're-caller' ? lower : higher).peerConnections[0];
        expect(dying).to.exist;
        dying?.close();
        await waitFor(
          () => [tutor, student].every((s) => s.peerConnections.length === 1 && s.peerConnections[0] !== dying && s.peerConnections[0]?.connectionState === 'connected'),
          'a new connection on both sides',
          40_000,
        );
        await room.expectSees(student, tutor, 'the student sees the tutor again');
        await room.expectSees(tutor, student, 'the tutor sees the student again');
        expect(tutor.participants).to.have.length(2);
        expect(student.participants).to.have.length(2);
      });
    }

    it('a student waiting to be let in whose connection drops is told (connection-failed), not left waiting forever; joining again waits again', async () => {
      const own = await startServer({ kind: 'room' });
      const waitRoom = new Classroom(own);
      try {
        const tutor = await waitRoom.join('Tess', 'tutor');
        tutor.setAdmission({ waiting: true });
        await waitFor(() => tutor.admission.waiting, 'the waiting room is on');
        const sam = waitRoom.create('Sam', 'student');
        const first = sam.join().then(() => null, (e: unknown) => e as SessionError);
        await waitFor(() => sam.isWaiting, 'Sam waits');
        await restartServer(own, 300);
        const refused = await first;
        expect(refused?.code).to.equal('connection-failed');
        expect(sam.isWaiting).to.equal(false);
        expect(sam.phase).to.equal('idle');
        await waitFor(() => tutor.connectionState === 'connected' && tutor.participants.length === 1, 'the tutor is back');
        // A restarted server starts without the room's settings: the tutor turns the waiting room on again.
        await waitFor(() => !tutor.admission.waiting, 'the fresh room has no waiting room');
        tutor.setAdmission({ waiting: true });
        await waitFor(() => tutor.admission.waiting, 'the waiting room is on again');
        void sam.join().catch(() => undefined);
        await waitFor(() => sam.isWaiting && tutor.waitingRoom.some((w) => w.name === 'Sam'), 'waiting again, seen by the tutor', 30_000);
        tutor.admit(tutor.waitingRoom[0]?.id ?? '');
        await waitFor(() => sam.phase === 'joined', 'let in');
      } finally {
        await waitRoom.close();
        await stopServer(own);
      }
    });

    it('recovers from a server restart: same roster, no duplicates, media keeps flowing', async () => {
      const own = await startServer({ kind: 'room', options: { pingInterval: 1000, pongTimeout: 2000 } });
      const restartRoom = new Classroom(own);
      let restore = (): void => undefined;
      try {
        const tutor = await restartRoom.join('Tess', 'tutor', { reconnectMinDelayMs: 200, reconnectMaxDelayMs: 1000 });
        const ann = await restartRoom.join('Ann', 'student', { reconnectMinDelayMs: 200, reconnectMaxDelayMs: 1000 });
        const ben = await restartRoom.join('Ben', 'student', { reconnectMinDelayMs: 200, reconnectMaxDelayMs: 1000 });
        await restartRoom.expectSees(ann, tutor);
        const states: string[] = [];
        ann.addEventListener('connection-state', (e) => states.push(e.detail.state));
        // The re-joins bring the same (empty) ICE server list: live connections are not reconfigured.
        const reconfigurations = spyOn(RTCPeerConnection.prototype, 'setConfiguration');
        restore = reconfigurations.restore;
        await restartServer(own, 300);
        await waitFor(() => states.includes('reconnecting'), 'Ann notices');
        for (const session of [tutor, ann, ben]) {
          await waitFor(() => session.connectionState === 'connected', `${session.name} reconnected`, 30_000);
        }
        for (const session of [tutor, ann, ben]) {
          await waitFor(() => session.participants.length === 3, `${session.name} sees three`, 30_000);
          expect(new Set(session.participants.map((p) => p.userId)).size).to.equal(3);
        }
        await restartRoom.expectSees(ann, tutor, 'Ann still sees the tutor');
        await restartRoom.expectSees(tutor, ben, 'the tutor still sees Ben');
        expect([...reconfigurations.calls.values()].reduce((n, c) => n + c, 0), 'setConfiguration calls on the re-joins').to.equal(0);
        // And the restarted server knows everyone again: a newcomer sees all three.
        const late = await restartRoom.join('Lee', 'student');
        await waitFor(() => late.participants.length === 4, 'newcomer sees everyone');
        await restartRoom.expectSees(late, tutor);
      } finally {
        restore();
        await restartRoom.close();
        await stopServer(own);
      }
    });
  });

  describe('media problems', () => {
    it('a missing camera still joins with audio and says why', async () => {
      const errors: SessionErrorDetail[] = [];
      const student = room.create('Sam', 'student', { video: { deviceId: { exact: 'no-such-camera' } } });
      student.addEventListener('error', (e) => errors.push(e.detail));
      await student.join();
      expect(student.phase).to.equal('joined');
      expect(student.isVideoOn).to.equal(false);
      expect(student.isAudioOn).to.equal(true);
      expect(errors).to.have.length(1);
      expect(errors[0]?.code).to.equal('media');
      expect(errors[0]?.media?.kind).to.equal('camera');
      expect(errors[0]?.media?.problem).to.equal('missing');
      const tutor = await room.join('Tess', 'tutor');
      await waitFor(() => room.remote(tutor, student)?.isAudioOn === true && room.remote(tutor, student)?.isVideoOn === false, 'tutor sees audio only');
      await room.expectSees(student, tutor, 'the audio-only student still receives the tutor');
    });

    it('with neither device, joins to watch only', async () => {
      const student = room.create('Sam', 'student', { video: false, audio: false });
      await student.join();
      const tutor = await room.join('Tess', 'tutor');
      await room.expectSees(student, tutor, 'a watch-only student sees the tutor');
      expect(room.remote(tutor, student)?.isVideoOn).to.equal(false);
    });
  });
});
