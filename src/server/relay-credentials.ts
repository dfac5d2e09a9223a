/**
 * Short-lived TURN credentials in the TURN REST scheme that coturn's
 * `use-auth-secret` checks: the username is `<expiry in s>:<user>`, the
 * credential base64(HMAC-SHA1(shared secret, username)). They go only to
 * joined members, in their LS-JOINED and on LS-ICE, never through `GET /ice`.
 */
import { createHmac } from 'node:crypto';
import type { RelayCredentials } from '../protocol/index.js';

/** The `turn` option of the room server. */
export interface TurnOptions {
  /** The secret shared with the TURN server (`static-auth-secret` in coturn). At least 16 characters. */
  secret: string;
  /** TURN URLs, e.g. `['turn:turn.example.edu:3478?transport=udp', 'turns:turn.example.edu:5349?transport=tcp']`. */
  urls: string[];
  /** Seconds the credentials stay valid; clients ask for fresh ones before. Default 3600, at least 60. */
  ttl?: number;
}

export interface ResolvedTurnOptions {
  secret: string;
  urls: string[];
  ttl: number;
}

export const TURN_DEFAULT_TTL = 3600;

export function resolveTurnOptions(turn: TurnOptions | undefined): ResolvedTurnOptions | undefined {
  if (turn === undefined) return undefined;
  if (typeof turn.secret !== 'string' || turn.secret.length < 16) {
    throw new TypeError('live-session server: turn.secret must be a string of at least 16 characters');
  }
  if (!Array.isArray(turn.urls) || turn.urls.length === 0 || !turn.urls.every((url) => typeof url === 'string' && /^turns?:[^\s]+$/.test(url))) {
    throw new TypeError('live-session server: turn.urls must be a non-empty list of turn: or turns: URLs');
  }
  const ttl = turn.ttl ?? TURN_DEFAULT_TTL;
  if (!Number.isInteger(ttl) || ttl < 60 || ttl > 7 * 86_400) {
    throw new RangeError('live-session server: turn.ttl must be a whole number of seconds from 60 to 604800');
  }
  return { secret: turn.secret, urls: [...turn.urls], ttl };
}

/** Credentials for `userId`, valid for `ttl` seconds from `now`. */
export function relayCredentials(turn: ResolvedTurnOptions, userId: string, now = Date.now()): RelayCredentials {
  const expiry = Math.floor(now / 1000) + turn.ttl;
  // coturn takes the timestamp before the first colon; the user part keeps none.
  const username = `${String(expiry)}:${userId.replace(/:/g, '_')}`;
  const credential = createHmac('sha1', turn.secret).update(username).digest('base64');
  return { iceServers: [{ urls: [...turn.urls], username, credential }], expiresAt: expiry * 1000 };
}
