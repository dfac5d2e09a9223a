/**
 * Tickets for the SFU proxy: a joined member of an SFU room gets one (in its
 * join answer, and fresh on request) and opens `<path>sfu?ticket=…` with it.
 * A ticket names the room, the member's peer id and role and when it ends,
 * signed with HMAC-SHA256 under the server's key: short-lived (60 s by
 * default), useless to anyone who is not that member in that room (the proxy
 * also checks the member is still there).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { isRole, type Role } from '../../protocol/index.js';

export interface SfuTicket {
  room: string;
  peerId: string;
  role: Role;
  /** Ends at, ms since the epoch. */
  expiresAt: number;
}

export const SFU_TICKET_LIFETIME_MS = 60_000;
/** Longer than any ticket we sign: refused before any work. */
const MAX_TICKET_LENGTH = 1024;

function sign(key: Buffer, body: string): string {
  return createHmac('sha256', key).update(`live-session sfu ticket\n${body}`).digest('base64url');
}

export function signSfuTicket(key: Buffer, ticket: Omit<SfuTicket, 'expiresAt'>, now = Date.now(), lifetimeMs = SFU_TICKET_LIFETIME_MS): string {
  const body = Buffer.from(JSON.stringify({ r: ticket.room, p: ticket.peerId, o: ticket.role, e: now + lifetimeMs })).toString('base64url');
  return `${body}.${sign(key, body)}`;
}

/** The ticket's content when its signature holds and it has not ended; undefined otherwise. */
export function verifySfuTicket(key: Buffer, text: string, now = Date.now()): SfuTicket | undefined {
  if (text.length > MAX_TICKET_LENGTH) return undefined;
  const [body, signature, extra] = text.split('.');
  if (body === undefined || signature === undefined || extra !== undefined) return undefined;
  const expected = Buffer.from(sign(key, body));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
  let fields: unknown;
  try {
    fields = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof fields !== 'object' || fields === null) return undefined;
  const { r, p, o, e } = fields as Record<string, unknown>;
  if (typeof r !== 'string' || typeof p !== 'string' || !isRole(o) || typeof e !== 'number' || e <= now) return undefined;
  return { room: r, peerId: p, role: o, expiresAt: e };
}
