/**
 * A small LTI 1.3 platform (an LMS, as far as a tool can tell) for tests and
 * the local LTI demo: its own RSA key and JWKS, the OIDC authentication
 * endpoint that answers a tool's login redirect with a signed id_token in an
 * auto-submitted form, a deep-linking return endpoint that verifies the tool's
 * signed response, and a token endpoint plus line item scores for grade passback.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { SignJWT, createRemoteJWKSet, exportJWK, generateKeyPair, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { escapeHtml } from '../src/server/lti/pages.js';

const LTI = 'https://purl.imsglobal.org/spec/lti/claim/';
export const ROLES = {
  instructor: 'http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor',
  learner: 'http://purl.imsglobal.org/vocab/lis/v2/membership#Learner',
  teachingAssistant: 'http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant',
} as const;

export interface PlatformUser {
  sub: string;
  name?: string;
  roles: string[];
}

/** One launch the platform will sign when the tool's login comes back for it. */
export interface PreparedLaunch {
  user: PlatformUser;
  /** `LtiResourceLinkRequest` (default), `LtiDeepLinkingRequest`, or any other for refusal tests. */
  messageType?: string;
  contextId?: string;
  resourceLinkId?: string;
  /** Offer grade passback with a line item (its scores arrive in `scores`). */
  lineItem?: boolean;
  /** Claims to add or replace after the normal ones (for refusal tests). */
  override?: Record<string, unknown>;
  /** `exp` this many seconds from now. Default 300. */
  expiresIn?: number;
  /** Sign with a key the platform does not publish. */
  foreignKey?: boolean;
  /** A deployment id other than the registered one. */
  deploymentId?: string;
  /** Offer postMessage storage at login (`lti_storage_target`), e.g. `_parent`. */
  storageTarget?: string;
}

export interface ReceivedScore {
  lineItem: string;
  body: Record<string, unknown>;
}

export interface TestPlatform {
  /** The platform's base URL, also its issuer. */
  issuer: string;
  clientId: string;
  deploymentId: string;
  /** What the tool's `--lti` file says about this platform. */
  registration: { name: string; issuer: string; clientId: string; deploymentIds: string[]; jwksUrl: string; authLoginUrl: string; tokenUrl: string };
  /** The tool's public URL, ending in `/`. */
  useTool(url: string): void;
  /** A link that starts `launch` the way an LMS course page does (redirects to the tool's login). */
  launchUrl(launch: PreparedLaunch): string;
  /** A course page that launches `launch` inside an iframe and offers postMessage storage (`_parent`). */
  framedLaunchUrl(launch: PreparedLaunch): string;
  /** Signs an id_token as the platform would (for tests that post to the tool directly). */
  signIdToken(launch: PreparedLaunch, nonce: string): Promise<string>;
  /** Deep-linking responses received and verified against the tool's keys. */
  readonly deepLinkResponses: JWTPayload[];
  /** Deep-linking responses that failed verification, with why. */
  readonly rejectedDeepLinks: string[];
  readonly scores: ReceivedScore[];
  /** Access tokens handed out (client assertions verified). */
  readonly tokensIssued: number;
  close(): Promise<void>;
}

/**
 * Starts the platform on a free loopback port. Tell it the tool's public URL
 * (where `lti/login`, `lti/launch` and `lti/jwks` live) with `useTool` before
 * the first launch: the tool's configuration needs the platform's URLs first.
 */
export async function startTestPlatform(): Promise<TestPlatform> {
  let toolUrl = '';
  let toolKeySet: ReturnType<typeof createRemoteJWKSet> | undefined;
  const toolKeys: JWTVerifyGetKey = (header, token) => {
    toolKeySet ??= createRemoteJWKSet(new URL(`${toolUrl}lti/jwks`));
    return toolKeySet(header, token);
  };
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const foreign = await generateKeyPair('RS256');
  const kid = randomUUID();
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  const prepared = new Map<string, PreparedLaunch>();
  const accessTokens = new Set<string>();
  const deepLinkResponses: JWTPayload[] = [];
  const rejectedDeepLinks: string[] = [];
  const scores: ReceivedScore[] = [];
  let tokensIssued = 0;
  const clientId = `client-${randomBytes(4).toString('hex')}`;
  const deploymentId = 'deployment-1';

  const app = express();
  const server: Server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
  const lineItemUrl = (id: string): string => `${issuer}/lineitems/${id}?course=c1`;

  const signIdToken = async (launch: PreparedLaunch, nonce: string): Promise<string> => {
    const messageType = launch.messageType ?? 'LtiResourceLinkRequest';
    const claims: Record<string, unknown> = {
      nonce,
      name: launch.user.name,
      [`${LTI}message_type`]: messageType,
      [`${LTI}version`]: '1.3.0',
      [`${LTI}deployment_id`]: launch.deploymentId ?? deploymentId,
      [`${LTI}target_link_uri`]: `${toolUrl}lti/launch`,
      [`${LTI}roles`]: launch.user.roles,
      [`${LTI}context`]: { id: launch.contextId ?? 'course-1', title: 'Algebra I', label: 'ALG1' },
    };
    if (messageType === 'LtiDeepLinkingRequest') {
      claims['https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings'] = {
        deep_link_return_url: `${issuer}/deep-link-return`,
        accept_types: ['ltiResourceLink'],
        accept_presentation_document_targets: ['iframe', 'window'],
        data: 'opaque-platform-data',
      };
    } else {
      claims[`${LTI}resource_link`] = { id: launch.resourceLinkId ?? 'link-1', title: 'Weekly live session' };
    }
    if (launch.lineItem) {
      claims['https://purl.imsglobal.org/spec/lti-ags/claim/endpoint'] = {
        scope: ['https://purl.imsglobal.org/spec/lti-ags/scope/lineitem', 'https://purl.imsglobal.org/spec/lti-ags/scope/score'],
        lineitems: `${issuer}/lineitems`,
        lineitem: lineItemUrl(launch.resourceLinkId ?? 'link-1'),
      };
    }
    Object.assign(claims, launch.override ?? {});
    const now = Math.floor(Date.now() / 1000);
    const jwt = new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
      .setIssuer(typeof claims['iss'] === 'string' ? claims['iss'] : issuer)
      .setAudience((claims['aud'] as string | string[] | undefined) ?? clientId)
      .setSubject(launch.user.sub)
      .setIssuedAt(now)
      .setExpirationTime(now + (launch.expiresIn ?? 300));
    return jwt.sign(launch.foreignKey ? foreign.privateKey : privateKey);
  };

  app.get('/jwks', (_request, response) => {
    response.json({ keys: [publicJwk] });
  });

  // A course page, for trying the tool by hand: who launches, as what, which activity.
  const activities: { id: string; title: string }[] = [{ id: 'link-1', title: 'Weekly live session' }];
  app.get('/', (_request, response) => {
    const options = activities.map((a) => `<option value="${escapeHtml(a.id)}">${escapeHtml(a.title)}</option>`).join('');
    response.type('html').send(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test LMS: Algebra I</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}label{display:block;margin-top:.75rem}</style></head>
<body><h1>Algebra I <small>(test LMS)</small></h1>
<p>Each launch below goes through the real LTI 1.3 login and launch. Open a second browser window as another person to see each other.</p>
<form action="/start" method="get" target="_blank">
<label>Name <input name="name" value="Ada Teacher" required></label>
<label>Role <select name="role"><option value="instructor">Instructor</option><option value="learner">Learner</option><option value="teachingAssistant">Teaching assistant</option></select></label>
<label>Activity <select name="link">${options}</select></label>
<p><button type="submit">Open the activity</button> <button type="submit" name="deepLink" value="1">Add a live session (deep linking)</button></p>
</form></body></html>`);
  });
  app.get('/start', (request, response) => {
    const query = request.query as Record<string, string | undefined>;
    const name = (query['name'] ?? '').trim().slice(0, 64) || 'Someone';
    const role = ROLES[(query['role'] ?? 'learner') as keyof typeof ROLES] as string | undefined;
    const user = { sub: `user-${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`, name, roles: [role ?? ROLES.learner] };
    const id = randomUUID();
    prepared.set(
      id,
      query['deepLink'] === '1'
        ? { user, messageType: 'LtiDeepLinkingRequest' }
        : { user, resourceLinkId: activities.some((a) => a.id === query['link']) ? query['link'] : 'link-1' },
    );
    response.redirect(302, `/launch/${id}`);
  });

  // A course page showing the tool in an iframe, with the platform's postMessage storage in this window.
  app.get('/frame/:id', (request, response) => {
    const id = request.params['id'];
    response.type('html').send(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test LMS: course page</title></head><body>
<script>
const stored = new Map();
addEventListener('message', (event) => {
  const data = event.data;
  if (!data || typeof data !== 'object' || typeof data.key !== 'string') return;
  const key = event.origin + ' ' + data.key;
  if (data.subject === 'lti.put_data') {
    stored.set(key, data.value);
    event.source.postMessage({ subject: 'lti.put_data.response', message_id: data.message_id, key: data.key, value: data.value }, event.origin);
  } else if (data.subject === 'lti.get_data') {
    event.source.postMessage({ subject: 'lti.get_data.response', message_id: data.message_id, key: data.key, value: stored.get(key) }, event.origin);
  }
});
</script>
<iframe id="tool" src="/launch/${encodeURIComponent(id)}" width="900" height="650" allow="camera *; microphone *; display-capture *; autoplay *"></iframe>
</body></html>`);
  });

  app.get('/launch/:id', (request, response) => {
    const id = request.params['id'];
    if (!prepared.has(id)) {
      response.status(404).send('unknown launch');
      return;
    }
    const login = new URL(`${toolUrl}lti/login`);
    login.searchParams.set('iss', issuer);
    login.searchParams.set('login_hint', id);
    login.searchParams.set('target_link_uri', `${toolUrl}lti/launch`);
    login.searchParams.set('lti_message_hint', `hint-${id}`);
    login.searchParams.set('client_id', clientId);
    login.searchParams.set('lti_deployment_id', deploymentId);
    const target = prepared.get(id)?.storageTarget;
    if (target !== undefined) login.searchParams.set('lti_storage_target', target);
    response.redirect(302, login.toString());
  });

  // The OIDC authentication endpoint: checks the tool's redirect, signs the launch.
  app.get('/auth', (request, response) => {
    void (async () => {
      const query = request.query as Record<string, string | undefined>;
      const launch = prepared.get(query['login_hint'] ?? '');
      const problems = [
        query['scope'] === 'openid' ? '' : 'scope',
        query['response_type'] === 'id_token' ? '' : 'response_type',
        query['response_mode'] === 'form_post' ? '' : 'response_mode',
        query['prompt'] === 'none' ? '' : 'prompt',
        query['client_id'] === clientId ? '' : 'client_id',
        query['redirect_uri'] === `${toolUrl}lti/launch` ? '' : 'redirect_uri',
        query['lti_message_hint'] === `hint-${query['login_hint'] ?? ''}` ? '' : 'lti_message_hint',
        query['nonce'] ? '' : 'nonce',
        query['state'] ? '' : 'state',
        launch ? '' : 'login_hint',
      ].filter(Boolean);
      if (problems.length > 0 || !launch) {
        response.status(400).send(`bad authentication request: ${problems.join(', ')}`);
        return;
      }
      const idToken = await signIdToken(launch, query['nonce'] ?? '');
      response.type('html').send(`<!doctype html><html><body>
<form id="f" method="post" action="${toolUrl}lti/launch">
<input type="hidden" name="id_token" value="${escapeHtml(idToken)}">
<input type="hidden" name="state" value="${escapeHtml(query['state'] ?? '')}">
</form><script>document.getElementById('f').submit();</script></body></html>`);
    })().catch((error: unknown) => {
      response.status(500).send(`the test platform failed: ${error instanceof Error ? error.message : String(error)}`);
    });
  });

  app.post('/deep-link-return', express.urlencoded({ extended: false }), (request, response) => {
    void (async () => {
      const jwt = (request.body as Record<string, string | undefined>)['JWT'] ?? '';
      try {
        const { payload } = await jwtVerify(jwt, toolKeys, { issuer: clientId, audience: issuer, algorithms: ['RS256'] });
        deepLinkResponses.push(payload);
        const items = payload['https://purl.imsglobal.org/spec/lti-dl/claim/content_items'];
        const first = Array.isArray(items) ? (items[0] as { title?: unknown } | undefined) : undefined;
        const title = typeof first?.title === 'string' ? first.title : 'Live session';
        activities.push({ id: `link-${String(activities.length + 1)}`, title });
        response.type('html').send(`<!doctype html><p id="added">The activity "${escapeHtml(title)}" was added. <a href="/">Back to the course</a></p>`);
      } catch (error) {
        rejectedDeepLinks.push(error instanceof Error ? error.message : String(error));
        response.status(400).send('bad deep linking response');
      }
    })();
  });

  app.post('/token', express.urlencoded({ extended: false }), (request, response) => {
    void (async () => {
      const body = request.body as Record<string, string | undefined>;
      try {
        if (body['grant_type'] !== 'client_credentials') throw new Error('grant_type');
        if (body['client_assertion_type'] !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer') throw new Error('assertion type');
        await jwtVerify(body['client_assertion'] ?? '', toolKeys, { issuer: clientId, subject: clientId, audience: `${issuer}/token` });
        const token = randomBytes(16).toString('hex');
        accessTokens.add(token);
        tokensIssued += 1;
        response.json({ access_token: token, token_type: 'Bearer', expires_in: 3600, scope: body['scope'] });
      } catch (error) {
        response.status(401).json({ error: 'invalid_client', error_description: error instanceof Error ? error.message : String(error) });
      }
    })();
  });

  app.post('/lineitems/:id/scores', express.json({ type: 'application/vnd.ims.lis.v1.score+json' }), (request, response) => {
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (token === undefined || !accessTokens.has(token) || request.query['course'] !== 'c1') {
      response.status(401).end();
      return;
    }
    scores.push({ lineItem: lineItemUrl(request.params['id']), body: request.body as Record<string, unknown> });
    response.status(200).json({});
  });

  return {
    issuer,
    clientId,
    deploymentId,
    registration: {
      name: 'Test LMS',
      issuer,
      clientId,
      deploymentIds: [deploymentId],
      jwksUrl: `${issuer}/jwks`,
      authLoginUrl: `${issuer}/auth`,
      tokenUrl: `${issuer}/token`,
    },
    useTool(url) {
      toolUrl = url;
      toolKeySet = undefined;
    },
    launchUrl(launch) {
      const id = randomUUID();
      prepared.set(id, launch);
      return `${issuer}/launch/${id}`;
    },
    framedLaunchUrl(launch) {
      const id = randomUUID();
      prepared.set(id, { storageTarget: '_parent', ...launch });
      return `${issuer}/frame/${id}`;
    },
    signIdToken,
    deepLinkResponses,
    rejectedDeepLinks,
    scores,
    get tokensIssued() {
      return tokensIssued;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
