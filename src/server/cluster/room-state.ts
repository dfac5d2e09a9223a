/**
 * What a room carries over when it moves to another process (its home
 * process was lost): the users the tutor removed, the waiting room and lock
 * settings, and the chat. Saved by the home while the room lives, read by the
 * next process that becomes its home. A room's members and their hands are
 * not carried: they come back by joining again (into a locked or waiting
 * room too: the members it had are let back in).
 */
import { isRecord, type AdmissionInfo, type ChatMessageInfo } from '../../protocol/index.js';
import type { JoinAdmission } from '../join-admission.js';
import type { RoomAdmission } from '../room-admission.js';
import type { RoomChat, SavedChat } from '../room-chat.js';
import type { Room } from '../room-registry.js';

export interface RoomStateParts {
  room(name: string): Room | undefined;
  admission: JoinAdmission;
  waitingRoom: RoomAdmission;
  chat: RoomChat;
}

interface SavedRoom {
  /** User ids of the members: they still get into a locked room when they come back. */
  members?: string[];
  removed?: [string, number][];
  admission?: AdmissionInfo;
  chat?: SavedChat;
}

/** The room's state as JSON, or undefined when there is nothing to carry over. */
export function saveRoomState(parts: RoomStateParts, name: string): string | undefined {
  const saved: SavedRoom = {};
  const removed = parts.admission.removedEntries(name);
  if (removed.length > 0) saved.removed = removed;
  if (parts.waitingRoom.hasSettings(name)) saved.admission = parts.waitingRoom.settings(name);
  const room = parts.room(name);
  const chat = room ? parts.chat.save(room) : undefined;
  if (chat) saved.chat = chat;
  if (room && room.size > 0) saved.members = room.allMembers().map((member) => member.info.userId);
  return Object.keys(saved).length === 0 ? undefined : JSON.stringify(saved);
}

/** Changes whenever the saved state would (cheap: no serialising), so an unchanged room is not saved again. */
export function roomStateVersion(parts: RoomStateParts, name: string): string {
  const removed = parts.admission.removedEntries(name);
  const settings = parts.waitingRoom.settings(name);
  const room = parts.room(name);
  const chat = room ? parts.chat.save(room) : undefined;
  return [
    room?.allMembers().map((member) => member.info.userId).join(',') ?? '',
    removed.length,
    removed.at(-1)?.join('@') ?? '',
    settings.waiting,
    settings.locked,
    chat?.sequence ?? 0,
    chat?.messages.length ?? 0,
    chat?.studentsMayChat ?? true,
  ].join('|');
}

/** How long saved state is kept: the longest removal still running, else an hour. */
export function stateLifetime(json: string, now = Date.now()): number {
  const saved = JSON.parse(json) as SavedRoom;
  const removals = (saved.removed ?? []).map(([, until]) => until - now);
  const forRemovals = removals.length > 0 ? Math.max(...removals) : 0;
  return Math.max(3_600_000, forRemovals);
}

function isChatMessage(value: unknown): value is ChatMessageInfo {
  return isRecord(value) && typeof value['id'] === 'string' && typeof value['text'] === 'string' && isRecord(value['from']) && typeof value['sentAt'] === 'number';
}

/** Takes up state saved by the room's previous home; returns what was restored. */
export function restoreRoomState(parts: RoomStateParts, name: string, json: string): { removed: number; admission: boolean; chat: number } {
  const saved: unknown = JSON.parse(json);
  if (!isRecord(saved)) throw new TypeError('saved room state is not an object');
  const restored = { removed: 0, admission: false, chat: 0 };
  const removed = saved['removed'];
  if (Array.isArray(removed)) {
    for (const entry of removed as unknown[]) {
      if (!Array.isArray(entry)) continue;
      const [userId, until] = entry as unknown[];
      if (typeof userId !== 'string' || typeof until !== 'number' || until <= Date.now()) continue;
      parts.admission.remove(name, userId, until);
      restored.removed++;
    }
  }
  const admission = saved['admission'];
  if (isRecord(admission) && typeof admission['waiting'] === 'boolean' && typeof admission['locked'] === 'boolean') {
    const members = Array.isArray(saved['members']) ? (saved['members'] as unknown[]).filter((id): id is string => typeof id === 'string') : [];
    parts.waitingRoom.restore(name, { waiting: admission['waiting'], locked: admission['locked'] }, members);
    restored.admission = true;
  }
  const chat = saved['chat'];
  if (isRecord(chat) && Array.isArray(chat['messages']) && typeof chat['studentsMayChat'] === 'boolean' && typeof chat['sequence'] === 'number') {
    const messages = (chat['messages'] as unknown[]).filter(isChatMessage);
    parts.chat.seed(name, { messages, studentsMayChat: chat['studentsMayChat'], sequence: chat['sequence'] });
    restored.chat = messages.length;
  }
  return restored;
}
