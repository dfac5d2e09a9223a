/**
 * The LTI 1.3 tool: an LMS launches it, the tool checks the launch and answers
 * with a page holding `<live-session>` and a join token it minted, so the rest
 * is the ordinary path. Routes, under the room server's path:
 *
 * - `GET|POST lti/login`: OIDC third-party login initiation → redirect to the platform;
 * - `POST lti/launch`: the platform's id_token (resource link or deep linking request);
 * - `POST lti/deep-link`: the instructor's chosen title → signed response to the LMS;
 * - `GET lti/session`: the session page a launch redirects to (the join token in the fragment);
 * - `GET lti/jwks`: the tool's public keys; `GET lti/live-session.js`: the bundle.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import {
  SignJWT,
  createRemoteJWKSet,
  errors as joseErrors,
  jwtVerify,
  type JWTPayload,
} from 'jose';
import { signJoinToken } from '../join-token.js';
import { jsonLineLogger, logEntry, type LogLevel, type RoomServerLogger } from '../logger.js';
import type { RoomServer } from '../room-server.js';
import { GradePassback } from './grade-passback.js';
import { CLAIMS, readLaunch, type LaunchRefusal, type LtiLaunch } from './launch-claims.js';
import { resolveLtiOptions, type LtiOptions, type LtiPlatform, type ResolvedLtiOptions } from './lti-config.js';
import { SESSION_SCRIPT, sendAutoPost, sendDeepLinkForm, sendErrorPage, sendSessionShell, sendStorageStep } from './pages.js';
import { LoginStates } from './login-state.js';
import { SeenSet, SingleUseStore } from './single-use.js';
import { TOOL_KEY_ALGORITHM, loadToolKey, type ToolKey } from './tool-key.js';

/** How long a login's state, and a deep-linking form, stay usable. */
export const LTI_STATE_TTL_MS = 10 * 60_000;
/** Most verified launches waiting for a storage check or a deep-linking title; more get 503 until some expire. */
const MAX_PENDING = 10_000;
/** Signature algorithms accepted from platforms. */
const PLATFORM_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384'];
/** Attempts at posting one score, with 1 s, 4 s between them. */
const SCORE_ATTEMPTS = 3;

export interface CreateLtiToolOptions {
  /** The room server whose rooms launches open. */
  roomServer: RoomServer;
  /** The room server's join token secret: launches mint ordinary join tokens. */
  secret: string;
  lti: LtiOptions;
  /** The script-tag bundle served at `lti/live-session.js`. Default: the package's own. */
  bundleFile?: string;
  logger?: RoomServerLogger;
  quiet?: boolean;
}

/** A running tool, as returned by {@link createLtiTool}. */
export interface LtiTool {
  /** Mount at the root of the app that serves the room server (before it). */
  readonly router: express.Router;
  readonly options: ResolvedLtiOptions;
  /** The tool's public keyset, as served at `lti/jwks`. */
  readonly jwks: ToolKey['jwks'];
  /** Stops listening to the room server. */
  close(): void;
}

/** A verified launch waiting for the browser to show, from the platform's storage, that it started the login. */
interface StorageCheck {
  launch: LtiLaunch;
}

/** The key under which the login's state sits in the platform's storage. */
function storageKey(state: string): string {
  return `live-session-state-${state}`;
}

function defaultBundleFile(): string {
  const candidates = ['../../live-session.bundle.js', '../../../dist/live-session.bundle.js'].map((relative) =>
    fileURLToPath(new URL(relative, import.meta.url)),
  );
  return candidates.find((file) => existsSync(file)) ?? (candidates[0] as string);
}

function readCookie(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const index = part.indexOf('=');
    if (index > 0 && part.slice(0, index).trim() === name) return part.slice(index + 1).trim();
  }
  return undefined;
}

function param(request: express.Request, name: string): string | undefined {
  const body = request.body as Record<string, unknown> | undefined;
  const fromBody = body && typeof body === 'object' ? body[name] : undefined;
  const value = fromBody ?? request.query[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function refusalFromJose(error: unknown): LaunchRefusal {
  if (error instanceof joseErrors.JWTExpired) return { code: 'expired', message: 'The launch has expired; open the activity again.' };
  if (error instanceof joseErrors.JWSSignatureVerificationFailed || error instanceof joseErrors.JWKSNoMatchingKey) {
    return { code: 'signature', message: "The launch's signature does not match the platform's keys." };
  }
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.claim === 'aud') return { code: 'audience', message: 'The launch is not meant for this tool (audience).' };
    if (error.claim === 'iss') return { code: 'issuer', message: 'The launch comes from another platform than the one that started it.' };
    if (error.claim === 'iat') return { code: 'expired', message: 'The launch is too old; open the activity again.' };
    return { code: 'claims', message: `The launch's ${error.claim} claim is not valid.` };
  }
  if (error instanceof joseErrors.JWKSTimeout || error instanceof joseErrors.JWKSInvalid) {
    return { code: 'platform-keys', message: "The platform's public keys could not be fetched." };
  }
  if (error instanceof joseErrors.JOSEError) return { code: 'token', message: 'The launch token could not be read.' };
  return { code: 'platform-keys', message: "The platform's public keys could not be fetched." };
}

/**
 * Creates the tool: loads (or makes) its key, checks the options, and returns
 * the router to mount in front of the room server's app.
 */
export async function createLtiTool(parts: CreateLtiToolOptions): Promise<LtiTool> {
  const options = resolveLtiOptions(parts.lti);
  if (typeof parts.secret !== 'string' || parts.secret === '') throw new TypeError('lti: the room server needs a secret (token mode)');
  const key = await loadToolKey(options.keyFile);
  const { roomServer, secret } = parts;
  const bundleFile = parts.bundleFile ?? defaultBundleFile();
  const base = roomServer.path;
  const publicUrl = options.publicUrl;
  const launchUrl = `${publicUrl}lti/launch`;
  const secure = publicUrl.startsWith('https:');
  const cookiePath = new URL(`${publicUrl}lti/`).pathname;
  const logSink = parts.logger ?? jsonLineLogger;
  const log = (level: LogLevel, event: string, fields: Record<string, unknown> = {}): void => {
    if (!parts.quiet) logSink(logEntry(level, event, fields));
  };

  const loginStates = new LoginStates(secret);
  const deepLinks = new SingleUseStore<LtiLaunch>(LTI_STATE_TTL_MS, MAX_PENDING);
  const storageChecks = new SingleUseStore<StorageCheck>(2 * 60_000, MAX_PENDING);
  const nonces = new SeenSet(MAX_PENDING * 2);
  const keySets = new Map<LtiPlatform, ReturnType<typeof createRemoteJWKSet>>();
  const keySet = (platform: LtiPlatform): ReturnType<typeof createRemoteJWKSet> => {
    let set = keySets.get(platform);
    if (!set) {
      set = createRemoteJWKSet(new URL(platform.jwksUrl), { timeoutDuration: 10_000, cooldownDuration: 30_000 });
      keySets.set(platform, set);
    }
    return set;
  };

  // Scores: a student's first join into the room their launch opened.
  const grades = new GradePassback(key);
  const graded = new Map<string, { platform: LtiPlatform; lineItem: string; sub: string; until: number }>();
  const gradeKey = (room: string, userId: string): string => `${room}\n${userId}`;
  const onJoin = (event: { room: string; userId: string; role: string; resumed: boolean }): void => {
    if (event.resumed || event.role !== 'student') return;
    const id = gradeKey(event.room, event.userId);
    const pending = graded.get(id);
    if (!pending) return;
    graded.delete(id);
    void postScore(pending);
  };
  const postScore = async (pending: { platform: LtiPlatform; lineItem: string; sub: string }): Promise<void> => {
    for (let attempt = 1; attempt <= SCORE_ATTEMPTS; attempt += 1) {
      try {
        await grades.postParticipation(pending);
        log('info', 'lti-score', { issuer: pending.platform.issuer, lineItem: pending.lineItem });
        return;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (attempt === SCORE_ATTEMPTS) {
          log('warn', 'lti-score-failed', { issuer: pending.platform.issuer, lineItem: pending.lineItem, message });
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 4 ** (attempt - 1) * 1000).unref());
      }
    }
  };
  roomServer.on('join', onJoin);

  const refuse = (response: express.Response, status: number, refusal: LaunchRefusal): void => {
    log('warn', 'lti-refused', { code: refusal.code });
    sendErrorPage(response, status, refusal.code, refusal.message);
  };

  const router = express.Router();
  const form = express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 50 });

  const login: express.RequestHandler = (request, response) => {
    const issuer = param(request, 'iss');
    const loginHint = param(request, 'login_hint');
    const targetLink = param(request, 'target_link_uri');
    const clientId = param(request, 'client_id');
    if (issuer === undefined || loginHint === undefined || targetLink === undefined) {
      refuse(response, 400, { code: 'login', message: 'The login request lacks iss, login_hint or target_link_uri.' });
      return;
    }
    const candidates = options.platforms.filter((p) => p.issuer === issuer && (clientId === undefined || p.clientId === clientId));
    const platform = candidates[0];
    if (!platform || candidates.length > 1) {
      refuse(response, 400, {
        code: 'platform',
        message:
          candidates.length > 1
            ? `Several registrations of ${issuer} match; the LMS must send its client_id.`
            : `This tool has no registration for ${issuer}${clientId === undefined ? '' : ` with client id ${clientId}`}.`,
      });
      return;
    }
    if (!targetLink.startsWith(publicUrl)) {
      refuse(response, 400, { code: 'target', message: 'The launch points at another tool (target_link_uri).' });
      return;
    }
    const deployment = param(request, 'lti_deployment_id');
    if (deployment !== undefined && !platform.deploymentIds.includes(deployment)) {
      refuse(response, 400, { code: 'deployment', message: `Unknown deployment ${JSON.stringify(deployment)}: ask the operator to register it.` });
      return;
    }
    const nonce = randomBytes(24).toString('base64url');
    const storageTarget = param(request, 'lti_storage_target');
    if (storageTarget !== undefined && !/^[\w.-]{1,64}$/.test(storageTarget)) {
      refuse(response, 400, { code: 'login', message: 'The login names a storage frame this tool cannot use.' });
      return;
    }
    const state = loginStates.seal({
      platform: options.platforms.indexOf(platform),
      nonce,
      expiresAt: Date.now() + LTI_STATE_TTL_MS,
      ...(storageTarget === undefined ? {} : { storageTarget }),
    });
    const redirect = new URL(platform.authLoginUrl);
    const query: Record<string, string> = {
      scope: 'openid',
      response_type: 'id_token',
      response_mode: 'form_post',
      prompt: 'none',
      client_id: platform.clientId,
      redirect_uri: launchUrl,
      login_hint: loginHint,
      state,
      nonce,
    };
    const messageHint = param(request, 'lti_message_hint');
    if (messageHint !== undefined) query['lti_message_hint'] = messageHint;
    for (const [name, value] of Object.entries(query)) redirect.searchParams.set(name, value);
    const attributes = secure ? 'SameSite=None; Secure; Partitioned' : 'SameSite=Lax';
    response
      .set('Cache-Control', 'no-store')
      .append('Set-Cookie', `${loginStates.cookieName(state)}=1; Path=${cookiePath}; Max-Age=${String(LTI_STATE_TTL_MS / 1000)}; HttpOnly; ${attributes}`);
    if (storageTarget === undefined) {
      response.redirect(302, redirect.toString());
      return;
    }
    // The cookie may not survive the LMS's iframe: the state also goes to the platform's storage.
    sendStorageStep(
      response,
      {
        target: storageTarget,
        origin: new URL(platform.authLoginUrl).origin,
        action: 'put',
        key: storageKey(state),
        value: state,
        next: redirect.toString(),
      },
      randomBytes(16).toString('base64'),
    );
  };
  router.get(`${base}lti/login`, login);
  router.post(`${base}lti/login`, form, login);

  router.post(`${base}lti/launch`, form, (request, response) => {
    void (async () => {
      const platformError = param(request, 'error');
      if (platformError !== undefined) {
        const description = param(request, 'error_description') ?? '';
        refuse(response, 400, { code: 'platform-error', message: `The LMS answered the login with "${platformError}". ${description}`.trim() });
        return;
      }
      const state = param(request, 'state');
      const idToken = param(request, 'id_token');
      if (state === undefined || idToken === undefined) {
        refuse(response, 400, { code: 'launch', message: 'The launch lacks its id_token or state.' });
        return;
      }
      const opened = loginStates.open(state);
      const platformOfState = typeof opened === 'object' ? options.platforms[opened.platform] : undefined;
      if (typeof opened !== 'object' || !platformOfState) {
        refuse(response, 401, {
          code: 'state',
          message: opened === 'expired' ? 'This launch has expired; open the activity again.' : 'This launch was not started by this tool.',
        });
        return;
      }
      const pending = { ...opened, platform: platformOfState };
      response.append('Set-Cookie', `${loginStates.cookieName(state)}=; Path=${cookiePath}; Max-Age=0; HttpOnly; ${secure ? 'SameSite=None; Secure; Partitioned' : 'SameSite=Lax'}`);
      const hasCookie = readCookie(request.headers.cookie, loginStates.cookieName(state)) === '1';
      if (!hasCookie && pending.storageTarget === undefined) {
        refuse(response, 401, {
          code: 'cookie',
          message:
            'This browser did not keep the launch cookie (third-party cookies may be blocked). Ask for the activity to open in a new window.',
        });
        return;
      }
      const { platform } = pending;
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(idToken, keySet(platform), {
          issuer: platform.issuer,
          audience: platform.clientId,
          algorithms: PLATFORM_ALGORITHMS,
          maxTokenAge: LTI_STATE_TTL_MS / 1000,
          clockTolerance: 30,
          requiredClaims: ['iat', 'exp', 'sub', 'nonce'],
        }));
      } catch (error) {
        refuse(response, 401, refusalFromJose(error));
        return;
      }
      const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
      const azp = payload['azp'];
      if ((audiences.length > 1 || azp !== undefined) && azp !== platform.clientId) {
        refuse(response, 401, { code: 'audience', message: 'The launch is not meant for this tool (azp).' });
        return;
      }
      const nonce = payload['nonce'];
      if (typeof nonce !== 'string' || nonce !== pending.nonce || !nonces.first(nonce, (payload.exp ?? 0) * 1000 + 60_000)) {
        refuse(response, 401, { code: 'nonce', message: 'This launch was already used (nonce).' });
        return;
      }
      const launch = readLaunch(payload, platform);
      if (!('room' in launch)) {
        refuse(response, 400, launch);
        return;
      }
      if (!hasCookie && pending.storageTarget !== undefined) {
        // No cookie: the browser proves it started this login by reading the state back from the platform's storage.
        const ticket = randomBytes(24).toString('base64url');
        if (!storageChecks.put(ticket, { launch })) {
          response.status(503).set('Retry-After', '60').type('text/plain').send('Too many launches under way; try again in a minute.');
          return;
        }
        sendStorageStep(
          response,
          {
            target: pending.storageTarget,
            origin: new URL(platform.authLoginUrl).origin,
            action: 'get',
            key: storageKey(state),
            value: state,
            next: `${publicUrl}lti/launch/confirm?ticket=${ticket}`,
          },
          randomBytes(16).toString('base64'),
        );
        return;
      }
      await finishLaunch(response, launch);
    })().catch((error: unknown) => {
      log('error', 'lti-error', { message: error instanceof Error ? error.message : String(error) });
      if (!response.headersSent) sendErrorPage(response, 500, 'internal', 'The tool failed to open the session.');
    });
  });

  router.get(`${base}lti/launch/confirm`, (request, response) => {
    const ticket = param(request, 'ticket');
    const check = ticket === undefined ? undefined : storageChecks.take(ticket);
    if (!check) {
      refuse(response, 401, { code: 'state', message: 'This launch was already used or has expired.' });
      return;
    }
    finishLaunch(response, check.launch).catch((error: unknown) => {
      log('error', 'lti-error', { message: error instanceof Error ? error.message : String(error) });
      if (!response.headersSent) sendErrorPage(response, 500, 'internal', 'The tool failed to open the session.');
    });
  });

  /** The end of a checked launch: the deep-linking form, or the session page with a fresh join token. */
  async function finishLaunch(response: express.Response, launch: LtiLaunch): Promise<void> {
    const { platform } = launch;
    if (launch.messageType === 'LtiDeepLinkingRequest') {
      if (launch.role !== 'tutor') {
        refuse(response, 403, { code: 'not-instructor', message: 'Only instructors can add a live session to a course.' });
        return;
      }
      const ticket = randomBytes(24).toString('base64url');
      deepLinks.put(ticket, launch);
      log('info', 'lti-deep-link-request', { issuer: platform.issuer, deploymentId: launch.deploymentId });
      sendDeepLinkForm(response, `${publicUrl}lti/deep-link`, ticket, launch.deepLinking?.title ?? 'Live session');
      return;
    }
    const token = await signJoinToken({ room: launch.room, sub: launch.userId, name: launch.name, role: launch.role }, secret, {
      expiresIn: options.joinTokenLifetime,
    });
    if (launch.lineItem !== undefined && launch.role === 'student' && platform.tokenUrl !== undefined) {
      const now = Date.now();
      for (const [id, entry] of graded) if (entry.until <= now) graded.delete(id);
      graded.set(gradeKey(launch.room, launch.userId), {
        platform,
        lineItem: launch.lineItem,
        sub: launch.sub,
        until: now + options.joinTokenLifetime * 1000,
      });
    }
    log('info', 'lti-launch', { issuer: platform.issuer, room: launch.room, userId: launch.userId, role: launch.role });
    // See Other to a GET page: a refresh re-joins instead of re-posting a used launch.
    // The token travels in the fragment, which no server or log sees.
    const fragment = new URLSearchParams({ token, title: launch.resourceTitle ?? launch.contextTitle ?? 'Live session' });
    response.set('Cache-Control', 'no-store').redirect(303, `${publicUrl}lti/session#${fragment.toString()}`);
  }

  router.post(`${base}lti/deep-link`, form, (request, response) => {
    void (async () => {
      const ticket = param(request, 'ticket');
      const title = (param(request, 'title') ?? '').replace(/\s+/g, ' ').trim().slice(0, 200);
      if (ticket !== undefined && title === '') {
        // Asked again, with the ticket still unused.
        sendDeepLinkForm(response, `${publicUrl}lti/deep-link`, ticket, 'Live session');
        return;
      }
      const launch = ticket === undefined ? undefined : deepLinks.take(ticket);
      if (!launch?.deepLinking) {
        refuse(response, 401, { code: 'state', message: 'This form was already sent or has expired; add the session again from your course.' });
        return;
      }
      const { platform, deepLinking } = launch;
      const jwt = await new SignJWT({
        nonce: randomBytes(16).toString('base64url'),
        [CLAIMS.messageType]: 'LtiDeepLinkingResponse',
        [CLAIMS.version]: '1.3.0',
        [CLAIMS.deploymentId]: launch.deploymentId,
        [CLAIMS.deepLinkingContentItems]: [{ type: 'ltiResourceLink', title, url: launchUrl }],
        ...(deepLinking.data === undefined ? {} : { [CLAIMS.deepLinkingData]: deepLinking.data }),
      })
        .setProtectedHeader({ alg: TOOL_KEY_ALGORITHM, kid: key.kid, typ: 'JWT' })
        .setIssuer(platform.clientId)
        .setAudience(platform.issuer)
        .setIssuedAt()
        .setExpirationTime('5m')
        .setJti(randomBytes(16).toString('base64url'))
        .sign(key.privateKey);
      log('info', 'lti-deep-link', { issuer: platform.issuer, deploymentId: launch.deploymentId });
      sendAutoPost(response, deepLinking.returnUrl, { JWT: jwt }, randomBytes(16).toString('base64'));
    })().catch((error: unknown) => {
      log('error', 'lti-error', { message: error instanceof Error ? error.message : String(error) });
      if (!response.headersSent) sendErrorPage(response, 500, 'internal', 'The tool failed to answer the LMS.');
    });
  });

  router.get(`${base}lti/session`, (_request, response) => {
    sendSessionShell(response, { server: publicUrl, attendance: roomServer.attendance !== undefined });
  });

  router.get(`${base}lti/session.js`, (_request, response) => {
    response.set('Cache-Control', 'no-cache').type('text/javascript').send(SESSION_SCRIPT);
  });

  router.get(`${base}lti/jwks`, (_request, response) => {
    response.set('Cache-Control', 'public, max-age=300').json(key.jwks);
  });

  // The bundle, and the SFU code it loads in SFU rooms by a URL relative to its own.
  const builtScripts: [string, string, string][] = [
    ['live-session.js', bundleFile, 'The live-session bundle is missing; build the package.'],
    ['live-session.sfu.js', join(dirname(bundleFile), 'live-session.sfu.js'), 'The live-session SFU code is missing; build the package.'],
  ];
  for (const [name, file, missing] of builtScripts) {
    router.get(`${base}lti/${name}`, (_request, response) => {
      if (!existsSync(file)) {
        response.status(404).type('text/plain').send(missing);
        return;
      }
      response.set('Cache-Control', 'no-cache').type('text/javascript').sendFile(file);
    });
  }

  // A form the body parser cannot read (charset, too many fields): a plain refusal, no stack trace.
  router.use((error: unknown, _request: express.Request, response: express.Response, next: express.NextFunction) => {
    if (response.headersSent) {
      next(error);
      return;
    }
    const status = typeof error === 'object' && error !== null && typeof (error as { status?: unknown }).status === 'number' ? (error as { status: number }).status : 400;
    refuse(response, status >= 400 && status < 500 ? status : 400, { code: 'request', message: 'The LMS sent a request this tool cannot read.' });
  });

  return {
    router,
    options,
    jwks: key.jwks,
    close: () => {
      roomServer.off('join', onJoin);
    },
  };
}
