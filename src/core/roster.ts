/**
 * The room as this client knows it, and the pure reducer that applies a server
 * message to it. No socket, no timer, no DOM: `applyServerMessage(state, msg)`
 * returns the new state and the list of what changed, from which the session
 * decides which events to fire; `toParticipants()` joins the roster with the
 * local media and the media links into what the UI renders.
 */
import type { LeaveReason, ParticipantInfo, ServerMessage } from '../protocol/index.js';
import type { Participant } from './events.js';
import type { ConnectionQuality, LinkFigures } from './link-quality.js';

export interface RosterState {
  /** The joined room, from the server. */
  readonly room: string | null;
  /** The local participant as the server recorded it; null until joined. */
  readonly self: ParticipantInfo | null;
  /** Everyone else, by peer id, in the order they became known. */
  readonly members: ReadonlyMap<string, ParticipantInfo>;
  /** Peer ids with a raised hand, in the order the hands went up. */
  readonly handQueue: readonly string[];
}

export const EMPTY_ROSTER: RosterState = Object.freeze({
  room: null,
  self: null,
  members: new Map<string, ParticipantInfo>(),
  handQueue: Object.freeze([] as string[]),
});

/** What an applied message changed; the session turns these into events. */
export type RosterChange =
  /** LS-JOINED. `vanished`: on a re-join, members of the old roster missing from the snapshot. */
  | { type: 'joined'; rejoin: boolean; vanished: ParticipantInfo[] }
  | { type: 'member-joined'; id: string }
  /** A member already known joined again (a re-join after its own reconnect). */
  | { type: 'member-back'; id: string }
  /** `member` is null when the id was not known (its media link may still need closing). */
  | { type: 'member-left'; id: string; member: ParticipantInfo | null; reason: LeaveReason }
  | { type: 'member-updated'; id: string }
  | { type: 'self-updated' }
  | { type: 'hand-queue' }
  /** The local microphone was turned off by `by`. */
  | { type: 'muted'; by: string };

export interface RosterUpdate {
  state: RosterState;
  changes: RosterChange[];
}

function withoutMember(state: RosterState, id: string): RosterState {
  const members = new Map(state.members);
  members.delete(id);
  return { ...state, members, handQueue: state.handQueue.filter((queued) => queued !== id) };
}

/** Adds (or keeps) members without a server message: participants kept through a grace period. */
export function keepMembers(state: RosterState, kept: readonly ParticipantInfo[]): RosterState {
  if (kept.length === 0) return state;
  const members = new Map(state.members);
  for (const member of kept) members.set(member.id, member);
  return { ...state, members };
}

/** Removes a member without a server message (a grace period ran out). */
export function removeMember(state: RosterState, id: string): RosterUpdate {
  const member = state.members.get(id) ?? null;
  if (!member) return { state, changes: [{ type: 'member-left', id, member: null, reason: 'timeout' }] };
  return { state: withoutMember(state, id), changes: [{ type: 'member-left', id, member, reason: 'timeout' }] };
}

/** Applies one server message. Messages that are not about the roster change nothing. */
export function applyServerMessage(state: RosterState, message: ServerMessage): RosterUpdate {
  switch (message.type) {
    case 'LS-JOINED': {
      const { room, self, participants, handQueue } = message.payload;
      const rejoin = state.self !== null;
      const members = new Map(participants.map((member) => [member.id, member] as const));
      const vanished = rejoin ? [...state.members.values()].filter((old) => !members.has(old.id)) : [];
      return {
        state: { room, self, members, handQueue: [...handQueue] },
        changes: [{ type: 'joined', rejoin, vanished }],
      };
    }
    case 'LS-PARTICIPANT-JOINED': {
      const info = message.payload.participant;
      if (info.id === state.self?.id) return { state, changes: [] };
      const changes: RosterChange[] = [];
      let next = state;
      // A newer membership of the same user replaces the old one (the server says so too).
      for (const [id, member] of state.members) {
        if (member.userId === info.userId && id !== info.id) {
          next = withoutMember(next, id);
          changes.push({ type: 'member-left', id, member, reason: 'replaced' });
        }
      }
      const known = next.members.has(info.id);
      const members = new Map(next.members);
      members.set(info.id, info);
      changes.push({ type: known ? 'member-back' : 'member-joined', id: info.id });
      return { state: { ...next, members }, changes };
    }
    case 'LS-PARTICIPANT-LEFT': {
      const { id, reason } = message.payload;
      if (id === state.self?.id) return { state, changes: [] };
      const member = state.members.get(id) ?? null;
      return {
        state: member ? withoutMember(state, id) : state,
        changes: [{ type: 'member-left', id, member, reason }],
      };
    }
    case 'LS-PARTICIPANT-UPDATED': {
      const info = message.payload.participant;
      if (info.id === state.self?.id) return { state: { ...state, self: info }, changes: [{ type: 'self-updated' }] };
      if (!state.members.has(info.id)) return { state, changes: [] };
      const members = new Map(state.members);
      members.set(info.id, info);
      return { state: { ...state, members }, changes: [{ type: 'member-updated', id: info.id }] };
    }
    case 'LS-HAND-QUEUE':
      return { state: { ...state, handQueue: [...message.payload.handQueue] }, changes: [{ type: 'hand-queue' }] };
    case 'LS-MUTED':
      return {
        state: state.self ? { ...state, self: { ...state.self, isAudioOn: false } } : state,
        changes: [{ type: 'muted', by: message.payload.by }],
      };
    default:
      return { state, changes: [] };
  }
}

/** What the media links know about one remote participant. */
export interface LinkView {
  stream: MediaStream | null;
  media: Participant['media'];
  quality?: ConnectionQuality | null;
  figures?: LinkFigures | null;
}

/** The local participant's own media, which wins over what the server last heard. */
export interface LocalView {
  isVideoOn: boolean;
  isAudioOn: boolean;
  stream: MediaStream | null;
  /** The local participant's own connection, judged from all its connections. */
  quality?: ConnectionQuality | null;
  /** Local changes the server has not confirmed yet (see docs/architecture.md, "One update model"). */
  pending?: Partial<Pick<ParticipantInfo, 'isHandRaised'>>;
}

/** Everyone in the room, the local participant first-class among them, sorted by join time. */
export function toParticipants(
  state: RosterState,
  links: ReadonlyMap<string, LinkView>,
  local: LocalView = { isVideoOn: false, isAudioOn: false, stream: null },
): readonly Participant[] {
  const all: Participant[] = [];
  const position = (id: string): number => state.handQueue.indexOf(id) + 1;
  if (state.self) {
    const self = state.self;
    const handPosition = position(self.id);
    const isHandRaised = local.pending?.isHandRaised ?? (self.isHandRaised || handPosition > 0);
    all.push({
      ...self,
      isVideoOn: local.isVideoOn,
      isAudioOn: local.isAudioOn,
      isHandRaised,
      isLocal: true,
      stream: local.stream,
      media: 'none',
      connectionQuality: local.quality ?? null,
      connectionFigures: null,
      handPosition: isHandRaised ? handPosition : 0,
    });
  }
  for (const member of state.members.values()) {
    const link = links.get(member.id);
    const handPosition = position(member.id);
    all.push({
      ...member,
      isHandRaised: member.isHandRaised || handPosition > 0,
      isLocal: false,
      stream: link?.stream ?? null,
      media: link?.media ?? 'none',
      connectionQuality: link?.quality ?? null,
      connectionFigures: link?.figures ?? null,
      handPosition,
    });
  }
  all.sort((a, b) => a.joinedAt - b.joinedAt || a.id.localeCompare(b.id));
  return Object.freeze(all);
}
