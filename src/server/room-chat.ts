/**
 * Chat through the room server: ordered (one socket, one server), cleaned to
 * plain text, length- and rate-limited, with a bounded history per room that a
 * joiner receives in its LS-JOINED. Private messages reach their two parties
 * only, and only they find them in the history. A tutor can delete a message
 * and stop students writing to the whole room.
 *
 * The history lives as long as the room: when the last member leaves, it goes.
 */
import {
  LIMITS,
  cleanChatText,
  isRecord,
  type ChatMessageInfo,
  type ChatParty,
  type ChatSnapshot,
  type ParticipantInfo,
  type ServerMessage,
} from '../protocol/index.js';
import { KeyedBuckets } from './frames.js';
import type { Member, Room } from './room-registry.js';
import type { RequestOutcome } from './request-outcome.js';

export interface RoomChatOptions {
  /** Messages one user may send per minute, after a burst of {@link CHAT_BURST}. */
  perMinute: number;
  /** Messages a room keeps for joiners. */
  history: number;
}

/** Messages one user may send at once before the per-minute rate applies. */
export const CHAT_BURST = 5;

/** Longest raw text accepted before cleaning (UTF-16 units): cleaning never makes text longer. */
const RAW_TEXT_LIMIT = LIMITS.chatMaxLength * 4;

interface RoomChatState {
  messages: ChatMessageInfo[];
  studentsMayChat: boolean;
  sequence: number;
  /** Per user id, so that leaving and joining again does not refill it. */
  budgets: KeyedBuckets;
}

function party(info: ParticipantInfo): ChatParty {
  return { id: info.id, userId: info.userId, name: info.name, role: info.role };
}

function canRead(message: ChatMessageInfo, userId: string): boolean {
  return message.to === undefined || message.from.userId === userId || message.to.userId === userId;
}

/** What a room's chat carries over when the room moves to another process. */
export interface SavedChat {
  messages: ChatMessageInfo[];
  studentsMayChat: boolean;
  sequence: number;
}

export class RoomChat {
  readonly #rooms = new WeakMap<Room, RoomChatState>();
  /** Saved chats by room name, taken up when the room next starts here. */
  readonly #seeds = new Map<string, SavedChat>();
  readonly #options: RoomChatOptions;
  readonly #clock: () => number;

  constructor(options: RoomChatOptions, clock: () => number = Date.now) {
    this.#options = options;
    this.#clock = clock;
  }

  /** What a joiner (this user) may read of the room's chat. */
  snapshotFor(room: Room, userId: string): ChatSnapshot {
    const state = this.#existing(room);
    if (!state) return { messages: [], studentsMayChat: true };
    return { messages: state.messages.filter((m) => canRead(m, userId)), studentsMayChat: state.studentsMayChat };
  }

  /** LS-CHAT from a member. */
  send(member: Member, payload: unknown): RequestOutcome {
    if (!isRecord(payload) || typeof payload['text'] !== 'string') {
      return { ok: false, code: 'bad-payload', message: 'payload.text must be a string.', malformed: true };
    }
    const to = payload['to'];
    if (to !== undefined && (typeof to !== 'string' || !LIMITS.peerIdPattern.test(to))) {
      return { ok: false, code: 'bad-payload', message: 'payload.to must be the peer id of a participant in your room.', malformed: true };
    }
    const raw = payload['text'];
    if (raw.length > RAW_TEXT_LIMIT) return this.#tooLong();
    const text = cleanChatText(raw);
    if (text === '') return { ok: false, code: 'bad-payload', message: 'The message is empty.' };
    if (Array.from(text).length > LIMITS.chatMaxLength) return this.#tooLong();

    const room = member.room;
    const state = this.#state(room);
    const sender = member.info;
    let recipient: Member | undefined;
    if (to !== undefined) {
      recipient = room.member(to);
      if (!recipient || recipient === member) {
        return { ok: false, code: 'no-such-participant', message: 'No other participant with that peer id in your room.' };
      }
      if (sender.role !== 'tutor' && recipient.info.role !== 'tutor') {
        return { ok: false, code: 'forbidden', message: 'A student may write privately only to a tutor.' };
      }
    } else if (sender.role !== 'tutor' && !state.studentsMayChat) {
      return { ok: false, code: 'chat-disabled', message: 'The tutor has turned off messages to the room; you can still write to the tutor.' };
    }
    if (!state.budgets.take(sender.userId, this.#clock())) {
      return { ok: false, code: 'rate-limited', message: 'You are sending messages too fast; wait a moment.' };
    }

    const message: ChatMessageInfo = {
      id: (++state.sequence).toString(36),
      from: party(sender),
      ...(recipient ? { to: party(recipient.info) } : {}),
      text,
      sentAt: this.#clock(),
    };
    state.messages.push(message);
    if (state.messages.length > this.#options.history) state.messages.splice(0, state.messages.length - this.#options.history);
    const frame: ServerMessage = { type: 'LS-CHAT', payload: { message } };
    if (recipient) {
      member.connection.send(frame);
      recipient.connection.send(frame);
    } else {
      room.broadcast(frame);
    }
    return { ok: true };
  }

  /** LS-CHAT-DELETE (a tutor's). */
  delete(member: Member, payload: unknown): RequestOutcome {
    const id = isRecord(payload) ? payload['id'] : undefined;
    if (typeof id !== 'string' || id.length === 0 || id.length > 32) {
      return { ok: false, code: 'bad-payload', message: 'payload.id must be the id of a chat message.', malformed: true };
    }
    const room = member.room;
    const state = this.#existing(room);
    const index = state?.messages.findIndex((m) => m.id === id) ?? -1;
    const found = index >= 0 ? state?.messages[index] : undefined;
    // A tutor may delete what the room saw, and private messages it is a party to.
    if (!state || !found || !canRead(found, member.info.userId)) {
      return { ok: false, code: 'no-such-message', message: 'No chat message with that id in your room.' };
    }
    state.messages.splice(index, 1);
    const frame: ServerMessage = { type: 'LS-CHAT-DELETED', payload: { id, by: member.info.id } };
    if (found.to) {
      for (const who of room.allMembers()) {
        if (who.info.userId === found.from.userId || who.info.userId === found.to.userId) who.connection.send(frame);
      }
    } else {
      room.broadcast(frame);
    }
    return { ok: true };
  }

  /** LS-CHAT-POLICY (a tutor's). */
  setPolicy(member: Member, payload: unknown): RequestOutcome {
    const allowed = isRecord(payload) ? payload['studentsMayChat'] : undefined;
    if (typeof allowed !== 'boolean') {
      return { ok: false, code: 'bad-payload', message: 'payload.studentsMayChat must be true or false.', malformed: true };
    }
    const state = this.#state(member.room);
    if (state.studentsMayChat === allowed) return { ok: true };
    state.studentsMayChat = allowed;
    member.room.broadcast({ type: 'LS-CHAT-POLICY', payload: { studentsMayChat: allowed, by: member.info.id } });
    return { ok: true };
  }

  #tooLong(): RequestOutcome {
    return { ok: false, code: 'message-too-long', message: `A chat message has at most ${String(LIMITS.chatMaxLength)} characters.` };
  }

  /** The room's chat to carry over (undefined when it has none). */
  save(room: Room): SavedChat | undefined {
    const state = this.#rooms.get(room);
    if (!state || (state.messages.length === 0 && state.studentsMayChat)) return undefined;
    return { messages: state.messages, studentsMayChat: state.studentsMayChat, sequence: state.sequence };
  }

  /** A chat saved by the process that ran the room before: the room starts from it. */
  seed(roomName: string, saved: SavedChat): void {
    this.#seeds.set(roomName, { ...saved, messages: saved.messages.slice(-this.#options.history) });
  }

  /** Drops a seed the room did not take up (it started without it): a later session of the room must not inherit it. */
  unseed(roomName: string): void {
    this.#seeds.delete(roomName);
  }

  #existing(room: Room): RoomChatState | undefined {
    return this.#rooms.get(room) ?? (this.#seeds.has(room.name) ? this.#state(room) : undefined);
  }

  #state(room: Room): RoomChatState {
    let state = this.#rooms.get(room);
    if (!state) {
      const seed = this.#seeds.get(room.name);
      this.#seeds.delete(room.name);
      state = {
        messages: seed?.messages ?? [],
        studentsMayChat: seed?.studentsMayChat ?? true,
        sequence: seed?.sequence ?? 0,
        budgets: new KeyedBuckets(CHAT_BURST, this.#options.perMinute / 60),
      };
      this.#rooms.set(room, state);
    }
    return state;
  }

}
