/**
 * Pinning benchmark children to CPUs with `taskset` (util-linux), so that
 * several server processes on a small machine do not migrate between cores
 * mid-measurement. Where `taskset` is missing the children run unpinned and
 * the benchmark says so.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

let tasksetFound: boolean | undefined;

/** Whether `taskset` can be run here (looked up once). */
export function hasTaskset(): boolean {
  tasksetFound ??= spawnSync('taskset', ['--version'], { stdio: 'ignore' }).status === 0;
  return tasksetFound;
}

/** The CPU child `index` is pinned to: children take the CPUs in turn. */
export function cpuFor(index: number): number {
  return index % availableParallelism();
}

/**
 * The CPUs a running process may use, as the kernel reports them (e.g. `0`
 * or `0-1`): what pinning actually achieved, not what was asked.
 */
export function allowedCpus(pid: number | undefined): string | undefined {
  if (pid === undefined) return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return /^Cpus_allowed_list:\s*(\S+)/m.exec(status)?.[1];
  } catch {
    return undefined;
  }
}
