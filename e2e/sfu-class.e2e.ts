/**
 * A class through the SFU, the way users meet it: a real Janus, the server
 * started by its CLI with `--janus` and `--topology sfu`, a tutor and students
 * each in their own page with the script-tag bundle (the last student in
 * Firefox, the others sharing one Chromium; most watch with their camera off,
 * as in most lectures). Every student plays the tutor; the tutor's page sends
 * one video whatever the class size; a student whose tile of the tutor grows
 * gets a larger simulcast layer; tutor actions work as in peer-to-peer rooms;
 * Janus killed, every page says so, and video comes back by itself once Janus
 * is back.
 *
 * The suite runs four students: every page renders the whole element, and on
 * two cores some eight pages are all the machine carries (at twenty-one pages
 * the pages starve and their signalling goes silent). LS_SFU_STUDENTS=<n> runs
 * another class size.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startJanus, type TestJanus } from '../test/janus.js';
import { ChromiumDriver, FirefoxDriver, startCliServer, uniqueRoom, waitFor, type CliServer, type Participant } from './harness.js';

const STUDENTS = Math.max(2, Number(process.env['LS_SFU_STUDENTS'] ?? 4));

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

/** The text of the room's notices (the camera, microphone and video-server messages). */
function notices(participant: Participant): Promise<string> {
  return participant.page.evaluate(() => document.querySelector('live-session')?.shadowRoot?.querySelector('[part~="notices"]')?.textContent.trim() ?? '', undefined);
}

void describe('end to end, a class through the SFU (real Janus)', { timeout: 900_000 }, () => {
  let janus: TestJanus;
  let server: CliServer;
  let chromium: ChromiumDriver;
  let firefox: FirefoxDriver;
  const pages: Participant[] = [];

  before(async () => {
    janus = await startJanus();
    server = await startCliServer({ extraArgs: ['--janus', janus.url, `--janus-api-secret=${janus.apiSecret}`, '--topology', 'sfu'] });
    chromium = await ChromiumDriver.launch();
    firefox = await FirefoxDriver.launch();
  });
  after(async () => {
    await Promise.all(pages.map((p) => p.close()));
    await chromium.close();
    await firefox.close();
    await server.stop();
    await janus.stop();
  });

  void test(`a tutor and ${String(STUDENTS)} students`, { timeout: 600_000 }, async () => {
    const room = uniqueRoom('lecture');
    // 640×360: Chromium sends two of its three layers (320 and 640 pixels wide), enough to see a switch.
    const tutor = await chromium.open(server, { room, name: 'Tess', role: 'tutor', video: '640x360x15' });
    pages.push(tutor);
    await tutor.joined();

    // As in most lectures, most students watch with their camera off: two publish a small camera (S01 in
    // Chromium, with a microphone; the last one in Firefox), the others neither camera nor microphone (each
    // camera on costs an encoder, and a decoder in every page receiving it).
    const students: Participant[] = [];
    for (let i = 1; i <= STUDENTS; i++) {
      const name = `S${String(i).padStart(2, '0')}`;
      const last = i === STUDENTS;
      const driver = last ? firefox : chromium;
      const camera = i === 1 || last;
      const student = await driver.open(server, { room, name, role: 'student', video: '160x120x10', microphone: i === 1, watchOnly: !camera });
      pages.push(student);
      students.push(student);
    }
    for (const student of students) await student.joined();
    for (const p of [tutor, ...students]) {
      await waitFor(async () => (await p.state()).participants.length === STUDENTS + 1, `${p.name} lists everyone`, 60_000);
    }

    // Every student plays the tutor, through Janus.
    for (const student of students) await student.expectSees('Tess');
    // The tutor sees the students who have a camera on (they publish to Janus too), in both browsers.
    await tutor.expectSees('S01');
    await tutor.expectSees(`S${String(STUDENTS).padStart(2, '0')}`);
    // One outgoing video from the tutor's page, with twenty students watching.
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
    await waitFor(async () => (await videoWidthOf(viewer, 'Tess')) > smaller, `${viewer.name} gets a larger layer once the tile grows`, 60_000);
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

    // Janus killed: every page says the video server is unavailable.
    await janus.kill();
    for (const p of [tutor, ...students]) {
      await waitFor(async () => (await p.state()).events.some((e) => e.type === 'ls-error' && e.code === 'sfu-unavailable'), `${p.name} is told the video server is gone`, 60_000);
    }
    assert.match(await notices(students[2] as Participant), /video server/i, 'the notice is on the page');
    // Membership does not depend on Janus.
    assert.equal((await tutor.state()).participants.length, STUDENTS + 1);

    // Back: video flows again for everyone, without a reload.
    await janus.restart();
    for (const student of students) await student.expectSees('Tess');
    await tutor.expectSees('S01');
    assert.equal(await outgoingVideos(tutor), 1, "the tutor's page still sends exactly one video");
  });
});
