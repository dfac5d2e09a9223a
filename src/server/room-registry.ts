/**
 * Room membership: who is in which room, in join order, with their media and
 * hand state, and each room's hand queue. Knows nothing about sockets: a
 * member's `connection` is anything that can receive a server message.
 */
import type { ParticipantInfo, ServerMessage } from '../protocol/index.js';

/** Where messages for a member go. */
export interface MemberConnection {
  send(message: ServerMessage): void;
  /** Sends a message already serialised (a broadcast is serialised once for all recipients). */
  sendText(text: string): void;
}

/** One participant of one room. */
export interface Member<C extends MemberConnection = MemberConnection> {
  readonly info: ParticipantInfo;
  readonly connection: C;
  readonly room: Room<C>;
}

/** A read-only copy of one room's state. */
export interface RoomSnapshot {
  room: string;
  /** Oldest first. */
  participants: ParticipantInfo[];
  /** Peer ids with a raised hand, in the order the hands went up. */
  handQueue: string[];
}

export class Room<C extends MemberConnection = MemberConnection> {
  /** Members by peer id, in join order. */
  private readonly members = new Map<string, Member<C>>();
  private queue: string[] = [];

  constructor(readonly name: string) {}

  get size(): number {
    return this.members.size;
  }

  get handQueue(): string[] {
    return [...this.queue];
  }

  member(peerId: string): Member<C> | undefined {
    return this.members.get(peerId);
  }

  memberByUserId(userId: string): Member<C> | undefined {
    for (const member of this.members.values()) if (member.info.userId === userId) return member;
    return undefined;
  }

  allMembers(): Member<C>[] {
    return [...this.members.values()];
  }

  /** Copies of every participant, oldest first, optionally without one peer id. */
  participants(exceptPeerId?: string): ParticipantInfo[] {
    return this.allMembers()
      .filter((member) => member.info.id !== exceptPeerId)
      .map((member) => ({ ...member.info }));
  }

  /**
   * Moves a member to a new connection (the same peer id re-attached its
   * socket after a network blip): same place in the room, same hand, new socket.
   */
  reattach(member: Member<C>, connection: C): Member<C> {
    const moved: Member<C> = { info: member.info, connection, room: this };
    this.members.set(member.info.id, moved);
    return moved;
  }

  add(info: ParticipantInfo, connection: C): Member<C> {
    const member: Member<C> = { info, connection, room: this };
    this.members.set(info.id, member);
    if (info.isHandRaised) this.queue.push(info.id);
    return member;
  }

  /** Removes a member; returns whether the hand queue changed. */
  remove(member: Member<C>): { removed: boolean; handQueueChanged: boolean } {
    if (this.members.get(member.info.id) !== member) return { removed: false, handQueueChanged: false };
    this.members.delete(member.info.id);
    const before = this.queue.length;
    this.queue = this.queue.filter((id) => id !== member.info.id);
    return { removed: true, handQueueChanged: this.queue.length !== before };
  }

  /** Raises or lowers a member's hand; returns whether anything changed. */
  setHand(member: Member<C>, raised: boolean): boolean {
    if (member.info.isHandRaised === raised) return false;
    member.info.isHandRaised = raised;
    if (raised) this.queue.push(member.info.id);
    else this.queue = this.queue.filter((id) => id !== member.info.id);
    return true;
  }

  /** Sends `message` to every member, optionally except one peer id; serialised once. */
  broadcast(message: ServerMessage, exceptPeerId?: string): void {
    let text: string | undefined;
    for (const member of this.members.values()) {
      if (member.info.id === exceptPeerId) continue;
      text ??= JSON.stringify(message);
      member.connection.sendText(text);
    }
  }

  snapshot(): RoomSnapshot {
    return { room: this.name, participants: this.participants(), handQueue: this.handQueue };
  }
}

/** Every room of one server. Rooms exist while they have members. */
export class RoomRegistry<C extends MemberConnection = MemberConnection> {
  private readonly rooms = new Map<string, Room<C>>();

  get size(): number {
    return this.rooms.size;
  }

  get(name: string): Room<C> | undefined {
    return this.rooms.get(name);
  }

  getOrCreate(name: string): Room<C> {
    let room = this.rooms.get(name);
    if (!room) {
      room = new Room<C>(name);
      this.rooms.set(name, room);
    }
    return room;
  }

  /** Forgets the room when it has no members left. */
  deleteIfEmpty(room: Room<C>): void {
    if (room.size === 0 && this.rooms.get(room.name) === room) this.rooms.delete(room.name);
  }

  all(): Room<C>[] {
    return [...this.rooms.values()];
  }

  /** Members over all rooms. */
  get memberCount(): number {
    let count = 0;
    for (const room of this.rooms.values()) count += room.size;
    return count;
  }

  clear(): void {
    this.rooms.clear();
  }
}
