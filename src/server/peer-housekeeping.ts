/**
 * `peer` runs two self-rearming housekeeping timers per PeerServer instance
 * (expired-message pruning, broken-connection check), armed with the global
 * `setTimeout` when the server is mounted and re-armed from their own
 * callbacks, and offers no way to stop them: a process that closed its room
 * server would never exit.
 *
 * Nothing global is replaced. An async hook watches timer creation: a timer
 * created while the PeerServer is being created (inside {@link runInPeerScope}),
 * or from the callback of a timer already tracked (the re-arms), belongs to
 * the scope. Such timers are `unref()`ed so they never keep the process alive,
 * and `stop()` clears them, which ends the loops. The hook is enabled only
 * while some scope is running, and ignores every other timer.
 */
import { createHook, executionAsyncId, type AsyncHook } from 'node:async_hooks';

interface TimerHandle {
  unref(): unknown;
}

class PeerScope {
  /** Timers of this scope, by async id, until they fire or are cleared. */
  readonly timers = new Map<number, TimerHandle>();
  stopped = false;
}

/** The scope whose PeerServer is being created right now (synchronously). */
let creating: PeerScope | undefined;
/** Every live scope timer's async id → its scope. */
const scopeOfTimer = new Map<number, PeerScope>();
const liveScopes = new Set<PeerScope>();
let hook: AsyncHook | undefined;

function isTimerHandle(resource: unknown): resource is TimerHandle {
  return typeof resource === 'object' && resource !== null && typeof (resource as { unref?: unknown }).unref === 'function';
}

function track(asyncId: number, type: string, _triggerAsyncId: number, resource: unknown): void {
  if (type !== 'Timeout' || !isTimerHandle(resource)) return;
  const scope = creating ?? scopeOfTimer.get(executionAsyncId());
  if (!scope) return;
  resource.unref();
  if (scope.stopped) {
    clearTimeout(resource as NodeJS.Timeout);
    return;
  }
  scope.timers.set(asyncId, resource);
  scopeOfTimer.set(asyncId, scope);
}

function forget(asyncId: number): void {
  const scope = scopeOfTimer.get(asyncId);
  if (!scope) return;
  scopeOfTimer.delete(asyncId);
  scope.timers.delete(asyncId);
}

function updateHook(): void {
  if (liveScopes.size > 0) {
    hook ??= createHook({ init: track, destroy: forget });
    hook.enable();
  } else {
    hook?.disable();
    scopeOfTimer.clear();
  }
}

/** A handle on the PeerServer timers created by {@link runInPeerScope}. */
export interface PeerTimerScope {
  /** Timers of the scope that are still armed. */
  readonly activeTimers: number;
  /** Clears every timer of the scope; any re-arm is cleared at once. */
  stop(): void;
}

/** Runs `create` so that the PeerServer timers it starts never hold the process and can be stopped. */
export function runInPeerScope(create: () => void): PeerTimerScope {
  const scope = new PeerScope();
  liveScopes.add(scope);
  updateHook();
  const outer = creating;
  creating = scope;
  try {
    create();
  } finally {
    creating = outer;
  }
  return {
    get activeTimers() {
      return scope.timers.size;
    },
    stop() {
      if (scope.stopped) return;
      scope.stopped = true;
      for (const [asyncId, timer] of scope.timers) {
        clearTimeout(timer as NodeJS.Timeout);
        scopeOfTimer.delete(asyncId);
      }
      scope.timers.clear();
      liveScopes.delete(scope);
      updateHook();
    },
  };
}
