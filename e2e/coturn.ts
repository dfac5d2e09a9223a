/**
 * A real coturn (`turnserver`, Debian's coturn package) on loopback for the
 * relay tests: TURN REST credentials (`use-auth-secret`), UDP on a free port,
 * relay ports in a small range, loopback peers allowed (both browsers are on
 * this machine). Stopped with `stop()`; its files are removed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from './harness.js';

export interface Coturn {
  port: number;
  secret: string;
  /** `turn:127.0.0.1:<port>?transport=udp` */
  url: string;
  /** The server's log so far. */
  log(): string;
  stop(): Promise<void>;
}

function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}

export async function startCoturn(secret: string): Promise<Coturn> {
  const port = await freeUdpPort();
  const dir = mkdtempSync(join(tmpdir(), 'live-session-coturn-'));
  const logFile = join(dir, 'turn.log');
  // Relay ports: a range of 200 starting at a random point, away from the ephemeral ports.
  const minPort = 40_000 + Math.floor(Math.random() * 9_000);
  const child: ChildProcess = spawn(
    'turnserver',
    [
      '-n',
      '--listening-ip=127.0.0.1',
      '--relay-ip=127.0.0.1',
      `--listening-port=${String(port)}`,
      `--min-port=${String(minPort)}`,
      `--max-port=${String(minPort + 200)}`,
      '--use-auth-secret',
      `--static-auth-secret=${secret}`,
      '--realm=live-session.test',
      '--fingerprint',
      '--no-tls',
      '--no-dtls',
      '--no-tcp-relay',
      '--allow-loopback-peers',
      '--no-cli',
      '--no-multicast-peers',
      `--pidfile=${join(dir, 'turn.pid')}`,
      `--userdb=${join(dir, 'turndb')}`,
      `--log-file=${logFile}`,
      '--simple-log',
      '--verbose',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let errors = '';
  child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const log = (): string => {
    try {
      return readFileSync(logFile, 'utf8');
    } catch {
      return errors;
    }
  };
  const state = { exited: false };
  child.once('exit', () => {
    state.exited = true;
  });
  await waitFor(() => state.exited || /UDP listener opened on/.test(log()) || null, `coturn started (log: ${log().slice(-500)})`, 15_000);
  if (state.exited) throw new Error(`coturn exited: ${log().slice(-2000)}`);
  return {
    port,
    secret,
    url: `turn:127.0.0.1:${String(port)}?transport=udp`,
    log,
    stop: async () => {
      if (!state.exited) {
        const done = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        const force = setTimeout(() => child.kill('SIGKILL'), 5000);
        await done;
        clearTimeout(force);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
