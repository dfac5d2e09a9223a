import type { Role } from '../protocol/index.js';

/**
 * `mesh`: everyone sends to and receives from everyone (up to about 6 people).
 * `star`: students exchange media with the tutor only (large classes).
 */
export type Topology = 'mesh' | 'star';

export function isTopology(value: unknown): value is Topology {
  return value === 'mesh' || value === 'star';
}

/** Whether two participants exchange media under a topology. */
export function shouldConnect(topology: Topology, a: Role, b: Role): boolean {
  return topology === 'mesh' || a === 'tutor' || b === 'tutor';
}

/**
 * Who places the call when a media connection must be re-established: the lower
 * peer id. Both sides compute the same answer, so there is never glare.
 */
export function recallerOf(a: string, b: string): string {
  return a < b ? a : b;
}
