/**
 * LTI 1.3 in real browsers: a test LMS launches the CLI server's tool. An
 * instructor and a learner land in the same room as tutor and student and see
 * each other's video; a forged launch shows a refusal page; an instructor adds
 * a session through deep linking and the LMS verifies what comes back.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { verifyWebhookSignature } from '../src/server/index.js';
import { freePort } from '../test/free-port.js';
import { ROLES, startTestPlatform, type TestPlatform } from '../test/lti-platform.js';
import { ChromiumDriver, startCliServer, waitFor, type CliServer, type Participant } from './harness.js';

const ROOT = resolve(import.meta.dirname, '..');
const SECRET = 'lti-e2e-secret-that-is-long-enough-for-hs256';
const TEST_TIMEOUT = 180_000;
const WEBHOOK_SECRET = 'lti-e2e-webhook-secret-0123456789';

interface Delivery {
  body: string;
  timestamp: string | undefined;
  signature: string | undefined;
}

/** An operator's webhook endpoint: keeps every delivery as received. */
async function startWebhookReceiver(): Promise<{ url: string; deliveries: Delivery[]; server: HttpServer }> {
  const deliveries: Delivery[] = [];
  const server = createHttpServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const header = (name: string): string | undefined => {
        const value = request.headers[name];
        return typeof value === 'string' ? value : undefined;
      };
      deliveries.push({ body, timestamp: header('x-live-session-timestamp'), signature: header('x-live-session-signature') });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { url: `http://127.0.0.1:${String(typeof address === 'object' && address ? address.port : 0)}/hook`, deliveries, server };
}

void describe('end to end, LTI 1.3 launch from an LMS', { timeout: 600_000 }, () => {
  let platform: TestPlatform;
  let server: CliServer;
  let chromium: ChromiumDriver;
  let dir: string;
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
  const open: Participant[] = [];

  before(async () => {
    platform = await startTestPlatform();
    dir = mkdtempSync(join(tmpdir(), 'live-session-lti-e2e-'));
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${String(port)}/`;
    writeFileSync(join(dir, 'lti.json'), JSON.stringify({ publicUrl, keyFile: 'tool-key.json', platforms: [platform.registration] }));
    receiver = await startWebhookReceiver();
    server = await startCliServer({
      secret: SECRET,
      port,
      extraArgs: [
        '--lti', join(dir, 'lti.json'),
        '--attendance', join(dir, 'attendance.sqlite'),
        '--attendance-webhook', receiver.url,
        '--attendance-webhook-secret', WEBHOOK_SECRET,
      ],
    });
    platform.useTool(publicUrl);
    chromium = await ChromiumDriver.launch();
  });

  after(async () => {
    await Promise.all(open.map((p) => p.close()));
    await chromium.close();
    await server.stop();
    await platform.close();
    await new Promise((done) => receiver.server.close(done));
    rmSync(dir, { recursive: true, force: true });
  });

  const launch = async (name: string, url: string): Promise<Participant> => {
    const participant = await chromium.openUrl(name, url, new URL(server.url).origin);
    open.push(participant);
    return participant;
  };
  /** The session page opens on the device check; the person clicks Join. */
  const clickJoin = async (participant: Participant): Promise<void> => {
    await waitFor(
      () => participant.page.evaluate(() => !!document.querySelector('live-session')?.shadowRoot?.querySelector('[part="join-button"]'), undefined),
      `${participant.name}: the Join button`,
    );
    await participant.page.click('live-session >>> [part="join-button"]');
  };

  void test('an instructor and a learner launch the same activity: tutor and student see each other; a refresh re-joins; attendance matches, by CSV and webhook', { timeout: TEST_TIMEOUT }, async () => {
    const teacher = await launch('Ada Teacher', platform.launchUrl({ user: { sub: 'e2e-teacher', name: 'Ada Teacher', roles: [ROLES.instructor] }, resourceLinkId: 'e2e-link' }));
    const learner = await launch('Lin Learner', platform.launchUrl({ user: { sub: 'e2e-learner', name: 'Lin Learner', roles: [ROLES.learner] }, resourceLinkId: 'e2e-link' }));
    // The session page allows no inline style: whatever the elements render must do without one.
    for (const participant of [teacher, learner]) {
      await participant.page.evaluate(() => {
        const seen: string[] = [];
        (window as unknown as { cspViolations: string[] }).cspViolations = seen;
        document.addEventListener('securitypolicyviolation', (event) => seen.push(`${event.violatedDirective}: ${event.sample || event.blockedURI}`));
      }, undefined);
    }
    await Promise.all([clickJoin(teacher), clickJoin(learner)]);
    const teacherState = await teacher.joined();
    await learner.joined();
    await teacher.expectSees('Lin Learner');
    await learner.expectSees('Ada Teacher');
    for (const participant of [teacher, learner]) {
      const violations = await participant.page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations, undefined);
      assert.deepEqual(violations, [], `no Content-Security-Policy violation on ${participant.name}'s session page`);
    }
    const columns = await teacher.page.evaluate(
      () => document.querySelector('live-session')?.shadowRoot?.querySelector('video-grid')?.shadowRoot?.querySelector<HTMLElement>('[part="grid"]')?.style.getPropertyValue('--_columns') ?? '',
      undefined,
    );
    assert.match(columns, /^\d+$/, 'the grid has its column count');
    const self = teacherState.participants.find((p) => p.isLocal);
    assert.equal(self?.role, 'tutor');
    const seen = await waitFor(async () => {
      const state = await learner.state();
      return state.participants.length === 2 ? state : null;
    }, 'the learner sees two participants');
    assert.deepEqual(
      seen.participants.map((p) => `${p.name}:${p.role}`).sort(),
      ['Ada Teacher:tutor', 'Lin Learner:student'],
    );
    assert.equal(await learner.page.evaluate(() => location.hash, undefined), '', 'the token left the address bar');

    // A refresh of the session page: the tab kept the launch, the learner is back, once.
    await learner.page.reload();
    await clickJoin(learner);
    await learner.joined();
    await learner.expectSees('Ada Teacher');
    await teacher.expectSees('Lin Learner');
    assert.deepEqual(await teacher.names(), ['Ada Teacher', 'Lin Learner']);

    // The tutor's attendance, as the Download attendance button fetches it.
    const csv = await teacher.page.evaluate(async () => {
      const element = document.querySelector('live-session') as unknown as {
        attendance: boolean;
        session: { fetchAttendance(): Promise<{ blob: Blob }> };
      };
      return { shown: element.attendance, text: await (await element.session.fetchAttendance()).blob.text() };
    }, undefined);
    assert.equal(csv.shown, true, 'the LTI page turns the tutor\'s download on when the server records attendance');
    const rows = csv.text.trim().split(/\r?\n/).map((line) => line.split(','));
    const header = rows[0] ?? [];
    const byName = new Map(rows.slice(1).map((row) => [row[header.indexOf('name')], row]));
    assert.equal(byName.get('Lin Learner')?.[header.indexOf('role')], 'student');
    assert.equal(byName.get('Lin Learner')?.[header.indexOf('reconnects')], '1', 'the refresh counts as one reconnect');
    assert.equal(byName.get('Ada Teacher')?.[header.indexOf('reconnects')], '0');
    assert.equal(byName.get('Ada Teacher')?.[header.indexOf('last leave')], '', 'still in the room');

    // Both leave; the server stops (ending the room session): the webhook carries the same story, signed.
    await learner.close();
    await waitFor(async () => ((await teacher.names()).length === 1 ? true : null), 'the learner gone for the teacher');
    await teacher.close();
    await server.stop();
    const delivery = await waitFor(() => receiver.deliveries.at(-1), 'the attendance webhook');
    assert.ok(verifyWebhookSignature(WEBHOOK_SECRET, delivery), 'the signature checks out');
    assert.equal(verifyWebhookSignature(WEBHOOK_SECRET, { ...delivery, body: delivery.body.replace('Lin', 'Lyn') }), false);
    const payload = JSON.parse(delivery.body) as { participants: { name: string; role: string; reconnects: number; lastLeave: string }[] };
    const learnerRecord = payload.participants.find((p) => p.name === 'Lin Learner');
    assert.equal(learnerRecord?.role, 'student');
    assert.equal(learnerRecord.reconnects, 1);
    assert.notEqual(learnerRecord.lastLeave, '');
    await server.restart();
  });

  void test('a launch for another tool ends on a page that says why, with no session', { timeout: TEST_TIMEOUT }, async () => {
    const forged = await launch('Mallory', platform.launchUrl({ user: { sub: 'e2e-mallory', name: 'Mallory', roles: [ROLES.instructor] }, override: { aud: 'another-tool' } }));
    const shown = await waitFor(
      () => forged.page.evaluate(() => document.querySelector('[data-lti-error]')?.textContent ?? null, undefined),
      'the refusal page',
    );
    assert.match(shown, /not meant for this tool/);
    assert.equal(await forged.page.evaluate(() => document.querySelector('live-session'), undefined), null);
    await forged.close();
  });

  void test('npm run demo:lti: the test LMS course page launches the tool', { timeout: TEST_TIMEOUT }, async () => {
    const demo = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'demo/lti-demo.ts')], {
      env: { ...process.env, PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    demo.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    demo.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      const lms = await waitFor(() => /test LMS \(open this\): (\S+)/.exec(output)?.[1], `the demo's LMS URL (output: ${output})`);
      const page = await chromium.openUrl('Demo Teacher', `${lms}start?name=Demo+Teacher&role=instructor&link=link-1`, new URL(lms).origin);
      open.push(page);
      await clickJoin(page);
      const state = await page.joined();
      assert.deepEqual(
        state.participants.map((p) => `${p.name}:${p.role}`),
        ['Demo Teacher:tutor'],
      );
      await page.close();
    } finally {
      const exited = new Promise((resolve) => demo.once('exit', resolve));
      demo.kill('SIGTERM');
      await exited;
    }
  });

  void test('deep linking: the instructor names the session; the LMS receives a response it verifies', { timeout: TEST_TIMEOUT }, async () => {
    const before = platform.deepLinkResponses.length;
    const teacher = await launch('Ada Teacher', platform.launchUrl({ user: { sub: 'e2e-teacher', name: 'Ada Teacher', roles: [ROLES.instructor] }, messageType: 'LtiDeepLinkingRequest' }));
    await waitFor(() => teacher.page.evaluate(() => document.querySelector('input[name="title"]') !== null, undefined), 'the title form');
    await teacher.page.evaluate(() => {
      const input = document.querySelector<HTMLInputElement>('input[name="title"]');
      if (input) input.value = 'Friday review';
    }, undefined);
    await teacher.page.click('button[type="submit"]');
    await waitFor(() => teacher.page.evaluate(() => document.getElementById('added') !== null, undefined), 'the LMS confirms the new activity');
    assert.equal(platform.deepLinkResponses.length, before + 1, platform.rejectedDeepLinks.join('; '));
    const items = platform.deepLinkResponses.at(-1)?.['https://purl.imsglobal.org/spec/lti-dl/claim/content_items'] as { title: string; url: string }[];
    const [item] = items;
    assert.ok(item);
    assert.equal(item.title, 'Friday review');
    assert.equal(item.url, `${server.url}lti/launch`);
    await teacher.close();
  });
});

void describe('end to end, LTI 1.3 inside the LMS iframe without a cookie', { timeout: 300_000 }, () => {
  void test('the launch goes through the platform postMessage storage and the session opens in the iframe', { timeout: TEST_TIMEOUT }, async () => {
    // The tool on localhost, the LMS on 127.0.0.1: another site, so the iframe's launch carries no cookie.
    const platform = await startTestPlatform();
    const dir = mkdtempSync(join(tmpdir(), 'live-session-lti-frame-'));
    const port = await freePort();
    const publicUrl = `http://localhost:${String(port)}/`;
    writeFileSync(join(dir, 'lti.json'), JSON.stringify({ publicUrl, platforms: [platform.registration] }));
    const server = await startCliServer({ secret: SECRET, port, extraArgs: ['--lti', join(dir, 'lti.json')] });
    platform.useTool(publicUrl);
    const chromium = await ChromiumDriver.launch();
    try {
      const context = await chromium.browser.newContext({ viewport: { width: 1000, height: 760 } });
      const page = await context.newPage();
      await page.goto(platform.framedLaunchUrl({ user: { sub: 'e2e-framed', name: 'Fay Framed', roles: [ROLES.learner] } }));
      const session = await waitFor(() => page.frames().find((frame) => frame.url().startsWith(`${publicUrl}lti/session`)), 'the session page in the iframe');
      assert.equal(new URL(page.url()).origin, platform.issuer, 'the LMS page stays on top');
      const cookies = await context.cookies(publicUrl);
      assert.equal(cookies.filter((c) => c.name.startsWith('ls_lti_')).length, 0, 'no launch cookie was kept');
      await waitFor(() => session.evaluate(() => !!document.querySelector('live-session')?.shadowRoot?.querySelector('[part="join-button"]')), 'the Join button in the iframe');
      await session.click('live-session [part="join-button"]');
      await waitFor(
        () => session.evaluate(() => (document.querySelector('live-session') as unknown as { phase: string } | null)?.phase === 'joined' || null),
        'joined from inside the iframe',
      );
      await context.close();
    } finally {
      await chromium.close();
      await server.stop();
      await platform.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
