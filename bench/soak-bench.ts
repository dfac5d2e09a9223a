/**
 * Long lesson: a student joins and leaves a room again and again while the
 * tutor's page stays. The tutor's page is a real embed (`<live-session>` with
 * its grid and tiles); the student's page uses the controller and destroys
 * each session after leaving. Measured on both pages after a forced GC,
 * before the cycles, half-way and after: JS heap, DOM nodes, JS event listeners
 * (Chrome DevTools Protocol `Memory.getDOMCounters`) and open
 * RTCPeerConnections. The second half's growth is the steady state: the first
 * also holds code the engine optimises as it warms up. Baselines in the same run: a bare page that calls
 * getUserMedia and stops the tracks once a cycle (the browser's own cost of a
 * camera start, which the student's page pays every cycle), and a hand-written
 * PeerJS page answering one call a cycle through a bare PeerJS server (the
 * browser's and PeerJS's own cost of a call, which the tutor's page pays every
 * cycle). Figures, never assertions.
 *
 * Set LS_SOAK_SNAPSHOTS=<dir> to also write heap snapshots of the tutor's page
 * and the student's page before and after, for a retainers view in DevTools.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CDPSession, Page } from 'playwright-core';
import { startBenchSite } from './lib/bench-site.js';
import { startBarePeerServer } from './lib/bare-peer-server.js';

export interface PageCounters {
  heapBytes: number;
  nodes: number;
  listeners: number;
  openPeerConnections: number;
}

export interface SoakBenchResult {
  cycles: number;
  /** Counters before the cycles, half-way, and after. */
  tutor: { before: PageCounters; middle: PageCounters; after: PageCounters; createdPeerConnections: number };
  student: { before: PageCounters; middle: PageCounters; after: PageCounters; createdPeerConnections: number };
  /** Baseline: a bare page calling getUserMedia and stopping the tracks as often. */
  rawMedia: { before: PageCounters; middle: PageCounters; after: PageCounters };
  /** Baseline: a hand-written PeerJS page answering a call a cycle (through a bare PeerJS server), as the tutor's page does. */
  rawAnswerer: { before: PageCounters; middle: PageCounters; after: PageCounters; createdPeerConnections: number };
  /** The tutor page's heap outside compiled code (heap snapshot), before, half-way and after, with the part in the browser's performance-timeline buffers. */
  tutorOutsideCode: { before: HeapSplit; middle: HeapSplit; after: HeapSplit };
  /** The same split of the hand-written PeerJS page's heap (the baseline), before and after. */
  answererOutsideCode: { before: HeapSplit; after: HeapSplit };
  /** Heap growth per cycle, in bytes. */
  tutorBytesPerCycle: number;
  studentBytesPerCycle: number;
  rawMediaBytesPerCycle: number;
  rawAnswererBytesPerCycle: number;
}

/** Counts RTCPeerConnections without keeping them alive. */
const TRACK_PCS = `
  const Native = window.RTCPeerConnection;
  const pcs = new Set();
  window.createdPCCount = 0;
  window.RTCPeerConnection = class extends Native {
    constructor(config) { super(config); window.createdPCCount++; pcs.add(new WeakRef(this)); }
  };
  window.openPCs = () => {
    let open = 0;
    for (const ref of pcs) {
      const pc = ref.deref();
      if (!pc || pc.signalingState === 'closed') { pcs.delete(ref); continue; }
      open++;
    }
    return open;
  };
  window.SMALL = { width: { ideal: 320 }, height: { ideal: 240 }, frameRate: { ideal: 15 } };
`;

const TUTOR_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>tutor</title></head><body>
<script>${TRACK_PCS}</script>
<script type="module">
  await import('/dist/live-session.bundle.js');
  const params = new URLSearchParams(location.search);
  const element = document.createElement('live-session');
  element.setAttribute('server', params.get('server'));
  element.setAttribute('room', params.get('room'));
  element.setAttribute('name', 'Tutor');
  element.setAttribute('user-role', 'tutor');
  element.setAttribute('autojoin', '');
  element.video = window.SMALL;
  window.presentStudents = () => element.session ? element.session.participants.filter((p) => !p.isLocal && p.stream).length : -1;
  window.joined = () => element.getAttribute('phase') === 'joined';
  document.body.append(element);
</script></body></html>`;

const STUDENT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>student</title></head><body>
<script>${TRACK_PCS}</script>
<script type="module">
  const LS = await import('/dist/live-session.bundle.js');
  /** Joins, waits for the tutor's stream, leaves, destroys. */
  window.cycle = async (server, room) => {
    const session = new LS.LiveSession({ server, room, name: 'Cycler', role: 'student', storage: null, video: window.SMALL, audio: {} });
    const seen = new Promise((resolve) => {
      const check = () => {
        if (session.participants.some((p) => !p.isLocal && p.stream)) {
          session.removeEventListener('change', check);
          resolve();
        }
      };
      session.addEventListener('change', check);
    });
    await session.join();
    await seen;
    await session.leave();
    session.destroy();
  };
  window.ready = true;
</script></body></html>`;

const RAW_MEDIA_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>raw</title></head><body>
<script>${TRACK_PCS}
  window.cycle = async () => {
    const stream = await navigator.mediaDevices.getUserMedia({ video: window.SMALL, audio: true });
    for (const track of stream.getTracks()) track.stop();
  };
  window.ready = true;
</script></body></html>`;

/** The baseline's answering side: stays, answers every call with its camera, like the tutor's page. */
const RAW_ANSWERER_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>raw answerer</title>
<script src="/peerjs.min.js"></script></head><body>
<script>${TRACK_PCS}
  window.calls = new Set();
  window.start = async (port, id) => {
    const stream = await navigator.mediaDevices.getUserMedia({ video: window.SMALL, audio: true });
    const peer = new peerjs.Peer(id, { host: '127.0.0.1', port, path: '/', secure: false, config: { iceServers: [] } });
    peer.on('call', (call) => {
      window.calls.add(call);
      call.on('close', () => window.calls.delete(call));
      call.answer(stream);
    });
    await new Promise((resolve) => peer.on('open', resolve));
  };
  window.ready = true;
</script></body></html>`;

/** The baseline's calling side: one call a cycle with a fresh camera stream, closed once the answer's video arrives. */
const RAW_CALLER_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>raw caller</title>
<script src="/peerjs.min.js"></script></head><body>
<script>${TRACK_PCS}
  let peer;
  window.cycle = async (port, target) => {
    peer ??= await new Promise((resolve) => {
      const p = new peerjs.Peer(undefined, { host: '127.0.0.1', port, path: '/', secure: false, config: { iceServers: [] } });
      p.on('open', () => resolve(p));
    });
    const stream = await navigator.mediaDevices.getUserMedia({ video: window.SMALL, audio: true });
    const call = peer.call(target, stream);
    await new Promise((resolve) => call.on('stream', resolve));
    call.close();
    for (const track of stream.getTracks()) track.stop();
  };
  window.ready = true;
</script></body></html>`;

async function counters(page: Page, cdp: CDPSession): Promise<PageCounters> {
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.collectGarbage');
  const heap = await cdp.send('Runtime.getHeapUsage');
  const dom = await cdp.send('Memory.getDOMCounters');
  const openPeerConnections = await page.evaluate(() => (window as unknown as { openPCs(): number }).openPCs());
  return { heapBytes: heap.usedSize, nodes: dom.nodes, listeners: dom.jsEventListeners, openPeerConnections };
}

async function takeSnapshot(cdp: CDPSession): Promise<string> {
  const chunks: string[] = [];
  const onChunk = (event: { chunk: string }): void => { chunks.push(event.chunk); };
  cdp.on('HeapProfiler.addHeapSnapshotChunk', onChunk);
  await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
  cdp.off('HeapProfiler.addHeapSnapshotChunk', onChunk);
  return chunks.join('');
}

async function snapshot(cdp: CDPSession, file: string): Promise<void> {
  writeFileSync(file, await takeSnapshot(cdp));
}

interface HeapSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
}

/**
 * Entries of the browser's own performance timeline (layout shifts, long
 * animation frames and their scripts). The browser keeps a bounded buffer of
 * each (150 layout shifts, for one), so they stop growing by themselves; a
 * page cannot clear them.
 */
const TIMELINE_ENTRIES = new Set([
  'LayoutShift',
  'LayoutShiftAttribution',
  'PerformanceLongAnimationFrameTiming',
  'PerformanceScriptTiming',
  'blink::ScriptTimingInfo',
  'PerformanceEventTiming',
]);

/** What a heap snapshot holds outside the engine's compiled code, and of that, in the browser's performance-timeline buffers. */
export interface HeapSplit {
  outsideCode: number;
  timeline: number;
  /**
   * The page's own JavaScript objects: objects, arrays, closures, strings and
   * numbers, what the page's scripts create and keep (no compiled code, no
   * hidden engine structures, none of the browser's C++ objects such as a
   * closed RTCPeerConnection the browser still holds, or DevTools' records).
   */
  pageObjects: number;
}

/** Snapshot node types that are the page's own JavaScript values. */
const PAGE_OBJECT_TYPES = new Set(['object', 'closure', 'array', 'string', 'concatenated string', 'sliced string', 'number', 'regexp', 'bigint', 'symbol']);

/**
 * The heap outside compiled code, from a heap snapshot: what the page's objects
 * hold, without the machine code the engine adds while it optimises hot
 * functions (which grows early in a run and then levels off); and how much of
 * it is the browser's bounded performance-timeline buffers.
 */
async function heapOutsideCode(cdp: CDPSession): Promise<HeapSplit> {
  const parsed = JSON.parse(await takeSnapshot(cdp)) as HeapSnapshot & { strings: string[] };
  const fields = parsed.snapshot.meta.node_fields;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const types = parsed.snapshot.meta.node_types[0];
  const code = types.indexOf('code');
  const own = new Set([...PAGE_OBJECT_TYPES].map((type) => types.indexOf(type)).filter((index) => index >= 0));
  let outsideCode = 0;
  let timeline = 0;
  let pageObjects = 0;
  for (let i = 0; i < parsed.nodes.length; i += fields.length) {
    const type = parsed.nodes[i + typeAt] ?? -1;
    if (type === code) continue;
    const size = parsed.nodes[i + sizeAt] ?? 0;
    outsideCode += size;
    if (own.has(type)) pageObjects += size;
    if (TIMELINE_ENTRIES.has(parsed.strings[parsed.nodes[i + nameAt] ?? 0] ?? '')) timeline += size;
  }
  return { outsideCode, timeline, pageObjects };
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function runSoakBenchmark(options: { cycles?: number; log?: (line: string) => void } = {}): Promise<SoakBenchResult> {
  const cycles = options.cycles ?? 100;
  const log = options.log ?? ((line: string) => console.log(line));
  const snapshots = process.env.LS_SOAK_SNAPSHOTS;
  const { room, browser, close } = await startBenchSite('soak', {
    'tutor.html': TUTOR_PAGE,
    'student.html': STUDENT_PAGE,
    'raw.html': RAW_MEDIA_PAGE,
    'raw-answerer.html': RAW_ANSWERER_PAGE,
    'raw-caller.html': RAW_CALLER_PAGE,
    'peerjs.min.js': readFileSync(resolve(import.meta.dirname, '../node_modules/peerjs/dist/peerjs.min.js'), 'utf8'),
  });
  // The baselines' signalling: a bare PeerJS server, no rooms.
  const bare = await startBarePeerServer();
  const barePort = bare.port;
  try {
    const roomId = `soak-${Math.random().toString(36).slice(2, 8)}`;
    const query = `server=${encodeURIComponent(room.url)}&room=${roomId}`;
    const tutor = await (await browser.newContext()).newPage();
    await tutor.goto(`${room.url}tutor.html?${query}`);
    await until(() => tutor.evaluate(() => (window as unknown as { joined?(): boolean }).joined?.() === true), 'the tutor in the room');
    const student = await (await browser.newContext()).newPage();
    await student.goto(`${room.url}student.html`);
    await student.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
    const raw = await (await browser.newContext()).newPage();
    await raw.goto(`${room.url}raw.html`);
    await raw.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
    const rawCdp = await raw.context().newCDPSession(raw);
    const answerer = await (await browser.newContext()).newPage();
    await answerer.goto(`${room.url}raw-answerer.html`);
    await answerer.evaluate(({ port }) => (window as unknown as { start(port: number, id: string): Promise<void> }).start(port, 'raw-answerer'), { port: barePort });
    const answererCdp = await answerer.context().newCDPSession(answerer);
    const caller = await (await browser.newContext()).newPage();
    await caller.goto(`${room.url}raw-caller.html`);
    await caller.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
    const rawCycle = async (): Promise<void> => {
      await raw.evaluate(() => (window as unknown as { cycle(): Promise<void> }).cycle());
      await caller.evaluate(({ port }) => (window as unknown as { cycle(port: number, target: string): Promise<void> }).cycle(port, 'raw-answerer'), { port: barePort });
    };
    const tutorCdp = await tutor.context().newCDPSession(tutor);
    const studentCdp = await student.context().newCDPSession(student);

    const cycle = async (): Promise<void> => {
      await student.evaluate(({ s, r }) => (window as unknown as { cycle(s: string, r: string): Promise<void> }).cycle(s, r), { s: room.url, r: roomId });
    };
    const settled = async (): Promise<void> => {
      await until(async () => (await tutor.evaluate(() => (window as unknown as { presentStudents(): number }).presentStudents())) === 0, 'the tutor to see the student gone');
      await until(async () => (await tutor.evaluate(() => (window as unknown as { openPCs(): number }).openPCs())) === 0, 'the tutor to close every connection', 15_000).catch(() => undefined);
      await until(async () => (await answerer.evaluate(() => (window as unknown as { calls: Set<unknown> }).calls.size)) === 0, 'the baseline to close every call', 15_000).catch(() => undefined);
    };
    // Warm-up cycles: first-use allocations (code, styles, caches, optimised code) are not growth.
    for (let i = 0; i < 10; i++) {
      await cycle();
      await rawCycle();
    }
    await settled();
    const tutorBefore = await counters(tutor, tutorCdp);
    const studentBefore = await counters(student, studentCdp);
    const rawBefore = await counters(raw, rawCdp);
    const answererBefore = await counters(answerer, answererCdp);
    const outsideBefore = await heapOutsideCode(tutorCdp);
    const answererSplitBefore = await heapOutsideCode(answererCdp);
    if (snapshots) {
      await snapshot(tutorCdp, join(snapshots, 'tutor-before.heapsnapshot'));
      await snapshot(studentCdp, join(snapshots, 'student-before.heapsnapshot'));
    }
    const half = Math.floor(cycles / 2);
    let tutorMiddle = tutorBefore;
    let studentMiddle = studentBefore;
    let rawMiddle = rawBefore;
    let answererMiddle = answererBefore;
    let outsideMiddle = outsideBefore;
    for (let i = 0; i < cycles; i++) {
      await cycle();
      await rawCycle();
      if ((i + 1) % 25 === 0) log(`  ${String(i + 1)} cycles`);
      if (i + 1 === half) {
        await settled();
        tutorMiddle = await counters(tutor, tutorCdp);
        studentMiddle = await counters(student, studentCdp);
        rawMiddle = await counters(raw, rawCdp);
        answererMiddle = await counters(answerer, answererCdp);
        outsideMiddle = await heapOutsideCode(tutorCdp);
      }
    }
    await settled();
    const tutorAfter = await counters(tutor, tutorCdp);
    const studentAfter = await counters(student, studentCdp);
    const rawAfter = await counters(raw, rawCdp);
    const answererAfter = await counters(answerer, answererCdp);
    const outsideAfter = await heapOutsideCode(tutorCdp);
    const answererSplitAfter = await heapOutsideCode(answererCdp);
    if (snapshots) {
      await snapshot(tutorCdp, join(snapshots, 'tutor-after.heapsnapshot'));
      await snapshot(studentCdp, join(snapshots, 'student-after.heapsnapshot'));
    }
    const created = (page: Page): Promise<number> => page.evaluate(() => (window as unknown as { createdPCCount: number }).createdPCCount);
    const result: SoakBenchResult = {
      cycles,
      tutor: { before: tutorBefore, middle: tutorMiddle, after: tutorAfter, createdPeerConnections: await created(tutor) },
      student: { before: studentBefore, middle: studentMiddle, after: studentAfter, createdPeerConnections: await created(student) },
      tutorBytesPerCycle: Math.round((tutorAfter.heapBytes - tutorBefore.heapBytes) / cycles),
      studentBytesPerCycle: Math.round((studentAfter.heapBytes - studentBefore.heapBytes) / cycles),
      tutorOutsideCode: { before: outsideBefore, middle: outsideMiddle, after: outsideAfter },
      answererOutsideCode: { before: answererSplitBefore, after: answererSplitAfter },
      rawMedia: { before: rawBefore, middle: rawMiddle, after: rawAfter },
      rawMediaBytesPerCycle: Math.round((rawAfter.heapBytes - rawBefore.heapBytes) / cycles),
      rawAnswerer: { before: answererBefore, middle: answererMiddle, after: answererAfter, createdPeerConnections: await created(answerer) },
      rawAnswererBytesPerCycle: Math.round((answererAfter.heapBytes - answererBefore.heapBytes) / cycles),
    };
    log(`  tutor heap ${String(result.tutorBytesPerCycle)} B/cycle, nodes ${String(tutorBefore.nodes)} → ${String(tutorAfter.nodes)}, listeners ${String(tutorBefore.listeners)} → ${String(tutorAfter.listeners)}, open PCs ${String(tutorAfter.openPeerConnections)}`);
    const perCycle = (from: HeapSplit, to: HeapSplit, n: number, less: boolean): number => Math.round((to.outsideCode - (less ? to.timeline : 0) - (from.outsideCode - (less ? from.timeline : 0))) / n);
    log(`  tutor heap outside compiled code ${String(perCycle(outsideBefore, outsideAfter, cycles, false))} B/cycle; without the browser's timeline buffers ${String(perCycle(outsideBefore, outsideAfter, cycles, true))} B/cycle (second half ${String(perCycle(outsideMiddle, outsideAfter, cycles - half, true))})`);
    log(`  the page's own JavaScript objects: tutor ${String(Math.round((outsideAfter.pageObjects - outsideBefore.pageObjects) / cycles))} B/cycle (second half ${String(Math.round((outsideAfter.pageObjects - outsideMiddle.pageObjects) / (cycles - half)))}), PeerJS baseline ${String(Math.round((answererSplitAfter.pageObjects - answererSplitBefore.pageObjects) / cycles))} B/cycle`);
    log(`  student heap ${String(result.studentBytesPerCycle)} B/cycle, nodes ${String(studentBefore.nodes)} → ${String(studentAfter.nodes)}, listeners ${String(studentBefore.listeners)} → ${String(studentAfter.listeners)}, open PCs ${String(studentAfter.openPeerConnections)}`);
    log(`  baseline, getUserMedia + stop: heap ${String(result.rawMediaBytesPerCycle)} B/cycle, listeners ${String(rawBefore.listeners)} → ${String(rawAfter.listeners)}`);
    log(`  baseline, a PeerJS page answering a call a cycle: heap ${String(result.rawAnswererBytesPerCycle)} B/cycle, listeners ${String(answererBefore.listeners)} → ${String(answererAfter.listeners)}, open PCs ${String(answererAfter.openPeerConnections)}`);
    return result;
  } finally {
    await close();
    await bare.close();
  }
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  const cycles = Number(process.argv.find((a) => a.startsWith('--cycles='))?.slice(9) ?? 100);
  runSoakBenchmark({ cycles }).then((r) => { console.log(JSON.stringify(r, null, 2)); }, (e: unknown) => { console.error(e); process.exitCode = 1; });
}
