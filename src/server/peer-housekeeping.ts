/**
 * `peer` runs two self-rearming housekeeping timers per PeerServer instance
 * (expired-message pruning, broken-connection check) and offers no way to stop
 * them, so a process that closed its room server would never exit.
 *
 * The instance is created inside {@link runInPeerScope}; every `setTimeout`
 * made in that asynchronous context (the timers and their re-arms, which
 * inherit the context) is `unref()`ed so it never keeps the process alive,
 * and, once the scope is stopped, cleared as soon as it is armed again, which
 * ends the loops. Timers created anywhere else are untouched.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

interface PeerScope {
  stopped: boolean;
}

const peerScopeStorage = new AsyncLocalStorage<PeerScope>();
let timerHookInstalled = false;

function installTimerHook(): void {
  if (timerHookInstalled) return;
  timerHookInstalled = true;
  const originalSetTimeout = globalThis.setTimeout;
  function scopedSetTimeout(this: unknown, ...args: Parameters<typeof originalSetTimeout>): NodeJS.Timeout {
    const timer = originalSetTimeout(...args);
    const scope = peerScopeStorage.getStore();
    if (scope) {
      timer.unref();
      if (scope.stopped) clearTimeout(timer);
    }
    return timer;
  }
  // Keep util.promisify(setTimeout) and friends working.
  for (const key of Reflect.ownKeys(originalSetTimeout)) {
    if (key === 'length' || key === 'name' || key === 'prototype') continue;
    const descriptor = Object.getOwnPropertyDescriptor(originalSetTimeout, key);
    if (descriptor) Object.defineProperty(scopedSetTimeout, key, descriptor);
  }
  globalThis.setTimeout = scopedSetTimeout as typeof globalThis.setTimeout;
}

/** Runs `create` so that the PeerServer timers it starts can be stopped later. */
export function runInPeerScope(create: () => void): { stop(): void } {
  installTimerHook();
  const scope: PeerScope = { stopped: false };
  peerScopeStorage.run(scope, create);
  return {
    stop() {
      scope.stopped = true;
    },
  };
}
