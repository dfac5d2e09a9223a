/**
 * A class through the SFU, the way users meet it: a real Janus, the server
 * started by its CLI with `--janus` and `--topology sfu`, a tutor and twenty
 * students. The tutor and three students each have their own page with the
 * script-tag bundle and the whole element (S01 with camera and microphone,
 * S02 watching, the last one in Firefox with its camera); the other students
 * are controllers sharing one page, watching with camera and microphone off as
 * most students of a lecture do, each playing the tutor in a small video of
 * its own. Twenty-one pages each rendering the element are more than two
 * cores carry (their signalling starves); one page of controllers is what a
 * second device per student would be, and every one of them is a real member
 * with its own websocket, its own Janus subscription and its own decoder.
 *
 * Every student plays the tutor; the tutor's page sends one video whatever the
 * class size; a student whose tile of the tutor grows gets a larger simulcast
 * layer; tutor actions work as in peer-to-peer rooms; Janus killed, every
 * member is told and every page shows it, and video comes back by itself once
 * Janus is back. LS_SFU_STUDENTS=<n> runs another class size (at least 3).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startJanus, type TestJanus } from '../test/janus.js';
import type { Page } from 'playwright-core';
import { ChromiumDriver, FirefoxDriver, startCliServer, uniqueRoom, waitFor, type CliServer, type Participant } from './harness.js';

/** LS_E2E_TRACE=1: the class page's members log their debug lines too. */
const TRACE = process.env['LS_E2E_TRACE'] === '1';
const STUDENTS = Math.max(3, Number(process.env['LS_SFU_STUDENTS'] ?? 20));

interface MemberState {
  name: string;
  listed: number;
  phase: string;
  frames: number;
  recording: boolean;
  errors: string[];
}

/** The page of controllers (the harness's class page): many students in one page, no element. */
class ClassPage {
  private constructor(private readonly page: Page) {}

  static async open(driver: ChromiumDriver, server: CliServer, room: string, names: string[]): Promise<ClassPage> {
    const page = await (await driver.browser.newContext()).newPage();
    if (TRACE) page.on('console', (message) => process.stderr.write(`${new Date().toISOString().slice(11, 23)} [class] ${message.text()}\n`));
    await page.goto(`${server.url}class.html${TRACE ? '?debug' : ''}`);
    await page.waitForFunction(() => (window as unknown as { classReady?: boolean }).classReady === true);
    await page.evaluate((options) => (window as unknown as { joinClass(o: typeof options): Promise<void> }).joinClass(options), { server: server.url, room, names });
    return new ClassPage(page);
  }

  state(): Promise<MemberState[]> {
    return this.page.evaluate(() => (window as unknown as { classState(): MemberState[] }).classState());
  }

  /** Proves by frames that every member plays the tutor: each has a video, then each one's frames advance. */
  async expectAllSeeTutor(): Promise<void> {
    const first = await waitFor(async () => {
      const members = await this.state();
      return members.every((m) => m.frames >= 0) ? members : null;
    }, 'every student of the class page plays the tutor', 60_000);
    await waitFor(async () => {
      const now = await this.state();
      return now.every((m, i) => m.frames > (first[i]?.frames ?? 0));
    }, "the tutor's frames advance for every student of the class page", 60_000);
  }

  async close(): Promise<void> {
    await this.page.evaluate(() => (window as unknown as { leaveClass(): Promise<void> }).leaveClass()).catch(() => undefined);
    await this.page.context().close().catch(() => undefined);
  }
}

/** Outgoing video streams of a page's connections: outbound-rtp of kind video, simulcast layers of one track counted once. */
function outgoingVideos(participant: Participant): Promise<number> {
  return participant.page.evaluate(async () => {
    const session = (document.querySelector('live-session') as unknown as { session?: { peerConnections: RTCPeerConnection[] } }).session;
    let count = 0;
    for (const pc of session?.peerConnections ?? []) {
      const stats = await pc.getStats();
      stats.forEach((entry: { type?: string; kind?: string; rid?: string }) => {
        if (entry.type === 'outbound-rtp' && entry.kind === 'video' && (entry.rid === undefined || entry.rid === 'l')) count += 1;
      });
    }
    return count;
  }, undefined);
}

/**
 * The width of the widest simulcast layer this page's camera sends right now:
 * the layers whose encoder produced frames over the last second. Chromium
 * stops or scales down its top layer when the CPU is short (two cores and a
 * class of twenty), so the widest layer there is is not always 640 pixels.
 */
function widestLayerSent(participant: Participant): Promise<number> {
  return participant.page.evaluate(async () => {
    const session = (document.querySelector('live-session') as unknown as { session?: { peerConnections: RTCPeerConnection[] } }).session;
    const sample = async (): Promise<Map<string, { frames: number; width: number }>> => {
      const layers = new Map<string, { frames: number; width: number }>();
      for (const pc of session?.peerConnections ?? []) {
        (await pc.getStats()).forEach((entry: { type?: string; kind?: string; rid?: string; framesEncoded?: number; frameWidth?: number }) => {
          if (entry.type === 'outbound-rtp' && entry.kind === 'video' && entry.rid !== undefined) layers.set(entry.rid, { frames: entry.framesEncoded ?? 0, width: entry.frameWidth ?? 0 });
        });
      }
      return layers;
    };
    const before = await sample();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    let widest = 0;
    for (const [rid, layer] of await sample()) if (layer.frames > (before.get(rid)?.frames ?? 0)) widest = Math.max(widest, layer.width);
    return widest;
  }, undefined);
}

/** Bytes this page has sent as media (every outbound-rtp of its connections). */
function mediaBytesSent(participant: Participant): Promise<number> {
  return participant.page.evaluate(async () => {
    const session = (document.querySelector('live-session') as unknown as { session?: { peerConnections: RTCPeerConnection[] } }).session;
    let bytes = 0;
    for (const pc of session?.peerConnections ?? []) {
      (await pc.getStats()).forEach((entry: { type?: string; bytesSent?: number }) => {
        if (entry.type === 'outbound-rtp') bytes += entry.bytesSent ?? 0;
      });
    }
    return bytes;
  }, undefined);
}

/** The decoded width of `subject`'s video in this page's grid (0 without one). */
function videoWidthOf(participant: Participant, subject: string): Promise<number> {
  return participant.page.evaluate((name) => {
    const grid = document.querySelector('live-session')?.shadowRoot?.querySelector('video-grid');
    for (const tile of grid?.shadowRoot?.querySelectorAll('[data-participant]') ?? []) {
      if (!tile.shadowRoot?.querySelector('[part="name"]')?.textContent.includes(name)) continue;
      return tile.shadowRoot.querySelector('video')?.videoWidth ?? 0;
    }
    return 0;
  }, subject);
}

/** Sets the width of the page's `<live-session>` element (a page layout change; '' gives it back its own). */
function setWidth(participant: Participant, width: string): Promise<void> {
  return participant.page.evaluate((value) => {
    const element = document.querySelector<HTMLElement>('live-session');
    if (element) element.style.width = value;
  }, width);
}

/** Whether the page shows that the lesson is being recorded. */
function showsRecording(participant: Participant): Promise<boolean> {
  return participant.page.evaluate(
    () => !!document.querySelector('live-session')?.shadowRoot?.querySelector('session-controls')?.shadowRoot?.querySelector('[part="recording"]'),
    undefined,
  );
}

/** The bytes Janus has written so far to its raw files of one kind in the recordings folder. */
function rawBytes(dir: string, kind: 'audio' | 'video'): number {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.mjr') && name.includes(`-${kind}-`))
    .reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);
}

/** The tutor's list of recordings: each one's state and download links by kind. */
function recordingsShown(participant: Participant): Promise<{ state: string; links: Record<string, string> }[]> {
  return participant.page.evaluate(() => {
    const list = document.querySelector('live-session')?.shadowRoot?.querySelector('session-controls')?.shadowRoot?.querySelector('[part="recordings"]');
    return [...(list?.querySelectorAll('li') ?? [])].map((item) => ({
      state: item.getAttribute('data-state') ?? '',
      links: Object.fromEntries([...item.querySelectorAll('a')].map((a) => [a.getAttribute('data-kind') ?? '', a.href])),
    }));
  }, undefined);
}

/** What a page's session and grid hold of `subject`'s video, to explain a failure. */
function videoDiagnosis(participant: Participant, subject: string): Promise<unknown> {
  return participant.page.evaluate((name) => {
    const element = document.querySelector('live-session') as unknown as {
      session?: { sfuState: string; peerConnections: RTCPeerConnection[]; participants: { name: string; isVideoOn: boolean; stream: MediaStream | null }[] };
      shadowRoot: ShadowRoot | null;
    } | null;
    const session = element?.session;
    const who = session?.participants.find((p) => p.name === name);
    const grid = element?.shadowRoot?.querySelector('video-grid');
    const tile = [...(grid?.shadowRoot?.querySelectorAll('[data-participant]') ?? [])].find((t) => t.shadowRoot?.querySelector('[part="name"]')?.textContent.includes(name));
    const video = tile?.shadowRoot?.querySelector('video');
    const shown = video?.srcObject instanceof MediaStream ? video.srcObject : null;
    return {
      sfuState: session?.sfuState,
      connections: session?.peerConnections.map((pc) => pc.connectionState),
      isVideoOn: who?.isVideoOn,
      stream: who?.stream ? { id: who.stream.id, tracks: who.stream.getTracks().map((t) => `${t.kind}:${t.readyState}:${t.muted ? 'muted' : 'unmuted'}`) } : null,
      tile: tile ? { video: !!video, hidden: video?.hidden, srcObject: shown?.id ?? null, sameStream: shown !== null && shown === who?.stream, width: video?.videoWidth, paused: video?.paused, readyState: video?.readyState } : null,
    };
  }, subject);
}

/** The text of the room's notices (the camera, microphone and video-server messages). */
function notices(participant: Participant): Promise<string> {
  return participant.page.evaluate(() => document.querySelector('live-session')?.shadowRoot?.querySelector('[part~="notices"]')?.textContent.trim() ?? '', undefined);
}

void describe('end to end, a class through the SFU (real Janus)', { timeout: 900_000 }, () => {
  let janus: TestJanus;
  let server: CliServer;
  let chromium: ChromiumDriver;
  let firefox: FirefoxDriver;
  let recordings: string;
  const pages: Participant[] = [];
  const classes: ClassPage[] = [];

  before(async () => {
    janus = await startJanus();
    recordings = mkdtempSync(join(tmpdir(), 'live-session-recordings-'));
    server = await startCliServer({ extraArgs: ['--janus', janus.url, `--janus-api-secret=${janus.apiSecret}`, '--topology', 'sfu', '--recordings', recordings] });
    chromium = await ChromiumDriver.launch();
    firefox = await FirefoxDriver.launch();
  });
  after(async () => {
    await Promise.all([...pages.map((p) => p.close()), ...classes.map((c) => c.close())]);
    await chromium.close();
    await firefox.close();
    await server.stop();
    await janus.stop();
    rmSync(recordings, { recursive: true, force: true });
  });

  void test(`a tutor and ${String(STUDENTS)} students`, { timeout: 600_000 }, async () => {
    const room = uniqueRoom('lecture');
    // 640×360: Chromium sends two of its three layers (320 and 640 pixels wide), enough to see a switch.
    const tutor = await chromium.open(server, { room, name: 'Tess', role: 'tutor', video: '640x360x15' });
    pages.push(tutor);
    await tutor.joined();

    // As in most lectures, most students watch with their camera off. S01 (Chromium, with a microphone) and the
    // last student (Firefox) publish a small camera; S02 watches in its own page (its tile of the tutor is
    // resized below); everyone else is a controller in the class page, camera and microphone off.
    const students: Participant[] = [];
    const lastName = `S${String(STUDENTS).padStart(2, '0')}`;
    for (const [name, driver, camera] of [['S01', chromium, true], ['S02', chromium, false], [lastName, firefox, true]] as const) {
      const student = await driver.open(server, { room, name, role: 'student', video: '160x120x10', microphone: name === 'S01', watchOnly: !camera });
      pages.push(student);
      students.push(student);
    }
    for (const student of students) await student.joined();
    const classNames = Array.from({ length: STUDENTS - 3 }, (_, i) => `S${String(i + 3).padStart(2, '0')}`);
    const classPage = await ClassPage.open(chromium, server, room, classNames);
    classes.push(classPage);
    await waitFor(async () => (await classPage.state()).every((m) => m.phase === 'joined' && m.listed === STUDENTS + 1), 'every student of the class page joined and lists everyone', 60_000);
    for (const p of [tutor, ...students]) {
      await waitFor(async () => (await p.state()).participants.length === STUDENTS + 1, `${p.name} lists everyone`, 60_000);
    }

    // Every student plays the tutor, through Janus.
    for (const student of students) await student.expectSees('Tess');
    await classPage.expectAllSeeTutor();
    // The tutor sees the students who have a camera on (they publish to Janus too), in both browsers.
    await tutor.expectSees('S01');
    await tutor.expectSees(lastName);
    // One outgoing video from the tutor's page, with the whole class watching.
    assert.equal(await outgoingVideos(tutor), 1, "the tutor's page sends exactly one video");

    // A student's page narrows the element, then gives it its width back: the tutor's tile shrinks and grows,
    // and the subscription follows, from a smaller simulcast layer to the full one.
    const viewer = students[1] as Participant;
    await setWidth(viewer, '360px');
    const smaller = await waitFor(async () => {
      const width = await videoWidthOf(viewer, 'Tess');
      return width > 0 && width < 640 ? width : null;
    }, `${viewer.name} gets a smaller layer of the tutor's camera in a small tile`, 60_000);
    await setWidth(viewer, '');
    // Back to the widest layer the tutor sends now (larger than the small one, unless the tutor's
    // browser, short of CPU, sends nothing larger at the moment).
    await waitFor(
      async () => {
        const [width, widest] = [await videoWidthOf(viewer, 'Tess'), await widestLayerSent(tutor)];
        return width > smaller || (width > 0 && widest > 0 && width >= widest);
      },
      `${viewer.name} gets the widest layer once the tile grows`,
      60_000,
    );
    await viewer.expectSees('Tess');

    // Tutor actions work as in peer-to-peer rooms: a raised hand, a student muted by the tutor.
    const speaker = students[0] as Participant;
    await speaker.act('raiseHand');
    await waitFor(async () => (await tutor.state()).participants.find((p) => p.name === speaker.name)?.isHandRaised, 'the tutor sees the raised hand');
    const speakerId = (await speaker.state()).participants.find((p) => p.isLocal)?.id;
    assert.ok(speakerId);
    await waitFor(async () => (await tutor.state()).participants.find((p) => p.name === speaker.name)?.isAudioOn, "the tutor sees the student's microphone on");
    await tutor.muteParticipant(speakerId);
    await waitFor(async () => (await speaker.state()).participants.find((p) => p.isLocal)?.isAudioOn === false, 'the student is muted by the tutor');
    await waitFor(async () => (await tutor.state()).participants.find((p) => p.name === speaker.name)?.isAudioOn === false, 'the tutor sees the student muted');

    // The tutor records a few seconds of the lesson (a real click): every page and member is told while it
    // records; once stopped, the tutor's list offers the camera (WebM) and the microphone (Ogg Opus) to download.
    await tutor.page.click('live-session >>> session-controls >>> [data-control="record"]');
    for (const p of [tutor, ...students]) await waitFor(() => showsRecording(p), `${p.name} shows that the lesson is recorded`);
    await waitFor(async () => (await classPage.state()).every((m) => m.recording), 'every student of the class page is told the lesson is recorded');
    // Stopped once Janus has written some of the camera and the microphone (a fixed few seconds were once too
    // short on a loaded machine: Janus records a simulcast camera from its next keyframe on).
    await waitFor(() => rawBytes(recordings, 'video') > 16_384 && rawBytes(recordings, 'audio') > 8192, 'Janus writes the camera and the microphone of the tutor', 60_000);
    await tutor.page.click('live-session >>> session-controls >>> [data-control="record"]');
    for (const p of [tutor, ...students]) await waitFor(async () => !(await showsRecording(p)), `${p.name} shows that recording stopped`);
    const [recording] = await waitFor(async () => {
      const shown = await recordingsShown(tutor);
      return shown.length === 1 && shown[0]?.state === 'ready' ? shown : null;
    }, "the tutor's list shows the recording, converted", 60_000);
    assert.deepEqual(Object.keys(recording?.links ?? {}).sort(), ['audio', 'video'], 'a video and a sound file');
    for (const [kind, href] of Object.entries(recording?.links ?? {})) {
      const response = await fetch(href);
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('content-type'), kind === 'video' ? 'video/webm' : 'audio/ogg');
      const body = Buffer.from(await response.arrayBuffer());
      assert.ok(body.length > 1000, `the ${kind} file has the lesson in it (${String(body.length)} bytes)`);
      // WebM starts with the EBML magic, Ogg with its capture pattern.
      assert.equal(body.subarray(0, 4).toString('hex'), kind === 'video' ? '1a45dfa3' : Buffer.from('OggS').toString('hex'), `the ${kind} file is ${kind === 'video' ? 'WebM' : 'Ogg'}`);
    }
    assert.deepEqual(await recordingsShown(students[0] as Participant), [], 'students get no list');
    assert.equal(readdirSync(recordings).filter((name) => name.endsWith('.mjr')).length, 0, "Janus's raw files are gone once converted");

    // A student who only watches sends Janus nothing (no placeholder sound or picture), and one who turns the
    // camera on later is published through the sender kept for it, without a new negotiation.
    const watcher = students[1] as Participant;
    assert.equal(await mediaBytesSent(watcher), 0, 'a watching student sends no media');
    await watcher.act('toggleCamera');
    await tutor.expectSees(watcher.name);

    // Janus killed: every page says the video server is unavailable.
    await janus.kill();
    for (const p of [tutor, ...students]) {
      await waitFor(async () => (await p.state()).events.some((e) => e.type === 'ls-error' && e.code === 'sfu-unavailable'), `${p.name} is told the video server is gone`, 60_000);
    }
    await waitFor(async () => (await classPage.state()).every((m) => m.errors.includes('sfu-unavailable')), 'every student of the class page is told the video server is gone', 60_000);
    assert.match(await notices(students[2] as Participant), /video server/i, 'the notice is on the page');
    // Membership does not depend on Janus.
    assert.equal((await tutor.state()).participants.length, STUDENTS + 1);

    // Back: video flows again for everyone, without a reload.
    await janus.restart();
    // Twenty members reconnect to Janus at once on two cores: give the first video a minute.
    for (const student of students) {
      await waitFor(async () => (await student.framesOf('Tess')) >= 0, `${student.name} shows the tutor again`, 60_000).catch(async (error: unknown) => {
        throw new Error(`${error instanceof Error ? error.message : String(error)}; ${JSON.stringify(await videoDiagnosis(student, 'Tess'))}`);
      });
      await student.expectSees('Tess');
    }
    await classPage.expectAllSeeTutor();
    await tutor.expectSees('S01');
    assert.equal(await outgoingVideos(tutor), 1, "the tutor's page still sends exactly one video");
  });
});
