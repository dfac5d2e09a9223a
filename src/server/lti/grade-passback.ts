/**
 * LTI Advantage Assignment and Grade Services: a "participated" score for a
 * student who joined, posted to the line item their launch named. The access
 * token comes from the platform's token URL for a client assertion signed with
 * the tool's key.
 */
import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { AGS_SCORE_SCOPE } from './launch-claims.js';
import type { LtiPlatform } from './lti-config.js';
import { TOOL_KEY_ALGORITHM, type ToolKey } from './tool-key.js';

/** Failure guard of one HTTP exchange with the platform. */
const REQUEST_TIMEOUT_MS = 10_000;

export interface ScoreRequest {
  platform: LtiPlatform;
  lineItem: string;
  /** The LMS's user id (`sub` of the launch). */
  sub: string;
}

/** `<line item>/scores`, keeping the line item's query string. */
export function scoresUrl(lineItem: string): string {
  const url = new URL(lineItem);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/scores`;
  return url.toString();
}

export class GradePassback {
  readonly #key: ToolKey;
  readonly #tokens = new Map<string, { token: string; until: number }>();

  constructor(key: ToolKey) {
    this.#key = key;
  }

  /** Posts the participation score; throws with the platform's answer when refused. */
  async postParticipation(request: ScoreRequest): Promise<void> {
    const token = await this.#accessToken(request.platform);
    const response = await fetch(scoresUrl(request.lineItem), {
      method: 'POST',
      redirect: 'error',
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/vnd.ims.lis.v1.score+json' },
      body: JSON.stringify({
        userId: request.sub,
        scoreGiven: 1,
        scoreMaximum: 1,
        comment: 'Took part in the live session.',
        activityProgress: 'Completed',
        gradingProgress: 'FullyGraded',
        timestamp: new Date().toISOString(),
      }),
    });
    if (!response.ok) {
      if (response.status === 401 || response.status === 403) this.#tokens.delete(this.#cacheKey(request.platform));
      throw new Error(`the platform refused the score: HTTP ${String(response.status)} ${(await response.text()).slice(0, 200)}`);
    }
  }

  /** One token per registration: hosted LMSs share one token URL between many client ids. */
  #cacheKey(platform: LtiPlatform): string {
    return `${platform.tokenUrl ?? ''}\n${platform.clientId}`;
  }

  async #accessToken(platform: LtiPlatform): Promise<string> {
    const tokenUrl = platform.tokenUrl;
    if (tokenUrl === undefined) throw new Error(`no tokenUrl is registered for ${platform.issuer}`);
    const cached = this.#tokens.get(this.#cacheKey(platform));
    if (cached && cached.until > Date.now()) return cached.token;
    const assertion = await new SignJWT({})
      .setProtectedHeader({ alg: TOOL_KEY_ALGORITHM, kid: this.#key.kid, typ: 'JWT' })
      .setIssuer(platform.clientId)
      .setSubject(platform.clientId)
      .setAudience(tokenUrl)
      .setIssuedAt()
      .setExpirationTime('5m')
      .setJti(randomBytes(16).toString('base64url'))
      .sign(this.#key.privateKey);
    const response = await fetch(tokenUrl, {
      method: 'POST',
      redirect: 'error',
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: assertion,
        scope: AGS_SCORE_SCOPE,
      }).toString(),
    });
    if (!response.ok) {
      throw new Error(`the platform refused an access token: HTTP ${String(response.status)} ${(await response.text()).slice(0, 200)}`);
    }
    const body = (await response.json()) as { access_token?: unknown; expires_in?: unknown };
    if (typeof body.access_token !== 'string' || body.access_token === '') throw new Error('the token answer has no access_token');
    const lifetime = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 300;
    this.#tokens.set(this.#cacheKey(platform), { token: body.access_token, until: Date.now() + Math.max(0, lifetime - 30) * 1000 });
    return body.access_token;
  }
}
