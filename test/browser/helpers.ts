/**
 * Helpers shared by the browser tests: real servers through server commands,
 * polling for a condition (a guard against hangs, never a performance limit),
 * and proof of live video by frames.
 */
import { executeServerCommand } from '@web/test-runner-commands';
import { waitFor } from '../wait-for.js';
import { deepQueryAll } from './shadow-query.js';

export { delay, waitFor } from '../wait-for.js';

export interface StartedServer {
  id: string;
  port: number;
  url: string;
}

export interface ServerStartOptions {
  /** `room` (the live-session server, default), `peer` (a bare PeerJS server) or `older-room` (the room server as an older version answers: no ICE servers in LS-JOINED). */
  kind?: 'room' | 'peer' | 'older-room';
  options?: Record<string, unknown>;
}

export async function startServer(start: ServerStartOptions = {}): Promise<StartedServer> {
  const { id, port } = await executeServerCommand<{ id: string; port: number }, ServerStartOptions>(
    'server-start',
    start,
  );
  return { id, port, url: `http://127.0.0.1:${port}` };
}

export async function stopServer(server: StartedServer): Promise<void> {
  await executeServerCommand('server-stop', { id: server.id });
}

/**
 * The shared server fixture of a `describe` block: one server (started through
 * the server commands, like every server of the browser tests) before its tests,
 * stopped after them. Read `.current` inside hooks and tests. Servers still
 * running when the run ends are stopped by the test runner.
 */
export function useServer(start: ServerStartOptions = {}): { readonly current: StartedServer } {
  let started: StartedServer | undefined;
  before(async () => {
    started = await startServer(start);
  });
  after(async () => {
    const running = started;
    started = undefined;
    if (running) await stopServer(running);
  });
  return {
    get current(): StartedServer {
      if (!started) throw new Error('the server fixture is read outside its describe block (or before its hook ran)');
      return started;
    },
  };
}

export async function restartServer(server: StartedServer, downMs = 0): Promise<void> {
  await executeServerCommand('server-restart', { id: server.id, downMs });
}

export async function signToken(
  claims: { room: string; sub: string; name: string; role: string },
  secret: string,
  options?: { expiresIn?: string | number },
): Promise<string> {
  const { token } = await executeServerCommand<{ token: string }, unknown>('sign-token', {
    claims,
    secret,
    options,
  });
  return token;
}

const framesSeen = new WeakMap<HTMLVideoElement, number>();

/** Counts frames presented by `video` with requestVideoFrameCallback, where available. */
function countFrames(video: HTMLVideoElement): void {
  if (framesSeen.has(video) || typeof video.requestVideoFrameCallback !== 'function') return;
  framesSeen.set(video, 0);
  const onFrame = (): void => {
    framesSeen.set(video, (framesSeen.get(video) ?? 0) + 1);
    if (video.isConnected) video.requestVideoFrameCallback(onFrame);
  };
  video.requestVideoFrameCallback(onFrame);
}

/**
 * Frames shown so far by a video element: the larger of the frames counted by
 * requestVideoFrameCallback and the decoder's own count.
 */
export function decodedFrames(video: HTMLVideoElement): number {
  countFrames(video);
  const quality = video.getVideoPlaybackQuality().totalVideoFrames;
  const firefoxCount = (video as HTMLVideoElement & { mozPaintedFrames?: number }).mozPaintedFrames ?? 0;
  return Math.max(framesSeen.get(video) ?? 0, quality, firefoxCount);
}

/**
 * Proves that `video` shows live video: it has a size and its decoded frame
 * count keeps advancing. `firstFrameTimeoutMs` guards the first frame (a
 * guard against hanging, not a limit: the default is waitFor's).
 */
export async function expectLiveVideo(video: HTMLVideoElement, label: string, firstFrameTimeoutMs?: number): Promise<void> {
  await waitFor(() => video.videoWidth > 0 && video.readyState >= 2, `${label}: video has a frame`, firstFrameTimeoutMs);
  const start = decodedFrames(video);
  await waitFor(() => decodedFrames(video) >= start + 3, `${label}: video frames advance`);
}

/** Small fake media, so several participants fit on two cores. */
export const SMALL_MEDIA: MediaStreamConstraints = {
  video: { width: { ideal: 320 }, height: { ideal: 240 }, frameRate: { ideal: 15 } },
  audio: true,
};

/** A fresh unique name for rooms, users and peer ids. */
export function uniqueId(prefix: string): string {
  return `${prefix}-${Math.random().toString(36).slice(2, 10)}`;
}

/** Mounts a muted, autoplaying video for `stream` in the document. */
export function showStream(stream: MediaStream): HTMLVideoElement {
  const video = document.createElement('video');
  video.muted = true;
  video.autoplay = true;
  video.playsInline = true;
  video.srcObject = stream;
  document.body.append(video);
  void video.play().catch(() => {});
  return video;
}

interface AxeResult {
  violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[];
}
interface AxeApi {
  run(context: Element, options?: Record<string, unknown>): Promise<AxeResult>;
}

let axeLoaded: Promise<AxeApi> | null = null;

/** Loads axe-core (served from node_modules) once and returns it. */
function loadAxe(): Promise<AxeApi> {
  axeLoaded ??= new Promise<AxeApi>((resolve, reject) => {
    const script = document.createElement('script');
    script.src = '/node_modules/axe-core/axe.min.js';
    script.onload = () => resolve((window as unknown as { axe: AxeApi }).axe);
    script.onerror = () => reject(new Error('axe-core did not load'));
    document.head.append(script);
  });
  return axeLoaded;
}

/** Awaits `updateComplete` of every custom element under `root` (shadow roots included), then two frames. */
async function settleRendering(root: Element): Promise<void> {
  for (let round = 0; round < 3; round += 1) {
    const pending = deepQueryAll(root, '*').flatMap((child) => (child as Partial<{ updateComplete: Promise<unknown> }>).updateComplete ?? []);
    const results = await Promise.all(pending);
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    // updateComplete resolves false when another update was queued meanwhile.
    if (results.every((done) => done !== false)) return;
  }
}

/** Runs axe on `element` (shadow roots included) and throws with a readable list of violations. */
export async function expectAccessible(element: Element): Promise<void> {
  const axe = await loadAxe();
  // Colour contrast is measured on settled styles: a button's background that
  // is still fading (a pressed state that just changed) is neither colour. So
  // transitions are off while axe runs, every nested element has rendered its
  // last change, and any animation already under way has finished.
  const rootStyle = document.documentElement.style;
  const previous = rootStyle.getPropertyValue('--live-session-transition');
  rootStyle.setProperty('--live-session-transition', '0ms');
  let result: AxeResult;
  try {
    await settleRendering(element);
    await Promise.allSettled(document.getAnimations().map((animation) => animation.finished));
    result = await axe.run(element, { resultTypes: ['violations'] });
    // A contrast finding on a state that changed while axe measured (a device
    // toggle turning on mid-run is neither colour) is measured once more after
    // things settle: a real contrast fault is still there the second time.
    if (result.violations.length > 0 && result.violations.every((v) => v.id === 'color-contrast')) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      await settleRendering(element);
      await Promise.allSettled(document.getAnimations().map((animation) => animation.finished));
      result = await axe.run(element, { resultTypes: ['violations'] });
    }
  } finally {
    if (previous) rootStyle.setProperty('--live-session-transition', previous);
    else rootStyle.removeProperty('--live-session-transition');
  }
  if (result.violations.length > 0) {
    const lines = result.violations.map(
      (v) => `${v.id} (${v.impact ?? '?'}): ${v.help} at ${JSON.stringify(v.nodes.map((n) => n.target))}`,
    );
    throw new Error(`axe found ${result.violations.length} violation(s):\n${lines.join('\n')}`);
  }
}

/** Finds a button by its accessible name (aria-label or text) in a shadow root. */
export function buttonNamed(root: ParentNode, name: string | RegExp): HTMLButtonElement | null {
  for (const button of root.querySelectorAll('button')) {
    const label = button.getAttribute('aria-label') ?? button.textContent.replace(/\s+/g, ' ').trim();
    if (typeof name === 'string' ? label === name : name.test(label)) return button;
  }
  return null;
}
