/**
 * The LTI 1.3 tool's configuration: where the tool is reachable, where its key
 * lives, and which LMS platforms may launch it.
 */

/** One LMS registration: what the platform gave the operator when the tool was added. */
export interface LtiPlatform {
  /** A label for logs and error pages, e.g. `Moodle`. */
  name?: string;
  /** The platform's issuer (`iss` of its id_tokens), e.g. `https://moodle.example.edu`. */
  issuer: string;
  /** The client id the platform assigned to this tool (`aud` of its id_tokens). */
  clientId: string;
  /** Deployment ids launches may carry; a launch from another deployment is refused. */
  deploymentIds: string[];
  /** The platform's public keyset (JWKS) URL. */
  jwksUrl: string;
  /** The platform's OIDC authentication request URL (where the login initiation redirects to). */
  authLoginUrl: string;
  /** The platform's OAuth 2 token URL, for grade passback (AGS). Without it no scores are posted. */
  tokenUrl?: string;
}

/** Options of the LTI tool (`--lti <file>` holds them as JSON). */
export interface LtiOptions {
  /**
   * The tool's external base URL, as the LMS and browsers reach it, including
   * the room server's path: e.g. `https://live.example.edu/`. The tool's endpoints
   * are `<publicUrl>lti/login`, `lti/launch`, `lti/deep-link` and `lti/jwks`.
   */
  publicUrl: string;
  /**
   * File holding the tool's RSA key pair (a private JWK). Created with mode 0600
   * on first start when absent; keep it across restarts. Without it a key is
   * made in memory for this process only (fine for tests, not for production).
   */
  keyFile?: string;
  /** The platforms that may launch the tool. */
  platforms: LtiPlatform[];
  /** Lifetime of the join token a launch mints, in seconds. Default 14400 (4 h). */
  joinTokenLifetime?: number;
}

/** Options after checks, with `publicUrl` ending in `/`. */
export interface ResolvedLtiOptions extends LtiOptions {
  joinTokenLifetime: number;
}

function isHttpUrl(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

function text(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new TypeError(`lti: ${what} must be a non-empty string`);
  return value;
}

function url(value: unknown, what: string): string {
  if (!isHttpUrl(value)) throw new TypeError(`lti: ${what} must be an http(s) URL, got ${JSON.stringify(value)}`);
  return value;
}

/** Checks LTI options (e.g. parsed from the `--lti` JSON file); throws a TypeError naming the first bad field. */
export function resolveLtiOptions(raw: unknown): ResolvedLtiOptions {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new TypeError('lti: options must be an object');
  const options = raw as Record<string, unknown>;
  let publicUrl = url(options['publicUrl'], 'publicUrl');
  if (!publicUrl.endsWith('/')) publicUrl += '/';
  const keyFile = options['keyFile'] === undefined ? undefined : text(options['keyFile'], 'keyFile');
  const lifetime = options['joinTokenLifetime'] ?? 14_400;
  if (typeof lifetime !== 'number' || !Number.isInteger(lifetime) || lifetime < 60) {
    throw new TypeError('lti: joinTokenLifetime must be a whole number of seconds, at least 60');
  }
  const list = options['platforms'];
  if (!Array.isArray(list) || list.length === 0) throw new TypeError('lti: platforms must be a non-empty array');
  const platforms = list.map((entry: unknown, index): LtiPlatform => {
    const where = `platforms[${String(index)}]`;
    if (typeof entry !== 'object' || entry === null) throw new TypeError(`lti: ${where} must be an object`);
    const platform = entry as Record<string, unknown>;
    const deploymentIds = platform['deploymentIds'];
    if (!Array.isArray(deploymentIds) || deploymentIds.length === 0) {
      throw new TypeError(`lti: ${where}.deploymentIds must be a non-empty array of strings`);
    }
    return {
      ...(platform['name'] === undefined ? {} : { name: text(platform['name'], `${where}.name`) }),
      issuer: text(platform['issuer'], `${where}.issuer`),
      clientId: text(platform['clientId'], `${where}.clientId`),
      deploymentIds: deploymentIds.map((id, i) => text(id, `${where}.deploymentIds[${String(i)}]`)),
      jwksUrl: url(platform['jwksUrl'], `${where}.jwksUrl`),
      authLoginUrl: url(platform['authLoginUrl'], `${where}.authLoginUrl`),
      ...(platform['tokenUrl'] === undefined ? {} : { tokenUrl: url(platform['tokenUrl'], `${where}.tokenUrl`) }),
    };
  });
  const seen = new Set<string>();
  for (const platform of platforms) {
    const key = `${platform.issuer}\n${platform.clientId}`;
    if (seen.has(key)) throw new TypeError(`lti: ${platform.issuer} with client id ${platform.clientId} is registered twice`);
    seen.add(key);
  }
  return { publicUrl, ...(keyFile === undefined ? {} : { keyFile }), platforms, joinTokenLifetime: lifetime };
}
