/**
 * From a cold page: navigation → first remote video frame on a student's page,
 * as a new user meets it. The SDK side is the script-tag bundle in a plain
 * course page served from its own origin (not the room server's), joining a
 * room where the tutor already is. The baseline is a hand-written page on the
 * same origin: `peerjs.min.js` by script tag, getUserMedia, `new Peer`, then
 * `peer.call` to a known id through a bare PeerJS server. Runs alternate in one
 * Chromium, each in a fresh browser context (no cache), and the time is the
 * page's own clock from navigation start (`performance.now()` at the first
 * presented frame of the remote video: on the course page, in the element's
 * own tile of the tutor, what the user sees).
 */
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startRoomServer } from '../src/server/index.js';
import { chromiumArgs, chromiumPath } from '../scripts/browsers.mjs';
import { distribution, type Distribution } from './browser-bench.js';
import { startBarePeerServer } from './lib/bare-peer-server.js';
import { startCpuProfile } from './lib/cpu-profile.js';

const ROOT = resolve(import.meta.dirname, '..');

export interface NavigationBenchResult {
  sdk: Distribution;
  handWritten: Distribution;
  ratioP50: number;
  /** CPU time of the page's main thread, navigation → first frame (ms). Absent in results from before it was measured. */
  mainThreadCpu?: { sdk: Distribution; handWritten: Distribution };
  /** CPU time of the page's renderer process (all its threads: WebRTC, decoding, compositing), navigation → first frame (ms). */
  processCpu?: { sdk: Distribution; handWritten: Distribution };
}

/** One page load: when the first frame was presented, and the CPU the page had used by then. */
interface Load {
  firstFrameMs: number;
  mainThreadCpuMs: number;
  processCpuMs: number;
}

const SMALL = '{ width: { ideal: 320 }, height: { ideal: 240 }, frameRate: { ideal: 15 } }';

/** Records `performance.now()` at the first presented frame of a remote stream's video. */
const FIRST_FRAME = `
  window.firstFrameAt = new Promise((resolve) => { window.reportFrame = resolve; });
  window.watchFrames = (stream) => {
    if (window.watching) return;
    window.watching = true;
    const video = document.createElement('video');
    video.muted = true; video.autoplay = true; video.playsInline = true; video.width = 160;
    video.srcObject = stream;
    document.body.append(video);
    video.requestVideoFrameCallback(() => { console.log('first frame'); window.reportFrame(performance.now()); });
    video.play().catch(() => {});
  };
  window.watchVideo = (video) => {
    // A frame presented before this callback was set would be missed: the count tells.
    video.requestVideoFrameCallback((now, frame) => { console.log('first frame', frame.presentedFrames); window.reportFrame(performance.now()); });
  };`;

/**
 * LS_NAV_ALT_BUNDLE=<file>: another build of the script-tag bundle, measured in
 * the same runs (alternating with the others) for an A/B of a change; logged
 * only, not part of the results.
 */
const ALT_BUNDLE = process.env.LS_NAV_ALT_BUNDLE;

/** LS_NAV_TRACE=1: the course page logs with its debug switch, each line stamped with ms from navigation. */
const TRACE = process.env.LS_NAV_TRACE === '1';
const TRACE_SCRIPT = `<script>
  for (const level of ['log', 'debug', 'info', 'warn']) {
    const original = console[level].bind(console);
    console[level] = (...args) => original(performance.now().toFixed(0), ...args);
  }
  // Main-thread tasks over 50 ms, and when each resource arrived.
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) console.log('long task', e.startTime.toFixed(0), '+' + e.duration.toFixed(0));
  }).observe({ type: 'longtask', buffered: true });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) console.log('resource', e.name, e.startTime.toFixed(0), '→', e.responseEnd.toFixed(0));
  }).observe({ type: 'resource', buffered: true });
  // Each signalling message's type, sent and received.
  const NativeSocket = window.WebSocket;
  const kind = (data) => {
    try {
      const message = JSON.parse(data);
      const candidate = message.type === 'CANDIDATE' ? message.payload?.candidate : null;
      return candidate ? message.type + ' ' + candidate.sdpMid + ' ' + String(candidate.candidate).split(' ').slice(2, 8).join(' ') : message.type;
    } catch { return '?'; }
  };
  window.WebSocket = class extends NativeSocket {
    constructor(...args) {
      super(...args);
      console.log('ws created');
      this.addEventListener('open', () => console.log('ws open'));
      this.addEventListener('message', (event) => console.log('ws ←', kind(event.data)));
    }
    send(data) { console.log('ws →', kind(data)); super.send(data); }
  };
  // When the camera and microphone were asked for, and when they came.
  const media = navigator.mediaDevices;
  const getUserMedia = media.getUserMedia.bind(media);
  media.getUserMedia = (constraints) => {
    console.log('getUserMedia', JSON.stringify(Object.keys(constraints)));
    return getUserMedia(constraints).then((stream) => { console.log('getUserMedia resolved'); return stream; });
  };
</script>`;

/** The course page: the script-tag bundle and one element, as an LMS page would have them. */
function coursePage(server: string, room: string, bundle = '/live-session.bundle.js'): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Course</title>
${TRACE ? TRACE_SCRIPT : ''}<script type="module" src="${bundle}"></script>
</head><body>
<h1>Week 3: fractions</h1>
<script>${FIRST_FRAME}</script>
<script type="module">
  const element = document.createElement('live-session');
  element.setAttribute('server', ${JSON.stringify(server)});
  element.setAttribute('room', ${JSON.stringify(room)});
  element.setAttribute('name', 'Student');
  element.setAttribute('autojoin', '');${TRACE ? "\n  element.setAttribute('debug', '');" : ''}
  element.video = ${SMALL};
  document.body.append(element);
  // The first frame the user sees: in the element's own tile of the tutor.
  const root = (node) => node?.shadowRoot ?? null;
  const findTileVideo = () => {
    for (const tile of root(root(element)?.querySelector('video-grid'))?.querySelectorAll('participant-tile:not([local])') ?? []) {
      const video = root(tile)?.querySelector('video');
      if (video?.srcObject instanceof MediaStream && video.srcObject.getVideoTracks().length > 0) return video;
    }
    return null;
  };
  const look = () => {
    const video = findTileVideo();
    if (video) window.watchVideo(video);
    else requestAnimationFrame(look);
  };
  requestAnimationFrame(look);
</script>
</body></html>`;
}

/** The baseline: what a developer writes by hand with PeerJS alone. */
function handWrittenPage(peerServer: { port: number }, target: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Raw</title>
${TRACE ? TRACE_SCRIPT : ''}<script src="/peerjs.min.js"></script>
</head><body>
<script>${FIRST_FRAME}</script>
<script>
  (async () => {
    const stream = await navigator.mediaDevices.getUserMedia({ video: ${SMALL}, audio: true });
    const peer = new peerjs.Peer(undefined, { host: '127.0.0.1', port: ${String(peerServer.port)}, path: '/', secure: false, config: { iceServers: [] } });
    await new Promise((resolve) => peer.once('open', resolve));
    const call = peer.call(${JSON.stringify(target)}, stream);
    call.on('stream', (remote) => { if (remote.getVideoTracks().length > 0) window.watchFrames(remote); });
  })();
</script>
</body></html>`;
}

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.html': 'text/html' };

/** A plain static origin for the course pages, apart from the room server's. */
function courseSite(pages: Map<string, string>): Promise<{ server: Server; url: string }> {
  const assets: Record<string, string> = {
    '/live-session.bundle.js': resolve(ROOT, 'dist/live-session.bundle.js'),
    ...(ALT_BUNDLE ? { '/alt.bundle.js': resolve(ALT_BUNDLE) } : {}),
    '/peerjs.min.js': resolve(ROOT, 'node_modules/peerjs/dist/peerjs.min.js'),
  };
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    const page = pages.get(path);
    const file = assets[path];
    if (page !== undefined) {
      response.writeHead(200, { 'content-type': 'text/html', 'cache-control': 'no-store' }).end(page);
    } else if (file) {
      response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
    } else {
      response.writeHead(404).end();
    }
  });
  return new Promise((done) => {
    server.listen(0, '127.0.0.1', () => {
      done({ server, url: `http://127.0.0.1:${String((server.address() as { port: number }).port)}` });
    });
  });
}

async function measure(browser: Browser, url: string): Promise<Load> {
  const context = await browser.newContext();
  const page: Page = await context.newPage();
  if (TRACE) page.on('console', (message) => { console.log(`  [page] ${String(Date.now() % 100_000)} ${message.text()}`); });
  const profileDir = process.env.LS_NAV_PROFILE;
  const profile = await startCpuProfile(page, profileDir);
  const traceDir = process.env.LS_NAV_CHROME_TRACE;
  if (traceDir) await browser.startTracing(page, { path: resolve(traceDir, `${new URL(url).pathname.slice(1)}-${String(Date.now())}.json`), categories: ['devtools.timeline', 'v8.execute', 'disabled-by-default-devtools.timeline', 'toplevel', 'blink.user_timing'] });
  // The renderer's own CPU clocks: unlike the wall clock, they do not count
  // the time the page waited for a core on a busy machine.
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
  try {
    await page.goto(url);
    const at = await page.evaluate(() => (window as unknown as { firstFrameAt: Promise<number> }).firstFrameAt);
    const { metrics } = await cdp.send('Performance.getMetrics');
    const metric = (name: string): number => (metrics.find((m) => m.name === name)?.value ?? Number.NaN) * 1000;
    if (profileDir) await profile.stop(resolve(profileDir, `${new URL(url).pathname.slice(1)}-${String(Date.now())}.cpuprofile`));
    if (traceDir) await browser.stopTracing();
    return { firstFrameMs: at, mainThreadCpuMs: metric('ThreadTime'), processCpuMs: metric('ProcessTime') };
  } finally {
    await context.close();
  }
}

export async function runNavigationBenchmark(options: { runs: number; log: (line: string) => void }): Promise<NavigationBenchResult> {
  const room = await startRoomServer({ port: 0, host: '127.0.0.1', quiet: true });
  // The baselines' signalling: a bare PeerJS server, no rooms.
  const bare = await startBarePeerServer();
  const barePort = bare.port;

  const pages = new Map<string, string>();
  const site = await courseSite(pages);
  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
  try {
    // The tutor, already in the room, and the baseline's answerer, each in a page of their own.
    const roomName = `nav-${Math.random().toString(36).slice(2, 8)}`;
    pages.set('/host.html', `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>host</title>
${TRACE ? TRACE_SCRIPT : ''}<script src="/peerjs.min.js"></script></head><body><script type="module">
  const LS = await import('/live-session.bundle.js');
  const tutor = new LS.LiveSession({ server: ${JSON.stringify(room.url)}, room: ${JSON.stringify(roomName)}, name: 'Tutor', role: 'tutor', storage: null, video: ${SMALL}${TRACE ? ', debug: true' : ''} });
  await tutor.join();
  const stream = await navigator.mediaDevices.getUserMedia({ video: ${SMALL}, audio: true });
  const peer = new peerjs.Peer(undefined, { host: '127.0.0.1', port: ${String(barePort)}, path: '/', secure: false, config: { iceServers: [] } });
  peer.on('call', (call) => call.answer(stream));
  peer.once('open', (id) => { window.rawTarget = id; });
</script></body></html>`);
    const hostContext = await browser.newContext();
    const hostPage = await hostContext.newPage();
    if (TRACE) hostPage.on('console', (message) => { console.log(`  [tutor] ${String(Date.now() % 100_000)} ${message.text()}`); });
    await hostPage.goto(`${site.url}/host.html`);
    const target = await hostPage.waitForFunction(() => (window as unknown as { rawTarget?: string }).rawTarget).then((h) => h.jsonValue() as Promise<string>);
    pages.set('/course.html', coursePage(room.url, roomName));
    if (ALT_BUNDLE) pages.set('/alt.html', coursePage(room.url, roomName, '/alt.bundle.js'));
    const alt: Load[] = [];
    pages.set('/raw.html', handWrittenPage({ port: barePort }, target));

    // LS_NAV_PROFILE: the tutor's page too, over all the runs.
    const hostDir = process.env.LS_NAV_PROFILE;
    const hostProfile = await startCpuProfile(hostPage, hostDir);
    const sdk: Load[] = [];
    const raw: Load[] = [];
    const cpu = (load: Load): string => `${load.mainThreadCpuMs.toFixed(0)} ms main thread, ${load.processCpuMs.toFixed(0)} ms process`;
    for (let i = 0; i < options.runs + 1; i++) {
      // Alternate, so both meet the same machine; the first of each is a warm-up.
      const s = await measure(browser, `${site.url}/course.html`);
      const r = await measure(browser, `${site.url}/raw.html`);
      const a = ALT_BUNDLE ? await measure(browser, `${site.url}/alt.html`) : null;
      if (i > 0 && a !== null) {
        alt.push(a);
        options.log(`  another bundle (${ALT_BUNDLE ?? ''}), run ${String(i)}: ${a.firstFrameMs.toFixed(0)} ms (CPU ${cpu(a)})`);
      }
      if (i === 0) continue;
      sdk.push(s);
      raw.push(r);
      options.log(`navigation → first remote frame, run ${String(i)}: SDK ${s.firstFrameMs.toFixed(0)} ms (CPU ${cpu(s)}), hand-written ${r.firstFrameMs.toFixed(0)} ms (CPU ${cpu(r)})`);
    }
    if (hostDir) await hostProfile.stop(resolve(hostDir, `host-${String(Date.now())}.cpuprofile`));
    await hostContext.close();
    const of = (loads: Load[], key: keyof Load): Distribution => distribution(loads.map((load) => load[key]));
    if (alt.length > 0) {
      options.log(
        `another bundle: p50 ${String(of(alt, 'firstFrameMs').p50)} ms, main-thread CPU ${String(of(alt, 'mainThreadCpuMs').p50)} ms, process CPU ${String(of(alt, 'processCpuMs').p50)} ms` +
          ` against this bundle's ${String(of(sdk, 'firstFrameMs').p50)} ms, ${String(of(sdk, 'mainThreadCpuMs').p50)} ms, ${String(of(sdk, 'processCpuMs').p50)} ms`,
      );
    }
    const sdkDist = of(sdk, 'firstFrameMs');
    const rawDist = of(raw, 'firstFrameMs');
    return {
      sdk: sdkDist,
      handWritten: rawDist,
      ratioP50: Number((sdkDist.p50 / rawDist.p50).toFixed(2)),
      mainThreadCpu: { sdk: of(sdk, 'mainThreadCpuMs'), handWritten: of(raw, 'mainThreadCpuMs') },
      processCpu: { sdk: of(sdk, 'processCpuMs'), handWritten: of(raw, 'processCpuMs') },
    };
  } finally {
    await browser.close();
    await new Promise((r) => site.server.close(r));
    await bare.close();
    await room.close();
  }
}
