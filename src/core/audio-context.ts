/**
 * One AudioContext for the whole page, shared by every session's silent
 * placeholder and level meter. Making one opens the audio output: tens of
 * milliseconds on the main thread (on a join's critical path, since the first
 * call may need the placeholder), and browsers cap how many a page may hold.
 * A session with a placeholder and a meter, or a page with several sessions,
 * needs only one.
 *
 * Held by leases: the context is closed when the last holder releases it (a
 * session's placeholders when it leaves, its meter when it is destroyed), so
 * a page whose sessions are gone runs no audio graph.
 */

interface Shared {
  readonly context: AudioContext;
  holders: number;
}

let current: Shared | null = null;

export interface AudioContextLease {
  readonly context: AudioContext;
  /** Lets go of the context (closed once nobody holds it); calling it again does nothing. */
  release(): void;
}

/** Leases the page's AudioContext, creating it when there is none (or it was closed). Throws where AudioContext is unavailable. */
export function leaseAudioContext(): AudioContextLease {
  if (!current || current.context.state === 'closed') current = { context: new AudioContext(), holders: 0 };
  const shared = current;
  shared.holders++;
  let released = false;
  return {
    context: shared.context,
    release: () => {
      if (released) return;
      released = true;
      shared.holders--;
      if (shared.holders > 0) return;
      if (current === shared) current = null;
      void shared.context.close().catch(() => undefined);
    },
  };
}

/** How many leases hold the page's AudioContext (0 when there is none), for tests. */
export function audioContextHolders(): number {
  return current && current.context.state !== 'closed' ? current.holders : 0;
}
