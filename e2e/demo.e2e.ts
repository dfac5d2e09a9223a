/**
 * The demo as a developer meets it: `npm start`'s server, the landing page,
 * "Open as tutor" and "Open as a student" in new tabs, Join, and the two see
 * each other by frames — with no console errors anywhere.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { chromiumArgs, chromiumPath } from '../scripts/browsers.mjs';
import { waitFor } from './harness.js';

const ROOT = resolve(import.meta.dirname, '..');

async function startDemo(env: Record<string, string> = {}, script = 'scripts/start.mjs'): Promise<{ url: string; output: () => string; stop: () => Promise<void> }> {
  const child: ChildProcess = spawn(process.execPath, [resolve(ROOT, script)], {
    env: { ...process.env, SKIP_BUILD: '1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`the demo did not start: ${output}`)), 40_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /live-session demo:\s+(\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        done(match[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => fail(new Error(`the demo exited (${String(code)}): ${output}`)));
  });
  return {
    url,
    output: () => output,
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null) {
          done();
          return;
        }
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}

function watchConsole(page: Page, errors: string[], label: string): void {
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`${label}: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`${label}: ${error.message}`));
}

async function openFromLanding(context: BrowserContext, landing: Page, linkId: string): Promise<Page> {
  const [page] = await Promise.all([context.waitForEvent('page'), landing.click(`#${linkId}`)]);
  await page.waitForLoadState('domcontentloaded');
  return page;
}

async function remoteFrames(page: Page): Promise<number> {
  return page.evaluate(() => {
    const grid = document.querySelector('live-session')?.shadowRoot?.querySelector('video-grid');
    const video = grid?.shadowRoot?.querySelector('[data-participant]')?.shadowRoot?.querySelector('video');
    if (!(video instanceof HTMLVideoElement) || video.videoWidth === 0) return -1;
    return video.getVideoPlaybackQuality().totalVideoFrames;
  });
}

async function expectRemoteVideo(page: Page, label: string): Promise<void> {
  const first = await waitFor(async () => {
    const frames = await remoteFrames(page);
    return frames >= 0 ? frames + 1 : 0;
  }, `${label}: remote video`);
  await waitFor(async () => (await remoteFrames(page)) >= first + 2, `${label}: remote frames advance`);
}

async function join(page: Page): Promise<void> {
  const button = page.locator('live-session').locator('[part="join-button"]');
  await button.click();
  await waitFor(() => page.evaluate(() => document.querySelector('live-session')?.phase === 'joined'), 'joined');
}

/**
 * The landing page, then "Open as tutor" in a new tab and the student's link in
 * a browser context of its own (each student is its own person: new storage);
 * both join and see each other by frames. Console errors go to `errors`.
 */
async function tutorAndStudent(browser: Browser, url: string, errors: string[]): Promise<{ landing: Page; tutor: Page; student: Page; close: () => Promise<void> }> {
  const context = await browser.newContext();
  const landing = await context.newPage();
  watchConsole(landing, errors, 'landing');
  await landing.goto(url);
  const tutor = await openFromLanding(context, landing, 'open-tutor');
  watchConsole(tutor, errors, 'tutor');
  const studentContext = await browser.newContext();
  const studentHref = await landing.locator('#open-student').getAttribute('href');
  assert.ok(studentHref);
  const student = await studentContext.newPage();
  watchConsole(student, errors, 'student');
  await student.goto(new URL(studentHref, url).toString());
  await join(tutor);
  await join(student);
  await expectRemoteVideo(student, 'student sees the tutor');
  await expectRemoteVideo(tutor, 'tutor sees the student');
  return {
    landing,
    tutor,
    student,
    close: async () => {
      await studentContext.close();
      await context.close();
    },
  };
}

void describe('demo', { timeout: 300_000 }, () => {
  for (const withSecret of [false, true]) {
    void test(`landing → open as tutor and as a student → both see each other (${withSecret ? 'signed tokens' : 'open mode'})`, { timeout: 120_000 }, async () => {
      // With a secret the demo page needs its development token signer, which is off unless asked for.
      const demo = await startDemo(withSecret ? { LIVE_SESSION_SECRET: 'demo-test-secret-long-enough-for-hs256', LIVE_SESSION_DEV_TOKENS: '1' } : {});
      const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
      const errors: string[] = [];
      try {
        const { landing, tutor, student, close } = await tutorAndStudent(browser, demo.url, errors);
        assert.match(await landing.locator('h1').innerText(), /live-session/);

        const names = await tutor.evaluate(() => (document.querySelector('live-session')?.participants ?? []).map((p) => p.name).sort());
        assert.deepEqual(names, ['Student 1', 'Tutor']);
        const log = await tutor.locator('#log').innerText();
        assert.match(log, /ls-joined/);
        assert.match(log, /ls-participant-joined Student 1/);
        const snippet = await tutor.locator('#snippet').innerText();
        assert.match(snippet, /live-session\.bundle\.js/);
        assert.match(snippet, withSecret ? /token=/ : /user-role="tutor"/);

        // Screen sharing works in the demo room: the tutor's Share screen button, the student's presentation layout.
        await tutor.locator('live-session session-controls [data-control="share"]').click();
        await student.waitForFunction(() => {
          const video = document.querySelector('live-session')?.shadowRoot?.querySelector('video-grid')?.shadowRoot?.querySelector<HTMLVideoElement>('[part~="screen-video"]');
          return (video?.videoWidth ?? 0) > 0;
        }, undefined, { timeout: 30_000 });
        assert.match(await tutor.locator('#log').innerText(), /ls-screen-share Tutor shares a screen/);
        await tutor.locator('live-session session-controls [data-control="share"]').click();

        // The theme switch applies a palette through CSS custom properties.
        await tutor.locator('input[name="theme"][value="campus"]').check();
        const accent = await tutor.evaluate(() => getComputedStyle(document.querySelector('live-session') as Element).getPropertyValue('--live-session-accent').trim());
        assert.equal(accent, '#9a3412');

        await close();
        assert.deepEqual(errors, [], 'no console errors');
      } finally {
        await browser.close();
        await demo.stop();
      }
    });
  }
  void test('the SFU demo (npm run demo:sfu): Janus started beside the server, tutor and student see each other through it', { timeout: 120_000 }, async () => {
    const demo = await startDemo({}, 'scripts/sfu-demo.mjs');
    const janusPid = Number(/Janus runs \(pid (\d+)\)/.exec(demo.output())?.[1]);
    const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
    const errors: string[] = [];
    try {
      assert.deepEqual(await (await fetch(`${demo.url}health`)).json(), { status: 'ok', janus: 'up' });
      const { tutor, student, close } = await tutorAndStudent(browser, demo.url, errors);
      for (const page of [tutor, student]) {
        const path = await page.evaluate(() => (document.querySelector('live-session') as unknown as { session?: { mediaTopology: string } } | null)?.session?.mediaTopology);
        assert.equal(path, 'sfu', 'the media goes through Janus');
      }
      assert.match(await tutor.locator('#log').innerText(), /ls-joined room .*, media through the SFU \(Janus\)/, 'the room page says so');
      // The demo records: the tutor's Record button, the student told, the recording listed once converted.
      await tutor.locator('live-session session-controls [data-control="record"]').click();
      await student.locator('live-session session-controls [part="recording"]').waitFor({ timeout: 30_000 });
      await delay(2000);
      await tutor.locator('live-session session-controls [data-control="record"]').click();
      await tutor.locator('live-session session-controls [part="recordings"] li[data-state="ready"] a[data-kind="video"]').waitFor({ state: 'attached', timeout: 60_000 });
      await close();
      assert.deepEqual(errors, [], 'no console errors');
    } finally {
      await browser.close();
      await demo.stop();
    }
    // Stopping the demo stops its Janus too.
    assert.ok(janusPid > 0, 'the demo printed the pid of its Janus');
    await waitFor(() => {
      try {
        process.kill(janusPid, 0);
        return false;
      } catch {
        return true;
      }
    }, 'the Janus of the demo has stopped');
  });
});
