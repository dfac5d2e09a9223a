/**
 * Recovery after real network outages: one participant's Chromium in its own
 * network namespace, every packet dropped by nftables for a while, then
 * restored. Reports how long, from the network's return, until each side's
 * video of the other moves again. Needs root (namespaces); skipped otherwise.
 */
import { netnsUnavailableReason } from '../e2e/netns.js';
import { FaultLab, expectHealthyPair, outage, type FaultTarget } from '../e2e/network-faults.js';
import { distribution, type Distribution } from './browser-bench.js';

export interface NetworkBenchRow {
  label: string;
  target: FaultTarget;
  downMs: number;
  /** Until both directions move again: the slower of the two. */
  videoBack: Distribution;
  studentSeesTutor: Distribution;
  tutorSeesStudent: Distribution;
}

export interface NetworkBenchResult {
  skipped?: string;
  rows: NetworkBenchRow[];
}

const SCENARIOS: { label: string; target: FaultTarget; downMs: number }[] = [
  { label: "student's network gone 4 s", target: 'student', downMs: 4000 },
  { label: "student's network gone 20 s (evicted)", target: 'student', downMs: 20_000 },
  { label: "tutor's network gone 20 s", target: 'tutor', downMs: 20_000 },
];

export async function runNetworkBenchmark(options: { runs: number; log: (line: string) => void }): Promise<NetworkBenchResult> {
  const unavailable = netnsUnavailableReason();
  if (unavailable) {
    options.log(`network recovery: skipped (${unavailable})`);
    return { skipped: unavailable, rows: [] };
  }
  const lab = await FaultLab.start();
  const rows: NetworkBenchRow[] = [];
  try {
    for (const scenario of SCENARIOS) {
      const both: number[] = [];
      const studentSees: number[] = [];
      const tutorSees: number[] = [];
      for (let run = 0; run < options.runs; run++) {
        const result = await outage(lab, scenario.target, scenario.downMs);
        // Each run ends healthy, or the figures would describe a broken room.
        await expectHealthyPair(result.tutor, result.student);
        await Promise.all([result.tutor.close(), result.student.close()]);
        studentSees.push(result.studentSeesTutorMs);
        tutorSees.push(result.tutorSeesStudentMs);
        both.push(Math.max(result.studentSeesTutorMs, result.tutorSeesStudentMs));
        options.log(`network recovery: ${scenario.label}, run ${String(run + 1)}: ${String(both.at(-1))} ms`);
      }
      rows.push({
        ...scenario,
        videoBack: distribution(both),
        studentSeesTutor: distribution(studentSees),
        tutorSeesStudent: distribution(tutorSees),
      });
    }
  } finally {
    await lab.close();
  }
  return { rows };
}
