/**
 * Rooms shared by three room server processes through a real Redis, each
 * behind its own balancer that prefers it and passes over a dead process (as
 * a load balancer with health checks would). The tutor reaches process A,
 * the students B (Chromium) and C (Firefox): everyone sees everyone. B is killed with SIGKILL: its
 * student comes back through another process, nobody is duplicated. Redis is
 * restarted empty: nothing breaks, and a newcomer still finds everyone.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { startRedis } from '../test/redis.js';
import { startBalancer, type Balancer } from '../test/balancer.js';
import { ChromiumDriver, FirefoxDriver, startCliServer, uniqueRoom, waitFor, type CliServer, type Participant } from './harness.js';

/** A balancer seen as a server by the pages: they load from it and connect through it. */
function through(balancer: Balancer): CliServer {
  const unsupported = (): Promise<void> => Promise.reject(new Error('a balancer is not a server'));
  return { url: balancer.url, port: balancer.port, stop: unsupported, restart: unsupported, kill: unsupported };
}

async function seesEveryone(people: Participant[]): Promise<void> {
  for (const p of people) {
    await waitFor(async () => {
      const state = await p.state();
      return state.connection === 'connected' && state.participants.length === people.length;
    }, `${p.name} sees ${String(people.length)}`, 60_000);
    const ids = (await p.state()).participants.map((x) => x.userId);
    assert.equal(new Set(ids).size, people.length, `${p.name}: no duplicates`);
  }
}

void describe('rooms shared by server processes through Redis', { timeout: 600_000 }, () => {
  void test('tutor on A, students on B and C; B killed; Redis restarted', { timeout: 300_000 }, async () => {
    const redis = await startRedis();
    const servers: CliServer[] = [];
    const balancers: Balancer[] = [];
    const browser = await ChromiumDriver.launch();
    let firefox: FirefoxDriver | undefined;
    try {
      firefox = await FirefoxDriver.launch();
      for (let i = 0; i < 3; i++) servers.push(await startCliServer({ extraArgs: ['--redis', redis.url] }));
      const [a, b, c] = servers as [CliServer, CliServer, CliServer];
      // Each balancer prefers its own process, then the others.
      for (const first of [a, b, c]) balancers.push(await startBalancer([first.port, ...servers.filter((s) => s !== first).map((s) => s.port)]));
      const [toA, toB, toC] = balancers as [Balancer, Balancer, Balancer];

      const room = uniqueRoom('shared');
      const tutor = await browser.open(through(toA), { room, name: 'Tess', role: 'tutor', microphone: false });
      await tutor.joined();
      const ann = await browser.open(through(toB), { room, name: 'Ann', role: 'student', microphone: false });
      // Ben in Firefox: the browsers differ, the signalling between processes does not.
      const ben = await firefox.open(through(toC), { room, name: 'Ben', role: 'student', microphone: false });
      const people = [tutor, ann, ben];
      await seesEveryone(people);
      assert.ok(toB.routed.every((port) => port === b.port) && toC.routed.every((port) => port === c.port), 'each student reached its own process');
      // Media flows between members whose signalling crossed processes.
      await tutor.expectSees('Ann');
      await ann.expectSees('Ben');
      await ben.expectSees('Tess');

      // B crashes: Ann's page reconnects through its balancer, which now picks A or C.
      await b.kill();
      await waitFor(async () => (await ann.state()).events.some((e) => e.state === 'reconnecting'), 'Ann noticed the drop');
      await seesEveryone(people);
      assert.ok(toB.routed.at(-1) !== b.port, 'Ann came back through another process');
      await tutor.expectSees('Ann');
      await ann.expectSees('Tess');
      await ben.expectSees('Ann');

      // Redis restarts empty: the processes reconnect and claim again what they hold.
      await redis.restart({ crash: true, downMs: 500 });
      const lee = await browser.open(through(toC), { room, name: 'Lee', role: 'student', microphone: false });
      await lee.joined();
      await seesEveryone([...people, lee]);
      await lee.expectSees('Tess');
      await tutor.expectSees('Lee');
      // Nothing crashed: A and C still serve (their health answers).
      for (const server of [a, c]) assert.equal((await fetch(`${server.url}health`)).status, 200);
      await Promise.all([...people, lee].map((p) => p.close()));
    } finally {
      await firefox?.close();
      await browser.close();
      await Promise.all(balancers.map((balancer) => balancer.close()));
      await Promise.all(servers.map((server) => server.stop()));
      await redis.stop();
    }
  });
});
