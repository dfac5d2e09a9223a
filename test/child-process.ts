/** Stopping a child process the tests started, and waiting until it is gone. */
import type { ChildProcess } from 'node:child_process';

/** Sends `signal` (SIGTERM by default) and resolves once the process exited; at once if it already had. */
export function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => {
      resolve();
    });
    child.kill(signal);
  });
}
