/**
 * Who this tab is: a random id generator and the stable user id kept for the
 * tab, so a refresh is the same person.
 */
import { sha256Hex } from './sha256.js';

export const USER_ID_KEY = 'live-session.user-id';

export function randomId(prefix: string): string {
  const cryptoObject = globalThis.crypto as Crypto | undefined;
  const random =
    typeof cryptoObject?.randomUUID === 'function'
      ? cryptoObject.randomUUID().replace(/-/g, '')
      : `${Date.now().toString(36)}${Math.random().toString(36).slice(2)}`;
  return `${prefix}${random}`;
}

/** `sessionStorage` or `localStorage` where it exists and may be read (sandboxed frames and blocked storage throw); null otherwise. */
export function webStorage(kind: 'sessionStorage' | 'localStorage'): Storage | null {
  try {
    return (globalThis as { [K in typeof kind]?: Storage })[kind] ?? null;
  } catch {
    return null;
  }
}

/** sessionStorage where it exists and may be read; null otherwise. */
export function defaultStorage(): Storage | null {
  return webStorage('sessionStorage');
}

/** Reads the stable user id for this tab, generating and keeping one when absent. */
export function tabUserId(storage: Storage | null = defaultStorage()): string {
  try {
    const existing = storage?.getItem(USER_ID_KEY);
    if (existing) return existing;
  } catch {
    // Storage can throw (privacy modes); fall through to a fresh id.
  }
  const id = randomId('u-');
  try {
    storage?.setItem(USER_ID_KEY, id);
  } catch {
    // Not kept: a refresh will be a new person, which is the best we can do.
  }
  return id;
}

/** The `room` and `sub` claims of a join token, read without verifying it (the server verifies). */
export function tokenIdentity(token: string): { room: string; userId: string } | null {
  const payload = token.split('.')[1];
  if (!payload) return null;
  try {
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(payload.length / 4) * 4, '='));
    const claims = JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0)))) as unknown;
    if (typeof claims !== 'object' || claims === null) return null;
    const { room, sub } = claims as { room?: unknown; sub?: unknown };
    return typeof room === 'string' && typeof sub === 'string' ? { room, userId: sub } : null;
  } catch {
    return null;
  }
}

/**
 * The prefix of this participant's peer ids: a tag the server ties to one
 * identity in one room (16 hex digits of SHA-256 over `live-session peer id`,
 * the room and the user id, separated by newlines, then a dash), so after a
 * server restart nobody else can register the ids the room knows as ours.
 * Computed synchronously, so the websocket can open in the same task as the
 * join (and on a page that is not a secure context, where Web Crypto is absent).
 */
export function peerIdPrefix(room: string | undefined, userId: string): string {
  if (!room) return 'ls-';
  return `${sha256Hex(`live-session peer id\n${room}\n${userId}`).slice(0, 16)}-`;
}
