/**
 * A real `redis-server` (Debian's redis-server package) on a free loopback
 * port, without persistence, for the tests of rooms shared between server
 * processes. `restart()` stops it and starts it again, empty, on the same port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { stopProcess } from './child-process.js';
import { freePort } from './free-port.js';

export interface TestRedis {
  port: number;
  /** `redis://127.0.0.1:<port>` */
  url: string;
  /** Stops the server (SIGKILL when `crash`) and starts an empty one on the same port. */
  restart(options?: { crash?: boolean; downMs?: number }): Promise<void>;
  stop(): Promise<void>;
}

function launch(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes', '--loglevel', 'notice'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`redis-server did not start on port ${String(port)}: ${output.slice(-500)}`));
    }, 10_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve(child);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`redis-server could not be started (${error.message}); npm test installs it (Debian package redis-server)`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${String(code)}: ${output.slice(-500)}`));
    });
  });
}


export async function startRedis(): Promise<TestRedis> {
  const port = await freePort();
  let child = await launch(port);
  return {
    port,
    url: `redis://127.0.0.1:${String(port)}`,
    async restart({ crash = false, downMs = 0 } = {}) {
      await stopProcess(child, crash ? 'SIGKILL' : 'SIGTERM');
      if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs));
      child = await launch(port);
    },
    stop: () => stopProcess(child, 'SIGTERM'),
  };
}
