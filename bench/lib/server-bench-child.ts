/**
 * The parent's handle on a server benchmark child (`server-bench-server.ts`):
 * forks it with `--import tsx --expose-gc` (through `taskset` when it is to
 * be pinned to a CPU), waits for it to listen, asks it for memory and
 * connection counts, and always ends it.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  asChildMessage,
  type BenchServerConfig,
  type BenchServerKind,
  type BenchServerStats,
  type ParentToChild,
} from './server-bench-ipc.js';

const CHILD_SCRIPT = fileURLToPath(new URL('./server-bench-server.ts', import.meta.url));
const READY_TIMEOUT_MS = 30_000;
const STATS_TIMEOUT_MS = 15_000;
const CLOSE_TIMEOUT_MS = 5_000;

interface Pending {
  resolve: (stats: BenchServerStats) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export class ServerChild {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private exitError: Error | undefined;
  private readonly exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    readonly kind: BenchServerKind,
    readonly port: number,
    readonly webSocketPath: string,
    readonly description: string,
  ) {
    this.exited = new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once('exit', () => resolve());
    });
    child.on('message', (raw: unknown) => {
      const message = asChildMessage(raw);
      if (message?.type === 'stats') {
        const waiter = this.pending.get(message.id);
        if (!waiter) return;
        this.pending.delete(message.id);
        clearTimeout(waiter.timer);
        const { memory, connections, anomalies, anomalyEvents, rooms } = message;
        waiter.resolve({ memory, connections, anomalies, anomalyEvents, ...(rooms === undefined ? {} : { rooms }) });
      } else if (message?.type === 'failed') {
        this.failAll(new Error(`server child (${kind}) failed: ${message.message}`));
      }
    });
    child.on('exit', (code, signal) => {
      this.failAll(new Error(`server child (${kind}) exited (code ${String(code)}, signal ${String(signal)})`));
    });
    child.on('error', (error) => {
      this.failAll(new Error(`server child (${kind}): ${error.message}`));
    });
  }

  /** URL clients connect to (without the query). */
  get webSocketUrl(): string {
    return `ws://127.0.0.1:${this.port}${this.webSocketPath}`;
  }

  /** The child's process id (undefined if it never started). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Why the child is unusable (it exited or failed), if it is. */
  get error(): Error | undefined {
    return this.exitError;
  }

  /**
   * Forks the child for `config` and resolves once its server listens. With
   * `cpu`, node is started through `taskset -c <cpu>` (which execs it, keeping
   * the IPC channel), so every thread it ever starts stays on that CPU.
   */
  static start(config: BenchServerConfig, signal: AbortSignal, cpu?: number): Promise<ServerChild> {
    const tsx = import.meta.resolve('tsx');
    const nodeArgs = ['--import', tsx, '--expose-gc', ...(process.env.LS_BENCH_CPU_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.LS_BENCH_CPU_PROFILE}`] : [])];
    const child = fork(CHILD_SCRIPT, [JSON.stringify(config)], {
      ...(cpu === undefined
        ? { execArgv: nodeArgs }
        : { execPath: 'taskset', execArgv: ['-c', String(cpu), process.execPath, ...nodeArgs] }),
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    // Failed IPC writes (a dead child) arrive as `error` events; never let one go unhandled.
    const ignoreEarlyError = (): void => undefined;
    child.on('error', ignoreEarlyError);
    return new Promise<ServerChild>((resolve, reject) => {
      const finish = (error: Error | undefined, ready?: ServerChild): void => {
        clearTimeout(timer);
        // A ready child has its own `error` listener; a failed one keeps ignoring (it is being killed).
        if (ready) child.off('error', ignoreEarlyError);
        signal.removeEventListener('abort', onAbort);
        child.off('message', onMessage);
        child.off('exit', onExit);
        if (ready) {
          resolve(ready);
        } else {
          child.kill('SIGKILL');
          reject(error ?? new Error('server child did not start'));
        }
      };
      const onMessage = (raw: unknown): void => {
        const message = asChildMessage(raw);
        if (message?.type === 'ready') {
          finish(undefined, new ServerChild(child, config.kind, message.port, message.webSocketPath, message.description));
        } else if (message?.type === 'failed') {
          finish(new Error(`server child (${config.kind}) failed to start: ${message.message}`));
        }
      };
      const onExit = (code: number | null): void => {
        finish(new Error(`server child (${config.kind}) exited with code ${String(code)} before listening`));
      };
      const onAbort = (): void => {
        finish(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      };
      const timer = setTimeout(() => {
        finish(new Error(`server child (${config.kind}) not listening after ${READY_TIMEOUT_MS} ms`));
      }, READY_TIMEOUT_MS);
      child.on('message', onMessage);
      child.once('exit', onExit);
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  private failAll(error: Error): void {
    this.exitError ??= error;
    for (const waiter of this.pending.values()) {
      clearTimeout(waiter.timer);
      waiter.reject(error);
    }
    this.pending.clear();
  }

  private post(message: ParentToChild): void {
    if (this.exitError) throw this.exitError;
    this.child.send(message, (error) => {
      if (error) this.failAll(new Error(`server child unreachable: ${error.message}`));
    });
  }

  /** The server's memory (after a full GC when `gc`), open connections and anomalies so far. */
  stats(gc = true): Promise<BenchServerStats> {
    if (this.exitError) return Promise.reject(this.exitError);
    const id = this.nextId;
    this.nextId += 1;
    return new Promise<BenchServerStats>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`server child gave no stats within ${STATS_TIMEOUT_MS} ms`));
      }, STATS_TIMEOUT_MS);
      this.pending.set(id, { resolve, reject, timer });
      try {
        this.post({ type: 'stats', id, gc });
      } catch (error) {
        clearTimeout(timer);
        this.pending.delete(id);
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  /** Waits up to `ms` for the child to exit; true if it has. */
  async exitedWithin(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const exited = await Promise.race([
      this.exited.then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), ms);
      }),
    ]);
    clearTimeout(timer);
    return exited;
  }

  /** Rejects every pending request (used when the run aborts). */
  abort(error: Error): void {
    this.failAll(error);
  }

  /** Asks the child to close its server and exit; kills it if it has not within a few seconds. */
  async close(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null && this.child.connected) {
      try {
        this.child.send({ type: 'close' } satisfies ParentToChild, () => undefined);
      } catch {
        // The channel is gone: the kill below ends it.
      }
    }
    if (!(await this.exitedWithin(CLOSE_TIMEOUT_MS))) {
      this.child.kill('SIGKILL');
      await this.exited;
    }
  }
}
