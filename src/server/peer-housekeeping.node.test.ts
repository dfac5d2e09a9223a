import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runInPeerScope } from './peer-housekeeping.js';
import { createRoomServer } from './room-server.js';
import { GUARD_MS } from './test-client.node.test.js';
import { waitFor } from '../../test/wait-for.js';

function refedTimers(): number {
  return process.getActiveResourcesInfo().filter((name) => name === 'Timeout').length;
}

void describe('PeerServer housekeeping timers', () => {
  void test('creating, running and closing a room server leaves the global setTimeout untouched', async () => {
    const originalSetTimeout = globalThis.setTimeout;
    const originalDescriptor = Object.getOwnPropertyDescriptor(globalThis, 'setTimeout');
    const refedBefore = refedTimers();
    const httpServer = createServer();
    const roomServer = createRoomServer(httpServer, { quiet: true });
    await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
    try {
      assert.equal(globalThis.setTimeout, originalSetTimeout);
      assert.deepEqual(Object.getOwnPropertyDescriptor(globalThis, 'setTimeout'), originalDescriptor);
      // The server's timers (PeerJS housekeeping, liveness) hold no reference on the process.
      assert.equal(refedTimers(), refedBefore);
      // A timer the host application makes meanwhile is an ordinary, referenced timer.
      const hostTimer = setTimeout(() => undefined, 60_000);
      assert.equal(hostTimer.hasRef(), true);
      clearTimeout(hostTimer);
    } finally {
      await roomServer.close();
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
    }
    assert.equal(globalThis.setTimeout, originalSetTimeout);
  });

  void test('a self-rearming loop started in the scope is unref()ed and ends on stop(); other timers are not touched', async () => {
    let ticks = 0;
    let lastHandle: NodeJS.Timeout | undefined;
    const loop = (): void => {
      lastHandle = setTimeout(() => {
        ticks += 1;
        loop();
      }, 5);
    };
    const scope = runInPeerScope(loop);
    const outside = setTimeout(() => undefined, 60_000);
    try {
      await waitFor(() => ticks >= 3, 'the loop re-arms itself', GUARD_MS, 5);
      assert.equal(lastHandle?.hasRef(), false, 'a re-armed timer of the scope is unref()ed');
      assert.equal(outside.hasRef(), true, 'a timer outside the scope keeps its reference');
      assert.ok(scope.activeTimers >= 1);
      scope.stop();
      assert.equal(scope.activeTimers, 0);
      const stoppedAt = ticks;
      // Fixed wait on purpose: it proves the loop does NOT tick again (many periods of 5 ms).
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(ticks, stoppedAt);
    } finally {
      clearTimeout(outside);
      scope.stop();
    }
  });

  void test('a process that creates and closes a room server exits by itself', async () => {
    const moduleUrl = new URL('./room-server.ts', import.meta.url).href;
    const script = `
      import { createServer } from 'node:http';
      const { createRoomServer } = await import(${JSON.stringify(moduleUrl)});
      const httpServer = createServer();
      const roomServer = createRoomServer(httpServer, { quiet: true });
      await new Promise((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
      await new Promise((resolve) => setTimeout(resolve, 700)); // let PeerJS's housekeeping re-arm a few times
      await roomServer.close();
      httpServer.close();
      process.stdout.write('closed\\n');
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const guard = setTimeout(() => child.kill('SIGKILL'), GUARD_MS * 5);
    const code = await new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
    clearTimeout(guard);
    assert.equal(output.trim(), 'closed');
    assert.equal(code, 0, 'the process exited on its own (not killed by the guard)');
  });
});
