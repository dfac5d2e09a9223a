/**
 * Screen share: from `startScreenShare()` resolving to the first share frame
 * at each viewer in a star of 4 (tutor and three students), the share's
 * bitrate and resolution beside the camera's; and, as the baseline measured in
 * the same run, the two ways a share can travel between two raw
 * RTCPeerConnections in one page: a second connection (what a second PeerJS
 * call is) or a transceiver allocated with the camera's and filled with
 * `replaceTrack` (no renegotiation), with what that transceiver costs every
 * camera offer. Real Chromium (its fake capture is a 1280×720 screen), real
 * WebRTC over loopback, the built bundle. Figures, never assertions.
 */
import type { Page } from 'playwright-core';
import { distribution, type Distribution } from './browser-bench.js';
import { startBenchSite } from './lib/bench-site.js';

export interface StreamFigures {
  /** Kbit/s per stream, over a 5 s window. */
  kbps: number;
  width: number;
  height: number;
  fps: number;
}

export interface ScreenBenchResult {
  /** startScreenShare() resolved → first share frame at the first and at the last of three viewers. */
  firstViewer: Distribution;
  allViewers: Distribution;
  screen: StreamFigures;
  /** The tutor's camera to one student while the share runs. */
  cameraWhileSharing: StreamFigures;
  /** The tutor's camera to one student before the share. */
  cameraBefore: StreamFigures;
  /** Raw RTCPeerConnections, one page: share start → first frame. */
  secondConnection: Distribution;
  preallocatedTransceiver: Distribution;
  /** Bytes of a camera offer without and with a pre-allocated share transceiver. */
  offerBytes: { camera: number; withTransceiver: number };
}

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>screen bench</title></head><body>
<script type="module">
  const Native = window.RTCPeerConnection;
  window.createdPCs = [];
  window.RTCPeerConnection = class extends Native {
    constructor(config) { super(config); window.createdPCs.push(this); }
  };
  const LS = await import('/dist/live-session.bundle.js');
  window.sessions = [];
  const SMALL = { width: { ideal: 320 }, height: { ideal: 240 }, frameRate: { ideal: 15 } };
  const now = () => performance.timeOrigin + performance.now();
  /** Wall-clock ms at the first presented frame of a video track. */
  window.firstFrame = (track) => new Promise((resolve) => {
    const video = document.createElement('video');
    video.muted = true; video.autoplay = true; video.playsInline = true; video.width = 160;
    video.srcObject = new MediaStream([track]);
    document.body.append(video);
    video.requestVideoFrameCallback(() => { resolve(now()); video.srcObject = null; video.remove(); });
    video.play().catch(() => {});
  });
  window.join = async (options) => {
    const session = new LS.LiveSession({ storage: null, video: SMALL, audio: false, topology: 'star', ...options });
    window.sessions.push(session);
    await session.join();
    return session.peerId;
  };
  /** In each viewer session: a promise of the wall-clock time of its first share frame. */
  window.watchShares = () => {
    window.shareFrames = window.sessions.map((session) => new Promise((resolve) => {
      const check = () => {
        const track = session.screenStream?.getVideoTracks()[0];
        if (!track) return;
        session.removeEventListener('change', check);
        window.firstFrame(track).then(resolve);
      };
      session.addEventListener('change', check);
      check();
    }));
  };
  window.sees = (peerId) => window.sessions.every((s) => s.participants.some((p) => p.id === peerId && p.stream?.getVideoTracks().length));
  window.share = async () => { await window.sessions[0].startScreenShare(); return now(); };
  window.stopShare = () => window.sessions[0].stopScreenShare();
  window.leaveAll = async () => { for (const s of window.sessions.splice(0)) await s.leave(); };
  /** The tutor's outgoing video senders: screen or camera, with outbound-rtp figures over windowMs. */
  window.senderFigures = async (windowMs) => {
    const tutor = window.sessions[0];
    const screenIds = new Set((tutor.isSharingScreen ? tutor.screenStream?.getTracks() ?? [] : []).map((t) => t.id));
    const senders = window.createdPCs.filter((pc) => pc.connectionState === 'connected').flatMap((pc) => pc.getSenders()).filter((s) => s.track?.kind === 'video');
    const sample = async () => Promise.all(senders.map(async (sender) => {
      let out = null;
      (await sender.getStats()).forEach((r) => { if (r.type === 'outbound-rtp') out = r; });
      return { kind: screenIds.has(sender.track.id) ? 'screen' : 'camera', bytes: out?.bytesSent ?? 0, width: out?.frameWidth ?? 0, height: out?.frameHeight ?? 0, fps: out?.framesPerSecond ?? 0 };
    }));
    const before = await sample();
    await new Promise((r) => setTimeout(r, windowMs));
    const after = await sample();
    return after.map((a, i) => ({ ...a, kbps: Math.round(((a.bytes - before[i].bytes) * 8) / windowMs) }));
  };
  /** Two raw connections in this page, a camera between them; then a share, one way or the other. */
  window.rawShare = async (way) => {
    const camera = await navigator.mediaDevices.getUserMedia({ video: SMALL });
    const screen = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { max: 15 } } });
    screen.getVideoTracks()[0].contentHint = 'detail';
    const pair = () => {
      const a = new Native(); const b = new Native();
      a.onicecandidate = (e) => e.candidate && b.addIceCandidate(e.candidate);
      b.onicecandidate = (e) => e.candidate && a.addIceCandidate(e.candidate);
      return [a, b];
    };
    const negotiate = async (a, b) => {
      const offer = await a.createOffer();
      await a.setLocalDescription(offer);
      await b.setRemoteDescription(offer);
      await b.setLocalDescription(await b.createAnswer());
      await a.setRemoteDescription(b.localDescription);
      return offer.sdp.length;
    };
    const [a, b] = pair();
    a.addTrack(camera.getVideoTracks()[0], camera);
    const slot = way === 'transceiver' ? a.addTransceiver('video', { direction: 'sendonly' }) : null;
    const tracks = [];
    b.ontrack = (e) => tracks.push(e.transceiver);
    const offerBytes = await negotiate(a, b);
    await new Promise((r) => { const check = () => a.connectionState === 'connected' ? r() : setTimeout(check, 10); check(); });
    const closeAll = [a, b];
    const t0 = now();
    let first;
    if (slot) {
      const receiver = tracks.find((t) => t.mid === slot.mid);
      const frame = window.firstFrame(receiver.receiver.track);
      await slot.sender.replaceTrack(screen.getVideoTracks()[0]);
      first = await frame;
    } else {
      const [c, d] = pair();
      closeAll.push(c, d);
      const arrived = new Promise((r) => (d.ontrack = (e) => r(e.track)));
      c.addTrack(screen.getVideoTracks()[0], screen);
      await negotiate(c, d);
      first = await window.firstFrame(await arrived);
    }
    for (const pc of closeAll) pc.close();
    for (const t of [...camera.getTracks(), ...screen.getTracks()]) t.stop();
    return { ms: first - t0, offerBytes };
  };
  window.benchReady = true;
</script></body></html>`;

function figures(rows: readonly { kind: string; kbps: number; width: number; height: number; fps: number }[], kind: string): StreamFigures {
  const of = rows.filter((r) => r.kind === kind);
  const avg = (key: 'kbps' | 'width' | 'height' | 'fps'): number => (of.length === 0 ? 0 : Math.round(of.reduce((sum, r) => sum + r[key], 0) / of.length));
  return { kbps: avg('kbps'), width: avg('width'), height: avg('height'), fps: avg('fps') };
}

export async function runScreenBenchmark(options: { runs: number; log: (line: string) => void }): Promise<ScreenBenchResult> {
  const { log } = options;
  const { room, browser, close } = await startBenchSite('screen-bench', { 'screen.html': PAGE });
  const open = async (): Promise<Page> => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${room.url}screen.html`);
    await page.waitForFunction(() => (window as unknown as { benchReady?: boolean }).benchReady === true);
    return page;
  };
  interface SenderRow { kind: string; kbps: number; width: number; height: number; fps: number }
  type W = Window & {
    join(options: Record<string, string>): Promise<string>;
    watchShares(): void;
    shareFrames: Promise<number>[];
    share(): Promise<number>;
    stopShare(): Promise<void>;
    leaveAll(): Promise<void>;
    senderFigures(windowMs: number): Promise<SenderRow[]>;
    rawShare(way: 'second' | 'transceiver'): Promise<{ ms: number; offerBytes: number }>;
  };
  try {
    const tutorPage = await open();
    const viewersPage = await open();
    const firsts: number[] = [];
    const alls: number[] = [];
    let screen: StreamFigures | null = null;
    let cameraWhileSharing: StreamFigures | null = null;
    let cameraBefore: StreamFigures | null = null;
    for (let run = 0; run < options.runs + 1; run++) {
      const name = `screen-${String(run)}-${Math.random().toString(36).slice(2, 6)}`;
      const server = room.url;
      const tutorId = await tutorPage.evaluate(({ s, r }) => (window as unknown as W).join({ server: s, room: r, name: 'Tutor', role: 'tutor' }), { s: server, r: name });
      await viewersPage.evaluate(async ({ s, r }) => {
        const w = window as unknown as W;
        for (const n of ['Ann', 'Ben', 'Cid']) await w['join']({ server: s, room: r, name: n, role: 'student' });
      }, { s: server, r: name });
      await viewersPage.waitForFunction((id) => (window as unknown as { sees(id: unknown): boolean }).sees(id), tutorId, { timeout: 30_000 });
      if (run === 1) {
        // Camera figures before the share, after a ramp.
        await new Promise((r) => setTimeout(r, 4000));
        cameraBefore = figures(await tutorPage.evaluate(() => (window as unknown as W).senderFigures(5000)), 'camera');
      }
      await viewersPage.evaluate(() => { (window as unknown as W).watchShares(); });
      const resolvedAt = await tutorPage.evaluate(() => (window as unknown as W).share());
      const frames = await viewersPage.evaluate(() => Promise.all((window as unknown as W).shareFrames));
      // The first run warms the browser up.
      if (run > 0) {
        firsts.push(Math.min(...frames) - resolvedAt);
        alls.push(Math.max(...frames) - resolvedAt);
        log(`screen share: run ${String(run)}: first viewer ${String(Math.round(firsts.at(-1) ?? 0))} ms, all ${String(Math.round(alls.at(-1) ?? 0))} ms`);
      }
      if (run === 1) {
        await new Promise((r) => setTimeout(r, 4000));
        const rows = await tutorPage.evaluate(() => (window as unknown as W).senderFigures(5000));
        screen = figures(rows, 'screen');
        cameraWhileSharing = figures(rows, 'camera');
      }
      await tutorPage.evaluate(() => (window as unknown as W).stopShare());
      await viewersPage.evaluate(() => (window as unknown as W).leaveAll());
      await tutorPage.evaluate(() => (window as unknown as W).leaveAll());
    }

    log('screen share: raw connections, a second connection against a pre-allocated transceiver…');
    const second: number[] = [];
    const transceiver: number[] = [];
    const offerBytes = { camera: 0, withTransceiver: 0 };
    for (let run = 0; run < options.runs + 1; run++) {
      // Alternate, so both see the same machine conditions; the first of each is a warm-up.
      for (const way of ['second', 'transceiver'] as const) {
        const result = await tutorPage.evaluate((w) => (window as unknown as W).rawShare(w), way);
        if (way === 'second') offerBytes.camera = result.offerBytes;
        else offerBytes.withTransceiver = result.offerBytes;
        if (run > 0) (way === 'second' ? second : transceiver).push(result.ms);
      }
    }
    await Promise.all([tutorPage.context().close(), viewersPage.context().close()]);
    return {
      firstViewer: distribution(firsts),
      allViewers: distribution(alls),
      screen: screen ?? { kbps: 0, width: 0, height: 0, fps: 0 },
      cameraWhileSharing: cameraWhileSharing ?? { kbps: 0, width: 0, height: 0, fps: 0 },
      cameraBefore: cameraBefore ?? { kbps: 0, width: 0, height: 0, fps: 0 },
      secondConnection: distribution(second),
      preallocatedTransceiver: distribution(transceiver),
      offerBytes,
    };
  } finally {
    await close();
  }
}
