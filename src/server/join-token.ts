import { SignJWT, errors as joseErrors, jwtVerify } from 'jose';
import { LIMITS, isRole, type Role } from '../protocol/index.js';
import { checkDisplayName } from './frames.js';

/** What a join token says: which room, who, shown as what, with which role. */
export interface JoinTokenClaims {
  /** Room name (letters, digits, `-`, `_`, `.`; 1–64 characters). */
  room: string;
  /** Stable user id: the same person keeps it across refreshes and tabs. */
  sub: string;
  /** Display name. */
  name: string;
  role: Role;
  /** A student who must wait in the room's waiting room until a tutor admits them, whatever the room's setting. */
  waiting?: boolean;
  /**
   * How the room's media flows (`mesh`, `star` or `sfu`), fixed by the room's
   * first join. Only the server (through the token) decides it, never the page.
   */
  topology?: 'mesh' | 'star' | 'sfu';
}

export interface SignJoinTokenOptions {
  /**
   * Lifetime: a number of seconds from now, or a duration string such as
   * `'2h'`, `'15m'`. Default `'2h'`.
   */
  expiresIn?: string | number;
}

/** The outcome of {@link verifyJoinToken}: the claims, or why the token is refused. */
export type JoinTokenVerdict =
  | { ok: true; claims: JoinTokenClaims & { exp: number } }
  | { ok: false; code: 'token-invalid' | 'token-expired'; message: string };

function secretKey(secret: string): Uint8Array {
  if (typeof secret !== 'string' || secret.length === 0) {
    throw new TypeError('join token secret must be a non-empty string');
  }
  return new TextEncoder().encode(secret);
}

/**
 * Signs a join token (HS256 JWT) for a Node backend, e.g. an LMS handing a
 * page its `<live-session token=…>`.
 *
 * @example
 * const token = await signJoinToken(
 *   { room: 'algebra-1', sub: 'user-42', name: 'Alice', role: 'student' },
 *   process.env.LIVE_SESSION_SECRET!,
 *   { expiresIn: '2h' },
 * );
 */
export async function signJoinToken(
  claims: JoinTokenClaims,
  secret: string,
  options: SignJoinTokenOptions = {},
): Promise<string> {
  const { room, sub, name, role } = claims;
  if (typeof room !== 'string' || !LIMITS.roomPattern.test(room)) {
    throw new TypeError(`signJoinToken: room must match ${String(LIMITS.roomPattern)}`);
  }
  if (typeof sub !== 'string' || !LIMITS.userIdPattern.test(sub)) {
    throw new TypeError(`signJoinToken: sub must match ${String(LIMITS.userIdPattern)}`);
  }
  if (typeof name !== 'string' || !checkDisplayName(name).ok) {
    throw new TypeError('signJoinToken: name must be a non-empty display name without markup');
  }
  if (!isRole(role)) throw new TypeError("signJoinToken: role must be 'tutor' or 'student'");
  const expiresIn = options.expiresIn ?? '2h';
  let expiration: string | number;
  if (typeof expiresIn === 'number') {
    if (!Number.isFinite(expiresIn)) throw new TypeError('signJoinToken: expiresIn must be finite');
    expiration = Math.floor(Date.now() / 1000) + Math.round(expiresIn);
  } else {
    expiration = expiresIn;
  }
  const topology: unknown = claims.topology;
  if (topology !== undefined && topology !== 'mesh' && topology !== 'star' && topology !== 'sfu') {
    throw new TypeError("signJoinToken: topology must be 'mesh', 'star' or 'sfu'");
  }
  return new SignJWT({ room, name, role, ...(claims.waiting === true ? { waiting: true } : {}), ...(topology !== undefined ? { topology } : {}) })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime(expiration)
    .sign(secretKey(secret));
}

/**
 * Checks a join token's signature (HS256 only), expiry and claims. Never
 * throws for a bad token: the verdict says why it is refused.
 */
export async function verifyJoinToken(
  token: string,
  secret: string,
  options: { clockTolerance?: number } = {},
): Promise<JoinTokenVerdict> {
  let payload: Record<string, unknown>;
  try {
    const verified = await jwtVerify(token, secretKey(secret), {
      algorithms: ['HS256'],
      requiredClaims: ['exp', 'sub'],
      clockTolerance: options.clockTolerance ?? 0,
    });
    payload = verified.payload;
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) {
      return { ok: false, code: 'token-expired', message: 'The join token has expired.' };
    }
    return { ok: false, code: 'token-invalid', message: 'The join token is not valid (signature, algorithm or format).' };
  }
  const { room, sub, name, role, exp, waiting, topology } = payload;
  if (typeof room !== 'string' || !LIMITS.roomPattern.test(room)) {
    return { ok: false, code: 'token-invalid', message: 'The join token has no usable room claim.' };
  }
  if (typeof sub !== 'string' || !LIMITS.userIdPattern.test(sub)) {
    return { ok: false, code: 'token-invalid', message: 'The join token has no usable sub (user id) claim.' };
  }
  const checkedName = typeof name === 'string' ? checkDisplayName(name) : undefined;
  if (!checkedName?.ok) {
    return { ok: false, code: 'token-invalid', message: 'The join token has no usable name claim.' };
  }
  if (!isRole(role)) {
    return { ok: false, code: 'token-invalid', message: "The join token's role claim must be 'tutor' or 'student'." };
  }
  if (typeof exp !== 'number') {
    return { ok: false, code: 'token-invalid', message: 'The join token has no exp claim.' };
  }
  if (topology !== undefined && topology !== 'mesh' && topology !== 'star' && topology !== 'sfu') {
    return { ok: false, code: 'token-invalid', message: "The join token's topology claim must be 'mesh', 'star' or 'sfu'." };
  }
  return {
    ok: true,
    claims: { room, sub, name: checkedName.name, role, exp, ...(waiting === true ? { waiting: true } : {}), ...(topology !== undefined ? { topology } : {}) },
  };
}
