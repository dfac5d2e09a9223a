/**
 * The room as the session shows it: the roster (kept by the pure reducer in
 * roster.ts), the participants rendered from it, the grace periods after a
 * re-join, and the local participant's optimistic state (pending-state.ts).
 * It applies server messages and turns their changes into events.
 */
import type { ClientMessage, LeaveReason, ParticipantInfo, ServerMessage } from '../protocol/index.js';
import type { LiveSessionEventMap, Participant } from './events.js';
import type { Logger } from './logger.js';
import type { MediaLinks } from './media-links.js';
import { PendingState, type PendingField } from './pending-state.js';
import { partitionVanished } from './recovery-rules.js';
import {
  EMPTY_ROSTER,
  applyServerMessage,
  keepMembers,
  removeMember,
  toParticipants,
  type LocalView,
  type RosterChange,
  type RosterState,
} from './roster.js';
import type { Cancel, Scheduler } from './scheduler.js';
import type { DetailOf } from './typed-events.js';

export interface RoomHost {
  readonly log: Logger;
  readonly links: MediaLinks;
  emit<K extends keyof LiveSessionEventMap>(type: K, detail: DetailOf<LiveSessionEventMap[K]>): void;
  changed(): void;
  send(message: ClientMessage): void;
  /** The local devices as they are now. */
  local(): Omit<LocalView, 'pending'>;
  /** Whether the session is in the room (joined, not joining or left). */
  joined(): boolean;
  /** The server accepted the join or re-join: the session is in the room. */
  entered(rejoin: boolean): void;
  /** The tutor turned the local microphone off. */
  silenceMicrophone(): void;
  /** The session must end (evicted). */
  end(reason: LeaveReason): void;
}

export class Room {
  readonly #host: RoomHost;
  readonly #timers: Scheduler;
  readonly #graceMs: number;
  readonly #grace = new Map<string, Cancel>();
  readonly #pending: PendingState;
  #state: RosterState = EMPTY_ROSTER;
  #participants: readonly Participant[] = Object.freeze([]);

  constructor(host: RoomHost, timers: Scheduler, timings: { reconnectGraceMs: number; stateConfirmMs: number }) {
    this.#host = host;
    this.#timers = timers;
    this.#graceMs = timings.reconnectGraceMs;
    this.#pending = new PendingState(timers, timings.stateConfirmMs, { unconfirmed: (field) => this.#onUnconfirmed(field) });
  }

  get state(): RosterState {
    return this.#state;
  }

  get participants(): readonly Participant[] {
    return this.#participants;
  }

  participant(id: string): Participant | null {
    return this.#participants.find((p) => p.id === id) ?? null;
  }

  get localParticipant(): Participant | null {
    return this.#participants.find((p) => p.isLocal) ?? null;
  }

  /** Forgets the room (after leaving): roster, timers, pending state. */
  reset(): void {
    this.#timers.cancelAll();
    this.#grace.clear();
    this.#pending.clear();
    this.#state = EMPTY_ROSTER;
    this.rebuild();
  }

  /** Applies a server message to the roster and fires the events it causes. */
  apply(message: ServerMessage): void {
    const { state, changes } = applyServerMessage(this.#state, message);
    this.#state = state;
    for (const change of changes) this.#applyChange(change);
    if (message.type === 'LS-UNMUTE-REQUESTED') {
      this.#host.emit('unmute-requested', { by: this.participant(message.payload.by) });
    } else if (message.type === 'LS-EVICTED') {
      this.#host.log.debug('evicted', message.payload.reason);
      if (message.payload.reason === 'removed' || message.payload.reason === 'replaced') this.#host.end(message.payload.reason);
    }
  }

  /** Camera or microphone changed: tell the server (optimistically) and re-render. */
  publishLocalState(): void {
    const self = this.#state.self;
    const local = this.#host.local();
    if (self && this.#host.joined()) {
      this.#pending.expect('isVideoOn', local.isVideoOn, self.isVideoOn);
      this.#pending.expect('isAudioOn', local.isAudioOn, self.isAudioOn);
      this.#host.send({ type: 'LS-STATE', payload: { isVideoOn: local.isVideoOn, isAudioOn: local.isAudioOn } });
    }
    this.#localChanged();
  }

  /** The local hand, optimistic like camera and microphone: shown at once, confirmed by the server's broadcast. */
  setHand(raised: boolean): void {
    this.#host.send({ type: 'LS-HAND', payload: { raised } });
    if (this.#pending.expect('isHandRaised', raised, this.#serverHand())) this.#localChanged();
  }

  /** The server refused a request that carried local state: stop waiting for it. */
  refused(fields: readonly PendingField[]): void {
    this.#pending.refused(fields);
    this.#localChanged();
  }

  rebuild(): void {
    this.#participants = toParticipants(this.#state, this.#host.links.views, {
      ...this.#host.local(),
      pending: { isHandRaised: this.#pending.get('isHandRaised') },
    });
  }

  /** Something about a remote participant's media changed. */
  updateRemote(id: string): void {
    this.rebuild();
    const participant = this.participant(id);
    if (participant) this.#host.emit('participant-updated', { participant });
    this.#host.changed();
  }

  /** The local participant's own connection quality changed. */
  ownQualityChanged(): void {
    this.#localChanged();
  }

  #localChanged(): void {
    this.rebuild();
    this.#emitLocalUpdated();
    this.#host.changed();
  }

  #applyChange(change: RosterChange): void {
    switch (change.type) {
      case 'joined':
        this.#onJoined(change.rejoin, change.vanished);
        return;
      case 'member-joined':
      case 'member-back': {
        const back = change.type === 'member-back';
        this.#cancelGrace(change.id);
        const info = this.#state.members.get(change.id);
        this.#host.log.debug(back ? 'participant back' : 'participant joined', `${info?.name ?? '?'} (${info?.role ?? '?'}, ${change.id})`);
        this.#host.links.adoptHeld();
        this.rebuild();
        const participant = this.participant(change.id);
        if (participant) this.#host.emit(back ? 'participant-updated' : 'participant-joined', { participant });
        this.#host.changed();
        return;
      }
      case 'member-left':
        this.#onMemberLeft(change.id, change.member, change.reason);
        return;
      case 'member-updated':
        this.updateRemote(change.id);
        return;
      case 'self-updated':
        this.#reconcileSelf();
        this.#localChanged();
        return;
      case 'hand-queue':
        this.#reconcileSelf();
        this.rebuild();
        this.#host.emit('hand-queue', { handQueue: this.#state.handQueue });
        this.#host.changed();
        return;
      case 'muted':
        this.#host.silenceMicrophone();
        this.#host.log.debug('muted by', change.by);
        this.rebuild();
        this.#emitLocalUpdated();
        this.#host.emit('muted', { by: this.participant(change.by) });
        this.#host.changed();
        return;
    }
  }

  #onJoined(rejoin: boolean, vanished: ParticipantInfo[]): void {
    const { room, self, members } = this.#state;
    if (!self || !room) return;
    const links = this.#host.links;
    this.#host.log.debug(rejoin ? 're-joined' : 'joined', { room, peerId: self.id, role: self.role });
    this.#host.log.debug('existing participants', [...members.values()].map((p) => `${p.name} (${p.role}, ${p.id})`));
    // Reconcile: keep flowing media, drop what vanished (after a grace period
    // while its media still flows: it may just not have re-joined yet).
    const { graced, gone } = partitionVanished(vanished, (id) => links.isLive(id));
    this.#state = keepMembers(this.#state, graced);
    for (const member of graced) this.#startGrace(member.id);
    for (const member of gone) {
      links.close(member.id);
      this.#host.emit('participant-left', { participant: this.#snapshot(member), reason: 'closed' });
    }
    this.#reconcileSelf();
    this.#host.entered(rejoin);
    // The devices may have started (or changed) after the join left: the server hears the facts.
    const devices = this.#host.local();
    const told = this.#state.self;
    if (told && (told.isVideoOn !== devices.isVideoOn || told.isAudioOn !== devices.isAudioOn)) this.publishLocalState();
    // The newcomer calls everyone already there (existing members only answer): no glare.
    // After a re-join, a link that is not up now is placed again at once: its far
    // end may have dropped it while we were away, or its offer was lost.
    for (const member of members.values()) {
      if (rejoin ? !links.isConnected(member.id) : !links.isLive(member.id)) links.connectTo(member);
    }
    links.adoptHeld();
    this.rebuild();
    this.#host.changed();
  }

  /** The join is complete (in the room, devices settled): tell whoever listens, once. */
  announceJoined(): void {
    const local = this.localParticipant;
    const room = this.#state.room;
    if (local && room) this.#host.emit('joined', { room, self: local, participants: this.#participants });
    this.#host.changed();
  }

  #onMemberLeft(id: string, member: ParticipantInfo | null, reason: LeaveReason): void {
    this.#cancelGrace(id);
    this.#host.links.close(id);
    if (!member) return;
    this.#host.log.debug('participant left', `${member.name} (${id})`, reason);
    this.rebuild();
    this.#host.emit('participant-left', { participant: this.#snapshot(member), reason });
    this.#host.changed();
  }

  #startGrace(id: string): void {
    this.#cancelGrace(id);
    this.#grace.set(
      id,
      this.#timers.after(this.#graceMs, () => {
        this.#grace.delete(id);
        const { state, changes } = removeMember(this.#state, id);
        this.#state = state;
        for (const change of changes) this.#applyChange(change);
      }),
    );
  }

  #cancelGrace(id: string): void {
    this.#grace.get(id)?.();
    this.#grace.delete(id);
  }

  /** A participant as rendered now, for one not (or no longer) in the roster. */
  #snapshot(info: ParticipantInfo): Participant {
    const [participant] = toParticipants({ ...EMPTY_ROSTER, members: new Map([[info.id, info]]) }, this.#host.links.views);
    if (!participant) throw new Error('unreachable: one member gives one participant');
    return participant;
  }

  /** The server's view of the local hand: its flag, or its place in the queue. */
  #serverHand(): boolean | undefined {
    const self = this.#state.self;
    if (!self) return undefined;
    return self.isHandRaised || this.#state.handQueue.includes(self.id);
  }

  #reconcileSelf(): void {
    const self = this.#state.self;
    if (self) this.#pending.reconcile(self, this.#serverHand() ?? false);
  }

  #onUnconfirmed(field: PendingField): void {
    const self = this.#state.self;
    const local = this.#host.local();
    if (field !== 'isHandRaised' && self && this.#host.joined() && self[field] !== local[field]) {
      // The device is the fact: tell the server again.
      this.#host.log.debug('state not confirmed; sending it again', field);
      this.#host.send({ type: 'LS-STATE', payload: { isVideoOn: local.isVideoOn, isAudioOn: local.isAudioOn } });
    }
    this.#localChanged();
  }

  #emitLocalUpdated(): void {
    const participant = this.localParticipant;
    if (participant) this.#host.emit('participant-updated', { participant });
  }
}
