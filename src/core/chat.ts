/**
 * The room's chat as the session shows it: the history the join brought, the
 * messages since, deletions and the tutor's policy. Messages travel through
 * the room server (ordered, cleaned, rate-limited there); this module checks
 * what it can before sending, so an obvious mistake costs no round trip.
 */
import { LIMITS, cleanChatText, type ChatMessageInfo, type ChatParty, type ClientMessage, type ServerMessage } from '../protocol/index.js';
import type { ChatEntry, LiveSessionEventMap, SessionErrorDetail } from './events.js';
import type { DetailOf } from './typed-events.js';

export interface ChatHost {
  emit<K extends keyof LiveSessionEventMap>(type: K, detail: DetailOf<LiveSessionEventMap[K]>): void;
  changed(): void;
  send(message: ClientMessage): void;
  /** In the room; fires `not-joined` (and, with `tutorOnly`, `not-tutor`) when not. */
  allowed(tutorOnly: boolean): boolean;
  error(detail: SessionErrorDetail): void;
  userId(): string;
  isTutor(): boolean;
}

/** The most messages a session keeps (the server sends at most its history on join). */
const KEPT = 500;

export class Chat {
  readonly #host: ChatHost;
  #entries: readonly ChatEntry[] = Object.freeze([]);
  #studentsMayChat = true;

  constructor(host: ChatHost) {
    this.#host = host;
  }

  get messages(): readonly ChatEntry[] {
    return this.#entries;
  }

  get studentsMayChat(): boolean {
    return this.#studentsMayChat;
  }

  /** Whether the local participant may write to the whole room now. */
  get canChat(): boolean {
    return this.#studentsMayChat || this.#host.isTutor();
  }

  /** Forgets everything (after leaving). */
  reset(): void {
    this.#entries = Object.freeze([]);
    this.#studentsMayChat = true;
  }

  apply(message: ServerMessage): void {
    switch (message.type) {
      case 'LS-JOINED': {
        const chat = message.payload.chat;
        if (!chat) return;
        // A re-join brings the history again: it replaces ours (deletions meanwhile included).
        this.#entries = Object.freeze(chat.messages.slice(-KEPT).map((m) => this.#entry(m)));
        this.#studentsMayChat = chat.studentsMayChat;
        return;
      }
      case 'LS-CHAT': {
        const entry = this.#entry(message.payload.message);
        if (this.#entries.some((e) => e.id === entry.id)) return;
        this.#entries = Object.freeze([...this.#entries.slice(-(KEPT - 1)), entry]);
        this.#host.emit('chat-message', { message: entry });
        this.#host.changed();
        return;
      }
      case 'LS-CHAT-DELETED': {
        const { id } = message.payload;
        if (!this.#entries.some((e) => e.id === id)) return;
        this.#entries = Object.freeze(this.#entries.filter((e) => e.id !== id));
        this.#host.emit('chat-deleted', { id });
        this.#host.changed();
        return;
      }
      case 'LS-CHAT-POLICY':
        this.#studentsMayChat = message.payload.studentsMayChat;
        this.#host.emit('chat-policy', { studentsMayChat: this.#studentsMayChat });
        this.#host.changed();
        return;
      default:
        return;
    }
  }

  /** Sends a message to the room, or privately to one participant (`to`: peer id). False when it was not sent. */
  send(text: string, to?: string): boolean {
    if (!this.#host.allowed(false)) return false;
    const clean = cleanChatText(text);
    if (clean === '') return false;
    if (Array.from(clean).length > LIMITS.chatMaxLength) {
      this.#host.error({ code: 'message-too-long', message: `A chat message has at most ${String(LIMITS.chatMaxLength)} characters.`, request: 'LS-CHAT' });
      return false;
    }
    if (to === undefined && !this.canChat) {
      this.#host.error({ code: 'chat-disabled', message: 'The tutor has turned off messages to the room; you can still write to the tutor.', request: 'LS-CHAT' });
      return false;
    }
    this.#host.send({ type: 'LS-CHAT', payload: to === undefined ? { text: clean } : { text: clean, to } });
    return true;
  }

  delete(id: string): void {
    if (this.#host.allowed(true)) this.#host.send({ type: 'LS-CHAT-DELETE', payload: { id } });
  }

  setStudentsMayChat(allowed: boolean): void {
    if (this.#host.allowed(true)) this.#host.send({ type: 'LS-CHAT-POLICY', payload: { studentsMayChat: allowed } });
  }

  #entry(message: ChatMessageInfo): ChatEntry {
    const me = this.#host.userId();
    const copy = (p: ChatParty): ChatParty => Object.freeze({ ...p });
    return Object.freeze({
      id: message.id,
      from: copy(message.from),
      to: message.to ? copy(message.to) : null,
      text: message.text,
      sentAt: message.sentAt,
      isLocal: message.from.userId === me,
      isPrivate: message.to !== undefined,
    });
  }
}

/** A piece of a chat message: plain text, or a web link to render as one. */
export type ChatSegment = { text: string; href?: undefined } | { text: string; href: string };

const LINK = /\b(?:https?:\/\/|www\.)[^\s<>"'`]+/gi;
const TRAILING = /[.,;:!?'"»)\]}]+$/;

/**
 * Splits chat text into plain pieces and links (http and https only; `www.`
 * becomes https). Punctuation that ends a sentence stays out of the link, and
 * a closing parenthesis only when the link has no opening one. Render the
 * pieces as text nodes and anchors: the text itself is never parsed as markup.
 */
export function chatSegments(text: string): ChatSegment[] {
  const segments: ChatSegment[] = [];
  let last = 0;
  for (const match of text.matchAll(LINK)) {
    let candidate = match[0];
    let trailing = TRAILING.exec(candidate)?.[0] ?? '';
    candidate = candidate.slice(0, candidate.length - trailing.length);
    // "(see https://x.org/a_(b))": a closing parenthesis the link opened is the link's.
    while (trailing.startsWith(')') && count(candidate, '(') > count(candidate, ')')) {
      candidate += ')';
      trailing = trailing.slice(1);
    }
    const href = toHref(candidate);
    if (!href) continue;
    const start = match.index;
    if (start > last) segments.push({ text: text.slice(last, start) });
    segments.push({ text: candidate, href });
    last = start + candidate.length;
  }
  if (last < text.length) segments.push({ text: text.slice(last) });
  return segments;
}

function count(text: string, char: string): number {
  return text.split(char).length - 1;
}

function toHref(candidate: string): string | null {
  try {
    const url = new URL(/^www\./i.test(candidate) ? `https://${candidate}` : candidate);
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') return null;
    return url.href;
  } catch {
    return null;
  }
}
