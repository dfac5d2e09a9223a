/**
 * A real Janus (Debian's janus package) for the SFU tests: configured by the
 * project's own generator (VideoRoom and websockets only, admin API off, an
 * API secret, media on loopback), on a free loopback port. `kill()` and
 * `restart()` let a test take it away and bring it back on the same port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeJanusConfig } from '../src/server/janus/janus-config.js';
import { stopProcess } from './child-process.js';
import { freePort } from './free-port.js';

export interface TestJanus {
  /** `ws://127.0.0.1:<port>` */
  url: string;
  apiSecret: string;
  /** Kills it (SIGKILL): the SFU is gone. */
  kill(): Promise<void>;
  /** Starts it again on the same port (after `kill()`). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

function launch(command: string[], port: number): Promise<ChildProcess> {
  const [file = 'janus', ...args] = command;
  const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`janus did not start on port ${String(port)}: ${output.slice(-800)}`));
    }, 20_000);
    const onData = (chunk: Buffer): void => {
      output = (output + chunk.toString()).slice(-20_000);
      // The websockets transport says so once it listens.
      if (/WebSockets server started|Websockets server started|server started \(port/i.test(output) && output.includes(String(port))) {
        clearTimeout(timer);
        child.stdout.off('data', onData);
        child.stderr.off('data', onData);
        child.stdout.resume();
        child.stderr.resume();
        resolve(child);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`janus could not be started (${error.message}); npm test installs it (Debian package janus)`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`janus exited with ${String(code)}: ${output.slice(-800)}`));
    });
  });
}


export async function startJanus(): Promise<TestJanus> {
  const dir = mkdtempSync(join(tmpdir(), 'live-session-janus-'));
  const port = await freePort();
  const config = writeJanusConfig({ dir, wsPort: port, wsIp: '127.0.0.1', iceInterfaces: 'lo', logLevel: 4 });
  let child: ChildProcess | undefined = await launch(config.command, port).catch((error: unknown) => {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  });
  return {
    url: config.url,
    apiSecret: config.apiSecret,
    kill: async () => {
      if (child) await stopProcess(child, 'SIGKILL');
      child = undefined;
    },
    restart: async () => {
      if (child) await stopProcess(child, 'SIGKILL');
      child = await launch(config.command, port);
    },
    stop: async () => {
      if (child) await stopProcess(child, 'SIGTERM');
      child = undefined;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
