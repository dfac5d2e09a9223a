/**
 * npm run bench: every benchmark, each figure beside a baseline measured in the
 * same run. Writes bench/results.json and bench/results.md, and refreshes the
 * results section of docs/performance.md.
 *
 *   npm run bench                 everything (about 10 minutes on 2 cores, plus roughly 6 for the cluster part)
 *   npm run bench -- --quick      fewer runs and clients, for a smoke check
 *   npm run bench -- --only=server|cluster|browser|bundle|navigation|network|soak|screen|sfu
 *
 * A run of some parts only keeps the other parts' last results (each part's
 * figures and baselines always come from one run; each part says its date).
 *
 * The cluster part opens up to 10,000 client sockets in this process. Node
 * raises its soft open-file limit to the hard limit when it starts, so only
 * a hard limit below about 10,300 is in the way: the part then skips the
 * counts that do not fit, with a note saying how to raise it.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { runBrowserBenchmark, type BrowserBenchResult, type Distribution } from './browser-bench.js';
import { formatClusterBenchTable, runClusterBenchmark, type ClusterBenchResult } from './cluster-bench.js';
import { runNavigationBenchmark, type NavigationBenchResult } from './navigation-bench.js';
import { runNetworkBenchmark, type NetworkBenchResult } from './network-bench.js';
import { runServerBenchmark, type ServerBenchResult } from './server-bench.js';
import { runSoakBenchmark, type PageCounters, type SoakBenchResult } from './soak-bench.js';
import { runScreenBenchmark, type ScreenBenchResult, type StreamFigures } from './screen-bench.js';
import { runSfuBenchmark, type SfuBenchResult } from './sfu-bench.js';

const ROOT = resolve(import.meta.dirname, '..');
const require = createRequire(import.meta.url);

type Part = 'bundle' | 'browser' | 'navigation' | 'network' | 'soak' | 'server' | 'cluster' | 'screen' | 'sfu';

interface Results {
  date: string;
  machine: string;
  /** The day each part was last measured. */
  dates?: Partial<Record<Part, string>>;
  bundle?: BundleResult[];
  server?: ServerBenchResult;
  cluster?: ClusterBenchResult;
  browser?: BrowserBenchResult;
  network?: NetworkBenchResult;
  navigation?: NavigationBenchResult;
  soak?: SoakBenchResult;
  screen?: ScreenBenchResult;
  sfu?: SfuBenchResult;
}

interface BundleResult {
  file: string;
  rawBytes: number;
  gzipBytes: number;
}

function size(file: string, label: string): BundleResult {
  const data = readFileSync(file);
  return { file: label, rawBytes: statSync(file).size, gzipBytes: gzipSync(data, { level: 9 }).length };
}

const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;
const ms = (d: Distribution): string => `${String(d.p50)} / ${String(d.p90)} ms (${String(d.runs)} runs)`;
const ratio = (a: Distribution, b: Distribution): string => (b.p50 > 0 ? (a.p50 / b.p50).toFixed(2) : '—');

const counterRow = (label: string, page: { before: PageCounters; middle: PageCounters; after: PageCounters }, cycles: number, value: (c: PageCounters) => number, unit: (n: number) => string): string => {
  const half = Math.floor(cycles / 2);
  return `| ${label} | ${unit(value(page.before))} | ${unit(value(page.middle))} | ${unit(value(page.after))} | ${unit((value(page.after) - value(page.before)) / cycles)} | ${unit((value(page.after) - value(page.middle)) / (cycles - half))} |`;
};

function soakTable(s: SoakBenchResult): string[] {
  const lines: string[] = [];
  const bytes = (n: number): string => n >= 10_240 || n <= -10_240 ? kb(n) : `${String(Math.round(n))} B`;
  const count = (n: number): string => (Number.isInteger(n) ? String(n) : n.toFixed(2));
  for (const [label, page] of [
    ["tutor's page (`<live-session>`, stays)", s.tutor],
    ["student's page (controller, joins and leaves)", s.student],
    ['baseline: a bare page, getUserMedia then stop, as often', s.rawMedia],
    ['baseline: a hand-written PeerJS page answering a call a cycle (bare PeerJS server)', s.rawAnswerer],
  ] as const) {
    lines.push(
      `| **${label}** | before | half-way | after | per cycle, all | per cycle, second half |`,
      '| --- | ---: | ---: | ---: | ---: | ---: |',
      counterRow('JS heap after GC', page, s.cycles, (c) => c.heapBytes, bytes),
      counterRow('DOM nodes', page, s.cycles, (c) => c.nodes, count),
      counterRow('JS event listeners', page, s.cycles, (c) => c.listeners, count),
      counterRow('open RTCPeerConnections', page, s.cycles, (c) => c.openPeerConnections, count),
      '',
    );
  }
  const outside = s.tutorOutsideCode;
  const half = Math.floor(s.cycles / 2);
  const ours = (split: { outsideCode: number; timeline: number }): number => split.outsideCode - split.timeline;
  lines.push(
    `The tutor's page outside compiled code (a heap snapshot's objects without the engine's optimised code): ${kb(outside.before.outsideCode)} before, ${kb(outside.after.outsideCode)} after, ${bytes((outside.after.outsideCode - outside.before.outsideCode) / s.cycles)} a cycle. ` +
      `Of that, the browser's own performance-timeline buffers (layout shifts, long animation frames: bounded, at most 150 layout shifts are kept) grew ${bytes((outside.after.timeline - outside.before.timeline) / s.cycles)} a cycle; ` +
      `without them: ${bytes((ours(outside.after) - ours(outside.before)) / s.cycles)} a cycle over the run, ${bytes((ours(outside.after) - ours(outside.middle)) / (s.cycles - half))} a cycle in the second half.`,
    '',
  );
  // Older results have no such split.
  const answerer = (s as Partial<typeof s>).answererOutsideCode;
  if ('pageObjects' in outside.before && answerer) {
    lines.push(
      `The page's own JavaScript objects (objects, arrays, closures, strings, numbers: what scripts create and keep; no compiled code, no engine structures, none of the browser's C++ objects): ` +
        `tutor's page ${bytes((outside.after.pageObjects - outside.before.pageObjects) / s.cycles)} a cycle (${bytes((outside.after.pageObjects - outside.middle.pageObjects) / (s.cycles - half))} in the second half); ` +
        `the hand-written PeerJS page ${bytes((answerer.after.pageObjects - answerer.before.pageObjects) / s.cycles)} a cycle.`,
      '',
    );
  }
  lines.push(`RTCPeerConnections created over the run: ${String(s.tutor.createdPeerConnections)} on the tutor's page, ${String(s.student.createdPeerConnections)} on the student's, ${String(s.rawAnswerer.createdPeerConnections)} on the PeerJS baseline's answering page. Goal: ≤ 0.5 KB of heap a cycle on the tutor's page. The second half is the steady state: the first also holds the code the engine optimises as it warms up.`, '');
  return lines;
}

function markdown(results: Results): string {
  const lines: string[] = [`Last run ${results.date} on ${results.machine}.`, ''];
  const dated = (part: Part, heading: string): string => {
    const day = results.dates?.[part];
    return day && day !== results.date ? `${heading} — measured ${day}` : heading;
  };
  if (results.bundle) {
    lines.push(dated('bundle', '### Bundle'), '', '| file | raw | gzipped |', '| --- | ---: | ---: |');
    for (const b of results.bundle) lines.push(`| ${b.file} | ${kb(b.rawBytes)} | ${kb(b.gzipBytes)} |`);
    lines.push('');
  }
  if (results.browser) {
    const b = results.browser;
    lines.push(
      dated('browser', '### Joining (Chromium, loopback, p50 / p90)'),
      '',
      '| measure | live-session | baseline: raw PeerJS call | ratio (p50) |',
      '| --- | ---: | ---: | ---: |',
      `| join → first remote frame, tutor present | ${ms(b.joinToFirstFrame.sdk)} | ${ms(b.joinToFirstFrame.rawPeerJs)} | ${String(b.joinToFirstFrame.ratioP50)}× |`,
      '',
      '| late joiner into a room of | first remote frame | frames from everyone | ÷ single join (p50; goal ≤ 1.5× for 5) | baseline: raw PeerJS calling as many answerers at once, frames from everyone | ÷ raw single call (p50) |',
      '| ---: | ---: | ---: | ---: | ---: | ---: |',
      ...b.lateJoin.map(
        (l) =>
          `| ${String(l.existing)} | ${ms(l.firstFrame)} | ${ms(l.allFrames)} | ${ratio(l.allFrames, b.joinToFirstFrame.sdk)}× | ${l.rawAllFrames ? ms(l.rawAllFrames) : '—'} | ${l.rawAllFrames ? `${ratio(l.rawAllFrames, b.joinToFirstFrame.rawPeerJs)}×` : '—'} |`,
      ),
      '',
      '### Recovery',
      '',
      '| event | seen by the tutor after (p50 / p90) |',
      '| --- | ---: |',
      `| student refreshes → back with video | ${ms(b.refreshBack)} |`,
      `| student closes the tab → removed | ${ms(b.closedTabRemoved)} |`,
      `| student's browser frozen (SIGSTOP) → removed | ${ms(b.frozenRemoved)} |`,
      '',
      "### The tutor's outgoing video (getStats, 5 s window after a 4 s ramp; 640×480 camera)",
      '',
      '| topology | students | tutor out | per stream | cap per stream | whole room out |',
      '| --- | ---: | ---: | ---: | ---: | ---: |',
      ...b.bitrate.map(
        (r) => `| ${r.topology} | ${String(r.students)} | ${String(r.tutorOutKbps)} kbit/s | ${String(r.perStreamKbps)} kbit/s | ${String(r.capKbps)} kbit/s | ${String(r.roomOutKbps)} kbit/s |`,
      ),
      '',
    );
  }
  if (results.navigation) {
    const n = results.navigation;
    lines.push(
      dated('navigation', '### From a cold page (Chromium, loopback, p50 / p90)'),
      '',
      '| measure | live-session: script-tag bundle in a course page on its own origin | baseline: hand-written PeerJS page | ratio (p50) | goal |',
      '| --- | ---: | ---: | ---: | ---: |',
      `| navigation → first remote frame, tutor present | ${ms(n.sdk)} | ${ms(n.handWritten)} | ${String(n.ratioP50)}× | ≤ 1.0× |`,
      ...(n.mainThreadCpu && n.processCpu
        ? [
            `| CPU of the page's main thread by that frame | ${ms(n.mainThreadCpu.sdk)} | ${ms(n.mainThreadCpu.handWritten)} | ${ratio(n.mainThreadCpu.sdk, n.mainThreadCpu.handWritten)}× | — |`,
            `| CPU of the page's renderer process (every thread) by that frame | ${ms(n.processCpu.sdk)} | ${ms(n.processCpu.handWritten)} | ${ratio(n.processCpu.sdk, n.processCpu.handWritten)}× | — |`,
          ]
        : []),
      '',
    );
  }
  if (results.network) {
    const n = results.network;
    lines.push(dated('network', '### Recovery after real network outages (Chromium in a network namespace, nftables drop; p50 / p90)'), '');
    if (n.skipped) {
      lines.push(`Not measured: ${n.skipped}.`, '');
    } else {
      lines.push(
        '| outage | video both ways again after the network returns | student sees tutor | tutor sees student | goal |',
        '| --- | ---: | ---: | ---: | ---: |',
        ...n.rows.map((r) => `| ${r.label} | ${ms(r.videoBack)} | ${ms(r.studentSeesTutor)} | ${ms(r.tutorSeesStudent)} | ≤ 2000 ms |`),
        '',
      );
    }
  }
  if (results.screen) {
    const c = results.screen;
    const stream = (f: StreamFigures): string => `${String(f.kbps)} kbit/s, ${String(f.width)}×${String(f.height)} at ${String(f.fps)} fps`;
    lines.push(
      dated('screen', '### Screen share (Chromium, loopback, star of 4: the tutor shares to three students; p50 / p90)'),
      '',
      '| measure | figure |',
      '| --- | ---: |',
      `| startScreenShare() resolved → first share frame, first viewer | ${ms(c.firstViewer)} |`,
      `| startScreenShare() resolved → first share frame, all three viewers | ${ms(c.allViewers)} |`,
      `| the share, per viewer | ${stream(c.screen)} |`,
      `| the tutor's camera, per student, while sharing | ${stream(c.cameraWhileSharing)} |`,
      `| the tutor's camera, per student, before the share | ${stream(c.cameraBefore)} |`,
      '',
      '| baseline: raw RTCPeerConnections in one page, share start → first frame | p50 / p90 |',
      '| --- | ---: |',
      `| a second connection (what a second PeerJS call is; chosen) | ${ms(c.secondConnection)} |`,
      `| a transceiver allocated with the camera's, filled by replaceTrack | ${ms(c.preallocatedTransceiver)} |`,
      '',
      `What the pre-allocated transceiver costs every camera call, sharing or not: its offer grows from ${String(c.offerBytes.camera)} to ${String(c.offerBytes.withTransceiver)} bytes (a second video m-line, negotiated and kept for the whole call).`,
      '',
    );
  }
  if (results.sfu) {
    const f = results.sfu;
    lines.push(
      dated('sfu', `### Large classes: the tutor's page in a star (peer to peer, the baseline) and through the SFU (Janus), camera ${f.camera}`),
      '',
      "| students | star: tutor out | star: tutor's browser CPU | star: video streams out | SFU: tutor out | SFU: tutor's browser CPU | SFU: video streams out |",
      '| ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...f.star.map((star, i) => {
        const sfu = f.sfu[i];
        const cell = (c: typeof star | undefined): string => (c ? `${c.outMbps.toFixed(2)} Mbit/s | ${String(c.cpuPercent)} % | ${String(c.videoStreams)}` : '— | — | —');
        return `| ${String(star.students)} | ${cell(star)} | ${cell(sfu)} |`;
      }),
      '',
      '| join() → first frame of the tutor, a student joining a running class | p50 / p90 |',
      '| --- | ---: |',
      `| star (peer to peer; the baseline) | ${ms(f.joinStar)} |`,
      `| SFU (ticket, chunk, Janus session, publish and subscribe) | ${ms(f.joinSfu)} |`,
      '',
    );
  }
  if (results.soak) {
    lines.push(dated('soak', `### Long lesson: ${String(results.soak.cycles)} join/leave cycles of a student (Chromium, after a forced GC)`), '', ...soakTable(results.soak));
  }
  if (results.server) {
    const s = results.server;
    lines.push(
      dated('server', `### Server: ${String(s.clients)} clients in rooms of ${String(s.roomSize)} (medians of ${String(s.rounds)} rounds)`),
      '',
      '| server | connected/s | joined/s | memory per client | join broadcast p50 / p99 | what the broadcast measures |',
      '| --- | ---: | ---: | ---: | ---: | --- |',
      ...s.servers.map(
        (r) =>
          `| ${r.name} | ${String(Math.round(r.connectPerSec))} | ${r.joinPerSec === undefined ? '—' : String(Math.round(r.joinPerSec))} | ${kb(r.memoryPerClientBytes)}${r.memoryPerJoinedClientBytes === undefined ? '' : ` (${kb(r.memoryPerJoinedClientBytes)} joined)`} | ${r.broadcastP50Ms.toFixed(1)} / ${r.broadcastP99Ms.toFixed(1)} ms | ${r.broadcastLabel} |`,
      ),
      '',
    );
  }
  if (results.cluster) {
    const counts = results.cluster.clientCounts.map((count) => count.toLocaleString('en-US')).join(' and ');
    lines.push(dated('cluster', `### Cluster: rooms shared through Redis, ${counts || 'no'} clients`), '', formatClusterBenchTable(results.cluster), '');
  }
  return lines.join('\n');
}

/** Client counts of the cluster part. */
const clusterCounts = (quick: boolean): number[] => (quick ? [500, 1000] : [2000, 10_000]);

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const only = args.find((a) => a.startsWith('--only='))?.slice('--only='.length);
  const want = (part: string): boolean => !only || only === part;
  const log = (line: string): void => console.log(line);

  const bundle = want('bundle')
    ? [
        size(resolve(ROOT, 'dist/live-session.bundle.js'), 'dist/live-session.bundle.js (everything, minified)'),
        size(require.resolve('peerjs/dist/peerjs.min.js'), 'baseline: peerjs.min.js (PeerJS alone)'),
      ]
    : undefined;
  const browser = want('browser') ? await runBrowserBenchmark({ runs: quick ? 4 : 12, log }) : undefined;
  const soak = want('soak') ? await runSoakBenchmark({ cycles: quick ? 10 : 100, log }) : undefined;
  const navigation = want('navigation') ? await runNavigationBenchmark({ runs: quick ? 3 : 12, log }) : undefined;
  const network = want('network') ? await runNetworkBenchmark({ runs: quick ? 1 : 3, log }) : undefined;
  const screen = want('screen') ? await runScreenBenchmark({ runs: quick ? 2 : 6, log }) : undefined;
  const sfu = want('sfu') ? await runSfuBenchmark({ sizes: quick ? [1, 5] : [1, 5, 20], runs: quick ? 2 : 6, windowMs: quick ? 4000 : 8000, log }) : undefined;
  const server = want('server')
    ? await runServerBenchmark({ clients: quick ? 300 : 2000, rounds: quick ? 1 : 3, log })
    : undefined;
  const cluster = want('cluster')
    ? await runClusterBenchmark({ clientCounts: clusterCounts(quick), timeoutMs: quick ? 300_000 : 1_200_000, log })
    : undefined;

  const date = new Date().toISOString().slice(0, 10);
  const measured: Omit<Results, 'date' | 'machine'> = {
    ...(bundle ? { bundle } : {}),
    ...(browser ? { browser } : {}),
    ...(navigation ? { navigation } : {}),
    ...(network ? { network } : {}),
    ...(soak ? { soak } : {}),
    ...(screen ? { screen } : {}),
    ...(sfu ? { sfu } : {}),
    ...(server ? { server } : {}),
    ...(cluster ? { cluster } : {}),
  };
  // A partial run keeps the other parts' last figures (never after --quick, whose figures are rough).
  const resultsPath = resolve(ROOT, 'bench/results.json');
  let previous: Partial<Results> = {};
  if (only && !quick) {
    try {
      previous = JSON.parse(readFileSync(resultsPath, 'utf8')) as Partial<Results>;
    } catch {
      previous = {};
    }
  }
  const dates: Partial<Record<Part, string>> = { ...previous.dates };
  for (const part of Object.keys(measured) as Part[]) dates[part] = date;
  const results: Results = {
    ...previous,
    ...measured,
    date,
    machine: `${String(cpus().length)} CPU cores (${cpus()[0]?.model.trim() ?? 'unknown'}), ${String(Math.round(totalmem() / 2 ** 30))} GiB, Node ${process.version}`,
    dates,
  };
  const table = markdown(results);
  writeFileSync(resultsPath, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(resolve(ROOT, 'bench/results.md'), `${table}\n`);
  const complete = (['bundle', 'browser', 'navigation', 'network', 'soak', 'server', 'cluster', 'screen', 'sfu'] as const).every((part) => results[part] !== undefined);
  if (!quick && complete) {
    const docPath = resolve(ROOT, 'docs/performance.md');
    const doc = readFileSync(docPath, 'utf8');
    const start = '<!-- results:start -->';
    const end = '<!-- results:end -->';
    const from = doc.indexOf(start);
    const to = doc.indexOf(end);
    if (from >= 0 && to > from) {
      writeFileSync(docPath, `${doc.slice(0, from + start.length)}\n${table}\n${doc.slice(to)}`);
    }
  }
  console.log(`\n${table}`);
}

main().then(
  () => {
    // Every browser, page and server of the run is closed by now; a library's
    // idle handle (a keep-alive socket, a loader thread) must not keep the
    // finished run waiting.
    process.exit(process.exitCode ?? 0);
  },
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
