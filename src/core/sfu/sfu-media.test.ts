// The SFU media path against a real Janus (VideoRoom), no room server: a tutor
// and two students in one page, each an SfuMedia talking to Janus directly
// (the test creates the room and names room, pin and display, which the room
// server's proxy forces in production).
import { expect } from '@esm-bundle/chai';
import { executeServerCommand } from '@web/test-runner-commands';
import { expectLiveVideo, showStream, uniqueId, waitFor } from '../../../test/browser/helpers.js';
import { JanusSession } from './janus-client.js';
import { HIDE_GRACE_MS, SfuMedia } from './sfu-media.js';
import { SfuSubscriber } from './subscriber.js';
import type { StreamRef } from './subscriptions.js';
import type { Role } from '../../protocol/index.js';

/** 640×360: large enough for three layers (320×180 and 160×90 below it). */
const VIDEO: MediaTrackConstraints = { width: { ideal: 640 }, height: { ideal: 360 }, frameRate: { ideal: 15 } };

interface Janus {
  url: string;
  apiSecret: string;
}

interface Member {
  id: string;
  role: Role;
  stream: MediaStream;
  sfu: SfuMedia;
}

async function createRoom(janus: Janus): Promise<{ room: number; pin: string }> {
  const session = await JanusSession.open(janus.url, { apiSecret: janus.apiSecret });
  try {
    const handle = await session.attach('janus.plugin.videoroom');
    const room = 100_000 + Math.floor(Math.random() * 1_000_000_000);
    const pin = uniqueId('pin');
    await handle.request({ request: 'create', room, pin, is_private: true, publishers: 10, videocodec: 'vp8', audiolevel_event: true, notify_joining: false });
    return { room, pin };
  } finally {
    await session.destroy();
  }
}

describe('SFU media path (real Janus)', function () {
  this.timeout(90_000);
  let janus: Janus;
  const members: Member[] = [];
  const videos: HTMLVideoElement[] = [];
  /** Who shares a screen, as the room server would name them (LS-SCREEN). */
  let sharer: string | null = null;
  const stops: (() => void)[] = [];

  before(async () => {
    janus = await executeServerCommand<Janus, unknown>('janus-start', {});
  });

  afterEach(async () => {
    sharer = null;
    for (const stop of stops.splice(0)) stop();
    for (const video of videos.splice(0)) {
      video.srcObject = null;
      video.remove();
    }
    await Promise.all(members.map((m) => m.sfu.close()));
    for (const member of members.splice(0)) for (const track of member.stream.getTracks()) track.stop();
  });

  async function join(room: { room: number; pin: string }, role: Role, maxClassmates?: number, audio = true): Promise<Member> {
    const id = uniqueId(role);
    const stream = await navigator.mediaDevices.getUserMedia({ video: VIDEO, audio });
    const member: Member = {
      id,
      role,
      stream,
      sfu: new SfuMedia(
        {
          debug: () => undefined,
          members: () => members.filter((m) => m !== member).map((m) => ({ id: m.id, role: m.role })),
          outgoingStream: () => stream,
          sharer: () => sharer,
          changed: () => undefined,
          watchAudio: () => undefined,
          lost: (reason) => console.warn(id, 'lost', reason),
        },
        { access: { ...room, display: id }, apiSecret: janus.apiSecret, ...(maxClassmates !== undefined ? { maxClassmates } : {}) },
      ),
    };
    members.push(member);
    for (const other of members) other.sfu.refresh();
    await member.sfu.connect(janus.url);
    return member;
  }

  async function expectSees(viewer: Member, subject: Member): Promise<void> {
    const stream = await waitFor(() => (viewer.sfu.views.get(subject.id)?.stream?.getVideoTracks().length ? viewer.sfu.views.get(subject.id)?.stream : null), `${viewer.id} receives ${subject.id}`);
    const video = showStream(stream);
    videos.push(video);
    // A minute for the first frame: under the whole suite's load on two cores, a fresh simulcast encoder and
    // Janus' wait for a key frame of the layer asked for once took more than the usual 20 s.
    await expectLiveVideo(video, `${viewer.id} sees ${subject.id}`, 60_000);
  }

  /** The width of the frames `viewer` decodes of `subject`'s camera now. */
  async function receivedWidth(viewer: Member, subject: Member): Promise<number | undefined> {
    const track = viewer.sfu.views.get(subject.id)?.stream?.getVideoTracks()[0];
    const pc = viewer.sfu.subscriberConnection;
    if (!track || !pc) return undefined;
    const stats = await pc.getStats(track);
    const inbound = [...stats.values()].find((s: { type: string }) => s.type === 'inbound-rtp') as { frameWidth?: number } | undefined;
    return inbound?.frameWidth;
  }

  it('each student plays the tutor; the tutor sends one video with three simulcast encodings', async () => {
    const room = await createRoom(janus);
    const tutor = await join(room, 'tutor');
    const s1 = await join(room, 'student');
    const s2 = await join(room, 'student');
    await expectSees(s1, tutor);
    await expectSees(s2, tutor);
    await expectSees(tutor, s1);
    await expectSees(tutor, s2);

    const pc = tutor.sfu.publisherConnection;
    expect(pc).to.not.equal(null);
    const videoSenders = (pc as RTCPeerConnection).getSenders().filter((sender) => sender.track?.kind === 'video');
    expect(videoSenders).to.have.length(1);
    expect(videoSenders[0]?.getParameters().encodings.map((e) => e.rid)).to.deep.equal(['h', 'm', 'l']);
    const outbound = await waitFor(async () => {
      const stats = await (pc as RTCPeerConnection).getStats();
      const video = [...stats.values()].filter((s: { type: string; kind?: string }) => s.type === 'outbound-rtp' && s.kind === 'video') as { rid?: string }[];
      return video.length === 3 ? video : null;
    }, 'three outbound video streams (one per layer)');
    expect(outbound.map((s) => s.rid).sort()).to.deep.equal(['h', 'l', 'm']);
    // Only the tutor's own PeerConnection sends: one publisher, whatever the class size.
    expect(tutor.sfu.peerConnections).to.have.length(2);
  });

  it("a student's subscription switches to a larger layer when the tutor's tile grows", async () => {
    const room = await createRoom(janus);
    const tutor = await join(room, 'tutor');
    const student = await join(room, 'student');
    await expectSees(student, tutor);
    // A strip tile: the middle layer (320×180). Chromium encodes a 640×360
    // camera in two layers only (libwebrtc's limit by resolution), so the
    // smallest tile sizes are checked in the Node tests, not here.
    student.sfu.setVideoSize(tutor.id, { width: 320, height: 180 });
    expect(student.sfu.substreamOf(tutor.id).asked).to.equal(1);
    await waitFor(() => student.sfu.substreamOf(tutor.id).sends === 1, 'Janus sends the middle layer', 30_000);
    await waitFor(async () => (await receivedWidth(student, tutor)) === 320, 'the student decodes 320 px wide frames');
    // The tile grows: the full layer.
    student.sfu.setVideoSize(tutor.id, { width: 1280, height: 720 });
    expect(student.sfu.substreamOf(tutor.id).asked).to.equal(2);
    await waitFor(() => student.sfu.substreamOf(tutor.id).sends === 2, 'Janus sends the full layer', 30_000);
    await waitFor(async () => (await receivedWidth(student, tutor)) === 640, 'the student decodes 640 px wide frames');
  });

  it('a bounded set of classmates: with a limit of one, a student receives the tutor and one classmate', async () => {
    const room = await createRoom(janus);
    const tutor = await join(room, 'tutor');
    const s1 = await join(room, 'student', 1);
    const s2 = await join(room, 'student');
    const s3 = await join(room, 'student');
    await expectSees(s1, tutor);
    await waitFor(() => s1.sfu.receiving.length === 2, 's1 receives two members');
    expect(s1.sfu.receiving.sort()).to.deep.equal([tutor.id, s2.id].sort());
    // The UI shows s3 instead: the subscription follows.
    s1.sfu.setVideoSize(s3.id, { width: 320, height: 180 });
    await waitFor(() => s1.sfu.receiving.includes(s3.id) && !s1.sfu.receiving.includes(s2.id), 's1 receives s3 instead of s2');
    await expectSees(s1, s3);
  });

  it('a tile re-created elsewhere (gone, then shown two frames later) keeps its subscription; a tile that stays gone loses it after the grace', async () => {
    const room = await createRoom(janus);
    const tutor = await join(room, 'tutor');
    const s1 = await join(room, 'student', 1);
    // Classmates without a microphone: a speaking classmate is received whatever is shown (Firefox's fake
    // microphone is a steady tone, which Janus reports as talking).
    const s2 = await join(room, 'student', undefined, false);
    const s3 = await join(room, 'student', undefined, false);
    await expectSees(s1, tutor);
    s1.sfu.setVideoSize(s3.id, { width: 320, height: 180 });
    await waitFor(() => s1.sfu.receiving.includes(s3.id) && !s1.sfu.receiving.includes(s2.id), 's1 receives s3, the classmate shown');
    // The UI moves s3's tile: the old one withdraws, the new one reports its size after layout.
    s1.sfu.setVideoSize(s3.id, null);
    await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
    s1.sfu.setVideoSize(s3.id, { width: 640, height: 360 });
    const seen = new Set<string>();
    const until = performance.now() + HIDE_GRACE_MS + 1500;
    while (performance.now() < until) {
      for (const id of s1.sfu.receiving) seen.add(id);
      if (!s1.sfu.receiving.includes(s3.id)) seen.add('s3 gone');
      await new Promise((done) => setTimeout(done, 20));
    }
    expect([...seen].sort()).to.deep.equal([tutor.id, s3.id].sort(), 's3 never dropped (nor s2 taken) in between');
    // Gone for good: after the grace, the subscription follows (no classmate shown: the tutor alone).
    s1.sfu.setVideoSize(s3.id, null);
    await waitFor(() => s1.sfu.receiving.length === 1 && s1.sfu.receiving[0] === tutor.id, 's1 stops receiving s3 once no tile shows it');
  });

  it("a screen share is a second published video: students receive it apart from the tutor's camera, and it goes when it stops", async function () {
    // Headless Firefox has nothing to capture (getDisplayMedia rejects); headless Chromium gives a fake screen.
    if (navigator.userAgent.includes('Firefox')) this.skip();
    const room = await createRoom(janus);
    const tutor = await join(room, 'tutor');
    const student = await join(room, 'student');
    await expectSees(student, tutor);
    const screen = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: 5 } });
    try {
      sharer = tutor.id;
      await tutor.sfu.setScreen(screen);
      const shared = await waitFor(() => student.sfu.screenStream, 'the student receives the share');
      const video = showStream(shared);
      videos.push(video);
      await expectLiveVideo(video, 'the student sees the share');
      // The camera stays the participant's stream; the share is not mixed into it.
      expect(student.sfu.views.get(tutor.id)?.stream?.getVideoTracks()).to.have.length(1);
      await tutor.sfu.setScreen(null);
      await waitFor(() => student.sfu.screenStream === null, 'the share is gone for the student');
    } finally {
      for (const track of screen.getTracks()) track.stop();
    }
  });

  it("a stream a classmate calls a screen share is not taken for the room's share: only the sharer the server names is shown", async () => {
    const room = await createRoom(janus);
    const tutor = await join(room, 'tutor');
    const spoofer = await join(room, 'student');
    const viewer = await join(room, 'student');
    await expectSees(viewer, tutor);
    await expectSees(viewer, spoofer);
    sharer = tutor.id;
    const tutorScreen = movingCanvas();
    await tutor.sfu.setScreen(tutorScreen);
    const shared = await waitFor(() => viewer.sfu.screenStream, "the viewer receives the tutor's share");
    const tutorTracks = shared.getTracks().map((t) => t.id);
    expect(viewer.sfu.screenFrom).to.equal(tutor.id);
    // The classmate publishes a video of their own described as a screen share (the proxy passes descriptions on).
    const fake = movingCanvas();
    await spoofer.sfu.setScreen(fake);
    const deadline = performance.now() + 3000;
    while (performance.now() < deadline) {
      expect(viewer.sfu.screenStream?.getTracks().map((t) => t.id)).to.deep.equal(tutorTracks, "the share stays the tutor's");
      expect(viewer.sfu.screenFrom).to.equal(tutor.id);
      expect(viewer.sfu.views.get(spoofer.id)?.stream?.getVideoTracks()).to.have.length(1, "the classmate's tile shows their camera only");
      await new Promise((done) => setTimeout(done, 100));
    }
    // The control: once the server names the classmate as the sharer, their share is the one received.
    sharer = spoofer.id;
    viewer.sfu.refresh();
    const theirs = await waitFor(
      () => (viewer.sfu.screenFrom === spoofer.id ? viewer.sfu.screenStream : null),
      "the viewer receives the classmate's share once they are the sharer",
    );
    const video = showStream(theirs);
    videos.push(video);
    await expectLiveVideo(video, "the viewer sees the classmate's share");
  });

  /** A canvas that keeps drawing, as a stand-in for a captured screen (Firefox has no fake screen). */
  function movingCanvas(): MediaStream {
    const canvas = document.createElement('canvas');
    canvas.width = 320;
    canvas.height = 180;
    const context = canvas.getContext('2d');
    let frame = 0;
    const timer = setInterval(() => {
      if (!context) return;
      frame++;
      context.fillStyle = `hsl(${String((frame * 17) % 360)} 70% 50%)`;
      context.fillRect(0, 0, canvas.width, canvas.height);
    }, 100);
    const stream = canvas.captureStream(10);
    stops.push(() => {
      clearInterval(timer);
      for (const track of stream.getTracks()) track.stop();
    });
    return stream;
  }

  /** Outgoing `trickle` frames with a candidate are dropped from now on (until the test ends): Janus never learns the browser's addresses. */
  function holdBackBrowserCandidates(): { dropped: number } {
    const descriptor = Object.getOwnPropertyDescriptor(WebSocket.prototype, 'send');
    const send = descriptor?.value as WebSocket['send'];
    const count = { dropped: 0 };
    WebSocket.prototype.send = function (this: WebSocket, data: string | ArrayBufferLike | Blob | ArrayBufferView) {
      if (typeof data === 'string' && data.includes('"janus":"trickle"') && data.includes('"candidate":"candidate:')) {
        count.dropped += 1;
        return;
      }
      send.call(this, data);
    };
    stops.push(() => {
      if (descriptor) Object.defineProperty(WebSocket.prototype, 'send', descriptor);
    });
    return count;
  }

  it("Janus' trickled candidates are used: both ways connect when Janus never learns the browser's addresses (a browser behind a NAT, no STUN)", async () => {
    // Janus puts none of its candidates in its SDP, it trickles them, sometimes before its offer. Here the
    // browser's own candidates never reach Janus: only the browser can start the checks, with Janus' candidates.
    const held = holdBackBrowserCandidates();
    const room = await createRoom(janus);
    const tutor = await join(room, 'tutor');
    const student = await join(room, 'student');
    await expectSees(student, tutor);
    await expectSees(tutor, student);
    expect(held.dropped, "the browser's candidates were held back").to.be.greaterThan(0);
    for (const member of [tutor, student]) for (const pc of member.sfu.peerConnections) expect(pc.connectionState).to.equal('connected');
  });

  it('a connection to Janus that never starts its checks (every candidate lost) gives the SFU path up, so the session can open a fresh one', async () => {
    holdBackBrowserCandidates();
    const descriptor = Object.getOwnPropertyDescriptor(RTCPeerConnection.prototype, 'addIceCandidate');
    // The browser drops Janus' candidates too.
    Object.defineProperty(RTCPeerConnection.prototype, 'addIceCandidate', { configurable: true, writable: true, value: () => Promise.resolve() });
    stops.push(() => {
      if (descriptor) Object.defineProperty(RTCPeerConnection.prototype, 'addIceCandidate', descriptor);
    });
    const room = await createRoom(janus);
    const stream = await navigator.mediaDevices.getUserMedia({ video: VIDEO, audio: false });
    stops.push(() => {
      for (const track of stream.getTracks()) track.stop();
    });
    const lost: string[] = [];
    const sfu = new SfuMedia(
      {
        debug: () => undefined,
        members: () => [],
        outgoingStream: () => stream,
        sharer: () => null,
        changed: () => undefined,
        watchAudio: () => undefined,
        lost: (reason) => lost.push(reason),
      },
      { access: { ...room, display: uniqueId('tutor') }, apiSecret: janus.apiSecret, iceStartTimeoutMs: 2000 },
    );
    stops.push(() => void sfu.close());
    await sfu.connect(janus.url);
    const reason = await waitFor(() => lost[0] ?? null, 'the SFU path is given up');
    expect(reason).to.match(/^publisher: no connectivity check started/);
    expect(sfu.peerConnections.every((pc) => pc.signalingState === 'closed'), 'its PeerConnections are closed').to.equal(true);
  });

  it('a publisher leaving removes its stream from the viewers', async () => {
    const room = await createRoom(janus);
    const tutor = await join(room, 'tutor');
    const student = await join(room, 'student');
    await expectSees(student, tutor);
    await tutor.sfu.close();
    members.splice(members.indexOf(tutor), 1);
    for (const track of tutor.stream.getTracks()) track.stop();
    await waitFor(() => !student.sfu.views.has(tutor.id), "the tutor's stream is gone");
  });
  it('a subscriber join Janus refuses is tried again on a fresh handle: it recovers once there is something to receive, and gives the path up after five refusals', async () => {
    const room = await createRoom(janus);
    const tutor = await join(room, 'tutor');
    const session = await JanusSession.open(janus.url, { apiSecret: janus.apiSecret });
    const subscribers: SfuSubscriber[] = [];
    try {
      const lookup = await session.attach('janus.plugin.videoroom');
      const feed = await waitFor(async () => {
        const reply = await lookup.request({ request: 'listparticipants', room: room.room });
        const listed = (reply.data['participants'] ?? []) as { id: number; display?: string; publisher?: boolean }[];
        return listed.find((p) => p.display === tutor.id && p.publisher === true)?.id ?? null;
      }, 'the tutor publishes');
      const subscriber = (joinRetryMs: number) => {
        const seen = { lost: [] as string[], refused: 0 };
        const made = new SfuSubscriber(
          session,
          {
            debug: (...args: unknown[]) => {
              if (String(args[0]).includes('subscriber join refused')) seen.refused += 1;
            },
            changed: () => undefined,
            substreamChanged: () => undefined,
            lost: (reason) => seen.lost.push(reason),
          },
          { access: { ...room }, joinRetryMs },
        );
        subscribers.push(made);
        return { made, seen };
      };
      // No such feed, ever: four tries more, then the path is given up, once (the refused handles' detaching says nothing).
      const failing = subscriber(20);
      failing.made.want([{ feed: 987_654_321, mid: '0' }]);
      await waitFor(() => failing.seen.lost.length > 0, 'the subscriber gives up');
      expect(failing.seen.refused).to.equal(4);
      expect(failing.seen.lost).to.have.length(1);
      expect(failing.seen.lost[0]).to.match(/refused 5 times/);
      // Refused first, then the tutor's feed is what is wanted: the next try joins, and the tutor plays.
      const recovering = subscriber(300);
      recovering.made.want([{ feed: 987_654_321, mid: '0' }]);
      await waitFor(() => recovering.seen.refused > 0, 'the first join is refused');
      // Every stream of the feed (no mid).
      recovering.made.want([{ feed } as StreamRef]);
      const track = await waitFor(() => recovering.made.received.find((r) => r.track.kind === 'video')?.track ?? null, 'the tutor received');
      const video = showStream(new MediaStream([track]));
      videos.push(video);
      await expectLiveVideo(video, "the recovered subscriber plays the tutor's camera");
      expect(recovering.seen.lost).to.deep.equal([]);
    } finally {
      await Promise.all(subscribers.map((s) => s.close()));
      await session.destroy();
    }
  });
});
