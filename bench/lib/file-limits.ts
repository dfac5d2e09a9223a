/**
 * Open-file limits of the server benchmarks: every client socket of a run
 * lives in the benchmark's own process, so thousands of clients need as many
 * file descriptors (Linux only; elsewhere nothing is known or checked). Node
 * raises its soft limit to the hard limit when it starts, so the soft limit
 * read here is in practice the hard one: `ulimit -n` before starting raises it.
 */
import { readFileSync } from 'node:fs';

/** Soft and hard `RLIMIT_NOFILE` of this process; `Infinity` when unlimited. */
export interface OpenFileLimits {
  soft: number;
  hard: number;
}

/** Descriptors a run with `clients` sockets needs: one per client plus room for pipes, IPC and modules. */
export function filesNeeded(clients: number): number {
  return clients + 256;
}

function limitValue(text: string): number {
  return text === 'unlimited' ? Number.POSITIVE_INFINITY : Number(text);
}

/** This process's open-file limits, or undefined where `/proc/self/limits` does not exist. */
export function openFileLimits(): OpenFileLimits | undefined {
  let limits: string;
  try {
    limits = readFileSync('/proc/self/limits', 'utf8');
  } catch {
    return undefined;
  }
  const match = /^Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/m.exec(limits);
  if (!match?.[1] || !match[2]) return undefined;
  return { soft: limitValue(match[1]), hard: limitValue(match[2]) };
}

/**
 * Why `clients` sockets may not fit under this process's soft limit, with
 * advice; undefined when they fit (or nothing is known).
 */
export function fileLimitShortfall(clients: number, what: string): string | undefined {
  const soft = openFileLimits()?.soft;
  const needed = filesNeeded(clients);
  if (soft === undefined || soft >= needed) return undefined;
  return (
    `${what}: ${clients} clients need about ${needed} open files but the limit is ${soft}; ` +
    `raise it (e.g. \`ulimit -n ${needed * 2}\`) or use fewer clients`
  );
}
