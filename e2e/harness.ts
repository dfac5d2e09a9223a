/**
 * End-to-end harness: the server started by its CLI on a free loopback port,
 * a plain page that embeds the built script-tag bundle, and separate browser
 * pages per participant — Chromium through playwright-core, Firefox ESR through
 * puppeteer-core (WebDriver BiDi).
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser as PlaywrightBrowser, type BrowserServer } from 'playwright-core';
import puppeteer, { type Browser as PuppeteerBrowser } from 'puppeteer-core';
import { chromiumArgs, chromiumPath, firefoxPath, firefoxPrefs } from '../scripts/browsers.mjs';

import { delay, waitFor as waitForCondition } from '../test/wait-for.js';

export { delay };

const ROOT = resolve(import.meta.dirname, '..');

/** Polls `condition` until truthy; the timeout (30 s here, pages are slower) only guards against a hang. */
export function waitFor<T>(condition: () => T | Promise<T>, what: string, timeoutMs = 30_000): Promise<NonNullable<T>> {
  return waitForCondition(condition, what, timeoutMs, 100);
}

/**
 * Waits until a video has painted three more frames. The count is summed over
 * samples, so a video element that starts again (a new stream after a
 * reconnect resets its counter) keeps counting from its new start instead of
 * needing to catch up with the old element's total.
 */
async function framesAdvance(frames: () => Promise<number>, what: string): Promise<void> {
  let last = -1;
  let advanced = 0;
  await waitFor(async () => {
    const now = await frames();
    if (last >= 0 && now > last) advanced += now - last;
    last = now;
    return advanced >= 3;
  }, what);
}

// ------------------------------------------------------------------ the server, by its CLI

const EMBED_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<link rel="icon" href="data:,">
<title>embed</title>
<script type="module" src="/live-session.bundle.js"></script>
</head>
<body>
<script type="module">
  const params = new URLSearchParams(location.search);
  const element = document.createElement('live-session');
  for (const name of ['server', 'room', 'name', 'user-role', 'user-id', 'token', 'topology', 'ice-transport-policy']) {
    if (params.get(name)) element.setAttribute(name, params.get(name));
  }
  element.setAttribute('autojoin', '');
  if (params.get('debug')) element.setAttribute('debug', '');
  const [width, height, fps] = (params.get('video') || '320x240x15').split('x').map(Number);
  element.video = { width: { ideal: width }, height: { ideal: height }, frameRate: { ideal: fps } };
  if (params.get('audio') === 'off') element.audio = false;
  if (params.get('media') === 'none') {
    element.video = false;
    element.audio = false;
  }
  window.lsEvents = [];
  for (const type of ['ls-joined', 'ls-left', 'ls-participant-joined', 'ls-participant-left', 'ls-connection-state', 'ls-error', 'ls-muted']) {
    element.addEventListener(type, (event) => {
      const d = event.detail || {};
      window.lsEvents.push({ type, at: Date.now(), name: d.participant ? d.participant.name : undefined, reason: d.reason, state: d.state, code: d.code });
    });
  }
  document.body.append(element);
</script>
</body>
</html>`;

/**
 * A page of many students without the element: one controller each (no
 * camera, no microphone), as a lecture's silent majority. Each one plays the
 * tutor's video in a small <video> of its own and asks for the smallest layer,
 * so twenty of them fit one page on a small machine.
 */
const CLASS_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><link rel="icon" href="data:,"><title>class</title></head>
<body>
<script type="module">
  const LS = await import('/live-session.bundle.js');
  const members = [];
  function show(member) {
    const session = member.session;
    const tutor = session.participants.find((p) => p.role === 'tutor' && !p.isLocal);
    const track = tutor && tutor.stream ? tutor.stream.getVideoTracks()[0] : undefined;
    if (!tutor || !track) return;
    if (member.track !== track) {
      member.track = track;
      member.video.srcObject = new MediaStream([track]);
      member.video.play().catch(() => {});
    }
    if (member.tutorId !== tutor.id) {
      member.tutorId = tutor.id;
      session.setVideoSize(tutor.id, { width: 160, height: 90 });
    }
  }
  /** The members join at once, as a class does when the lesson starts. */
  window.joinClass = ({ server, room, names }) =>
    Promise.all(
      names.map((name) => {
        const session = new LS.LiveSession({ server, room, name, role: 'student', storage: null, video: false, audio: false, debug: new URLSearchParams(location.search).has('debug') });
        const video = document.createElement('video');
        video.muted = true;
        video.autoplay = true;
        video.playsInline = true;
        video.width = 160;
        document.body.append(video);
        const member = { name, session, video, errors: [], track: undefined, tutorId: undefined };
        session.addEventListener('error', (event) => member.errors.push(event.detail.code));
        session.addEventListener('change', () => show(member));
        members.push(member);
        return session.join();
      }),
    );
  /** Per member: its name, how many it lists, frames of the tutor it has shown (-1 with none), whether it is told the lesson records, the error codes it got. */
  window.classState = () =>
    members.map((m) => ({
      name: m.name,
      listed: m.session.participants.length,
      phase: m.session.phase,
      frames: m.track && m.track.readyState === 'live' && m.video.videoWidth > 0 ? m.video.getVideoPlaybackQuality().totalVideoFrames : -1,
      recording: m.session.recording.active,
      errors: [...m.errors],
    }));
  window.leaveClass = async () => {
    for (const m of members.splice(0)) await m.session.leave();
  };
  window.classReady = true;
</script>
</body>
</html>`;

export interface CliServer {
  url: string;
  port: number;
  /** Stops it (SIGTERM, graceful) and waits for the process to exit. */
  stop(): Promise<void>;
  /** Stops it and starts it again on the same port. */
  restart(downMs?: number): Promise<void>;
  /** Kills it with SIGKILL (a crash: nothing is told to anyone) and waits for the process to end. */
  kill(): Promise<void>;
}

/** A directory with the plain embed page, the class page and a copy of the built bundle (with the SFU chunk it loads from beside it). */
function makeSite(): string {
  const dir = mkdtempSync(join(tmpdir(), 'live-session-e2e-'));
  writeFileSync(join(dir, 'embed.html'), EMBED_PAGE);
  writeFileSync(join(dir, 'class.html'), CLASS_PAGE);
  for (const file of ['live-session.bundle.js', 'live-session.sfu.js']) copyFileSync(join(ROOT, 'dist', file), join(dir, file));
  return dir;
}

/** LS_E2E_SERVER_LOG=1: servers started by their CLI log as they would in production, on the test's stderr. */
const SERVER_LOG = process.env['LS_E2E_SERVER_LOG'] === '1';

function launchCli(args: string[]): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'dist/server/bin.js'), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the server did not start: ${output}`));
    }, 15_000);
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening at (\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolvePromise({ child, url: match[1] });
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    if (SERVER_LOG) {
      child.stdout.on('data', (chunk: Buffer) => process.stderr.write(chunk));
      child.stderr.on('data', (chunk: Buffer) => process.stderr.write(chunk));
    }
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${String(code)}): ${output}`));
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(force);
      done();
    });
    child.kill('SIGTERM');
  });
}

export async function startCliServer(options: { secret?: string; extraArgs?: string[]; port?: number } = {}): Promise<CliServer> {
  const site = makeSite();
  const args = (port: number): string[] => [
    '--port', String(port),
    '--host', '127.0.0.1',
    '--static', site,
    ...(SERVER_LOG ? [] : ['--quiet']),
    ...(options.secret ? ['--secret', options.secret] : []),
    ...(options.extraArgs ?? []),
  ];
  let { child, url } = await launchCli(args(options.port ?? 0));
  const port = Number(new URL(url).port);
  return {
    url,
    port,
    async stop() {
      await stopChild(child);
      rmSync(site, { recursive: true, force: true });
    },
    async restart(downMs = 0) {
      await stopChild(child);
      if (downMs > 0) await delay(downMs);
      ({ child, url } = await launchCli(args(port)));
    },
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGKILL');
      await exited;
    },
  };
}

// ------------------------------------------------------------------ browsers and pages

/**
 * The test code runs through esbuild with names kept, so a function declared
 * inside a `page.evaluate` callback calls esbuild's `__name` helper, which a
 * page does not have. Every test page gets an identity stand-in for it.
 */
const KEEP_NAMES_HELPER = 'globalThis.__name = (fn) => fn;';

/** What a test reads from a participant's page. */
export interface PageState {
  phase: string;
  connection: string;
  participants: { id: string; userId: string; name: string; role: string; isVideoOn: boolean; isAudioOn: boolean; isHandRaised: boolean; isLocal: boolean }[];
  events: { type: string; at: number; name?: string; reason?: string; state?: string; code?: string }[];
}

/** The part of a page both drivers offer. */
interface DriverPage {
  goto(url: string): Promise<unknown>;
  reload(): Promise<unknown>;
  close(): Promise<void>;
  evaluate<R, A>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R>;
  /** A real click (a user gesture) on an element found through open shadow roots: `a >>> b`. */
  click(deepSelector: string): Promise<void>;
}

export class Participant {
  constructor(
    readonly name: string,
    readonly page: DriverPage,
    readonly browserName: 'chromium' | 'firefox',
  ) {}

  state(): Promise<PageState> {
    return this.page.evaluate(() => {
      const element = document.querySelector('live-session') as
        | (HTMLElement & { phase: string; participants: PageState['participants']; session?: { connectionState: string } })
        | null;
      const events = (window as unknown as { lsEvents?: PageState['events'] }).lsEvents ?? [];
      return {
        phase: element?.phase ?? 'none',
        connection: element?.session?.connectionState ?? 'none',
        participants: element ? element.participants : [],
        events,
      };
    }, undefined);
  }

  /** Runs `fn` on the page's `<live-session>` element. */
  act(action: 'toggleCamera' | 'toggleMic' | 'raiseHand' | 'lowerHand' | 'muteAll' | 'leave'): Promise<void> {
    return this.page.evaluate(async (name) => {
      const element = document.querySelector('live-session') as unknown as Record<string, () => unknown>;
      await element[name]?.();
    }, action);
  }

  muteParticipant(id: string): Promise<void> {
    return this.page.evaluate((target) => {
      (document.querySelector('live-session') as unknown as { muteParticipant(id: string): void }).muteParticipant(target);
    }, id);
  }

  /**
   * Frames shown so far of `subject`'s video in this page (its tile in the
   * grid), or -1 when there is no such video with a size.
   */
  framesOf(subject: string): Promise<number> {
    return this.page.evaluate((name) => {
      const host = document.querySelector('live-session');
      const grid = host?.shadowRoot?.querySelector('video-grid');
      for (const tile of grid?.shadowRoot?.querySelectorAll('[data-participant]') ?? []) {
        if (!tile.shadowRoot?.querySelector('[part="name"]')?.textContent.includes(name)) continue;
        const video = tile.shadowRoot.querySelector('video');
        if (!video || video.videoWidth === 0 || video.hidden) return -1;
        const painted = (video as HTMLVideoElement & { mozPaintedFrames?: number }).mozPaintedFrames ?? 0;
        return Math.max(video.getVideoPlaybackQuality().totalVideoFrames, painted);
      }
      return -1;
    }, subject);
  }

  /** The average colour [r, g, b] of the frame `subject`'s tile shows now, or null without a video. */
  colourOf(subject: string): Promise<[number, number, number] | null> {
    return this.page.evaluate((name) => {
      const grid = document.querySelector('live-session')?.shadowRoot?.querySelector('video-grid');
      for (const tile of grid?.shadowRoot?.querySelectorAll('[data-participant]') ?? []) {
        if (!tile.shadowRoot?.querySelector('[part="name"]')?.textContent.includes(name)) continue;
        const video = tile.shadowRoot.querySelector('video');
        if (!video || video.videoWidth === 0) return null;
        const canvas = document.createElement('canvas');
        canvas.width = 64;
        canvas.height = 48;
        const context = canvas.getContext('2d');
        if (!context) return null;
        context.drawImage(video, 0, 0, 64, 48);
        const data = context.getImageData(0, 0, 64, 48).data;
        const sum = [0, 0, 0];
        for (let i = 0; i < data.length; i += 4) for (let c = 0; c < 3; c++) sum[c] = (sum[c] ?? 0) + (data[i + c] ?? 0);
        const n = data.length / 4;
        return [Math.round((sum[0] ?? 0) / n), Math.round((sum[1] ?? 0) / n), Math.round((sum[2] ?? 0) / n)] as [number, number, number];
      }
      return null;
    }, subject);
  }

  /** The connection indicator on `subject`'s tile ('good', 'fair', 'poor'), or null when it shows none. */
  qualityOf(subject: string): Promise<string | null> {
    return this.page.evaluate((name) => {
      const grid = document.querySelector('live-session')?.shadowRoot?.querySelector('video-grid');
      for (const tile of grid?.shadowRoot?.querySelectorAll('[data-participant]') ?? []) {
        if (!tile.shadowRoot?.querySelector('[part="name"]')?.textContent.includes(name)) continue;
        return tile.shadowRoot.querySelector('[part="quality"]')?.getAttribute('data-quality') ?? null;
      }
      return null;
    }, subject);
  }

  /** The room's banner (reconnecting, or an unstable connection), or null. */
  banner(): Promise<{ text: string; parts: string } | null> {
    return this.page.evaluate(() => {
      const banner = document.querySelector('live-session')?.shadowRoot?.querySelector('[part~="banner"]');
      return banner ? { text: banner.textContent.trim(), parts: banner.getAttribute('part') ?? '' } : null;
    }, undefined);
  }

  /** The largest resolution scale-down set on this page's camera senders (1 when none). */
  videoScaleDown(): Promise<number> {
    return this.page.evaluate(() => {
      const session = (document.querySelector('live-session') as unknown as { session?: { peerConnections: RTCPeerConnection[] } }).session;
      let scale = 1;
      for (const pc of session?.peerConnections ?? []) {
        for (const sender of pc.getSenders()) {
          if (sender.track?.kind !== 'video') continue;
          for (const encoding of sender.getParameters().encodings) scale = Math.max(scale, encoding.scaleResolutionDownBy ?? 1);
        }
      }
      return scale;
    }, undefined);
  }

  /** Opens the chat panel with a real click on the Chat button (if closed). */
  async openChat(): Promise<void> {
    const open = await this.page.evaluate(
      () => document.querySelector('live-session')?.shadowRoot?.querySelector('[data-control="chat"]')?.getAttribute('aria-expanded') === 'true',
      undefined,
    );
    if (!open) await this.page.click('live-session >>> [data-control="chat"]');
    await waitFor(() => this.page.evaluate(() => !!document.querySelector('live-session')?.shadowRoot?.querySelector('session-chat')?.shadowRoot?.querySelector('textarea'), undefined), `${this.name}: chat open`);
  }

  /** Writes in the open chat panel (to someone privately when `to` names them) and clicks Send. */
  async writeChat(text: string, to?: string): Promise<void> {
    await this.page.evaluate(
      ({ text, to }) => {
        const chat = document.querySelector('live-session')?.shadowRoot?.querySelector('session-chat')?.shadowRoot;
        const select = chat?.querySelector('select');
        if (to !== undefined) {
          const option = [...(select?.options ?? [])].find((o) => o.textContent.includes(to));
          if (!select || !option) throw new Error(`no recipient ${to}`);
          select.value = option.value;
          select.dispatchEvent(new Event('change'));
        }
        const box = chat?.querySelector('textarea');
        if (!box) throw new Error('no chat box');
        box.value = text;
        box.dispatchEvent(new InputEvent('input', { bubbles: true }));
      },
      { text, to },
    );
    await this.page.click('live-session >>> session-chat >>> [part="send"]');
  }

  /** The chat messages the open panel shows, as "sender: text". */
  chatShown(): Promise<string[]> {
    return this.page.evaluate(() => {
      const chat = document.querySelector('live-session')?.shadowRoot?.querySelector('session-chat')?.shadowRoot;
      return [...(chat?.querySelectorAll('[part~="message"]') ?? [])].map(
        (m) => `${m.querySelector('[part="sender"]')?.textContent.trim() ?? ''}: ${m.querySelector('[part="text"]')?.textContent ?? ''}`,
      );
    }, undefined);
  }

  /** The messages the element shows about media problems. */
  notices(): Promise<string[]> {
    return this.page.evaluate(() => {
      const host = document.querySelector('live-session');
      return [...(host?.shadowRoot?.querySelectorAll('[part="notice"]') ?? [])].map((n) => n.textContent.trim());
    }, undefined);
  }

  /** Frames of the local preview. */
  ownPreviewFrames(): Promise<number> {
    return this.page.evaluate(() => {
      const host = document.querySelector('live-session');
      const preview = host?.shadowRoot?.querySelector('self-preview');
      const video = preview?.shadowRoot?.querySelector('video');
      if (!video || video.videoWidth === 0) return -1;
      const painted = (video as HTMLVideoElement & { mozPaintedFrames?: number }).mozPaintedFrames ?? 0;
      return Math.max(video.getVideoPlaybackQuality().totalVideoFrames, painted);
    }, undefined);
  }

  /** Proves by frames that this participant sees `subject`'s video live. */
  async expectSees(subject: string): Promise<void> {
    await waitFor(async () => (await this.framesOf(subject)) >= 0, `${this.name} shows a video of ${subject}`);
    await framesAdvance(() => this.framesOf(subject), `${this.name}: ${subject}'s frames advance`);
  }

  /** Frames painted by the shared screen in the presentation layout, with its size; -1 frames while none is shown. */
  screen(): Promise<{ frames: number; width: number }> {
    return this.page.evaluate(() => {
      const grid = document.querySelector('live-session')?.shadowRoot?.querySelector('video-grid');
      const video = grid?.shadowRoot?.querySelector<HTMLVideoElement>('[part~="screen-video"]');
      if (!video || video.videoWidth === 0) return { frames: -1, width: 0 };
      const painted = (video as HTMLVideoElement & { mozPaintedFrames?: number }).mozPaintedFrames ?? 0;
      return { frames: Math.max(video.getVideoPlaybackQuality().totalVideoFrames, painted), width: video.videoWidth };
    }, undefined);
  }

  /** The width of the video in `subject`'s tile (0 while none plays). */
  cameraWidthOf(subject: string): Promise<number> {
    return this.page.evaluate((name) => {
      const grid = document.querySelector('live-session')?.shadowRoot?.querySelector('video-grid');
      for (const tile of grid?.shadowRoot?.querySelectorAll('[data-participant]') ?? []) {
        if (tile.shadowRoot?.querySelector('[part="name"]')?.textContent.includes(name)) return tile.shadowRoot.querySelector('video')?.videoWidth ?? 0;
      }
      return 0;
    }, subject);
  }

  /** Waits until a shared screen shows and its frames advance. */
  async expectScreen(): Promise<void> {
    await waitFor(async () => (await this.screen()).frames >= 0, `${this.name} shows a shared screen`);
    await framesAdvance(async () => (await this.screen()).frames, `${this.name}: the shared screen's frames advance`);
  }

  async expectOwnPreview(): Promise<void> {
    await waitFor(async () => (await this.ownPreviewFrames()) >= 0, `${this.name} shows its own preview`);
    await framesAdvance(() => this.ownPreviewFrames(), `${this.name}: preview frames advance`);
  }

  async joined(): Promise<PageState> {
    return waitFor(async () => {
      const state = await this.state();
      return state.phase === 'joined' ? state : null;
    }, `${this.name} joined`);
  }

  async names(): Promise<string[]> {
    return (await this.state()).participants.map((p) => p.name).sort();
  }

  async close(): Promise<void> {
    await this.page.close().catch(() => undefined);
  }
}

export interface EmbedOptions {
  room: string;
  name: string;
  role: 'tutor' | 'student';
  userId?: string;
  token?: string;
  topology?: 'mesh' | 'star';
  /** Join with neither camera nor microphone (watch only). */
  watchOnly?: boolean;
  /** The camera's size and rate, "WxHxFPS" (default 320x240x15): smaller for many pages in one browser. */
  video?: string;
  /**
   * false: join without a microphone (the camera still on). Audio is what costs
   * most when many pages share one browser on a small machine: every page
   * encodes it once per link and plays every other page's.
   */
  microphone?: boolean;
  /** `relay`: media only through the TURN relay. */
  iceTransportPolicy?: 'all' | 'relay';
}

const TRACE_SETTING = process.env['LS_E2E_TRACE'] ?? '';
/** LS_E2E_TRACE=1 traces every page; LS_E2E_TRACE=<name>,<name> only those participants' pages. */
function traced(name: string): boolean {
  return TRACE_SETTING === '1' || TRACE_SETTING.split(',').includes(name);
}

/** With LS_E2E_TRACE (see `traced`), prints a page's console lines to stderr, stamped with the time and the participant's name. */
function traceConsole(page: { on(event: 'console', listener: (message: { text(): string }) => void): unknown }, name: string): void {
  if (!traced(name)) return;
  page.on('console', (message) => {
    process.stderr.write(`${new Date().toISOString().slice(11, 23)} [${name}] ${message.text()}\n`);
  });
}

export function embedUrl(server: CliServer, options: EmbedOptions): string {
  const params = new URLSearchParams({ server: server.url });
  if (options.token) params.set('token', options.token);
  // With a token these still reach the element (and the join), but the server ignores them.
  if (options.room) params.set('room', options.room);
  if (options.name) params.set('name', options.name);
  params.set('user-role', options.role);
  if (options.userId) params.set('user-id', options.userId);
  if (options.topology) params.set('topology', options.topology);
  if (options.watchOnly) params.set('media', 'none');
  if (options.video) params.set('video', options.video);
  if (options.microphone === false) params.set('audio', 'off');
  if (options.iceTransportPolicy) params.set('ice-transport-policy', options.iceTransportPolicy);
  // LS_E2E_TRACE: the page logs its session's debug lines, printed with the page's name and a timestamp.
  if (traced(options.name)) params.set('debug', '1');
  return `${server.url}embed.html?${params.toString()}`;
}

/** A Chromium browser (playwright-core); each participant gets its own context. */
export class ChromiumDriver {
  private constructor(
    readonly browser: PlaywrightBrowser,
    private readonly server: BrowserServer | null,
    private readonly denyCamera: boolean,
  ) {}

  /**
   * `denyCamera`: no automatic permission prompt; every page is granted the
   * microphone only, so asking for the camera fails with a real NotAllowedError.
   */
  static async launch(
    options: {
      ownProcess?: boolean;
      denyCamera?: boolean;
      /** Another executable, e.g. a wrapper that starts Chromium inside a network namespace. */
      executablePath?: string;
      /** Plain-http origins other than loopback that must still count as secure (getUserMedia). */
      secureOrigins?: string[];
      /** Fake cameras to offer (`device-count`; the second is a depth-format camera, the third another green picture). */
      cameras?: number;
    } = {},
  ): Promise<ChromiumDriver> {
    const denyCamera = options.denyCamera ?? false;
    let args = denyCamera ? chromiumArgs.filter((a) => a !== '--use-fake-ui-for-media-stream') : [...chromiumArgs];
    if (options.cameras !== undefined) {
      args = args.map((a) => (a === '--use-fake-device-for-media-stream' ? `--use-fake-device-for-media-stream=device-count=${String(options.cameras)}` : a));
    }
    if (options.secureOrigins?.length) args.push(`--unsafely-treat-insecure-origin-as-secure=${options.secureOrigins.join(',')}`);
    const launchOptions = { executablePath: options.executablePath ?? chromiumPath, args, headless: true };
    if (options.ownProcess) {
      const server = await chromium.launchServer(launchOptions);
      return new ChromiumDriver(await chromium.connect(server.wsEndpoint()), server, denyCamera);
    }
    return new ChromiumDriver(await chromium.launch(launchOptions), null, denyCamera);
  }

  /** The browser's main process id (only for `ownProcess`). */
  get pid(): number | undefined {
    return this.server?.process().pid;
  }

  async open(server: CliServer, options: EmbedOptions): Promise<Participant> {
    return this.openUrl(options.name, embedUrl(server, options), new URL(server.url).origin);
  }

  /** A participant whose page starts at `url` (e.g. an LMS link that ends on a page with `<live-session>`). */
  async openUrl(name: string, url: string, serverOrigin: string): Promise<Participant> {
    const context = await this.browser.newContext({ viewport: { width: 900, height: 700 } });
    if (this.denyCamera) await context.grantPermissions(['microphone'], { origin: serverOrigin });
    const page = await context.newPage();
    await page.addInitScript(KEEP_NAMES_HELPER);
    traceConsole(page, name);
    const driverPage: DriverPage = {
      goto: (url) => page.goto(url),
      reload: () => page.reload(),
      close: async () => {
        await page.close({ runBeforeUnload: true });
        await context.close();
      },
      evaluate: <R, A>(fn: (arg: A) => R | Promise<R>, arg: A) =>
        page.evaluate(fn as (arg: unknown) => R | Promise<R>, arg as unknown),
      // Playwright's CSS engine pierces open shadow roots by itself.
      click: (deepSelector) => page.click(deepSelector.split(' >>> ').join(' ')),
    };
    await page.goto(url);
    return new Participant(name, driverPage, 'chromium');
  }

  async close(): Promise<void> {
    await this.browser.close().catch(() => undefined);
    await this.server?.close().catch(() => undefined);
  }
}

/** A virtual X display (Xvfb) on a free display number, for a headed browser; stop() ends it. */
export async function startXvfb(): Promise<{ display: string; stop(): Promise<void> }> {
  // -displayfd: Xvfb picks a free display and writes its number to that descriptor once it is ready.
  const child = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1280x800x24', '-nolisten', 'tcp'], { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
  const number = await new Promise<string>((resolvePromise, reject) => {
    let text = '';
    const fd = child.stdio[3] as NodeJS.ReadableStream;
    fd.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('\n')) resolvePromise(text.trim());
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`Xvfb exited (${String(code)}) before it was ready`)));
  });
  return {
    display: `:${number}`,
    stop: () =>
      new Promise<void>((resolvePromise) => {
        if (child.exitCode !== null) return resolvePromise();
        child.once('exit', () => resolvePromise());
        child.kill('SIGTERM');
      }),
  };
}

/** A Firefox ESR browser (puppeteer-core over WebDriver BiDi). */
export class FirefoxDriver {
  private constructor(readonly browser: PuppeteerBrowser) {}

  /**
   * `blockAutoplay`: audible media may not start without a user gesture (the browser default for many users).
   * `display`: a headed Firefox on that X display (see `startXvfb`): unlike a headless one, it can capture a screen.
   */
  static async launch(options: { blockAutoplay?: boolean; display?: string } = {}): Promise<FirefoxDriver> {
    const browser = await puppeteer.launch({
      browser: 'firefox',
      executablePath: firefoxPath,
      headless: options.display === undefined,
      ...(options.display === undefined ? {} : { env: { ...process.env, DISPLAY: options.display } }),
      extraPrefsFirefox: {
        ...firefoxPrefs,
        // Block audible autoplay outside user input (without the policy, automation allows it).
        ...(options.blockAutoplay ? { 'media.autoplay.default': 1, 'media.autoplay.blocking_policy': 2 } : {}),
      },
    });
    return new FirefoxDriver(browser);
  }

  async open(server: CliServer, options: EmbedOptions): Promise<Participant> {
    const context = await this.browser.createBrowserContext();
    const page = await context.newPage();
    await page.evaluateOnNewDocument(KEEP_NAMES_HELPER);
    await page.setViewport({ width: 900, height: 700 });
    const driverPage: DriverPage = {
      goto: (url) => page.goto(url),
      reload: () => page.reload(),
      close: async () => {
        await page.close({ runBeforeUnload: true });
        await context.close();
      },
      evaluate: (fn, arg) => page.evaluate(fn as (a: unknown) => unknown, arg) as never,
      click: (deepSelector) => page.click(deepSelector),
    };
    await page.goto(embedUrl(server, options));
    return new Participant(options.name, driverPage, 'firefox');
  }

  async close(): Promise<void> {
    await this.browser.close().catch(() => undefined);
  }
}

/** Every process of a browser: its main process and all descendants. */
export function processTree(pid: number): number[] {
  const all = [pid];
  for (let i = 0; i < all.length; i++) {
    let children = '';
    try {
      children = execFileSync('pgrep', ['-P', String(all[i])], { encoding: 'utf8' });
    } catch {
      children = '';
    }
    for (const line of children.split('\n')) if (line.trim()) all.push(Number(line.trim()));
  }
  return all;
}

export function signal(pids: number[], name: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, name);
    } catch {
      // Already gone.
    }
  }
}

export function uniqueRoom(prefix: string): string {
  return `${prefix}-${Math.random().toString(36).slice(2, 8)}`;
}
