/**
 * The example apps as an app developer meets them (examples/*): the packed
 * tarball installed with each framework's own tools, type-checked with zero
 * errors (deliberate mistakes must still fail), built, served by the room
 * server's CLI, and opened in Chromium: in each app a tutor page and a student
 * page see each other's video, and the app's typed event handler lists the
 * other's arrival.
 */
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import { APPS, builtDir, checkAndBuildAll, install, pack, svelteMistakes, type App, type CommandResult } from './examples.js';
import { ChromiumDriver, startCliServer, uniqueRoom, waitFor, type CliServer, type Participant } from './harness.js';

/** Where the server mounts each app's build. */
const mount = (app: App): string => `/${app}/`;

/** The gzipped size of the JavaScript an app's build ships. */
function shippedScriptKb(app: App): number {
  const dir = builtDir(app);
  const files = readdirSync(dir, { recursive: true }).map(String).filter((file) => file.endsWith('.js'));
  const bytes = files.reduce((sum, file) => sum + gzipSync(readFileSync(join(dir, file)), { level: 9 }).length, 0);
  return bytes / 1024;
}

void describe('example apps, installed from the packed tarball', { timeout: 1_200_000 }, () => {
  const built = new Set<App>();
  // Started once installed; each test below waits for its own step.
  let steps = new Map<string, Promise<CommandResult>>();
  const step = (app: App, script: 'typecheck' | 'build'): Promise<CommandResult> =>
    steps.get(`${app}:${script}`) ?? Promise.resolve({ ok: false, output: 'not started (the install failed?)' });

  before(() => {
    pack();
    const { installed, seconds } = install();
    console.log(installed ? `# examples installed in ${seconds.toFixed(0)} s` : '# examples: install up to date');
    steps = checkAndBuildAll();
  });

  for (const app of APPS) {
    void test(`${app}: type-checks with zero errors, using only what the package ships`, { timeout: 600_000 }, async () => {
      const result = await step(app, 'typecheck');
      assert.ok(result.ok, `${app} typecheck failed:\n${result.output}`);
    });

    void test(`${app}: builds`, { timeout: 600_000 }, async () => {
      const result = await step(app, 'build');
      assert.ok(result.ok, `${app} build failed:\n${result.output}`);
      built.add(app);
      console.log(`# ${app}: ${shippedScriptKb(app).toFixed(1)} KB of JavaScript gzipped (app, framework and live-session)`);
    });
  }

  void test('svelte: the deliberate mistakes are type errors, each on its line', { timeout: 300_000 }, () => {
    const { lines, output } = svelteMistakes();
    assert.deepEqual(lines, [8, 9, 10, 11], output);
  });

  void describe('in Chromium: a tutor and a student per app', () => {
    let server: CliServer;
    let chromium: ChromiumDriver;
    const open: Participant[] = [];

    before(async () => {
      const mounts = APPS.flatMap((app) => ['--static', `${mount(app)}=${builtDir(app)}`]);
      server = await startCliServer({ extraArgs: mounts });
      chromium = await ChromiumDriver.launch();
    });
    after(async () => {
      await Promise.all(open.map((p) => p.close()));
      await chromium.close();
      await server.stop();
    });
    afterEach(async () => {
      await Promise.all(open.splice(0).map((p) => p.close()));
    });

    /** The names the app's own `ls-participant-joined` handler listed. */
    const arrivals = (participant: Participant): Promise<string[]> =>
      participant.page.evaluate(() => [...document.querySelectorAll('#arrivals li')].map((item) => item.textContent.trim()), undefined);
    const alertText = (participant: Participant): Promise<string> =>
      participant.page.evaluate(() => document.querySelector('[role="alert"]:not([hidden])')?.textContent ?? '', undefined);

    for (const app of APPS) {
        void test(`${app}: the tutor and the student see each other's video`, { timeout: 180_000 }, async () => {
        assert.ok(built.has(app), `${app} did not build`);
        const room = uniqueRoom(app);
        const url = (name: string, role: 'tutor' | 'student'): string => {
          const params = new URLSearchParams({ room, name, 'user-role': role });
          return `${server.url.replace(/\/$/, '')}${mount(app)}index.html?${params.toString()}`;
        };
        const origin = new URL(server.url).origin;
        const tutor = await chromium.openUrl('Tess', url('Tess', 'tutor'), origin);
        open.push(tutor);
        // The tutor is in before the student comes, so Sam's arrival is an event on the tutor's page.
        await tutor.joined();
        const student = await chromium.openUrl('Sam', url('Sam', 'student'), origin);
        open.push(student);
        await student.joined();
        await student.expectSees('Tess');
        await tutor.expectSees('Sam');
        await waitFor(async () => (await arrivals(tutor)).includes('Sam joined'), `${app}: the tutor's app lists Sam's arrival`);
        assert.equal(await alertText(tutor), '');
        assert.equal(await alertText(student), '');
        const roles = (await tutor.state()).participants.map((p) => `${p.name}:${p.role}`).sort();
        assert.deepEqual(roles, ['Sam:student', 'Tess:tutor']);
      });
    }
  });
});
