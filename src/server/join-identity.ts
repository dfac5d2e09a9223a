/**
 * Who a join request says it is: room, user id, display name and role, from
 * the request itself (open mode) or from a verified join token (token mode).
 * Pure functions, no sockets: the room server only acts on their verdicts.
 */
import { createHash } from 'node:crypto';
import { LIMITS, isRole, type ErrorCode, type Role } from '../protocol/index.js';
import { checkDisplayName, type JoinFields } from './frames.js';
import type { JoinTokenVerdict } from './join-token.js';

/** The identity a socket joins with. */
export interface JoinIdentity {
  room: string;
  userId: string;
  name: string;
  role: Role;
  /** From the token's `waiting` claim: wait for a tutor whatever the room's setting. */
  waiting?: boolean;
  /** From the token's `topology` claim: how the room's media flows, when this join starts it. */
  topology?: 'mesh' | 'star' | 'sfu';
}

/** A refused join. `malformed` refusals count against the socket's bad-message allowance. */
export interface JoinRefusal {
  ok: false;
  code: ErrorCode;
  message: string;
  malformed: boolean;
}

/** The outcome of {@link resolveJoinRequest}. */
export type JoinRequestVerdict =
  | JoinRefusal
  /** Open mode: the identity is known. */
  | { ok: true; identity: JoinIdentity }
  /** Token mode: the token must be verified (asynchronously), then {@link resolveTokenIdentity}. */
  | { ok: 'verify-token'; token: string; requestedRoom: string | undefined };

/** A tagged peer id: 16 lowercase hex digits, a dash, then anything the peer id pattern allows. */
const TAGGED_PEER_ID = /^([0-9a-f]{16})-/;

/**
 * The tag that binds peer ids to one identity in one room: the first 16 hex
 * digits of SHA-256 over `live-session peer id`, the room and the user id,
 * separated by newlines. Public by design: it does not prove anything by
 * itself, but a join is admitted under a tagged peer id only when the tag is
 * the joiner's own, so nobody else can join (or keep) that id.
 */
export function peerIdTag(room: string, userId: string): string {
  return createHash('sha256').update(`live-session peer id\n${room}\n${userId}`).digest('hex').slice(0, 16);
}

/**
 * Whether `peerId` may be used by `identity`: a tagged id must carry the
 * identity's tag; an untagged one is refused when binding is `'bound'`.
 */
export function checkPeerIdBinding(peerId: string, identity: JoinIdentity, binding: 'bound' | 'tagged'): JoinRefusal | undefined {
  const tag = TAGGED_PEER_ID.exec(peerId)?.[1];
  if (tag === undefined ? binding === 'tagged' : tag === peerIdTag(identity.room, identity.userId)) return undefined;
  return refused(
    'peer-id-not-yours',
    'This peer id belongs to another identity: use a peer id that starts with your own tag (see the protocol documentation).',
    false,
  );
}

/** Longest join token accepted, in characters. */
export const MAX_TOKEN_LENGTH = 8192;

function refused(code: ErrorCode, message: string, malformed: boolean): JoinRefusal {
  return { ok: false, code, message, malformed };
}

function malformed(message: string): JoinRefusal {
  return refused('bad-payload', message, true);
}

/**
 * First step of a join: the peer id of the socket, then the identity fields
 * (open mode) or the token's presence and shape (token mode).
 */
export function resolveJoinRequest(fields: JoinFields, peerId: string, mode: 'open' | 'token'): JoinRequestVerdict {
  if (!LIMITS.peerIdPattern.test(peerId)) {
    return refused(
      'bad-payload',
      'The peer id of this connection is not allowed (letters, digits, single spaces, "-" or "_"; at most 128 characters).',
      false,
    );
  }
  if (mode === 'open') {
    const { room, userId, name, role } = fields;
    if (typeof room !== 'string' || !LIMITS.roomPattern.test(room)) {
      return malformed('payload.room must be 1–64 letters, digits, ".", "_" or "-".');
    }
    if (typeof userId !== 'string' || !LIMITS.userIdPattern.test(userId)) {
      return malformed('payload.userId must be 1–128 letters, digits or ._:@+=- characters.');
    }
    const checkedName = typeof name === 'string' ? checkDisplayName(name) : { ok: false as const, message: 'payload.name must be a string' };
    if (!checkedName.ok) return malformed(`payload.name refused: ${checkedName.message}.`);
    if (!isRole(role)) return malformed("payload.role must be 'tutor' or 'student'.");
    return { ok: true, identity: { room, userId, name: checkedName.name, role } };
  }

  const { token, room: requestedRoom } = fields;
  if (token === undefined || token === null || token === '') {
    return refused('token-missing', 'This server requires a join token (payload.token).', false);
  }
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) {
    return refused('token-invalid', 'The join token is not valid (signature, algorithm or format).', false);
  }
  if (requestedRoom !== undefined && typeof requestedRoom !== 'string') {
    return malformed('payload.room must be a string when present.');
  }
  return { ok: 'verify-token', token, requestedRoom };
}

/** The time limits a token is checked against, in seconds. */
export interface TokenLifetimeCheck {
  /** Now, in seconds since the epoch. */
  nowSeconds: number;
  /** Longest accepted distance from now to `exp`. */
  maxLifetime: number;
  /** Clock skew tolerated. */
  clockTolerance: number;
}

/**
 * Second step in token mode: the verified token's claims against the requested
 * room and the server's maximum token lifetime. `expiresAt` is in milliseconds.
 */
export function resolveTokenIdentity(
  verdict: JoinTokenVerdict,
  requestedRoom: string | undefined,
  lifetime: TokenLifetimeCheck,
): { ok: true; identity: JoinIdentity; expiresAt: number } | JoinRefusal {
  if (!verdict.ok) return refused(verdict.code, verdict.message, false);
  const { claims } = verdict;
  if (!Number.isFinite(claims.exp) || claims.exp - lifetime.nowSeconds > lifetime.maxLifetime + lifetime.clockTolerance) {
    return refused(
      'token-lifetime',
      `The join token is valid for too long (this server accepts at most ${lifetime.maxLifetime} s from now); ask for a new one.`,
      false,
    );
  }
  if (requestedRoom !== undefined && requestedRoom !== claims.room) {
    return refused('token-wrong-room', 'The join token was issued for another room.', false);
  }
  return {
    ok: true,
    identity: {
      room: claims.room,
      userId: claims.sub,
      name: claims.name,
      role: claims.role,
      ...(claims.waiting ? { waiting: true } : {}),
      ...(claims.topology ? { topology: claims.topology } : {}),
    },
    expiresAt: claims.exp * 1000,
  };
}
