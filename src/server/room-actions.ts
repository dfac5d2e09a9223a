/**
 * What joined sockets do to their room: join (or resume), leave, camera/mic
 * state, hands, and the tutor's actions (mute, mute all, remove, lower a hand,
 * ask to unmute). Role checks happen before these are called.
 */
import {
  LIMITS,
  isRecord,
  type AdmissionInfo,
  type LeaveReason,
  type ParticipantInfo,
  type RecordingInfo,
  type RelayCredentials,
  type Role,
  type WaitingInfo,
} from '../protocol/index.js';
import { checkHandPayload, checkStatePayload, checkTargetPayload } from './frames.js';
import type { JoinAdmission } from './join-admission.js';
import type { JoinIdentity } from './join-identity.js';
import type { IceServerConfig, ResolvedRoomServerOptions } from './options.js';
import type { MediaConnectionTable } from './relay.js';
import type { Member, Room, RoomRegistry } from './room-registry.js';
import type { ServerLog, SocketGate } from './socket-gate.js';
import type { JoinedMembership, SocketSession } from './socket-session.js';
import type { UpdatePacer } from './update-pacer.js';
import type { RoomChat } from './room-chat.js';
import { RoomFloor } from './room-floor.js';
import { RoomAdmission } from './room-admission.js';
import { RoomScreen } from './room-screen.js';
import { relayCredentials } from './relay-credentials.js';
import type { RequestOutcome } from './request-outcome.js';
import type { SfuService } from './janus/sfu-service.js';
import type { RecordingStore } from './janus/recordings.js';
import { RoomRecording } from './room-recording.js';

/** Camera and microphone flags of a join. */
export interface JoinMedia {
  isVideoOn: boolean;
  isAudioOn: boolean;
}

export type TutorActionType = 'LS-MUTE' | 'LS-REMOVE' | 'LS-LOWER-HAND' | 'LS-ASK-UNMUTE';

/** A member entered a room (or moved to a new socket after a blip: `resumed`). */
export interface MemberJoinEvent {
  room: string;
  peerId: string;
  userId: string;
  name: string;
  role: Role;
  /** Milliseconds since the epoch. */
  at: number;
  /** The same peer id came back on a new socket; the room saw no leave. */
  resumed: boolean;
}

/** A member left a room. */
export interface MemberLeaveEvent {
  room: string;
  peerId: string;
  userId: string;
  role: Role;
  reason: LeaveReason | 'shutdown';
  at: number;
}

/** The last member left a room (or the server stopped with members in it). */
export interface RoomEndEvent {
  room: string;
  at: number;
}

/** Where membership changes go: the room server re-emits them as its own events. */
export interface MembershipSink {
  joined(event: MemberJoinEvent): void;
  left(event: MemberLeaveEvent): void;
  ended(event: RoomEndEvent): void;
}

/** The parts of the server room actions work with. */
export interface RoomActionParts {
  registry: RoomRegistry<SocketSession>;
  gate: SocketGate;
  options: ResolvedRoomServerOptions;
  log: ServerLog;
  /** Removed users and join budgets. */
  admission: JoinAdmission;
  /** Live media connections, forgotten when a member leaves. */
  connections: MediaConnectionTable;
  /** Paces the broadcasts each participant's changes cause. */
  pacer: UpdatePacer<ParticipantInfo>;
  /** Each room's chat, whose history a joiner receives. */
  chat: RoomChat;
  /** Told of every join, leave and room end. */
  membership: MembershipSink;
  /** The SFU of large classes, when the server knows its Janus. */
  sfu?: SfuService;
  /** Lesson recordings (SFU rooms), when the server has a recordings folder. */
  recordings?: RecordingStore;
}

type RoomTopology = 'mesh' | 'star' | 'sfu';
type SfuGrant = { state: 'up'; ticket: string } | { state: 'unavailable'; message: string };

export class RoomActions {
  private readonly registry: RoomRegistry<SocketSession>;
  private readonly gate: SocketGate;
  private readonly options: ResolvedRoomServerOptions;
  private readonly log: ServerLog;
  private readonly admission: JoinAdmission;
  private readonly sfu: SfuService | undefined;
  /** Each room's topology, fixed by its first join (absent: the pages decide between mesh and star). */
  private readonly topologies = new Map<string, RoomTopology>();
  private readonly connections: MediaConnectionTable;
  private readonly pacer: UpdatePacer<ParticipantInfo>;
  private readonly chat: RoomChat;
  private readonly membership: MembershipSink;
  /** Who may speak, per room. */
  readonly floor: RoomFloor;
  /** Waiting rooms and locks, per room. */
  readonly waitingRoom: RoomAdmission;
  /** Screen shares, per room. */
  readonly screen = new RoomScreen();
  /** Recording SFU rooms, when the server records. */
  readonly recording: RoomRecording | undefined;

  constructor(parts: RoomActionParts) {
    ({
      registry: this.registry,
      gate: this.gate,
      options: this.options,
      log: this.log,
      admission: this.admission,
      connections: this.connections,
      pacer: this.pacer,
      chat: this.chat,
      membership: this.membership,
    } = parts);
    this.sfu = parts.sfu;
    this.recording =
      parts.recordings && this.sfu
        ? new RoomRecording(parts.recordings, this.sfu, {
            isSfuRoom: (room) => this.topologies.get(room) === 'sfu',
            tell: (name, info) => {
              const room = this.registry.get(name);
              for (const participant of room?.participants() ?? []) {
                room?.member(participant.id)?.connection.send({ type: 'LS-RECORDING', payload: info(participant.role) });
              }
            },
            log: (level, event, fields) => {
              this.log(level, event, fields);
            },
          })
        : undefined;
    this.waitingRoom = new RoomAdmission({
      registry: this.registry,
      maxWaiting: this.options.maxRoomSize,
      enter: (join) => this.admit(join.session, join.identity, join.media, join.tokenExpiresAt, true),
    });
    this.floor = new RoomFloor({
      mute: (member, by) => this.mute(member as Member<SocketSession>, by),
      lowerHand: (member) => this.setHand(member.room as Room<SocketSession>, member as Member<SocketSession>, false),
    });
  }

  /**
   * Puts a socket into a room (or moves a member to it, see {@link resume}).
   * `tokenExpiresAt` (ms) is the join token's expiry, in token mode.
   */
  admit(session: SocketSession, identity: JoinIdentity, media: JoinMedia, tokenExpiresAt?: number, admittedByTutor = false): void {
    const refusal = admittedByTutor ? undefined : this.admission.admit(identity.room, identity.userId);
    if (refusal) {
      this.gate.refuse(session, 'LS-JOIN', refusal.code, refusal.message);
      this.gate.penalise(session);
      return;
    }
    const existingRoom = this.registry.get(identity.room);
    if (!admittedByTutor) {
      const rejoining = existingRoom?.memberByUserId(identity.userId) !== undefined;
      const verdict = this.waitingRoom.decide(identity, rejoining);
      if (verdict === 'wait') {
        this.waitingRoom.wait({ session, identity, media, tokenExpiresAt, since: Date.now() });
        this.log('info', 'waiting', { room: identity.room, peerId: session.peerId, userId: identity.userId });
        return;
      }
      if (verdict !== 'enter') {
        this.gate.refuse(session, 'LS-JOIN', verdict.code, verdict.message);
        this.gate.penalise(session);
        return;
      }
    }
    session.tokenExpiresAt = tokenExpiresAt;
    const resumed = existingRoom?.member(session.peerId);
    if (resumed && resumed.info.userId === identity.userId && resumed.connection !== session) {
      this.resume(session, resumed, media);
      return;
    }
    const replaced = new Set<Member<SocketSession>>();
    const sameUser = existingRoom?.memberByUserId(identity.userId);
    if (sameUser) replaced.add(sameUser);
    const samePeer = existingRoom?.member(session.peerId);
    if (samePeer) replaced.add(samePeer);
    if (existingRoom && existingRoom.size - replaced.size >= this.options.maxRoomSize) {
      this.gate.refuse(session, 'LS-JOIN', 'room-full', `The room is full (${this.options.maxRoomSize} participants).`);
      this.gate.penalise(session);
      return;
    }
    if (this.registry.memberCount - replaced.size >= this.options.concurrentLimit) {
      this.gate.refuse(session, 'LS-JOIN', 'server-full', 'The server has as many participants as it accepts; try again later.');
      this.gate.penalise(session);
      return;
    }
    // The room is occupied again at once: no room end for the moment it was empty.
    for (const old of replaced) this.removeMember(old, 'replaced', { rejoining: true });

    const room = this.registry.getOrCreate(identity.room);
    this.fixTopology(room.name, identity.topology);
    const info: ParticipantInfo = {
      id: session.peerId,
      userId: identity.userId,
      name: identity.name,
      role: identity.role,
      isVideoOn: media.isVideoOn,
      isAudioOn: this.floor.admitAudio(room, identity.role, media.isAudioOn),
      isHandRaised: false,
      joinedAt: Date.now(),
    };
    const participants = room.participants();
    const member = room.add(info, session);
    session.membership = { room, member };
    session.send({
      type: 'LS-JOINED',
      payload: {
        room: room.name,
        self: { ...info },
        participants,
        handQueue: room.handQueue,
        chat: this.chat.snapshotFor(room, info.userId),
        floor: this.floor.snapshot(room),
        screen: this.screen.snapshot(room),
        ...this.admissionFor(room.name, info.role),
        ...this.iceFor(info.userId),
        ...this.mediaFor(room.name, info.id, info.role),
      },
    });
    room.broadcast({ type: 'LS-PARTICIPANT-JOINED', payload: { participant: { ...info } } }, info.id);
    this.log('info', 'join', {
      room: room.name,
      peerId: info.id,
      userId: info.userId,
      role: info.role,
      size: room.size,
      ...(replaced.size > 0 ? { replaced: [...replaced].map((old) => old.info.id) } : {}),
    });
    this.membership.joined({
      room: room.name,
      peerId: info.id,
      userId: info.userId,
      name: info.name,
      role: info.role,
      at: info.joinedAt,
      resumed: false,
    });
  }

  /**
   * The same peer id joins again on a new socket: PeerJS re-attached after a
   * network blip while the old socket was not yet seen dead. The membership moves
   * to the new socket with no leave or join for the room (its media connections
   * never stopped); the room only sees the state update.
   */
  private resume(session: SocketSession, member: Member<SocketSession>, media: JoinMedia): void {
    const room = member.room;
    const previous = member.connection;
    if (previous.membership?.member === member) previous.membership = undefined;
    const moved = room.reattach(member, session);
    moved.info.isVideoOn = media.isVideoOn;
    moved.info.isAudioOn = media.isAudioOn && this.floor.mayUnmute(moved);
    session.membership = { room, member: moved };
    session.send({
      type: 'LS-JOINED',
      payload: {
        room: room.name,
        self: { ...moved.info },
        participants: room.participants(moved.info.id),
        handQueue: room.handQueue,
        chat: this.chat.snapshotFor(room, moved.info.userId),
        floor: this.floor.snapshot(room),
        screen: this.screen.snapshot(room),
        ...this.admissionFor(room.name, moved.info.role),
        ...this.iceFor(moved.info.userId),
        ...this.mediaFor(room.name, moved.info.id, moved.info.role),
      },
    });
    this.broadcastUpdate(room, moved);
    this.log('info', 'resume', { room: room.name, peerId: moved.info.id, userId: moved.info.userId });
    this.membership.joined({
      room: room.name,
      peerId: moved.info.id,
      userId: moved.info.userId,
      name: moved.info.name,
      role: moved.info.role,
      at: Date.now(),
      resumed: true,
    });
  }

  /** Takes a member out of its room and tells everyone who needs to know. */
  removeMember(member: Member<SocketSession>, reason: LeaveReason, how: { rejoining?: boolean } = {}): void {
    const room = member.room;
    const { removed, handQueueChanged } = room.remove(member);
    if (!removed) return;
    const session = member.connection;
    if (session.membership?.member === member) session.membership = undefined;
    this.pacer.forget(member.info);
    this.connections.forget(member.info.id);
    this.floor.forget(member);
    this.screen.forget(member);
    if (reason === 'removed') {
      const until = session.tokenExpiresAt ?? Date.now() + this.options.maxTokenLifetime * 1000;
      this.admission.remove(room.name, member.info.userId, until);
    }
    if (reason === 'removed' || reason === 'replaced') {
      session.send({
        type: 'LS-EVICTED',
        payload: {
          reason,
          message:
            reason === 'removed'
              ? 'The tutor removed you from the room.'
              : 'You joined this room again from another connection; this one was replaced.',
        },
      });
    }
    room.broadcast({ type: 'LS-PARTICIPANT-LEFT', payload: { id: member.info.id, userId: member.info.userId, reason } });
    if (handQueueChanged) room.broadcast({ type: 'LS-HAND-QUEUE', payload: { handQueue: room.handQueue } });
    this.registry.deleteIfEmpty(room);
    if (room.size === 0) this.waitingRoom.roomEmptied(room.name);
    this.log('info', 'leave', {
      room: room.name,
      peerId: member.info.id,
      userId: member.info.userId,
      reason,
      size: room.size,
    });
    const at = Date.now();
    this.membership.left({ room: room.name, peerId: member.info.id, userId: member.info.userId, role: member.info.role, reason, at });
    this.sfu?.memberLeft(room.name, member.info.id);
    if (room.size === 0 && how.rejoining !== true) {
      // A recording still running ends with the lesson (and is converted for the tutors' next visit).
      void this.recording?.stop(room.name);
      this.topologies.delete(room.name);
      void this.sfu?.roomEmpty(room.name);
      this.membership.ended({ room: room.name, at });
    }
  }

  /** Fixes a room's topology at its first join: the token's claim, else the server's option. */
  private fixTopology(room: string, claimed: RoomTopology | undefined): void {
    if (this.topologies.has(room)) return;
    let topology = claimed ?? this.options.topology;
    if (topology === undefined) return;
    if (topology === 'sfu' && !this.sfu) {
      this.log('warn', 'sfu-unconfigured', { room, message: 'An sfu room on a server without --janus runs as star.' });
      topology = 'star';
    }
    this.topologies.set(room, topology);
  }

  /** The room's topology, when the server fixed one. */
  topologyOf(room: string): RoomTopology | undefined {
    return this.topologies.get(room);
  }

  /** The media part of an LS-JOINED: the room's topology, and in an SFU room the member's grant. */
  private mediaFor(room: string, peerId: string, role: Role): { topology?: RoomTopology; sfu?: SfuGrant; recording?: RecordingInfo } {
    const topology = this.topologies.get(room);
    if (!topology) return {};
    const recording = this.recording ? { recording: this.recording.info(room, role) } : {};
    return topology === 'sfu' ? { topology, sfu: this.sfuGrant(room, peerId, role), ...recording } : { topology, ...recording };
  }

  /** LS-RECORD (tutors): start or stop recording the lesson. */
  record(member: Member<SocketSession>, payload: unknown): RequestOutcome {
    if (!this.recording) return { ok: false, code: 'forbidden', message: 'This server does not record lessons.' };
    return this.recording.request(member.room.name, payload);
  }

  /** A member's way into the SFU: a fresh ticket, or why there is none. */
  private sfuGrant(room: string, peerId: string, role: Role): SfuGrant {
    if (this.sfu?.state !== 'up') {
      return { state: 'unavailable', message: "The video server of this room can't be reached. The room server keeps trying." };
    }
    // The VideoRoom is made now, so it is ready when the member's proxy asks for it.
    void this.sfu.ensureRoom(room).catch((error: unknown) => {
      this.log('warn', 'sfu-room-failed', { room, message: error instanceof Error ? error.message : String(error) });
    });
    return { state: 'up', ticket: this.sfu.ticket(room, peerId, role) };
  }

  /** LS-SFU-TICKET: a fresh ticket (the last one ran out, or the member's path broke). */
  sfuTicket(member: Member<SocketSession>): RequestOutcome {
    if (this.topologies.get(member.room.name) !== 'sfu') return { ok: false, code: 'forbidden', message: 'This room does not use the SFU.' };
    member.connection.send({ type: 'LS-SFU', payload: this.sfuGrant(member.room.name, member.info.id, member.info.role) });
    return { ok: true };
  }

  /** Janus went away or came back: every member of every SFU room hears it (with a fresh ticket when it is back). */
  sfuStateChanged(): void {
    if (this.sfu?.state !== 'up') void this.recording?.sfuDown();
    for (const [name, topology] of this.topologies) {
      const room = this.registry.get(name);
      if (topology !== 'sfu' || !room) continue;
      for (const participant of room.participants()) {
        room.member(participant.id)?.connection.send({ type: 'LS-SFU', payload: this.sfuGrant(name, participant.id, participant.role) });
      }
    }
  }

  /**
   * The ICE part of an LS-JOINED: the static STUN/TURN servers (what `<path>ice`
   * serves, so a page need not fetch them before it connects) and, when a TURN
   * relay is configured, this member's credentials.
   */
  private iceFor(userId: string): { iceServers: IceServerConfig[]; relay?: RelayCredentials } {
    return { iceServers: this.options.iceServers, ...(this.options.turn ? { relay: relayCredentials(this.options.turn, userId) } : {}) };
  }

  /** LS-ICE: fresh relay credentials for a member (the ones from the join run out). */
  refreshRelay(member: Member<SocketSession>): RequestOutcome {
    if (!this.options.turn) return { ok: false, code: 'forbidden', message: 'This server hands out no relay credentials.' };
    member.connection.send({ type: 'LS-ICE', payload: relayCredentials(this.options.turn, member.info.userId) });
    return { ok: true };
  }

  /** The admission part of an LS-JOINED: the settings, and for a tutor the waiting list. */
  private admissionFor(room: string, role: string): { admission: AdmissionInfo; waiting?: WaitingInfo[] } {
    const admission = this.waitingRoom.settings(room);
    return role === 'tutor' ? { admission, waiting: this.waitingRoom.waitingList(room) } : { admission };
  }

  /**
   * Tells the room a member's current state, paced per member: a burst of
   * changes becomes one broadcast now and one with the latest state later.
   */
  private broadcastUpdate(room: Room<SocketSession>, member: Member<SocketSession>, handQueueChanged = false): void {
    const info = member.info;
    this.pacer.update(
      info,
      (queueChanged) => {
        if (room.member(info.id)?.info !== info) return; // Left meanwhile.
        room.broadcast({ type: 'LS-PARTICIPANT-UPDATED', payload: { participant: { ...info } } });
        if (queueChanged) room.broadcast({ type: 'LS-HAND-QUEUE', payload: { handQueue: room.handQueue } });
      },
      handQueueChanged,
    );
  }

  /** LS-STATE: the sender's own camera/microphone flags, and whether it takes incoming video. */
  setState(session: SocketSession, membership: JoinedMembership, frame: Record<string, unknown>): void {
    const state = checkStatePayload(frame);
    if (!state.ok) {
      this.gate.refuseMalformed(session, 'bad-payload', state.message, 'LS-STATE');
      return;
    }
    const info = membership.member.info;
    let changed = false;
    if (state.value.isVideoOn !== undefined && state.value.isVideoOn !== info.isVideoOn) {
      info.isVideoOn = state.value.isVideoOn;
      changed = true;
    }
    if (state.value.isAudioOn === true && !info.isAudioOn && !this.floor.mayUnmute(membership.member)) {
      // Talking-stick mode: nothing changes, not even the camera of the same request.
      this.gate.refuse(session, 'LS-STATE', 'floor-required', 'Only students the tutor invited to speak may unmute now.');
      return;
    }
    if (state.value.isAudioOn !== undefined && state.value.isAudioOn !== info.isAudioOn) {
      info.isAudioOn = state.value.isAudioOn;
      changed = true;
    }
    const incomingVideoOff = state.value.incomingVideoOff;
    if (incomingVideoOff !== undefined && incomingVideoOff !== (info.incomingVideoOff === true)) {
      // Present only while true, so members who never use it look as before on the wire.
      if (incomingVideoOff) info.incomingVideoOff = true;
      else delete info.incomingVideoOff;
      changed = true;
    }
    if (changed) this.broadcastUpdate(membership.room, membership.member);
  }

  /** LS-HAND: the sender raises or lowers its own hand. */
  raiseHand(session: SocketSession, membership: JoinedMembership, frame: Record<string, unknown>): void {
    const raised = checkHandPayload(frame);
    if (!raised.ok) {
      this.gate.refuseMalformed(session, 'bad-payload', raised.message, 'LS-HAND');
      return;
    }
    this.setHand(membership.room, membership.member, raised.value);
  }

  private setHand(room: Room<SocketSession>, member: Member<SocketSession>, raised: boolean): void {
    if (!room.setHand(member, raised)) return;
    this.broadcastUpdate(room, member, true);
  }

  /** Turns a member's microphone off (never on) and tells it who did. */
  private mute(member: Member<SocketSession>, by: string): void {
    member.connection.send({ type: 'LS-MUTED', payload: { by } });
    if (member.info.isAudioOn) {
      member.info.isAudioOn = false;
      this.broadcastUpdate(member.room, member);
    }
  }

  /** LS-MUTE-ALL: every other member's microphone off. */
  muteAll(membership: JoinedMembership): void {
    for (const member of membership.room.allMembers()) {
      if (member !== membership.member) this.mute(member, membership.member.info.id);
    }
  }

  /** LS-READMIT: a user the tutor removed may join this room again. */
  readmit(session: SocketSession, membership: JoinedMembership, frame: Record<string, unknown>): void {
    const payload = frame['payload'];
    const userId = isRecord(payload) ? payload['userId'] : undefined;
    if (typeof userId !== 'string' || !LIMITS.userIdPattern.test(userId)) {
      this.gate.refuseMalformed(session, 'bad-payload', 'payload.userId must be the user id of a removed participant.', 'LS-READMIT');
      return;
    }
    if (!this.admission.readmit(membership.room.name, userId)) {
      this.gate.refuse(session, 'LS-READMIT', 'no-such-participant', 'Nobody with that user id is removed from your room.');
      return;
    }
    this.log('info', 'readmit', { room: membership.room.name, by: membership.member.info.id, userId });
  }

  /** A tutor action aimed at one member of the tutor's room. */
  tutorAction(session: SocketSession, membership: JoinedMembership, type: TutorActionType, frame: Record<string, unknown>): void {
    const target = checkTargetPayload(frame);
    if (!target.ok) {
      this.gate.refuseMalformed(session, 'bad-payload', target.message, type);
      return;
    }
    const targetMember = membership.room.member(target.value);
    if (!targetMember) {
      this.gate.refuse(session, type, 'no-such-participant', 'No participant with that peer id in your room.');
      return;
    }
    const by = membership.member.info.id;
    switch (type) {
      case 'LS-MUTE':
        this.mute(targetMember, by);
        return;
      case 'LS-REMOVE':
        if (targetMember === membership.member) {
          this.gate.refuse(session, type, 'bad-payload', 'Use LS-LEAVE to leave the room yourself.');
          return;
        }
        this.log('info', 'remove', { room: membership.room.name, by, target: target.value });
        this.removeMember(targetMember, 'removed');
        return;
      case 'LS-LOWER-HAND':
        this.setHand(membership.room, targetMember, false);
        return;
      case 'LS-ASK-UNMUTE':
        targetMember.connection.send({ type: 'LS-UNMUTE-REQUESTED', payload: { by } });
        return;
    }
  }
}
