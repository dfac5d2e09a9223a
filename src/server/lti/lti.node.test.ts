/**
 * The LTI 1.3 tool against a test LMS platform, over real HTTP: launches map to
 * rooms and roles, every forged or stale launch is refused with a clear page,
 * deep linking hands back a response the platform verifies, a student's join
 * posts a participation score, and the tool's key survives a restart.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ROLES, startTestPlatform, type PreparedLaunch, type TestPlatform } from '../../../test/lti-platform.js';
import { waitFor } from '../../../test/wait-for.js';
import { verifyJoinToken } from '../join-token.js';
import { TestClient, startTestServer, type TestServer } from '../test-client.node.test.js';
import { resolveLtiOptions } from './lti-config.js';
import { roleFromLti, roomFor, userIdFor } from './launch-claims.js';
import { loadToolKey } from './tool-key.js';

const SECRET = 'lti-test-secret-that-is-long-enough-for-hs256';

interface LoginStep {
  /** The platform's authentication URL the tool redirected to. */
  auth: URL;
  cookie: string;
  state: string;
  nonce: string;
}

/** The LMS link → the tool's login → the redirect to the platform, as a browser follows it. */
async function startLogin(platform: TestPlatform, launch: PreparedLaunch): Promise<LoginStep> {
  const first = await fetch(platform.launchUrl(launch), { redirect: 'manual' });
  assert.equal(first.status, 302);
  const login = await fetch(first.headers.get('location') ?? '', { redirect: 'manual' });
  assert.equal(login.status, 302, await login.text());
  const auth = new URL(login.headers.get('location') ?? '');
  const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  return { auth, cookie, state: auth.searchParams.get('state') ?? '', nonce: auth.searchParams.get('nonce') ?? '' };
}

interface LaunchAnswer {
  status: number;
  html: string;
  /** Where a successful launch sends the browser. */
  location: string;
}

async function postLaunch(tool: string, fields: Record<string, string>, cookie: string): Promise<LaunchAnswer> {
  const response = await fetch(`${tool}lti/launch`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: cookie },
    body: new URLSearchParams(fields).toString(),
  });
  return { status: response.status, html: await response.text(), location: response.headers.get('location') ?? '' };
}

/** A whole launch: login, the platform's signed form, the post to the tool. */
async function launchOverHttp(
  tool: string,
  platform: TestPlatform,
  launch: PreparedLaunch,
): Promise<LaunchAnswer & { idToken: string; step: LoginStep }> {
  const step = await startLogin(platform, launch);
  const authPage = await fetch(step.auth);
  const form = await authPage.text();
  assert.equal(authPage.status, 200, form);
  const idToken = /name="id_token" value="([^"]+)"/.exec(form)?.[1] ?? '';
  const state = /name="state" value="([^"]+)"/.exec(form)?.[1] ?? '';
  assert.equal(state, step.state);
  const result = await postLaunch(tool, { id_token: idToken, state }, step.cookie);
  return { ...result, idToken, step };
}

/** The join token a successful launch put in the session page's fragment. */
function joinTokenOf(answer: LaunchAnswer): string {
  assert.equal(answer.status, 303, answer.html.slice(0, 400));
  const token = new URLSearchParams(new URL(answer.location).hash.slice(1)).get('token');
  assert.ok(token, `no token in ${answer.location}`);
  return token;
}

function errorCodeOf(html: string): string | undefined {
  return /data-lti-error="([^"]+)"/.exec(html)?.[1];
}

describe('LTI 1.3 tool', () => {
  let platform: TestPlatform;
  let server: TestServer;
  let tool: string;
  let keyDir: string;

  before(async () => {
    keyDir = await mkdtemp(join(tmpdir(), 'ls-lti-'));
    platform = await startTestPlatform();
    // The tool's public URL is only known once it listens: start, then point the config at it.
    server = await startTestServer({
      secret: SECRET,
      pingInterval: 500,
      pongTimeout: 2000,
      lti: { publicUrl: 'http://127.0.0.1:1/', keyFile: join(keyDir, 'key.json'), platforms: [platform.registration] },
    });
    await server.close();
    const probe = server.port;
    server = await startTestServer({
      secret: SECRET,
      port: probe,
      lti: { publicUrl: `http://127.0.0.1:${String(probe)}/`, keyFile: join(keyDir, 'key.json'), platforms: [platform.registration] },
    });
    tool = server.url;
    platform.useTool(tool);
  });

  after(async () => {
    await server.close();
    await platform.close();
    await rm(keyDir, { recursive: true, force: true });
  });

  test('an instructor launch opens the room as tutor, a learner launch the same room as student', async () => {
    const teacher = await launchOverHttp(tool, platform, { user: { sub: 'u-teacher', name: 'Ada Teacher', roles: [ROLES.instructor] } });
    assert.equal(teacher.status, 303, teacher.html);
    const learner = await launchOverHttp(tool, platform, { user: { sub: 'u-learner', name: 'Lin <b>Learner</b>', roles: [ROLES.learner] } });
    assert.equal(learner.status, 303, learner.html);
    const tutorToken = await verifyJoinToken(joinTokenOf(teacher), SECRET);
    const studentToken = await verifyJoinToken(joinTokenOf(learner), SECRET);
    assert.ok(tutorToken.ok && studentToken.ok);
    assert.equal(tutorToken.claims.role, 'tutor');
    assert.equal(studentToken.claims.role, 'student');
    assert.equal(tutorToken.claims.room, roomFor(platform.issuer, platform.deploymentId, 'course-1', 'link-1'));
    assert.equal(studentToken.claims.room, tutorToken.claims.room);
    assert.equal(tutorToken.claims.name, 'Ada Teacher');
    assert.equal(studentToken.claims.name, 'Lin bLearner/b', 'markup characters are dropped from names');
    assert.equal(tutorToken.claims.sub, userIdFor(platform.issuer, 'u-teacher'));
    assert.ok(teacher.location.startsWith(`${tool}lti/session#`), teacher.location);
    assert.equal(new URLSearchParams(new URL(teacher.location).hash.slice(1)).get('title'), 'Weekly live session');
    // Another resource link is another room.
    const other = await launchOverHttp(tool, platform, {
      user: { sub: 'u-teacher', name: 'Ada Teacher', roles: [ROLES.teachingAssistant] },
      resourceLinkId: 'link-2',
    });
    const otherToken = await verifyJoinToken(joinTokenOf(other), SECRET);
    assert.ok(otherToken.ok);
    assert.notEqual(otherToken.claims.room, tutorToken.claims.room);
    assert.equal(otherToken.claims.role, 'tutor', 'an Instructor sub-role leads');
  });

  test('the session page a launch leads to: not cached, scripts and sockets only from its own origin, the token never in a request', async () => {
    const step = await startLogin(platform, { user: { sub: 'u-csp', name: 'Cy', roles: [ROLES.learner] } });
    assert.match(step.cookie, /^ls_lti_[\w-]+=1$/);
    const form = await (await fetch(step.auth)).text();
    const answer = await postLaunch(tool, { id_token: /name="id_token" value="([^"]+)"/.exec(form)?.[1] ?? '', state: step.state }, step.cookie);
    joinTokenOf(answer);
    const page = await fetch(answer.location);
    assert.equal(page.url, `${tool}lti/session`, 'the fragment is not sent');
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('cache-control'), 'no-store');
    const csp = page.headers.get('content-security-policy') ?? '';
    assert.match(csp, new RegExp(`script-src ${new URL(tool).origin};`));
    assert.match(csp, /connect-src http:\/\/127\.0\.0\.1:\d+ ws:\/\/127\.0\.0\.1:\d+/);
    const html = await page.text();
    assert.match(html, new RegExp(`<script type="module" src="${tool}lti/live-session.js">`));
    assert.match(html, new RegExp(`<script type="module" src="${tool}lti/session.js">`));
    assert.match(html, new RegExp(`data-server="${tool}"`));
    const script = await fetch(`${tool}lti/session.js`);
    assert.match(script.headers.get('content-type') ?? '', /javascript/);
    assert.match(await script.text(), /sessionStorage/);
  });

  test('a launch form up to 64 KiB passes the body limit (an LMS with many custom fields); a larger one gets 413', async () => {
    const user = { sub: 'u-big', name: 'Big', roles: [ROLES.learner] };
    const step = await startLogin(platform, { user });
    const custom = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`field_${String(i)}`, 'x'.repeat(60)]));
    const idToken = await platform.signIdToken({ user, override: { 'https://purl.imsglobal.org/spec/lti/claim/custom': custom } }, step.nonce);
    assert.ok(idToken.length > 20_000, 'larger than the general 16 KiB limit');
    const result = await postLaunch(tool, { id_token: idToken, state: step.state }, step.cookie);
    assert.equal(result.status, 303, result.html.slice(0, 300));
    const huge = await postLaunch(tool, { id_token: 'x'.repeat(70_000), state: 'x' }, '');
    assert.equal(huge.status, 413);
  });

  test('the bundle and the public keyset are served', async () => {
    const jwks = (await (await fetch(`${tool}lti/jwks`)).json()) as { keys: { kty: string; kid: string; d?: string }[] };
    assert.equal(jwks.keys.length, 1);
    assert.equal(jwks.keys[0]?.kty, 'RSA');
    assert.equal(jwks.keys[0].d, undefined, 'no private part is published');
    const bundle = await fetch(`${tool}lti/live-session.js`);
    // The node tests run before the build in a fresh clone: either the bundle, or a clear 404.
    if (bundle.status === 200) assert.match(bundle.headers.get('content-type') ?? '', /javascript/);
    else assert.equal(bundle.status, 404);
    // The SFU code beside it, where the bundle looks for it (a URL relative to its own).
    const sfu = await fetch(`${tool}lti/live-session.sfu.js`);
    assert.equal(sfu.status, bundle.status, 'the SFU chunk is served wherever the bundle is');
    if (sfu.status === 200) assert.match(sfu.headers.get('content-type') ?? '', /javascript/);
  });

  describe('refusals, each with a page that says why', () => {
    const learner = { sub: 'u-mallory', name: 'Mallory', roles: [ROLES.learner] };

    test('a replayed launch: the same post again, and the same id_token under a fresh login', async () => {
      const first = await launchOverHttp(tool, platform, { user: learner });
      assert.equal(first.status, 303);
      const again = await postLaunch(tool, { id_token: first.idToken, state: first.step.state }, first.step.cookie);
      assert.equal(again.status, 401);
      assert.equal(errorCodeOf(again.html), 'nonce');
      assert.match(again.html, /already used/);
      const fresh = await startLogin(platform, { user: learner });
      const replay = await postLaunch(tool, { id_token: first.idToken, state: fresh.state }, fresh.cookie);
      assert.equal(replay.status, 401);
      assert.equal(errorCodeOf(replay.html), 'nonce');
    });

    const crafted: [string, Partial<PreparedLaunch>, number, string, RegExp][] = [
      ['a wrong audience', { override: { aud: 'some-other-tool' } }, 401, 'audience', /not meant for this tool/],
      ['an expired token', { expiresIn: -120 }, 401, 'expired', /expired/],
      ['an unknown deployment', { deploymentId: 'deployment-9' }, 400, 'deployment', /Unknown deployment &quot;deployment-9&quot;/],
      ['a token signed with another key', { foreignKey: true }, 401, 'signature', /signature/],
      ['another message type', { messageType: 'LtiSubmissionReviewRequest' }, 400, 'message-type', /not &quot;LtiSubmissionReviewRequest&quot;/],
      ['another issuer', { override: { iss: 'https://evil.example' } }, 401, 'issuer', /another platform/],
      ['several audiences without azp', { override: { aud: ['x', 'y'] } }, 401, 'audience', /audience/],
    ];
    for (const [what, change, status, code, message] of crafted) {
      test(`${what} is refused (${code})`, async () => {
        const step = await startLogin(platform, { user: learner });
        const idToken = await platform.signIdToken({ user: learner, ...change }, step.nonce);
        const result = await postLaunch(tool, { id_token: idToken, state: step.state }, step.cookie);
        assert.equal(result.status, status, result.html);
        assert.equal(errorCodeOf(result.html), code);
        assert.match(result.html, message);
        assert.equal(result.location, '');
      });
    }

    test('a tampered payload fails the signature check', async () => {
      const step = await startLogin(platform, { user: learner });
      const [header, payload, signature] = (await platform.signIdToken({ user: learner }, step.nonce)).split('.');
      const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as Record<string, unknown>;
      claims['https://purl.imsglobal.org/spec/lti/claim/roles'] = [ROLES.instructor];
      const forged = `${header ?? ''}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature ?? ''}`;
      const result = await postLaunch(tool, { id_token: forged, state: step.state }, step.cookie);
      assert.equal(result.status, 401);
      assert.equal(errorCodeOf(result.html), 'signature');
    });

    test('a state the tool did not sign, or altered, is refused', async () => {
      const step = await startLogin(platform, { user: learner });
      const idToken = await platform.signIdToken({ user: learner }, step.nonce);
      const [body, mac] = step.state.split('.');
      const fields = JSON.parse(Buffer.from(body ?? '', 'base64url').toString()) as unknown[];
      fields[2] = Date.now() + 86_400_000;
      const altered = `${Buffer.from(JSON.stringify(fields)).toString('base64url')}.${mac ?? ''}`;
      for (const state of [altered, 'made-up', `${body ?? ''}.`]) {
        const result = await postLaunch(tool, { id_token: idToken, state }, step.cookie);
        assert.equal(result.status, 401);
        assert.equal(errorCodeOf(result.html), 'state');
        assert.match(result.html, /not started by this tool/);
      }
    });

    test('login requests keep no state on the server: a flood of them does not stop a real launch', async () => {
      const query = new URLSearchParams({ iss: platform.issuer, login_hint: 'flood', target_link_uri: `${tool}lti/launch` }).toString();
      for (let i = 0; i < 12_000; i += 500) {
        const answers = await Promise.all(Array.from({ length: 500 }, () => fetch(`${tool}lti/login?${query}`, { redirect: 'manual' })));
        assert.ok(answers.every((answer) => answer.status === 302));
      }
      const real = await launchOverHttp(tool, platform, { user: { sub: 'u-after-flood', name: 'Flo', roles: [ROLES.learner] } });
      joinTokenOf(real);
    });

    test('a form the tool cannot read gets a plain refusal page, no stack trace', async () => {
      const odd = await fetch(`${tool}lti/launch`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=koi9' },
        body: 'id_token=x&state=y',
      });
      const html = await odd.text();
      assert.equal(odd.status, 415);
      assert.equal(errorCodeOf(html), 'request');
      assert.doesNotMatch(html, /node_modules|at \w+ \(/);
      const many = await fetch(`${tool}lti/launch`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: Array.from({ length: 80 }, (_, i) => `f${String(i)}=1`).join('&'),
      });
      assert.equal(many.status, 413);
      assert.equal(errorCodeOf(await many.text()), 'request');
    });

    test('a nonce other than the one the login issued is refused', async () => {
      const step = await startLogin(platform, { user: learner });
      const idToken = await platform.signIdToken({ user: learner }, 'a-nonce-of-my-own');
      const result = await postLaunch(tool, { id_token: idToken, state: step.state }, step.cookie);
      assert.equal(errorCodeOf(result.html), 'nonce');
    });

    test('a launch without the login cookie (another browser) is refused', async () => {
      const step = await startLogin(platform, { user: learner });
      const idToken = await platform.signIdToken({ user: learner }, step.nonce);
      const result = await postLaunch(tool, { id_token: idToken, state: step.state }, '');
      assert.equal(result.status, 401);
      assert.equal(errorCodeOf(result.html), 'cookie');
      assert.match(result.html, /new window/);
    });

    test('a login from an unregistered issuer, or for another tool, is refused before any redirect', async () => {
      const unknown = await fetch(`${tool}lti/login?${new URLSearchParams({ iss: 'https://nobody.example', login_hint: 'x', target_link_uri: `${tool}lti/launch` }).toString()}`, { redirect: 'manual' });
      assert.equal(unknown.status, 400);
      assert.equal(errorCodeOf(await unknown.text()), 'platform');
      const elsewhere = await fetch(`${tool}lti/login?${new URLSearchParams({ iss: platform.issuer, login_hint: 'x', target_link_uri: 'https://evil.example/' }).toString()}`, { redirect: 'manual' });
      assert.equal(elsewhere.status, 400);
      assert.equal(errorCodeOf(await elsewhere.text()), 'target');
      const noToken = await postLaunch(tool, { state: 'x' }, '');
      assert.equal(errorCodeOf(noToken.html), 'launch');
      const platformError = await postLaunch(tool, { error: 'login_required', error_description: 'Log in first.' }, '');
      assert.equal(errorCodeOf(platformError.html), 'platform-error');
      assert.match(platformError.html, /login_required/);
    });
  });

  describe('postMessage storage, for an LMS iframe that keeps no cookie', () => {
    interface Step {
      target: string;
      origin: string;
      action: string;
      key: string;
      value: string;
      next: string;
    }
    const stepOf = (html: string): Step => {
      const json = /<script type="application\/json" id="step">(.+?)<\/script>/s.exec(html)?.[1];
      assert.ok(json, html.slice(0, 300));
      return JSON.parse(json) as Step;
    };

    test('login puts the state in the platform storage; a cookieless launch reads it back before the session opens, once', async () => {
      const user = { sub: 'u-framed', name: 'Fay', roles: [ROLES.learner] };
      const first = await fetch(platform.launchUrl({ user, storageTarget: '_parent' }), { redirect: 'manual' });
      const login = await fetch(first.headers.get('location') ?? '', { redirect: 'manual' });
      assert.equal(login.status, 200, 'a page that talks to the storage frame, not a redirect');
      assert.match(login.headers.get('content-security-policy') ?? '', /script-src 'nonce-[^']+'/);
      const put = stepOf(await login.text());
      assert.equal(put.action, 'put');
      assert.equal(put.target, '_parent');
      assert.equal(put.origin, platform.issuer, 'messages go only to the platform origin');
      const auth = new URL(put.next);
      assert.equal(auth.origin + auth.pathname, `${platform.issuer}/auth`);
      const state = auth.searchParams.get('state') ?? '';
      assert.equal(put.value, state);
      const form = await (await fetch(auth)).text();
      const idToken = /name="id_token" value="([^"]+)"/.exec(form)?.[1] ?? '';
      // No cookie: the launch answers with the check page.
      const launch = await postLaunch(tool, { id_token: idToken, state }, '');
      assert.equal(launch.status, 200);
      const get = stepOf(launch.html);
      assert.equal(get.action, 'get');
      assert.equal(get.key, put.key);
      assert.equal(get.value, state);
      assert.ok(get.next.startsWith(`${tool}lti/launch/confirm?ticket=`));
      const confirmed = await fetch(get.next, { redirect: 'manual' });
      assert.equal(confirmed.status, 303);
      const token = new URLSearchParams(new URL(confirmed.headers.get('location') ?? '').hash.slice(1)).get('token') ?? '';
      const claims = await verifyJoinToken(token, SECRET);
      assert.ok(claims.ok);
      assert.equal(claims.claims.role, 'student');
      const again = await fetch(get.next, { redirect: 'manual' });
      assert.equal(again.status, 401);
      assert.equal(errorCodeOf(await again.text()), 'state');
    });

    test('a forged launch gets no check page: the id_token is verified first', async () => {
      const user = { sub: 'u-framed-2', name: 'Fay', roles: [ROLES.learner] };
      const first = await fetch(platform.launchUrl({ user, storageTarget: '_parent' }), { redirect: 'manual' });
      const put = stepOf(await (await fetch(first.headers.get('location') ?? '', { redirect: 'manual' })).text());
      const auth = new URL(put.next);
      const forged = await platform.signIdToken({ user, foreignKey: true }, auth.searchParams.get('nonce') ?? '');
      const launch = await postLaunch(tool, { id_token: forged, state: auth.searchParams.get('state') ?? '' }, '');
      assert.equal(launch.status, 401);
      assert.equal(errorCodeOf(launch.html), 'signature');
    });

    test('a storage target that is not a frame name is refused', async () => {
      const response = await fetch(
        `${tool}lti/login?${new URLSearchParams({ iss: platform.issuer, login_hint: 'x', target_link_uri: `${tool}lti/launch`, lti_storage_target: '"><script>' }).toString()}`,
      );
      assert.equal(response.status, 400);
      assert.equal(errorCodeOf(await response.text()), 'login');
    });
  });

  describe('deep linking', () => {
    test('an instructor picks a title; the platform verifies the signed response', async () => {
      const request = await launchOverHttp(tool, platform, {
        user: { sub: 'u-teacher', name: 'Ada Teacher', roles: [ROLES.instructor] },
        messageType: 'LtiDeepLinkingRequest',
      });
      assert.equal(request.status, 200, request.html);
      const ticket = /name="ticket" value="([^"]+)"/.exec(request.html)?.[1] ?? '';
      assert.ok(ticket);
      // A blank title asks again, and the form still works below.
      const blank = await fetch(`${tool}lti/deep-link`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ ticket, title: '   ' }).toString(),
      });
      assert.match(await blank.text(), new RegExp(`name="ticket" value="${ticket}"`));
      const chosen = await fetch(`${tool}lti/deep-link`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ ticket, title: 'Thursday office hours' }).toString(),
      });
      const handBack = await chosen.text();
      assert.equal(chosen.status, 200, handBack);
      assert.match(handBack, new RegExp(`action="${platform.issuer}/deep-link-return"`));
      const jwt = /name="JWT" value="([^"]+)"/.exec(handBack)?.[1] ?? '';
      const returned = await fetch(`${platform.issuer}/deep-link-return`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ JWT: jwt }).toString(),
      });
      assert.equal(returned.status, 200, platform.rejectedDeepLinks.join('; '));
      const payload = platform.deepLinkResponses.at(-1);
      assert.ok(payload);
      assert.equal(payload['https://purl.imsglobal.org/spec/lti/claim/message_type'], 'LtiDeepLinkingResponse');
      assert.equal(payload['https://purl.imsglobal.org/spec/lti/claim/deployment_id'], platform.deploymentId);
      assert.equal(payload['https://purl.imsglobal.org/spec/lti-dl/claim/data'], 'opaque-platform-data');
      assert.deepEqual(payload['https://purl.imsglobal.org/spec/lti-dl/claim/content_items'], [
        { type: 'ltiResourceLink', title: 'Thursday office hours', url: `${tool}lti/launch` },
      ]);
      // The form is single use.
      const again = await fetch(`${tool}lti/deep-link`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ ticket, title: 'Again' }).toString(),
      });
      assert.equal(again.status, 401);
    });

    test('a learner cannot add content', async () => {
      const request = await launchOverHttp(tool, platform, {
        user: { sub: 'u-learner', name: 'Lin', roles: [ROLES.learner] },
        messageType: 'LtiDeepLinkingRequest',
      });
      assert.equal(request.status, 403);
      assert.equal(errorCodeOf(request.html), 'not-instructor');
    });
  });

  test("a student's join into the launched room posts a participation score to the line item", async () => {
    const launch = await launchOverHttp(tool, platform, {
      user: { sub: 'u-graded', name: 'Grace', roles: [ROLES.learner] },
      resourceLinkId: 'link-graded',
      lineItem: true,
    });
    const before = platform.scores.length;
    const client = await TestClient.connect(server.webSocketUrl);
    try {
      const joined = await client.join({ token: joinTokenOf(launch) });
      assert.equal(joined.self.role, 'student');
      await waitFor(() => platform.scores.length > before, 'the score at the platform');
      const score = platform.scores.at(-1);
      assert.ok(score);
      assert.equal(score.lineItem, `${platform.issuer}/lineitems/link-graded?course=c1`);
      assert.equal(score.body['userId'], 'u-graded');
      assert.equal(score.body['scoreGiven'], 1);
      assert.equal(score.body['scoreMaximum'], 1);
      assert.equal(score.body['activityProgress'], 'Completed');
      assert.equal(score.body['gradingProgress'], 'FullyGraded');
    } finally {
      await client.close();
    }
  });

  test('the key file is made once, private to its owner, and read back on restart', async () => {
    const file = join(keyDir, 'key.json');
    const mode = (await stat(file)).mode & 0o777;
    assert.equal(mode, 0o600);
    const again = await loadToolKey(file);
    const served = (await (await fetch(`${tool}lti/jwks`)).json()) as { keys: { kid: string }[] };
    assert.equal(again.kid, served.keys[0]?.kid);
    assert.match(await readFile(file, 'utf8'), /"d":/);
  });
});

describe('LTI mapping and configuration', () => {
  test('roles: instructors, teaching assistants and administrators lead; everyone else is a student', () => {
    assert.equal(roleFromLti([ROLES.instructor]), 'tutor');
    assert.equal(roleFromLti([ROLES.teachingAssistant]), 'tutor');
    assert.equal(roleFromLti(['http://purl.imsglobal.org/vocab/lis/v2/membership#Administrator']), 'tutor');
    assert.equal(roleFromLti(['http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator']), 'tutor');
    assert.equal(roleFromLti(['Instructor']), 'tutor');
    assert.equal(roleFromLti([ROLES.learner]), 'student');
    assert.equal(roleFromLti(['http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor']), 'student');
    assert.equal(roleFromLti(['http://purl.imsglobal.org/vocab/lis/v2/institution/person#Instructor']), 'student', 'an institution role alone does not lead this course');
    assert.equal(roleFromLti([]), 'student');
  });

  test('user ids keep the LMS id when it fits, and hash it when it does not', () => {
    assert.match(userIdFor('https://lms.example', 'user 42/å'), /^[\w-]{6}:[\w-]{32}$/);
    assert.match(userIdFor('https://lms.example', '42'), /^[\w-]{6}:42$/);
    assert.notEqual(userIdFor('https://a.example', '42'), userIdFor('https://b.example', '42'));
  });

  test('bad configuration is refused with the field named', () => {
    const platform = {
      issuer: 'https://lms.example',
      clientId: 'c',
      deploymentIds: ['1'],
      jwksUrl: 'https://lms.example/jwks',
      authLoginUrl: 'https://lms.example/auth',
    };
    assert.throws(() => resolveLtiOptions({ platforms: [platform] }), /publicUrl/);
    assert.throws(() => resolveLtiOptions({ publicUrl: 'https://tool.example/', platforms: [] }), /platforms/);
    assert.throws(() => resolveLtiOptions({ publicUrl: 'https://tool.example/', platforms: [{ ...platform, jwksUrl: 'ftp://x' }] }), /platforms\[0\]\.jwksUrl/);
    assert.throws(() => resolveLtiOptions({ publicUrl: 'https://tool.example/', platforms: [{ ...platform, deploymentIds: [] }] }), /deploymentIds/);
    assert.throws(() => resolveLtiOptions({ publicUrl: 'https://tool.example/', platforms: [platform, platform] }), /registered twice/);
    assert.equal(resolveLtiOptions({ publicUrl: 'https://tool.example/rtc', platforms: [platform] }).publicUrl, 'https://tool.example/rtc/');
  });

  test('a server whose LTI join tokens would outlive maxTokenLifetime does not start', async () => {
    await assert.rejects(
      startTestServer({
        secret: SECRET,
        maxTokenLifetime: 3600,
        lti: {
          publicUrl: 'http://127.0.0.1:1/',
          platforms: [{ issuer: 'https://lms.example', clientId: 'c', deploymentIds: ['1'], jwksUrl: 'https://lms.example/j', authLoginUrl: 'https://lms.example/a' }],
        },
      }),
      /every launch's token would be refused/,
    );
  });

  test('a server with LTI but no secret does not start', async () => {
    await assert.rejects(
      startTestServer({
        lti: {
          publicUrl: 'http://127.0.0.1:1/',
          platforms: [{ issuer: 'https://lms.example', clientId: 'c', deploymentIds: ['1'], jwksUrl: 'https://lms.example/j', authLoginUrl: 'https://lms.example/a' }],
        },
      }),
      /needs a secret/,
    );
  });
});
