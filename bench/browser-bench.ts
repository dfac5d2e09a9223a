/**
 * Browser benchmarks: join → first remote frame against a raw PeerJS call
 * measured in the same run, late joiners into rooms of 1, 3 and 5, refresh and
 * vanish recovery, and the tutor's outgoing video bitrate in star and mesh rooms. Real Chromium, real
 * WebRTC over loopback, the built bundle. Figures, never assertions.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startRoomServer, type RunningRoomServer } from '../src/server/index.js';
import { chromiumArgs, chromiumPath } from '../scripts/browsers.mjs';
import { processTree, signal } from '../e2e/harness.js';
import { percentile } from './lib/server-bench-client.js';
import { startBarePeerServer } from './lib/bare-peer-server.js';
import { startCpuProfile } from './lib/cpu-profile.js';

const ROOT = resolve(import.meta.dirname, '..');

export interface Distribution {
  runs: number;
  p50: number;
  p90: number;
}

export interface BrowserBenchResult {
  joinToFirstFrame: { sdk: Distribution; rawPeerJs: Distribution; ratioP50: number };
  lateJoin: {
    existing: number;
    firstFrame: Distribution;
    allFrames: Distribution;
    /** The baseline: a raw PeerJS page calling as many raw PeerJS answerers at once, frames from everyone. Absent in results from before it was measured. */
    rawAllFrames?: Distribution;
  }[];
  refreshBack: Distribution;
  closedTabRemoved: Distribution;
  frozenRemoved: Distribution;

  bitrate: { topology: 'mesh' | 'star'; students: number; tutorOutKbps: number; perStreamKbps: number; capKbps: number; roomOutKbps: number }[];
}

const BENCH_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>bench</title>
<script src="/vendor/peerjs.min.js"></script>
</head><body>
<script type="module">
  const Native = window.RTCPeerConnection;
  window.createdPCs = [];
  window.RTCPeerConnection = class extends Native {
    constructor(config) { super(config); window.createdPCs.push(this); }
  };
  window.openPCs = () => window.createdPCs.filter((pc) => pc.signalingState !== 'closed' && pc.connectionState !== 'closed').length;
  const LS = await import('/dist/live-session.bundle.js');
  window.LS = LS;
  window.sessions = [];
  window.SMALL = { width: { ideal: 320 }, height: { ideal: 240 }, frameRate: { ideal: 15 } };
  /** Resolves with performance.now() at the first presented frame of a stream's video. */
  window.firstFrame = (stream) => new Promise((resolve) => {
    const video = document.createElement('video');
    video.muted = true; video.autoplay = true; video.playsInline = true; video.width = 160;
    video.srcObject = stream;
    document.body.append(video);
    video.requestVideoFrameCallback(() => {
      resolve(performance.now());
      // Gone once measured: a page that kept every run's players would slow every later run.
      video.srcObject = null;
      video.remove();
    });
    video.play().catch(() => {});
  });
  window.newSession = (options) => {
    const session = new LS.LiveSession({ storage: null, video: window.SMALL, audio: {}, debug: window.TRACE === true, ...options });
    window.sessions.push(session);
    return session;
  };
  /** Joins and resolves once streams from \`count\` others have presented a frame: [first, all] in ms. */
  window.joinAndSee = async (options, count) => {
    const t0 = performance.now();
    const session = window.newSession(options);
    const seen = new Map();
    const done = new Promise((resolve) => {
      const check = () => {
        for (const p of session.participants) {
          if (p.isLocal || !p.stream || seen.has(p.id) || p.stream.getVideoTracks().length === 0) continue;
          seen.set(p.id, window.firstFrame(p.stream));
        }
        if (seen.size >= count) {
          session.removeEventListener('change', check);
          Promise.all(seen.values()).then((times) => resolve(times));
        }
      };
      session.addEventListener('change', check);
      check();
    });
    await session.join();
    const times = await done;
    window.lastSession = session;
    return [Math.min(...times) - t0, Math.max(...times) - t0];
  };
  window.rawCall = async (server, target) => {
    const t0 = performance.now();
    const stream = await navigator.mediaDevices.getUserMedia({ video: window.SMALL, audio: true });
    const peer = new window.peerjs.Peer(undefined, server);
    await new Promise((resolve, reject) => { peer.once('open', resolve); peer.once('error', reject); });
    const call = peer.call(target, stream);
    const remote = await new Promise((resolve) => call.on('stream', (s) => { if (s.getVideoTracks().length) resolve(s); }));
    const t1 = await window.firstFrame(remote);
    peer.destroy();
    stream.getTracks().forEach((t) => t.stop());
    return t1 - t0;
  };
  window.rawAnswerer = async (server) => {
    const stream = await navigator.mediaDevices.getUserMedia({ video: window.SMALL, audio: true });
    const peer = new window.peerjs.Peer(undefined, server);
    await new Promise((resolve) => peer.once('open', resolve));
    peer.on('call', (call) => call.answer(stream));
    window.rawPeer = peer;
    return peer.id;
  };
  /**
   * The late joiner's baseline by hand: getUserMedia, one Peer, a call to every
   * target at once, each answered with the answerer's camera. It sends its
   * microphone only, as a newcomer to members with incoming video off does
   * (their encoders for it stay paused), and asks for their video.
   * Resolves with [first, all] frames in ms, like joinAndSee.
   */
  window.rawLateJoin = async (server, targets) => {
    const t0 = performance.now();
    const stream = await navigator.mediaDevices.getUserMedia({ video: window.SMALL, audio: true });
    const peer = new window.peerjs.Peer(undefined, server);
    await new Promise((resolve, reject) => { peer.once('open', resolve); peer.once('error', reject); });
    const outgoing = new MediaStream(stream.getAudioTracks());
    const frames = targets.map((target) => new Promise((resolve) => {
      const call = peer.call(target, outgoing, { constraints: { offerToReceiveVideo: true } });
      let seen = false;
      call.on('stream', (remote) => {
        if (seen || remote.getVideoTracks().length === 0) return;
        seen = true;
        resolve(window.firstFrame(remote));
      });
    }));
    const times = await Promise.all(frames);
    peer.destroy();
    stream.getTracks().forEach((t) => t.stop());
    return [Math.min(...times) - t0, Math.max(...times) - t0];
  };
  /** \`n\` raw answerers in this page, each with a camera of its own; resolves with their ids. */
  window.rawAnswerers = async (server, n) => {
    const ids = [];
    for (let k = 0; k < n; k++) ids.push(await window.rawAnswerer(server));
    return ids;
  };
  window.benchReady = true;
</script>
</body></html>`;

export function distribution(samples: number[]): Distribution {
  return { runs: samples.length, p50: Math.round(percentile(samples, 50)), p90: Math.round(percentile(samples, 90)) };
}

/** LS_BENCH_TRACE=1: the sessions of the bench pages log with their debug switch, each line stamped with the wall clock. */
const TRACE = process.env.LS_BENCH_TRACE === '1';

async function benchPage(browser: Browser, url: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  if (TRACE) await page.addInitScript(() => { (window as unknown as { TRACE: boolean }).TRACE = true; });
  await page.goto(`${url}bench.html`);
  await page.waitForFunction(() => (window as unknown as { benchReady?: boolean }).benchReady === true);
  return page;
}

async function closePage(page: Page): Promise<void> {
  await page.evaluate(() => {
    for (const s of (window as unknown as { sessions: { destroy(): void }[] }).sessions) s.destroy();
  }).catch(() => undefined);
  await page.context().close().catch(() => undefined);
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

interface PageSession {
  participants: { id: string; userId: string; isLocal: boolean; stream: MediaStream | null }[];
  join(): Promise<void>;
  leave(): Promise<void>;
  setIncomingVideo(on: boolean): void;
  peerId: string | null;
}
type BenchWindow = Window & {
  newSession(options: Record<string, unknown>): PageSession;
  joinAndSee(options: Record<string, unknown>, count: number): Promise<[number, number]>;
  rawCall(server: Record<string, unknown>, target: string): Promise<number>;
  rawAnswerer(server: Record<string, unknown>): Promise<string>;
  rawAnswerers(server: Record<string, unknown>, n: number): Promise<string[]>;
  rawLateJoin(server: Record<string, unknown>, targets: string[]): Promise<[number, number]>;
  lastSession: PageSession;
  sessions: PageSession[];
  openPCs(): number;
  createdPCs: RTCPeerConnection[];
  SMALL: MediaTrackConstraints;
};

export async function runBrowserBenchmark(options: { runs?: number; log?: (line: string) => void } = {}): Promise<BrowserBenchResult> {
  const runs = options.runs ?? 12;
  const log = options.log ?? ((line: string) => console.log(line));
  const site = mkdtempSync(join(tmpdir(), 'live-session-bench-'));
  writeFileSync(join(site, 'bench.html'), BENCH_PAGE);

  const room: RunningRoomServer = await startRoomServer({
    port: 0,
    host: '127.0.0.1',
    quiet: true,
    // The refresh runs re-join one user dozens of times a minute, on purpose.
    joinsPerMinute: 1000,
    static: [
      { urlPath: '/', dir: site },
      { urlPath: '/dist', dir: join(ROOT, 'dist') },
      { urlPath: '/vendor', dir: join(ROOT, 'node_modules/peerjs/dist') },
    ],
  });
  // The baselines' signalling: a bare PeerJS server, no rooms.
  const bare = await startBarePeerServer();
  const barePort = bare.port;
  const rawServer = { host: '127.0.0.1', port: barePort, path: '/', secure: false, config: { iceServers: [] } };

  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
  const server = room.url;
  let roomCounter = 0;
  const nextRoom = (): string => `bench-${String(++roomCounter)}-${Math.random().toString(36).slice(2, 6)}`;
  const pages: Page[] = [];
  const openPage = async (): Promise<Page> => {
    const page = await benchPage(browser, server);
    pages.push(page);
    const n = pages.length;
    if (TRACE) page.on('console', (message) => { console.log(`  [page ${String(n)}] ${String(Date.now() % 100_000)} ${message.text()}`); });
    return page;
  };

  try {
    // 1. Join → first remote frame, tutor present; beside a raw PeerJS call.
    log('bench: join → first remote frame (SDK) and raw PeerJS call…');
    const tutorPage = await openPage();
    const joinRoom = nextRoom();
    await tutorPage.evaluate(async ({ s, r }) => {
      await (window as unknown as BenchWindow).newSession({ server: s, room: r, name: 'Tutor', role: 'tutor' }).join();
    }, { s: server, r: joinRoom });
    const rawTarget = await tutorPage.evaluate((cfg) => (window as unknown as BenchWindow).rawAnswerer(cfg), rawServer);
    const studentPage = await openPage();
    const sdk: number[] = [];
    const raw: number[] = [];
    for (let i = 0; i < runs + 1; i++) {
      // Alternate, so both see the same machine conditions; the first of each is a warm-up.
      const [t] = await studentPage.evaluate(async ({ s, r }) => {
        const w = window as unknown as BenchWindow;
        const result = await w.joinAndSee({ server: s, room: r, name: 'Student', role: 'student' }, 1);
        await w.lastSession.leave();
        return result;
      }, { s: server, r: joinRoom });
      const rawMs = await studentPage.evaluate(({ cfg, target }) => (window as unknown as BenchWindow).rawCall(cfg, target), { cfg: rawServer, target: rawTarget });
      if (i > 0) {
        sdk.push(t);
        raw.push(rawMs);
      }
    }
    const sdkDist = distribution(sdk);
    const rawDist = distribution(raw);
    log(`  SDK p50 ${sdkDist.p50} ms, raw PeerJS p50 ${rawDist.p50} ms`);

    // 2. Late joiners into rooms of 1, 3 and 5. The existing members share one
    // page and have turned incoming video off: in a real class each has a
    // machine of its own, and here a mesh of five among themselves would be
    // twenty videos encoded and decoded by one renderer on two cores, which
    // the newcomer's join would be measured against. They still send their
    // video to the newcomer, who receives everyone's.
    const lateJoin: BrowserBenchResult['lateJoin'] = [];
    for (const existing of [1, 3, 5]) {
      log(`bench: late joiner into a room of ${existing}…`);
      const lateRoom = nextRoom();
      const hostPage = await openPage();
      await hostPage.evaluate(async ({ s, r, n }) => {
        const w = window as unknown as BenchWindow;
        for (let k = 0; k < n; k++) {
          const member = w.newSession(k === 0 ? { server: s, room: r, name: 'Tutor', role: 'tutor' } : { server: s, room: r, name: `S${String(k)}`, role: 'student' });
          member.setIncomingVideo(false);
          await member.join();
        }
      }, { s: server, r: lateRoom, n: existing });
      // LS_BENCH_PROFILE=<dir>: a V8 CPU profile of the newcomer's page over each room size's runs.
      const profileDir = process.env.LS_BENCH_PROFILE;
      const profile = await startCpuProfile(studentPage, profileDir ? join(profileDir, `late-joiner-${String(existing)}.cpuprofile`) : undefined);
      // …and one of the members' page over the same runs.
      const hostProfile = await startCpuProfile(hostPage, profileDir ? join(profileDir, `late-joiner-${String(existing)}-members.cpuprofile`) : undefined);
      // The baseline in the same shape: n raw answerers sharing a page, the
      // newcomer calling them all. Runs alternate with the SDK's, so both meet
      // the same machine, and each starts once the last one's leave has
      // settled (members close their connections to the one who left).
      const rawHost = await openPage();
      const targets = await rawHost.evaluate(({ cfg, n }) => (window as unknown as BenchWindow).rawAnswerers(cfg, n), { cfg: rawServer, n: existing });
      const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 1000));
      const firsts: number[] = [];
      const alls: number[] = [];
      const rawAlls: number[] = [];
      for (let i = 0; i < Math.max(5, Math.round(runs / 1.2)) + 1; i++) {
        const [first, all] = await studentPage.evaluate(async ({ s, r, n }) => {
          const w = window as unknown as BenchWindow;
          const result = await w.joinAndSee({ server: s, room: r, name: 'Late', role: 'student' }, n);
          await w.lastSession.leave();
          return result;
        }, { s: server, r: lateRoom, n: existing });
        await settle();
        const [, rawAll] = await studentPage.evaluate(({ cfg, t }) => (window as unknown as BenchWindow).rawLateJoin(cfg, t), { cfg: rawServer, t: targets });
        await settle();
        if (i > 0) {
          firsts.push(first);
          alls.push(all);
          rawAlls.push(rawAll);
        }
      }
      await profile.stop();
      await hostProfile.stop();
      await closePage(hostPage);
      await closePage(rawHost);
      lateJoin.push({ existing, firstFrame: distribution(firsts), allFrames: distribution(alls), rawAllFrames: distribution(rawAlls) });
      log(`  frames from everyone: SDK p50 ${String(distribution(alls).p50)} ms, raw PeerJS p50 ${String(distribution(rawAlls).p50)} ms`);
    }

    // 3. Refresh: a student page reloads and joins again as the same user.
    log('bench: refresh → back for the tutor…');
    const refreshTimes: number[] = [];
    const refreshRoom = nextRoom();
    await tutorPage.evaluate(async ({ s, r }) => {
      await (window as unknown as BenchWindow).newSession({ server: s, room: r, name: 'Tutor', role: 'tutor' }).join();
    }, { s: server, r: refreshRoom });
    const refreshing = await openPage();
    const joinAsSam = (page: Page): Promise<void> =>
      page.evaluate(async ({ s, r }) => {
        const w = window as unknown as BenchWindow;
        await w.newSession({ server: s, room: r, name: 'Sam', role: 'student', userId: 'bench-sam' }).join();
      }, { s: server, r: refreshRoom });
    await joinAsSam(refreshing);
    const tutorSeesSam = (exceptId: string | null): Promise<string | null> =>
      tutorPage.evaluate(({ old }) => {
        const w = window as unknown as BenchWindow;
        const tutor = w.sessions[w.sessions.length - 1];
        const sam = tutor?.participants.find((p) => p.userId === 'bench-sam' && p.id !== old && p.stream);
        return sam ? sam.id : null;
      }, { old: exceptId });
    let currentId = await (async () => {
      let id: string | null = null;
      await until(async () => (id = await tutorSeesSam(null)) !== null, 'Sam seen');
      return id;
    })();
    for (let i = 0; i < Math.min(runs, 8); i++) {
      const t0 = Date.now();
      await refreshing.reload();
      await refreshing.waitForFunction(() => (window as unknown as { benchReady?: boolean }).benchReady === true);
      await joinAsSam(refreshing);
      let newId: string | null = null;
      await until(async () => (newId = await tutorSeesSam(currentId)) !== null, 'Sam back');
      refreshTimes.push(Date.now() - t0);
      currentId = newId;
    }

    // 4. Closed tab and frozen browser → removed for the tutor.
    log('bench: closed tab and frozen browser → removed…');
    const countSams = (): Promise<number> =>
      tutorPage.evaluate(() => {
        const w = window as unknown as BenchWindow;
        const tutor = w.sessions[w.sessions.length - 1];
        return tutor?.participants.filter((p) => p.userId === 'bench-sam').length ?? 0;
      });
    const closedTimes: number[] = [];
    for (let i = 0; i < 5; i++) {
      const page = i === 0 ? refreshing : await openPage();
      if (i > 0) await joinAsSam(page);
      await until(async () => (await countSams()) === 1, 'Sam present');
      const t0 = Date.now();
      await page.close({ runBeforeUnload: true });
      await until(async () => (await countSams()) === 0, 'Sam removed after close');
      closedTimes.push(Date.now() - t0);
    }
    const frozenTimes: number[] = [];
    for (let i = 0; i < 3; i++) {
      const own = await chromium.launchServer({ executablePath: chromiumPath, args: chromiumArgs });
      const frozenBrowser = await chromium.connect(own.wsEndpoint());
      const pids = processTree(own.process().pid ?? 0);
      try {
        const page = await benchPage(frozenBrowser, server);
        await joinAsSam(page);
        await until(async () => (await countSams()) === 1, 'Sam present');
        const t0 = Date.now();
        signal(processTree(own.process().pid ?? 0), 'SIGSTOP');
        await until(async () => (await countSams()) === 0, 'Sam removed after freeze', 60_000);
        frozenTimes.push(Date.now() - t0);
      } finally {
        signal(processTree(own.process().pid ?? 0).concat(pids), 'SIGCONT');
        await frozenBrowser.close().catch(() => undefined);
        await own.close().catch(() => undefined);
      }
    }

    // 5. Outgoing bitrate of the tutor with 1, 4 and 8 students, star and mesh.
    const bitrate: BrowserBenchResult['bitrate'] = [];
    // Mesh with 8 students means 72 streams encoded and decoded on this one
    // machine's cores: not measurable here; star goes to 8, mesh to 4.
    for (const topology of ['star', 'mesh'] as const) {
      for (const students of topology === 'star' ? [1, 4, 8] : [1, 4]) {
        log(`bench: bitrate, ${topology}, ${students} student(s)…`);
        const bitrateRoom = nextRoom();
        const tutorP = await openPage();
        await tutorP.evaluate(async ({ s, r, t }) => {
          const w = window as unknown as BenchWindow;
          await w.newSession({ server: s, room: r, name: 'Tutor', role: 'tutor', topology: t, video: { width: 640, height: 480, frameRate: 30 } }).join();
        }, { s: server, r: bitrateRoom, t: topology });
        const studentsPage = await openPage();
        await studentsPage.evaluate(async ({ s, r, t, n }) => {
          const w = window as unknown as BenchWindow;
          for (let k = 0; k < n; k++) await w.newSession({ server: s, room: r, name: `S${String(k)}`, role: 'student', topology: t }).join();
        }, { s: server, r: bitrateRoom, t: topology, n: students });
        await until(
          async () => (await tutorP.evaluate(() => (window as unknown as BenchWindow).openPCs())) === students,
          'tutor connected to every student',
        );
        const sent = (page: Page): Promise<number> =>
          page.evaluate(async () => {
            let bytes = 0;
            for (const pc of (window as unknown as BenchWindow).createdPCs) {
              if (pc.connectionState === 'closed') continue;
              const stats = await pc.getStats();
              stats.forEach((report: { type: string; kind?: string; bytesSent?: number }) => {
                if (report.type === 'outbound-rtp' && report.kind === 'video') bytes += report.bytesSent ?? 0;
              });
            }
            return bytes;
          });
        await new Promise((r) => setTimeout(r, 4000)); // Let bandwidth estimation ramp up.
        const [tutor0, room0] = [await sent(tutorP), (await sent(tutorP)) + (await sent(studentsPage))];
        const windowMs = 5000;
        await new Promise((r) => setTimeout(r, windowMs));
        const [tutor1, room1] = [await sent(tutorP), (await sent(tutorP)) + (await sent(studentsPage))];
        const tutorKbps = ((tutor1 - tutor0) * 8) / windowMs;
        const { videoSendLimits } = await import('../src/core/send-limits.js');
        bitrate.push({
          topology,
          students,
          tutorOutKbps: Math.round(tutorKbps),
          perStreamKbps: Math.round(tutorKbps / students),
          capKbps: Math.round(videoSendLimits(students).maxBitrate / 1000),
          roomOutKbps: Math.round(((room1 - room0) * 8) / windowMs),
        });
        await closePage(studentsPage);
        await closePage(tutorP);
      }
    }

    return {
      joinToFirstFrame: { sdk: sdkDist, rawPeerJs: rawDist, ratioP50: Math.round((sdkDist.p50 / Math.max(1, rawDist.p50)) * 100) / 100 },
      lateJoin,
      refreshBack: distribution(refreshTimes),
      closedTabRemoved: distribution(closedTimes),
      frozenRemoved: distribution(frozenTimes),

      bitrate,
    };
  } finally {
    for (const page of pages) await closePage(page);
    await browser.close().catch(() => undefined);
    await room.close();
    await bare.close();
    rmSync(site, { recursive: true, force: true });
  }
}
