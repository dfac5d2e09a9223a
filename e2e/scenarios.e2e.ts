/**
 * The product's promises the way users meet them: separate browser pages per
 * participant, the server started by its CLI, the script-tag bundle in a
 * plain page. Each step is proven by frames and by `participants`.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { signJoinToken } from '../src/server/index.js';
import {
  delay,
  ChromiumDriver,
  FirefoxDriver,
  processTree,
  signal,
  startCliServer,
  startXvfb,
  uniqueRoom,
  waitFor,
  type CliServer,
  type Participant,
} from './harness.js';

const TEST_TIMEOUT = 180_000;

void describe('end to end, Chromium', { timeout: 900_000 }, () => {
  let server: CliServer;
  let chromium: ChromiumDriver;
  const open: Participant[] = [];

  before(async () => {
    server = await startCliServer();
    chromium = await ChromiumDriver.launch();
  });
  after(async () => {
    await Promise.all(open.map((p) => p.close()));
    await chromium.close();
    await server.stop();
  });
  // A scenario that fails midway leaves its pages open: close them before the
  // next one, which would otherwise run beside them on an overloaded machine.
  afterEach(async () => {
    await Promise.all(open.splice(0).map((p) => p.close()));
  });

  const join = async (room: string, name: string, role: 'tutor' | 'student', extra: { topology?: 'mesh' | 'star'; userId?: string; microphone?: boolean } = {}) => {
    const participant = await chromium.open(server, { room, name, role, ...extra });
    open.push(participant);
    await participant.joined();
    return participant;
  };
  const closeAll = async (participants: Participant[]) => {
    await Promise.all(participants.map((p) => p.close()));
  };

  void test('1. tutor first, student joins: the student sees the tutor and its own preview', { timeout: TEST_TIMEOUT }, async () => {
    const room = uniqueRoom('s1');
    const tutor = await join(room, 'Tess', 'tutor');
    const student = await join(room, 'Sam', 'student');
    await student.expectSees('Tess');
    await student.expectOwnPreview();
    await tutor.expectSees('Sam');
    assert.deepEqual(await student.names(), ['Sam', 'Tess']);
    await closeAll([tutor, student]);
  });

  void test('2. student first, tutor joins: both see each other', { timeout: TEST_TIMEOUT }, async () => {
    const room = uniqueRoom('s2');
    const student = await join(room, 'Sam', 'student');
    const tutor = await join(room, 'Tess', 'tutor');
    await student.expectSees('Tess');
    await tutor.expectSees('Sam');
    await closeAll([tutor, student]);
  });

  for (const topology of ['mesh', 'star'] as const) {
    void test(`3. tutor and five students, ${topology}`, { timeout: 300_000 }, async () => {
      const room = uniqueRoom(`s3-${topology}`);
      const tutor = await join(room, 'Tess', 'tutor', { topology });
      // Six pages share one browser on a small machine: the students join
      // without a microphone (the tutor's audio still reaches everyone), since
      // thirty audio streams encoded and played at once starve the pages (seen
      // on two cores: late joins, links re-placed, frames that never advance).
      const students: Participant[] = [];
      for (const name of ['Ann', 'Ben', 'Cid', 'Dee', 'Eve']) students.push(await join(room, name, 'student', { topology, microphone: false }));
      for (const p of [tutor, ...students]) {
        await waitFor(async () => (await p.state()).participants.length === 6, `${p.name} sees six participants`);
      }
      // Each page checks what it shows in turn; the pages check at the same time (they play independently).
      await Promise.all([
        (async () => {
          for (const student of students) await tutor.expectSees(student.name);
        })(),
        ...students.map(async (viewer) => {
          await viewer.expectSees('Tess');
          if (topology !== 'mesh') return;
          for (const subject of students) if (viewer !== subject) await viewer.expectSees(subject.name);
        }),
      ]);
      if (topology === 'star') {
        // Star: classmates are listed but send no video to each other.
        for (const viewer of students) {
          for (const subject of students) if (viewer !== subject) assert.equal(await viewer.framesOf(subject.name), -1);
        }
      }
      await closeAll([tutor, ...students]);
    });
  }

  void test('4. a student toggles camera and mic: their own UI and the tutor\'s tile follow', { timeout: TEST_TIMEOUT }, async () => {
    const room = uniqueRoom('s4');
    const tutor = await join(room, 'Tess', 'tutor');
    const student = await join(room, 'Sam', 'student');
    await tutor.expectSees('Sam');
    await student.act('toggleCamera');
    await student.act('toggleMic');
    const own = (await student.state()).participants.find((p) => p.isLocal);
    assert.equal(own?.isVideoOn, false);
    assert.equal(own.isAudioOn, false);
    assert.equal(await student.ownPreviewFrames(), -1, 'the preview shows the placeholder');
    await waitFor(async () => {
      const seen = (await tutor.state()).participants.find((p) => p.name === 'Sam');
      return seen && !seen.isVideoOn && !seen.isAudioOn;
    }, 'the tutor sees camera and mic off');
    assert.equal(await tutor.framesOf('Sam'), -1, "the tutor's tile shows the placeholder");
    await student.act('toggleCamera');
    await student.act('toggleMic');
    await tutor.expectSees('Sam');
    await student.expectOwnPreview();
    await closeAll([tutor, student]);
  });

  void test('5. the tutor mutes a student; the student unmutes', { timeout: TEST_TIMEOUT }, async () => {
    const room = uniqueRoom('s5');
    const tutor = await join(room, 'Tess', 'tutor');
    const student = await join(room, 'Sam', 'student');
    const samId = await waitFor(async () => (await tutor.state()).participants.find((p) => p.name === 'Sam')?.id, 'Sam listed');
    await tutor.muteParticipant(samId);
    await waitFor(async () => (await student.state()).participants.find((p) => p.isLocal)?.isAudioOn === false, 'Sam muted');
    assert.ok((await student.state()).events.some((e) => e.type === 'ls-muted'));
    await student.act('toggleMic');
    await waitFor(async () => (await tutor.state()).participants.find((p) => p.name === 'Sam')?.isAudioOn, 'tutor sees Sam unmuted');
    await closeAll([tutor, student]);
  });

  void test('6. a student refreshes: back in the room as the same person, one tile, video resumes', { timeout: TEST_TIMEOUT }, async () => {
    const room = uniqueRoom('s6');
    const tutor = await join(room, 'Tess', 'tutor');
    // No user-id: the tab keeps a generated one across the refresh.
    const student = await join(room, 'Sam', 'student');
    await tutor.expectSees('Sam');
    const before = (await tutor.state()).participants.find((p) => p.name === 'Sam');
    await student.page.reload();
    await student.joined();
    await waitFor(async () => {
      const sams = (await tutor.state()).participants.filter((p) => p.name === 'Sam');
      return sams.length === 1 && sams[0]?.id !== before?.id;
    }, 'the tutor sees the new Sam');
    const sams = (await tutor.state()).participants.filter((p) => p.name === 'Sam');
    assert.equal(sams.length, 1, 'never two tiles');
    assert.equal(sams[0]?.userId, before?.userId, 'the same person');
    await tutor.expectSees('Sam');
    await student.expectSees('Tess');
    await closeAll([tutor, student]);
  });

  void test('7. a student closes the tab: the tutor\'s tile goes at once', { timeout: TEST_TIMEOUT }, async () => {
    const room = uniqueRoom('s7');
    const tutor = await join(room, 'Tess', 'tutor');
    const student = await join(room, 'Sam', 'student');
    await tutor.expectSees('Sam');
    await student.close();
    await waitFor(async () => (await tutor.state()).participants.length === 1, 'Sam gone');
    const left = (await tutor.state()).events.find((e) => e.type === 'ls-participant-left' && e.name === 'Sam');
    assert.ok(left && (left.reason === 'left' || left.reason === 'closed'), `a clean leave, not a timeout (${String(left?.reason)})`);
    await closeAll([tutor]);
  });

  void test('11. a student page forging tutor commands by hand: refused, nothing changes', { timeout: TEST_TIMEOUT }, async () => {
    const room = uniqueRoom('s11');
    const tutor = await join(room, 'Tess', 'tutor');
    const student = await join(room, 'Sam', 'student');
    const tessId = await waitFor(async () => (await student.state()).participants.find((p) => p.name === 'Tess')?.id, 'Tess listed');
    // From the student's page: a hand-written websocket client that joins as a
    // student claiming to be a tutor later, and sends every tutor command.
    const replies = await student.page.evaluate(
      async ({ url, roomName, target }) => {
        const base = url.replace(/^http/, 'ws');
        const id = `forger${Math.random().toString(36).slice(2)}`;
        const socket = new WebSocket(`${base}peerjs?key=peerjs&id=${id}&token=t${Date.now()}`);
        const received: { type: string; payload?: { code?: string; request?: string } }[] = [];
        const waiters: (() => void)[] = [];
        socket.onmessage = (event) => {
          received.push(JSON.parse(String(event.data)) as { type: string });
          for (const wake of waiters.splice(0)) wake();
        };
        /** Resolves when a received message passes `test` (a guard, not a limit, stops a hang). */
        const reply = (test: (m: (typeof received)[number]) => boolean, what: string): Promise<void> =>
          new Promise((done, fail) => {
            const guard = setTimeout(() => fail(new Error(`no reply: ${what} (${JSON.stringify(received)})`)), 20_000);
            const check = (): void => {
              if (received.some(test)) {
                clearTimeout(guard);
                done();
              } else waiters.push(check);
            };
            check();
          });
        await new Promise((done) => (socket.onopen = done));
        const join = { type: 'LS-JOIN', payload: { room: roomName, userId: id, name: 'Mallory', role: 'student' } };
        socket.send(JSON.stringify(join));
        await reply((m) => m.type === 'LS-JOINED', 'joined');
        for (const type of ['LS-MUTE', 'LS-REMOVE', 'LS-LOWER-HAND', 'LS-ASK-UNMUTE']) {
          socket.send(JSON.stringify({ type, payload: { target } }));
        }
        socket.send(JSON.stringify({ type: 'LS-MUTE-ALL' }));
        socket.send(JSON.stringify({ type: 'LS-STATE', payload: { role: 'tutor' } }));
        // The server answers one socket in order: once a second join is refused,
        // every answer to the frames above has arrived.
        socket.send(JSON.stringify(join));
        await reply((m) => m.payload?.code === 'already-joined', 'the closing second join refused');
        socket.close();
        return received;
      },
      { url: server.url, roomName: room, target: tessId },
    );
    assert.equal(replies.filter((m) => m.payload?.code === 'forbidden').length, 5, JSON.stringify(replies));
    const tess = (await student.state()).participants.find((p) => p.name === 'Tess');
    assert.equal(tess?.isAudioOn, true);
    assert.equal((await tutor.state()).phase, 'joined');
    await student.expectSees('Tess');
    await closeAll([tutor, student]);
  });
});

void describe('end to end, failures', { timeout: 900_000 }, () => {
  void test('8. a student\'s browser freezes (SIGSTOP): gone for the tutor within the bound', { timeout: TEST_TIMEOUT }, async () => {
    const server = await startCliServer();
    const tutorBrowser = await ChromiumDriver.launch();
    const studentBrowser = await ChromiumDriver.launch({ ownProcess: true });
    let frozen: number[] = [];
    try {
      const room = uniqueRoom('s8');
      const tutor = await tutorBrowser.open(server, { room, name: 'Tess', role: 'tutor' });
      await tutor.joined();
      const student = await studentBrowser.open(server, { room, name: 'Sam', role: 'student' });
      await student.joined();
      await tutor.expectSees('Sam');
      const pid = studentBrowser.pid;
      assert.ok(pid, 'the student browser has a process id');
      frozen = processTree(pid);
      const frozeAt = Date.now();
      signal(frozen, 'SIGSTOP');
      await waitFor(async () => (await tutor.state()).participants.length === 1, 'Sam removed', 30_000);
      const left = (await tutor.state()).events.find((e) => e.type === 'ls-participant-left' && e.name === 'Sam');
      assert.equal(left?.reason, 'timeout', 'removed by the liveness check');
      console.log(`  frozen student removed after ${Date.now() - frozeAt} ms`);
      await tutor.close();
    } finally {
      signal(frozen, 'SIGCONT');
      await studentBrowser.close();
      await tutorBrowser.close();
      await server.stop();
    }
  });

  void test('9. the server restarts mid-session: everyone recovers, no duplicates', { timeout: 240_000 }, async () => {
    const server = await startCliServer();
    const browser = await ChromiumDriver.launch();
    try {
      const room = uniqueRoom('s9');
      const people = [
        await browser.open(server, { room, name: 'Tess', role: 'tutor' }),
        await browser.open(server, { room, name: 'Ann', role: 'student' }),
        await browser.open(server, { room, name: 'Ben', role: 'student' }),
      ];
      for (const p of people) await p.joined();
      const [tutor, ann, ben] = people as [Participant, Participant, Participant];
      await ann.expectSees('Tess');
      await server.restart(500);
      await waitFor(async () => (await ann.state()).events.some((e) => e.state === 'reconnecting'), 'Ann noticed the drop');
      for (const p of people) {
        await waitFor(async () => {
          const s = await p.state();
          return s.connection === 'connected' && s.participants.length === 3;
        }, `${p.name} back with three`, 60_000);
        const ids = (await p.state()).participants.map((x) => x.userId);
        assert.equal(new Set(ids).size, 3, 'no duplicates');
      }
      await ann.expectSees('Tess');
      await tutor.expectSees('Ben');
      await ben.expectSees('Ann');
      const late = await browser.open(server, { room, name: 'Lee', role: 'student' });
      await late.joined();
      await waitFor(async () => (await late.state()).participants.length === 4, 'a newcomer sees all three');
      await late.expectSees('Tess');
      await Promise.all([...people, late].map((p) => p.close()));
    } finally {
      await browser.close();
      await server.stop();
    }
  });

  void test('switching the camera mid-call from Settings: the tutor sees the other camera\'s picture, on the same connection', { timeout: TEST_TIMEOUT }, async () => {
    const server = await startCliServer();
    // Chromium's fake cameras: the first and the third paint green pictures of different shades
    // (the second is a depth-format camera, which WebRTC does not encode).
    const browser = await ChromiumDriver.launch({ cameras: 3 });
    try {
      const room = uniqueRoom('camswitch');
      const tutor = await browser.open(server, { room, name: 'Tess', role: 'tutor', microphone: false });
      await tutor.joined();
      const student = await browser.open(server, { room, name: 'Sam', role: 'student', microphone: false });
      await student.joined();
      await tutor.expectSees('Sam');
      /** The mean green of Sam's picture at the tutor over a few frames. */
      const green = async (): Promise<number | null> => {
        let sum = 0;
        for (let i = 0; i < 4; i++) {
          const colour = await tutor.colourOf('Sam');
          if (!colour) return null;
          sum += colour[1];
          await delay(150);
        }
        return sum / 4;
      };
      const before = await waitFor(async () => { const g = await green(); return g !== null && g > 100 ? g : null; }, 'Sam\'s first camera at the tutor');
      await tutor.page.evaluate(() => {
        const session = (document.querySelector('live-session') as unknown as { session: { peerConnections: RTCPeerConnection[] } }).session;
        (window as unknown as { firstConnections: RTCPeerConnection[] }).firstConnections = [...session.peerConnections];
      }, undefined);
      // Sam opens Settings with a real click and picks the third camera.
      await student.page.click('live-session >>> [data-control="settings"]');
      const chosen = await waitFor(() => student.page.evaluate(() => {
        const settings = document.querySelector('live-session')?.shadowRoot?.querySelector('[part~="settings"] device-settings');
        const select = settings?.shadowRoot?.querySelector<HTMLSelectElement>('[part~="camera-select"]');
        const other = [...(select?.options ?? [])].find((o) => o.textContent.includes('fake_device_2'));
        if (!select || !other) return null;
        select.value = other.value;
        select.dispatchEvent(new Event('change'));
        return other.textContent;
      }, undefined), 'a third camera in the picker');
      assert.match(chosen, /fake_device_2/);
      const sent = await waitFor(() => student.page.evaluate(() => {
        const session = (document.querySelector('live-session') as unknown as { session: { peerConnections: RTCPeerConnection[] } }).session;
        const label = session.peerConnections[0]?.getSenders().find((x) => x.track?.kind === 'video')?.track?.label ?? '';
        return label.includes('fake_device_2') ? label : null;
      }, undefined), 'Sam sends the new camera');
      assert.match(sent, /fake_device_2/);
      // The tutor's picture of Sam changes (another shade), and keeps moving.
      await waitFor(async () => { const g = await green(); return g !== null && Math.abs(g - before) >= 6; }, `the tutor sees the other camera (green was ${before.toFixed(0)})`);
      await tutor.expectSees('Sam');
      const same = await tutor.page.evaluate(() => {
        const session = (document.querySelector('live-session') as unknown as { session: { peerConnections: RTCPeerConnection[] } }).session;
        const first = (window as unknown as { firstConnections: RTCPeerConnection[] }).firstConnections;
        return session.peerConnections.length === first.length && session.peerConnections.every((pc, i) => pc === first[i]);
      }, undefined);
      assert.equal(same, true, 'the same connection: the track was replaced, nothing renegotiated');
      await Promise.all([tutor.close(), student.close()]);
    } finally {
      await browser.close();
      await server.stop();
    }
  });

  void test('12. camera denied: the student joins with audio only and is told why', { timeout: TEST_TIMEOUT }, async () => {
    const server = await startCliServer();
    const tutorBrowser = await ChromiumDriver.launch();
    const deniedBrowser = await ChromiumDriver.launch({ denyCamera: true });
    try {
      const room = uniqueRoom('s12');
      const tutor = await tutorBrowser.open(server, { room, name: 'Tess', role: 'tutor' });
      await tutor.joined();
      const student = await deniedBrowser.open(server, { room, name: 'Sam', role: 'student' });
      const state = await student.joined();
      const self = state.participants.find((p) => p.isLocal);
      assert.equal(self?.isVideoOn, false);
      assert.equal(self.isAudioOn, true);
      const errors = state.events.filter((e) => e.type === 'ls-error');
      assert.deepEqual(errors.map((e) => e.code), ['media']);
      const notices = await waitFor(async () => {
        const shown = await student.notices();
        return shown.length > 0 ? shown : null;
      }, 'a notice is shown');
      // What happened, and how to fix it in this browser (Chromium: the site icon left of the address bar).
      assert.match(notices.join(' '), /Camera access was denied\. Click the site icon at the left of the address bar, set Camera to Allow/);
      await waitFor(async () => {
        const sam = (await tutor.state()).participants.find((p) => p.name === 'Sam');
        return sam?.isAudioOn === true && !sam.isVideoOn;
      }, 'the tutor sees Sam with audio, camera off');
      assert.equal(await tutor.framesOf('Sam'), -1, 'a placeholder, not a black video');
      await student.expectSees('Tess');
      await Promise.all([tutor.close(), student.close()]);
    } finally {
      await deniedBrowser.close();
      await tutorBrowser.close();
      await server.stop();
    }
  });

  void test('11b. with a secret, a forged role in the join is ignored: the token decides', { timeout: TEST_TIMEOUT }, async () => {
    const secret = 'e2e-secret-that-is-long-enough-for-hs256';
    const server = await startCliServer({ secret });
    const browser = await ChromiumDriver.launch();
    try {
      const room = uniqueRoom('s11b');
      const tutorToken = await signJoinToken({ room, sub: 'tess', name: 'Tess', role: 'tutor' }, secret);
      const studentToken = await signJoinToken({ room, sub: 'sam', name: 'Sam', role: 'student' }, secret);
      const tutor = await browser.open(server, { room, name: '', role: 'tutor', token: tutorToken });
      await tutor.joined();
      // The student's page claims role=tutor and another name in its attributes; the token wins.
      const student = await browser.open(server, { room, name: 'Boss', role: 'tutor', token: studentToken });
      const state = await student.joined();
      const self = state.participants.find((p) => p.isLocal);
      assert.equal(self?.role, 'student');
      assert.equal(self.name, 'Sam');
      await student.expectSees('Tess');
      await Promise.all([tutor.close(), student.close()]);
    } finally {
      await browser.close();
      await server.stop();
    }
  });
});

void describe('end to end, across browsers', { timeout: 600_000 }, () => {
  let server: CliServer;
  let chromium: ChromiumDriver;
  let firefox: FirefoxDriver;
  before(async () => {
    server = await startCliServer();
    chromium = await ChromiumDriver.launch();
    firefox = await FirefoxDriver.launch();
  });
  after(async () => {
    await firefox.close();
    await chromium.close();
    await server.stop();
  });

  void test('10a. a Firefox student with a Chromium tutor', { timeout: TEST_TIMEOUT }, async () => {
    const room = uniqueRoom('s10a');
    const tutor = await chromium.open(server, { room, name: 'Tess', role: 'tutor' });
    await tutor.joined();
    const student = await firefox.open(server, { room, name: 'Sam', role: 'student' });
    await student.joined();
    await student.expectSees('Tess');
    await student.expectOwnPreview();
    await tutor.expectSees('Sam');
    await Promise.all([tutor.close(), student.close()]);
  });

  void test('13. autoplay blocked for a watch-only student: a visible "Click to enable audio" button appears', { timeout: TEST_TIMEOUT }, async () => {
    const blocking = await FirefoxDriver.launch({ blockAutoplay: true });
    try {
      const room = uniqueRoom('s13');
      const tutor = await chromium.open(server, { room, name: 'Tess', role: 'tutor' });
      await tutor.joined();
      // Browsers let pages that capture camera or microphone autoplay; one that only watches may not.
      const student = await blocking.open(server, { room, name: 'Sam', role: 'student', watchOnly: true });
      await student.joined();
      const blocked = await waitFor(
        () =>
          student.page.evaluate(() => {
            const grid = document.querySelector('live-session')?.shadowRoot?.querySelector('video-grid')?.shadowRoot;
            const button = grid?.querySelector('[part="enable-audio"]');
            const video = grid?.querySelector('[data-main]')?.shadowRoot?.querySelector('video');
            if (!(button instanceof HTMLButtonElement) || !(video instanceof HTMLVideoElement)) return null;
            return { name: button.textContent.trim(), paused: video.paused };
          }, undefined),
        'the enable-audio button appears',
      );
      assert.equal(blocked.name, 'Click to enable audio');
      assert.equal(blocked.paused, true, "the browser refused to play the tutor's sound");
      await Promise.all([tutor.close(), student.close()]);
    } finally {
      await blocking.close();
    }
  });

  void test('14. chat across browsers: both ways through the panel, history for a late joiner, a private message stays private', { timeout: TEST_TIMEOUT }, async () => {
    const room = uniqueRoom('s14');
    const tutor = await chromium.open(server, { room, name: 'Tess', role: 'tutor' });
    await tutor.joined();
    const sam = await firefox.open(server, { room, name: 'Sam', role: 'student' });
    await sam.joined();
    await Promise.all([tutor.openChat(), sam.openChat()]);
    await tutor.writeChat('Welcome! Notes: https://example.org/notes');
    await waitFor(async () => (await sam.chatShown()).includes('Tess: Welcome! Notes: https://example.org/notes'), 'Sam (Firefox) reads the tutor');
    const markup = '<b>bold?</b> <img src=x onerror=alert(1)>';
    await sam.writeChat(markup);
    await waitFor(async () => (await tutor.chatShown()).includes(`Sam: ${markup}`), 'the tutor (Chromium) reads Sam, markup as text');
    assert.equal(await tutor.page.evaluate(() => document.querySelector('live-session')?.shadowRoot?.querySelector('session-chat')?.shadowRoot?.querySelector('[part="text"] img, [part="text"] b') ?? null, undefined), null);
    await sam.writeChat('I am stuck', 'Tess');
    await waitFor(async () => (await tutor.chatShown()).includes('Sam: I am stuck'), 'the private message reaches the tutor');
    const lee = await chromium.open(server, { room, name: 'Lee', role: 'student' });
    await lee.joined();
    await lee.openChat();
    const history = await waitFor(async () => ((await lee.chatShown()).length === 2 ? lee.chatShown() : null), 'Lee gets the history');
    assert.deepEqual(history, ['Tess: Welcome! Notes: https://example.org/notes', `Sam: ${markup}`], 'the room history, without the private message');
    await Promise.all([tutor.close(), sam.close(), lee.close()]);
  });

  void test('16. screen share across browsers: a Chromium tutor shares with the button, a Firefox student watches it live and sharper than the camera, a late joiner at once; Stop sharing ends it', { timeout: TEST_TIMEOUT }, async () => {
    const room = uniqueRoom('s16');
    const tutor = await chromium.open(server, { room, name: 'Tess', role: 'tutor' });
    await tutor.joined();
    const sam = await firefox.open(server, { room, name: 'Sam', role: 'student' });
    await sam.joined();
    await sam.expectSees('Tess');
    await tutor.page.click('live-session >>> session-controls >>> [data-control="share"]');
    await sam.expectScreen();
    const camera = await sam.cameraWidthOf('Tess');
    assert.ok((await sam.screen()).width > camera, `the share (${(await sam.screen()).width} px) is sharper than the camera (${camera} px)`);
    const lee = await chromium.open(server, { room, name: 'Lee', role: 'student' });
    await lee.joined();
    await lee.expectScreen();
    await tutor.page.click('live-session >>> session-controls >>> [data-control="share"]');
    await waitFor(async () => (await sam.screen()).frames === -1 && (await lee.screen()).frames === -1, 'the share is gone for both');
    await sam.expectSees('Tess');
    await Promise.all([tutor.close(), sam.close(), lee.close()]);
  });

  void test('17. a student shares from a headed Firefox (on a virtual display) once the tutor allows it; the Chromium tutor watches; Stop sharing ends it', { timeout: TEST_TIMEOUT }, async () => {
    const room = uniqueRoom('s17');
    const xvfb = await startXvfb();
    const headed = await FirefoxDriver.launch({ display: xvfb.display });
    try {
      const tutor = await chromium.open(server, { room, name: 'Tess', role: 'tutor' });
      await tutor.joined();
      const sam = await headed.open(server, { room, name: 'Sam', role: 'student' });
      await sam.joined();
      const shareButton = 'live-session >>> session-controls >>> [data-control="share"]';
      const hasShare = (): Promise<boolean> =>
        sam.page.evaluate(() => !!document.querySelector('live-session')?.shadowRoot?.querySelector('session-controls')?.shadowRoot?.querySelector('[data-control="share"]'), undefined);
      assert.equal(await hasShare(), false, 'no Share screen before the tutor allows it');
      await tutor.page.click('live-session >>> session-controls >>> [data-control="students-share"]');
      await waitFor(hasShare, 'Share screen appears for Sam');
      await sam.page.click(shareButton);
      await tutor.expectScreen();
      assert.equal((await tutor.screen()).width, 1280, "the tutor sees the virtual display's full width");
      await sam.page.click(shareButton);
      await waitFor(async () => (await tutor.screen()).frames === -1, 'the share is gone');
      await Promise.all([tutor.close(), sam.close()]);
    } finally {
      await headed.close();
      await xvfb.stop();
    }
  });

  void test('15. waiting room across browsers: a Firefox student waits with its preview, the tutor admits them with a click', { timeout: TEST_TIMEOUT }, async () => {
    const room = uniqueRoom('s15');
    const tutor = await chromium.open(server, { room, name: 'Tess', role: 'tutor' });
    await tutor.joined();
    await tutor.page.evaluate(() => {
      (document.querySelector('live-session') as unknown as { session: { setAdmission(s: { waiting: boolean }): void } }).session.setAdmission({ waiting: true });
    }, undefined);
    const sam = await firefox.open(server, { room, name: 'Sam', role: 'student' });
    const status = await waitFor(
      () => sam.page.evaluate(() => document.querySelector('live-session')?.shadowRoot?.querySelector('[part="waiting-room"]')?.textContent ?? null, undefined),
      'Sam (Firefox) waits',
    );
    assert.match(status, /Waiting for the tutor to let you in/);
    await sam.expectOwnPreview();
    assert.deepEqual((await tutor.state()).participants.map((p) => p.name), ['Tess'], 'a waiting student is not in the room');
    await waitFor(
      () => tutor.page.evaluate(() => !!document.querySelector('live-session')?.shadowRoot?.querySelector('participant-list')?.shadowRoot?.querySelector('[part="admit"]'), undefined),
      'the tutor sees Sam waiting',
    );
    await tutor.page.click('live-session >>> participant-list >>> [part="admit"]');
    await sam.joined();
    await sam.expectSees('Tess');
    await tutor.expectSees('Sam');
    await Promise.all([tutor.close(), sam.close()]);
  });

  void test('10b. a Chromium student with a Firefox tutor', { timeout: TEST_TIMEOUT }, async () => {
    const room = uniqueRoom('s10b');
    const tutor = await firefox.open(server, { room, name: 'Tess', role: 'tutor' });
    await tutor.joined();
    const student = await chromium.open(server, { room, name: 'Sam', role: 'student' });
    await student.joined();
    await student.expectSees('Tess');
    await tutor.expectSees('Sam');
    await Promise.all([tutor.close(), student.close()]);
  });
});
