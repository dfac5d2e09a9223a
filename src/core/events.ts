import type { AdmissionInfo, ChatParty, ErrorCode, FloorInfo, LeaveReason, ParticipantInfo, Reaction, RecordingInfo, ScreenInfo, WaitingInfo } from '../protocol/index.js';
import type { MediaFailure } from './media.js';
import type { ConnectionQuality, LinkFigures } from './link-quality.js';

/** A participant as the UI renders it: the server's view plus local media. */
export interface Participant extends ParticipantInfo {
  isLocal: boolean;
  /** Remote: the stream received from them; local: the local preview stream. */
  stream: MediaStream | null;
  /** Remote only: the state of the media connection to them. */
  media: 'none' | 'connecting' | 'connected' | 'reconnecting';
  /**
   * How well media flows, measured every 2 s: remote, the connection to them;
   * local, your own connection (the level at least half of your connections
   * reach). Null until measured, and without connections.
   */
  connectionQuality: ConnectionQuality | null;
  /** Remote only: the figures behind `connectionQuality` when it last changed (`LiveSession.connectionFigures(id)` has the latest); null until measured. */
  connectionFigures: LinkFigures | null;
  /** 1-based position in the hand queue, or 0 when the hand is down. */
  handPosition: number;
}

/** A chat message as the session shows it. */
export interface ChatEntry {
  /** Unique in the room (what `deleteChatMessage()` takes). */
  readonly id: string;
  /** The sender, as it was when the message was sent. */
  readonly from: Readonly<ChatParty>;
  /** The recipient of a private message; null for a message to the whole room. */
  readonly to: Readonly<ChatParty> | null;
  /** Plain text (the server removed control and invisible characters). Render it as text. */
  readonly text: string;
  /** Milliseconds since the epoch, server clock. */
  readonly sentAt: number;
  /** Sent by the local user (from this or an earlier page of theirs). */
  readonly isLocal: boolean;
  readonly isPrivate: boolean;
}

export type ConnectionState = 'disconnected' | 'connecting' | 'connected' | 'reconnecting';

/** Where the session is in its life. */
export type SessionPhase = 'idle' | 'joining' | 'joined' | 'left';

/**
 * Codes of the `error` event: the server's codes plus the client's own. The
 * client reuses a server code only where the meaning is the same: a room
 * method called before joining is `not-joined`, as the server says for a room
 * request before LS-JOIN. (`not-in-room` is only the server's: signalling to a
 * peer outside your room.)
 */
export type SessionErrorCode =
  | ErrorCode
  /** Camera or microphone could not be used; see `media`. */
  | 'media'
  /** The signalling server could not be reached or the connection failed. */
  | 'connection-failed'
  /** A tutor-only method was called by a student. */
  | 'not-tutor'
  /** `join()`: the server did not answer the join within `joinTimeoutMs`. */
  | 'join-timeout'
  /** `join()`: `leave()` or `destroy()` was called before the join completed. */
  | 'join-cancelled'
  /** `join()` on a session that was destroyed. */
  | 'destroyed'
  /** `join()`: the room has a waiting room and a tutor did not let you in. */
  | 'admission-denied'
  /** `downloadAttendance()`: the server records no attendance, runs without tokens, or has none for the room. */
  | 'attendance-unavailable'
  /**
   * A media connection never got through: the network blocks peer-to-peer calls
   * (and no TURN relay got through either). Told once per participant, until a connection with them succeeds.
   */
  | 'network-blocked'
  /** `join()`: this browser has no WebRTC (`RTCPeerConnection`), or it is turned off. Nothing is sent to the server. */
  | 'webrtc-unsupported'
  /** `join()`: no WebRTC on a page served over plain HTTP; HTTPS is the likely cure. Nothing is sent to the server. */
  | 'insecure-context'
  /**
   * SFU rooms: the video server is down or cannot be reached, so nobody's video
   * or sound gets through (the room itself, chat and hands still work). Told
   * once; media comes back by itself when the server says the SFU is up again.
   */
  | 'sfu-unavailable';

/**
 * Why `join()` rejected: an `Error` with a stable `code` to switch on (the
 * server's code when it refused the join, e.g. `room-full`, `invalid-token`).
 */
export class SessionError extends Error {
  readonly code: SessionErrorCode;
  constructor(code: SessionErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SessionError';
    this.code = code;
  }
}

export interface SessionErrorDetail {
  code: SessionErrorCode;
  message: string;
  /** Present when `code` is `media`. */
  media?: MediaFailure;
  /** The request type the server refused, when it says. */
  request?: string;
  /** `network-blocked`: whom the media could not reach. */
  participant?: { id: string; name: string };
  /** `network-blocked`: the session allows only relayed media (`iceTransportPolicy: 'relay'`). */
  relayOnly?: boolean;
}

export interface LeftDetail {
  /** `left` when leave() was called; otherwise why the server ended the membership. */
  reason: LeaveReason;
}

export interface LiveSessionEventMap {
  /** The connection to the server changed state. */
  'connection-state': CustomEvent<{ state: ConnectionState }>;
  /** The room was joined; `participants` includes the local one. */
  joined: CustomEvent<{ room: string; self: Participant; participants: readonly Participant[] }>;
  /** The local participant is no longer in the room. */
  left: CustomEvent<LeftDetail>;
  'participant-joined': CustomEvent<{ participant: Participant }>;
  'participant-left': CustomEvent<{ participant: Participant; reason: LeaveReason }>;
  /** A participant's state, stream or media connection changed (local included). */
  'participant-updated': CustomEvent<{ participant: Participant }>;
  'hand-queue': CustomEvent<{ handQueue: readonly string[] }>;
  /** The tutor turned the local microphone off. */
  muted: CustomEvent<{ by: Participant | null }>;
  /** The tutor asks the local participant to unmute. */
  'unmute-requested': CustomEvent<{ by: Participant | null }>;
  error: CustomEvent<SessionErrorDetail>;
  /**
   * Someone started or stopped speaking (microphone on, level above the speech
   * threshold, with a short hold). Read the current value with `isParticipantSpeaking(id)`.
   */
  speaking: CustomEvent<{ id: string; speaking: boolean }>;
  /** A chat message arrived (the local user's own included, once the server has it). */
  'chat-message': CustomEvent<{ message: ChatEntry }>;
  /** A tutor deleted a chat message. */
  'chat-deleted': CustomEvent<{ id: string }>;
  /** A tutor changed whether students may write to the whole room. */
  'chat-policy': CustomEvent<{ studentsMayChat: boolean }>;
  /** Someone started or stopped sharing a screen (or the tutor changed who may). */
  'screen-share': CustomEvent<{ screen: Readonly<ScreenInfo>; sharer: Participant | null }>;
  /** Our own share ended without us stopping it: someone else's replaced it, or students may no longer share. */
  'screen-share-ended': CustomEvent<{ reason: 'replaced' }>;
  /** The join waits in the room's waiting room until a tutor lets you in (`join()` is still pending). */
  waiting: CustomEvent<{ room: string; message: string }>;
  /** Tutors: who is in the waiting room changed. */
  'waiting-list': CustomEvent<{ waiting: readonly WaitingInfo[] }>;
  /** A tutor changed the room's waiting room or lock. */
  admission: CustomEvent<{ admission: Readonly<AdmissionInfo> }>;
  /** The tutor invites the local participant to speak: answer with `answerInvitation(accept)`. */
  'speak-invited': CustomEvent<{ by: Participant | null }>;
  /** Who may speak changed: talking-stick mode, invitations, speakers. */
  floor: CustomEvent<{ floor: Readonly<FloorInfo> }>;
  /** Someone reacted (the local participant included, once the server relayed it). */
  reaction: CustomEvent<{ participant: Participant; reaction: Reaction }>;
  /** Recording started or stopped, or (tutors) the room's list of recordings changed. */
  recording: CustomEvent<{ recording: Readonly<RecordingInfo> }>;
  /** Anything observable changed; carries no detail, read the properties. */
  change: CustomEvent<null>;
}

export type LiveSessionEventName = keyof LiveSessionEventMap;
