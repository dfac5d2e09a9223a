// npm run screenshots: the room as people see it, for a person to look at.
// Starts the demo server (built package), a tutor and two students in Chromium
// with fake cameras, and saves each <live-session> at 1280×800 (a laptop) and
// 360×640 (a phone), for the tutor and a student, in the grid and the speaker
// view, with the phone's participant sheet open. Layout rules themselves are
// guarded by the browser tests; this is for looking.
//   node scripts/screenshots.mjs [out-dir]   (default: screenshots/)
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { chromiumArgs, chromiumPath } from './browsers.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = resolve(process.argv[2] ?? join(root, 'screenshots'));
mkdirSync(out, { recursive: true });

const server = spawn(process.execPath, ['scripts/start.mjs'], {
  cwd: root,
  env: { ...process.env, PORT: '0', SKIP_BUILD: process.env.SKIP_BUILD ?? '0' },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const url = await new Promise((resolveUrl, reject) => {
  let text = '';
  server.stdout.on('data', (chunk) => {
    text += String(chunk);
    const match = /(http:\/\/127\.0\.0\.1:\d+)\//.exec(text);
    if (match) resolveUrl(match[1]);
  });
  server.once('exit', (code) => reject(new Error(`the demo server exited (${String(code)})`)));
});

const browser = await chromium.launch({
  executablePath: chromiumPath,
  args: [...chromiumArgs, '--use-fake-device-for-media-stream=fps=15'],
});
const room = `shots-${Math.random().toString(36).slice(2, 8)}`;

async function open(role, name, viewport) {
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1 });
  const page = await context.newPage();
  await page.goto(`${url}/room.html?room=${room}&role=${role}&name=${encodeURIComponent(name)}`);
  const element = page.locator('live-session');
  await element.evaluate((el) => {
    el.style.setProperty('--live-session-height', `${String(Math.max(480, el.ownerDocument.documentElement.clientHeight - 40))}px`);
    el.scrollIntoView();
  });
  return { page, element, context };
}

async function enter(view) {
  await view.element.evaluate((el) => el.shadowRoot.querySelector('[part="join-button"]')?.click());
  await view.page.waitForFunction(() => document.querySelector('live-session')?.phase === 'joined');
}

async function shot(view, file) {
  await view.page.waitForTimeout(1500);
  await view.element.screenshot({ path: join(out, file) });
  console.log(`saved ${join(out, file)}`);
}

try {
  const laptop = { width: 1280, height: 800 };
  const phone = { width: 360, height: 640 };
  const tutor = await open('tutor', 'Tess Tutor', laptop);
  await shot(tutor, 'prejoin-1280x800.png');
  await enter(tutor);
  const ann = await open('student', 'Ann Lee', phone);
  await shot(ann, 'prejoin-360x640.png');
  await enter(ann);
  const ben = await open('student', 'Ben Okafor', laptop);
  await enter(ben);
  await tutor.page.waitForFunction(() => document.querySelector('live-session')?.participants.length === 3);
  await shot(tutor, 'tutor-grid-1280x800.png');
  await shot(ben, 'student-1280x800.png');
  await shot(ann, 'student-360x640.png');
  await ann.element.evaluate((el) => el.shadowRoot.querySelector('[data-control="participants"]')?.click());
  await shot(ann, 'student-360x640-participants.png');
  await ann.element.evaluate((el) => el.shadowRoot.querySelector('[data-control="participants"]')?.click());
  await tutor.element.evaluate((el) => el.setAttribute('layout', 'speaker'));
  await shot(tutor, 'tutor-speaker-1280x800.png');
  await tutor.page.setViewportSize(phone);
  await shot(tutor, 'tutor-speaker-360x640.png');
  for (const view of [tutor, ann, ben]) await view.context.close();
} finally {
  await browser.close();
  server.kill('SIGTERM');
}
