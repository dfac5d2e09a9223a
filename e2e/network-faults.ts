/**
 * Network fault scenarios shared by the end-to-end suite (which asserts the
 * outcome) and the benchmarks (which report how long recovery took). One
 * participant's Chromium runs in a {@link FaultNamespace}; the server and the
 * course page listen on the host end of its veth link, so both browsers reach
 * them over a real network path that nftables can cut.
 */
import { FaultNamespace } from './netns.js';
import { ChromiumDriver, delay, startCliServer, uniqueRoom, waitFor, type CliServer, type Participant } from './harness.js';

export type FaultTarget = 'student' | 'tutor';

/** A server on a namespace's host address, one browser on the host and one inside the namespace. */
export class FaultLab {
  private constructor(
    readonly ns: FaultNamespace,
    readonly server: CliServer,
    private readonly hostBrowser: ChromiumDriver,
    private readonly nsBrowser: ChromiumDriver,
  ) {}

  static async start(): Promise<FaultLab> {
    const ns = FaultNamespace.create();
    let server: CliServer | undefined;
    let hostBrowser: ChromiumDriver | undefined;
    try {
      server = await startCliServer({ extraArgs: ['--host', ns.hostIp] });
      const secureOrigins = [new URL(server.url).origin];
      hostBrowser = await ChromiumDriver.launch({ secureOrigins });
      const nsBrowser = await ChromiumDriver.launch({ secureOrigins, executablePath: ns.chromiumWrapper() });
      return new FaultLab(ns, server, hostBrowser, nsBrowser);
    } catch (error) {
      await hostBrowser?.close();
      await server?.stop();
      ns.remove();
      throw error;
    }
  }

  /**
   * A tutor and a student in a fresh room, both seeing each other; `target`
   * is the one whose browser is in the namespace.
   */
  async pair(target: FaultTarget): Promise<{ tutor: Participant; student: Participant; faulty: Participant; healthy: Participant }> {
    const room = uniqueRoom('fault');
    const tutorBrowser = target === 'tutor' ? this.nsBrowser : this.hostBrowser;
    const studentBrowser = target === 'student' ? this.nsBrowser : this.hostBrowser;
    const tutor = await tutorBrowser.open(this.server, { room, name: 'Tutor', role: 'tutor' });
    await tutor.joined();
    const student = await studentBrowser.open(this.server, { room, name: 'Student', role: 'student' });
    await student.joined();
    await Promise.all([student.expectSees('Tutor'), tutor.expectSees('Student')]);
    return target === 'tutor'
      ? { tutor, student, faulty: tutor, healthy: student }
      : { tutor, student, faulty: student, healthy: tutor };
  }

  async close(): Promise<void> {
    this.ns.restore();
    await Promise.all([this.hostBrowser.close(), this.nsBrowser.close()]);
    await this.server.stop();
    this.ns.remove();
  }
}

/** Milliseconds from the network's return until each side's video of the other moves again. */
export interface Recovery {
  studentSeesTutorMs: number;
  tutorSeesStudentMs: number;
}

/**
 * Resolves at the first sample, after `since`, where `viewer`'s video of
 * `subject` shows a new frame; returns the time of that sample. A tile that is
 * replaced (evicted and back) counts from its first frame.
 */
async function firstNewFrame(viewer: Participant, subject: string, timeoutMs: number): Promise<number> {
  let previous = await viewer.framesOf(subject);
  return waitFor(
    async () => {
      const frames = await viewer.framesOf(subject);
      const moved = frames >= 0 && (previous < 0 ? frames > 0 : frames > previous);
      previous = frames;
      return moved ? Date.now() : 0;
    },
    `${viewer.name} sees ${subject}'s video move again`,
    timeoutMs,
  );
}

/** Cuts the target's network for `downMs`, restores it and measures how long video takes to flow again. */
export async function outage(lab: FaultLab, target: FaultTarget, downMs: number): Promise<Recovery & { tutor: Participant; student: Participant }> {
  const { tutor, student } = await lab.pair(target);
  lab.ns.cut();
  if (process.env['LS_E2E_TRACE'] === '1') process.stderr.write(`${new Date().toISOString().slice(11, 23)} network cut\n`);
  // The outage itself: the network really is gone for this long.
  await delay(downMs);
  lab.ns.restore();
  const back = Date.now();
  if (process.env['LS_E2E_TRACE'] === '1') process.stderr.write(`${new Date().toISOString().slice(11, 23)} network back\n`);
  const [studentSees, tutorSees] = await Promise.all([
    firstNewFrame(student, 'Tutor', 90_000),
    firstNewFrame(tutor, 'Student', 90_000),
  ]);
  return { studentSeesTutorMs: studentSees - back, tutorSeesStudentMs: tutorSees - back, tutor, student };
}

/** The settled state after a fault: one of each, both connected, video both ways. */
export async function expectHealthyPair(tutor: Participant, student: Participant): Promise<void> {
  for (const page of [tutor, student]) {
    await waitFor(async () => {
      const state = await page.state();
      const names = state.participants.map((p) => p.name).sort().join(',');
      return state.phase === 'joined' && state.connection === 'connected' && names === 'Student,Tutor';
    }, `${page.name}: joined, connected, exactly one Tutor and one Student`, 60_000);
  }
  await Promise.all([student.expectSees('Tutor'), tutor.expectSees('Student')]);
}
