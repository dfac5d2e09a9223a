/**
 * Large classes: what the tutor's page sends, and what it costs its browser,
 * as the class grows (1, 5 and 20 students), in a star (peer to peer: one copy
 * per student) and through the SFU (a real Janus: one copy, three simulcast
 * layers); and the time from `join()` to a student's first frame of the
 * tutor's camera in either. The two are measured in the same run on the same
 * machine, the star being the baseline. The tutor has its own Chromium (its
 * CPU is that browser's processes' CPU time over the window); the students are
 * controllers in one page of another Chromium, camera and microphone off, as
 * most students of a lecture. Figures, never assertions.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserServer, type Page } from 'playwright-core';
import { startRoomServer, type RunningRoomServer } from '../src/server/index.js';
import { startJanus, type TestJanus } from '../test/janus.js';
import { chromiumArgs, chromiumPath } from '../scripts/browsers.mjs';
import { distribution, type Distribution } from './browser-bench.js';
import { processTree } from '../e2e/harness.js';

const ROOT = resolve(import.meta.dirname, '..');

export interface ClassFigures {
  students: number;
  /** The tutor page's outgoing media, all connections, Mbit/s over the window. */
  outMbps: number;
  /** The tutor browser's CPU over the window, in % of one core. */
  cpuPercent: number;
  /** Outgoing video streams of the tutor's page (simulcast layers of one camera count once). */
  videoStreams: number;
}

export interface SfuBenchResult {
  star: ClassFigures[];
  sfu: ClassFigures[];
  /** join() → a student's first frame of the tutor, tutor already in. */
  joinStar: Distribution;
  joinSfu: Distribution;
  /** The tutor's camera. */
  camera: string;
}

const CAMERA = { width: 640, height: 360, fps: 15 };

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>sfu bench</title></head><body>
<script type="module">
  const LS = await import('/dist/live-session.bundle.js');
  window.sessions = [];
  const now = () => performance.timeOrigin + performance.now();
  window.join = async (options) => {
    const session = new LS.LiveSession({ storage: null, topology: 'star', ...options });
    window.sessions.push(session);
    await session.join();
    return session.peerId;
  };
  /** Wall-clock ms at the first presented frame of the tutor's video in the last session, from join() on. */
  window.joinToFrame = async (options) => {
    const t0 = now();
    const session = new LS.LiveSession({ storage: null, topology: 'star', video: false, audio: false, ...options });
    window.sessions.push(session);
    await session.join();
    const track = await new Promise((resolve) => {
      const check = () => {
        const tutor = session.participants.find((p) => p.role === 'tutor' && !p.isLocal);
        const video = tutor?.stream?.getVideoTracks()[0];
        if (!video) return;
        session.removeEventListener('change', check);
        resolve(video);
      };
      session.addEventListener('change', check);
      check();
    });
    const video = document.createElement('video');
    video.muted = true; video.autoplay = true; video.playsInline = true; video.width = 160;
    video.srcObject = new MediaStream([track]);
    document.body.append(video);
    const at = await new Promise((resolve) => { video.requestVideoFrameCallback(() => resolve(now())); video.play().catch(() => {}); });
    video.srcObject = null; video.remove();
    return at - t0;
  };
  /** Every session of this page plays the tutor (its stream has a video track). */
  window.allSeeTutor = () => window.sessions.every((s) => s.participants.some((p) => p.role === 'tutor' && !p.isLocal && p.stream?.getVideoTracks().length));
  /** The first session's outgoing bytes and video streams. */
  window.outgoing = async () => {
    let bytes = 0; let videos = 0;
    for (const pc of window.sessions[0]?.peerConnections ?? []) {
      (await pc.getStats()).forEach((r) => {
        if (r.type !== 'outbound-rtp') return;
        bytes += (r.bytesSent ?? 0) + (r.headerBytesSent ?? 0);
        if (r.kind === 'video' && (r.bytesSent ?? 0) > 0 && (r.rid === undefined || r.rid === 'h')) videos += 1;
      });
    }
    return { bytes, videos };
  };
  window.leaveAll = async () => { for (const s of window.sessions.splice(0)) await s.leave(); };
  window.benchReady = true;
</script></body></html>`;

type W = Window & {
  join(options: Record<string, unknown>): Promise<string>;
  joinToFrame(options: Record<string, unknown>): Promise<number>;
  allSeeTutor(): boolean;
  outgoing(): Promise<{ bytes: number; videos: number }>;
  leaveAll(): Promise<void>;
};

/** Clock ticks of CPU used by a process and its descendants (Linux /proc; a process that ended meanwhile counts 0). */
function cpuTicks(rootPid: number): number {
  let total = 0;
  for (const pid of processTree(rootPid)) {
    try {
      const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += Number(fields[11]) + Number(fields[12]);
    } catch {
      // Ended meanwhile.
    }
  }
  return total;
}

async function openPage(browser: Browser, url: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${url}sfu.html`);
  await page.waitForFunction(() => (window as unknown as { benchReady?: boolean }).benchReady === true);
  return page;
}

export async function runSfuBenchmark(options: { sizes: number[]; runs: number; windowMs: number; log: (line: string) => void }): Promise<SfuBenchResult> {
  const { log } = options;
  const site = mkdtempSync(join(tmpdir(), 'live-session-sfu-bench-'));
  writeFileSync(join(site, 'sfu.html'), PAGE);
  const statics = [
    { urlPath: '/', dir: site },
    { urlPath: '/dist', dir: join(ROOT, 'dist') },
  ];
  let janus: TestJanus | undefined;
  const servers: RunningRoomServer[] = [];
  const browsers: Browser[] = [];
  let tutorServer: BrowserServer | undefined;
  try {
    janus = await startJanus();
    const p2p = await startRoomServer({ port: 0, host: '127.0.0.1', quiet: true, static: statics });
    servers.push(p2p);
    const sfu = await startRoomServer({ port: 0, host: '127.0.0.1', quiet: true, static: statics, janus: { url: janus.url, apiSecret: janus.apiSecret }, topology: 'sfu' });
    servers.push(sfu);
    tutorServer = await chromium.launchServer({ executablePath: chromiumPath, args: chromiumArgs });
    const tutorBrowser = await chromium.connect(tutorServer.wsEndpoint());
    browsers.push(tutorBrowser);
    const studentBrowser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
    browsers.push(studentBrowser);
    const tutorPid = tutorServer.process().pid ?? 0;
    const hz = 100; // USER_HZ on Linux
    const video = { width: { ideal: CAMERA.width }, height: { ideal: CAMERA.height }, frameRate: { ideal: CAMERA.fps } };

    const measureClass = async (server: RunningRoomServer, students: number, label: string): Promise<ClassFigures> => {
      const tutorPage = await openPage(tutorBrowser, server.url);
      const studentPage = await openPage(studentBrowser, server.url);
      const room = `${label}-${String(students)}-${Math.random().toString(36).slice(2, 6)}`;
      await tutorPage.evaluate(({ s, r, v }) => (window as unknown as W).join({ server: s, room: r, name: 'Tutor', role: 'tutor', video: v, audio: true }), { s: server.url, r: room, v: video });
      await studentPage.evaluate(async ({ s, r, n }) => {
        for (let i = 0; i < n; i++) await (window as unknown as W).join({ server: s, room: r, name: `S${String(i)}`, role: 'student', video: false, audio: false });
      }, { s: server.url, r: room, n: students });
      await studentPage.waitForFunction(() => (window as unknown as W).allSeeTutor(), undefined, { timeout: 120_000 });
      // Let the encoders ramp up, then measure over the window.
      await new Promise((r) => setTimeout(r, 6000));
      const before = await tutorPage.evaluate(() => (window as unknown as W).outgoing());
      const cpuBefore = cpuTicks(tutorPid);
      const t0 = Date.now();
      await new Promise((r) => setTimeout(r, options.windowMs));
      const after = await tutorPage.evaluate(() => (window as unknown as W).outgoing());
      const cpuAfter = cpuTicks(tutorPid);
      const seconds = (Date.now() - t0) / 1000;
      const figures: ClassFigures = {
        students,
        outMbps: Math.round(((after.bytes - before.bytes) * 8) / seconds / 10_000) / 100,
        cpuPercent: Math.round(((cpuAfter - cpuBefore) / hz / seconds) * 100),
        videoStreams: after.videos,
      };
      log(`sfu: ${label}, ${String(students)} students: tutor out ${String(figures.outMbps)} Mbit/s, CPU ${String(figures.cpuPercent)} %, ${String(figures.videoStreams)} video streams`);
      await studentPage.evaluate(() => (window as unknown as W).leaveAll());
      await tutorPage.evaluate(() => (window as unknown as W).leaveAll());
      await Promise.all([tutorPage.context().close(), studentPage.context().close()]);
      return figures;
    };

    const star: ClassFigures[] = [];
    const viaSfu: ClassFigures[] = [];
    for (const students of options.sizes) {
      // Alternate, so both see the same machine conditions.
      star.push(await measureClass(p2p, students, 'star'));
      viaSfu.push(await measureClass(sfu, students, 'sfu'));
    }

    const joins: Record<'star' | 'sfu', number[]> = { star: [], sfu: [] };
    for (let run = 0; run < options.runs + 1; run++) {
      for (const [label, server] of [['star', p2p], ['sfu', sfu]] as const) {
        const tutorPage = await openPage(tutorBrowser, server.url);
        const studentPage = await openPage(studentBrowser, server.url);
        const room = `join-${label}-${Math.random().toString(36).slice(2, 6)}`;
        await tutorPage.evaluate(({ s, r, v }) => (window as unknown as W).join({ server: s, room: r, name: 'Tutor', role: 'tutor', video: v, audio: true }), { s: server.url, r: room, v: video });
        // Measured once the tutor's own SFU path is up, as a student joining a running class finds it.
        await new Promise((r) => setTimeout(r, 1500));
        // A join that shows no frame within 30 s counts as a failed run (logged), never as a hang.
        const ms = await Promise.race([
          studentPage.evaluate(({ s, r }) => (window as unknown as W).joinToFrame({ server: s, room: r, name: 'Late', role: 'student' }), { s: server.url, r: room }),
          new Promise<null>((r) => setTimeout(() => r(null), 30_000)),
        ]);
        if (ms === null) log(`sfu: join → first frame, ${label}: no frame within 30 s (run left out)`);
        // The first run of each warms the browsers (and the SFU chunk's cache) up.
        else if (run > 0) {
          joins[label].push(ms);
          log(`sfu: join → first frame, ${label}: ${String(Math.round(ms))} ms`);
        }
        await studentPage.evaluate(() => (window as unknown as W).leaveAll());
        await tutorPage.evaluate(() => (window as unknown as W).leaveAll());
        await Promise.all([tutorPage.context().close(), studentPage.context().close()]);
      }
    }
    return {
      star,
      sfu: viaSfu,
      joinStar: distribution(joins.star),
      joinSfu: distribution(joins.sfu),
      camera: `${String(CAMERA.width)}×${String(CAMERA.height)} at ${String(CAMERA.fps)} fps`,
    };
  } finally {
    for (const browser of browsers) await browser.close().catch(() => undefined);
    await tutorServer?.close().catch(() => undefined);
    for (const server of servers) await server.close();
    await janus?.stop();
    rmSync(site, { recursive: true, force: true });
  }
}
