/**
 * The room messages that ride the PeerJS signalling websocket, next to the
 * stock OPEN/OFFER/ANSWER/CANDIDATE/HEARTBEAT messages. Both the server and the
 * browser controller import this module; it has no runtime dependency.
 *
 * Every message is `{ type, payload? }`. Client → server types start with
 * `LS-`, server → client types too; the full table is in docs/protocol.md.
 */

export type Role = 'tutor' | 'student';
export const ROLES: readonly Role[] = ['tutor', 'student'];

/** A participant as the server and every client see it. `id` is the PeerJS peer id. */
export interface ParticipantInfo {
  id: string;
  userId: string;
  name: string;
  role: Role;
  isVideoOn: boolean;
  isAudioOn: boolean;
  isHandRaised: boolean;
  /** Milliseconds since the epoch, server clock. */
  joinedAt: number;
  /** Present (true) while this member turned off incoming video: the others stop sending it their camera. */
  incomingVideoOff?: true;
}

/** Why a participant left the room. */
export type LeaveReason =
  /** It sent LS-LEAVE. */
  | 'left'
  /** Its websocket closed. */
  | 'closed'
  /** It stopped answering the server's pings. */
  | 'timeout'
  /** The same user joined again (refresh, second tab); the newest wins. */
  | 'replaced'
  /** The tutor removed it. */
  | 'removed'
  /** The server is shutting down. */
  | 'shutdown';

// ---------------------------------------------------------------- client → server

export interface JoinRequest {
  type: 'LS-JOIN';
  payload: {
    room?: string;
    userId?: string;
    name?: string;
    role?: Role;
    /** Signed join token (HS256 JWT). Required when the server has a secret. */
    token?: string;
    isVideoOn?: boolean;
    isAudioOn?: boolean;
  };
}
export interface LeaveRequest {
  type: 'LS-LEAVE';
}
/** Proof of life: the server answers LS-PONG at once (any socket, joined or not). */
export interface PingRequest {
  type: 'LS-PING';
}
export interface StateRequest {
  type: 'LS-STATE';
  /** `incomingVideoOff`: the sender asks the others to stop (true) or resume (false) sending it their camera. */
  payload: { isVideoOn?: boolean; isAudioOn?: boolean; incomingVideoOff?: boolean };
}
export interface HandRequest {
  type: 'LS-HAND';
  payload: { raised: boolean };
}
/** A tutor's action on one participant (`target`: their peer id). */
export interface TargetedRequest<T extends string> {
  type: T;
  payload: { target: string };
}
/** Tutor only: turn one participant's microphone off. */
export type MuteRequest = TargetedRequest<'LS-MUTE'>;
/** Tutor only: turn every other participant's microphone off. */
export interface MuteAllRequest {
  type: 'LS-MUTE-ALL';
}
/** Tutor only: remove a participant from the room. */
export type RemoveRequest = TargetedRequest<'LS-REMOVE'>;
/** Tutor only: lower a participant's raised hand. */
export type LowerHandRequest = TargetedRequest<'LS-LOWER-HAND'>;
/** Tutor only: ask a participant to unmute (they decide). */
export type AskUnmuteRequest = TargetedRequest<'LS-ASK-UNMUTE'>;
/** Tutor only: let a removed user join the room again. */
export interface ReadmitRequest {
  type: 'LS-READMIT';
  payload: { userId: string };
}

/**
 * A chat message: to the whole room, or (with `to`, a peer id) privately. A
 * student may write privately only to a tutor; a tutor to anyone.
 */
export interface ChatRequest {
  type: 'LS-CHAT';
  payload: { text: string; to?: string };
}
/** Tutor only: delete a chat message (from the room's history and every chat). */
export interface ChatDeleteRequest {
  type: 'LS-CHAT-DELETE';
  payload: { id: string };
}
/** Tutor only: whether students may write to the whole room (they may always write to a tutor). */
export interface ChatPolicyRequest {
  type: 'LS-CHAT-POLICY';
  payload: { studentsMayChat: boolean };
}

/** The reactions a participant can send: short-lived, shown on their tile and counted for the tutor. */
export type Reaction = 'thumbs-up' | 'clap' | 'confused' | 'slower';
export const REACTIONS: readonly Reaction[] = ['thumbs-up', 'clap', 'confused', 'slower'];

export function isReaction(value: unknown): value is Reaction {
  return typeof value === 'string' && (REACTIONS as readonly string[]).includes(value);
}

/** A reaction, to the whole room. */
export interface ReactRequest {
  type: 'LS-REACT';
  payload: { reaction: Reaction };
}

/** Tutor only: invite a student to speak (they accept or decline with LS-SPEAK-ANSWER). */
export type InviteToSpeakRequest = TargetedRequest<'LS-INVITE-SPEAK'>;
/** Tutor only: end a student's turn: microphone off, hand down, no more floor. */
export type EndTurnRequest = TargetedRequest<'LS-END-TURN'>;
/** Tutor only: talking-stick mode: students may unmute only while they have the floor. */
export interface TalkingStickRequest {
  type: 'LS-TALKING-STICK';
  payload: { on: boolean };
}
/** An invited student's answer. */
export interface SpeakAnswerRequest {
  type: 'LS-SPEAK-ANSWER';
  payload: { accept: boolean };
}

/** Tutor only: the room's admission: a waiting room for students, and a lock that refuses new joins. */
export interface AdmissionRequest {
  type: 'LS-ADMISSION';
  payload: { waiting?: boolean; locked?: boolean };
}
/** Tutor only: let one waiting student in (`target`: their peer id), or everyone waiting (`all: true`). */
export interface AdmitRequest {
  type: 'LS-ADMIT';
  payload: { target?: string; all?: boolean };
}
/** Tutor only: refuse a waiting student. */
export type DenyRequest = TargetedRequest<'LS-DENY'>;

/** Start or stop sharing a screen (a tutor always; a student when the room allows it). */
export interface ScreenShareRequest {
  type: 'LS-SCREEN-SHARE';
  payload: { on: boolean };
}
/** Tutor only: whether students may share their screen. */
export interface SharePolicyRequest {
  type: 'LS-SHARE-POLICY';
  payload: { studentsMayShare: boolean };
}

/** Fresh relay (TURN) credentials, asked for before the ones from the join expire. */
export interface RelayCredentialsRequest {
  type: 'LS-ICE';
  payload?: Record<string, never>;
}

/** SFU rooms: a fresh ticket for the SFU proxy (the last one expired, or its socket dropped). Answered with LS-SFU. */
export interface SfuTicketRequest {
  type: 'LS-SFU-TICKET';
  payload?: Record<string, never>;
}

/** Tutor only, SFU rooms on a server that records: start (`on: true`) or stop recording the lesson. */
export interface RecordRequest {
  type: 'LS-RECORD';
  payload: { on: boolean };
}

export type ClientMessage =
  | RecordRequest
  | RelayCredentialsRequest
  | SfuTicketRequest
  | JoinRequest
  | LeaveRequest
  | PingRequest
  | StateRequest
  | HandRequest
  | MuteRequest
  | MuteAllRequest
  | RemoveRequest
  | LowerHandRequest
  | AskUnmuteRequest
  | ReadmitRequest
  | ChatRequest
  | ChatDeleteRequest
  | ChatPolicyRequest
  | ReactRequest
  | InviteToSpeakRequest
  | EndTurnRequest
  | TalkingStickRequest
  | SpeakAnswerRequest
  | AdmissionRequest
  | AdmitRequest
  | DenyRequest
  | ScreenShareRequest
  | SharePolicyRequest;

export type ClientMessageType = ClientMessage['type'];

/** Every client message type, and whether only a tutor may send it (the compiler checks that none is missing). */
const CLIENT_MESSAGE_RULES = {
  'LS-JOIN': false,
  'LS-LEAVE': false,
  'LS-PING': false,
  'LS-STATE': false,
  'LS-HAND': false,
  'LS-MUTE': true,
  'LS-MUTE-ALL': true,
  'LS-REMOVE': true,
  'LS-LOWER-HAND': true,
  'LS-ASK-UNMUTE': true,
  'LS-READMIT': true,
  'LS-CHAT': false,
  'LS-CHAT-DELETE': true,
  'LS-CHAT-POLICY': true,
  'LS-REACT': false,
  'LS-INVITE-SPEAK': true,
  'LS-END-TURN': true,
  'LS-TALKING-STICK': true,
  'LS-SPEAK-ANSWER': false,
  'LS-ADMISSION': true,
  'LS-ADMIT': true,
  'LS-DENY': true,
  'LS-SCREEN-SHARE': false,
  'LS-SHARE-POLICY': true,
  'LS-ICE': false,
  'LS-SFU-TICKET': false,
  'LS-RECORD': true,
} as const satisfies Record<ClientMessageType, boolean>;

export const CLIENT_MESSAGE_TYPES = Object.keys(CLIENT_MESSAGE_RULES) as readonly ClientMessageType[];

/** Message types only a tutor may send. */
export const TUTOR_ONLY_TYPES: readonly ClientMessageType[] = CLIENT_MESSAGE_TYPES.filter((type) => CLIENT_MESSAGE_RULES[type]);

// ---------------------------------------------------------------- server → client

/** Who wrote a chat message, or whom a private one is for (as they were when it was sent). */
export interface ChatParty {
  /** Peer id at the time. */
  id: string;
  userId: string;
  name: string;
  role: Role;
}

/** A chat message as the server keeps and sends it. `text` is plain text, cleaned by the server. */
export interface ChatMessageInfo {
  /** Unique in the room; what LS-CHAT-DELETE names. */
  id: string;
  from: ChatParty;
  /** The recipient of a private message; absent for a message to the whole room. */
  to?: ChatParty;
  text: string;
  /** Milliseconds since the epoch, server clock. */
  sentAt: number;
}

/** A student in the waiting room, as the tutors see them. */
export interface WaitingInfo {
  /** Peer id. */
  id: string;
  userId: string;
  name: string;
  /** Milliseconds since the epoch (server clock) when they started waiting. */
  since: number;
}

/** How a room admits people. */
export interface AdmissionInfo {
  /** Students wait until a tutor admits them. */
  waiting: boolean;
  /** New joins are refused (`room-locked`); members who reconnect and tutors still get in. */
  locked: boolean;
}

/** The room's screen share: who shares (one at a time), and whether students may. */
export interface ScreenInfo {
  /** Peer id of the participant sharing, or null. */
  sharer: string | null;
  studentsMayShare: boolean;
}

/** Who may speak: the room's floor. */
export interface FloorInfo {
  /** Talking-stick mode: students may unmute only while they have the floor. */
  talkingStick: boolean;
  /** Peer ids of students who accepted an invitation to speak, in that order. */
  speakers: string[];
  /** Peer ids of students invited and not yet answering. */
  invited: string[];
}

/** The room's chat as a joiner sees it: what it may read of the history, and the policy. */
export interface ChatSnapshot {
  /** Oldest first: the room's messages and the joiner's own private ones (same user id). */
  messages: ChatMessageInfo[];
  studentsMayChat: boolean;
}

/** A STUN or TURN server as a browser's `RTCIceServer`. */
export interface IceServerInfo {
  urls: string | string[];
  username?: string;
  credential?: string;
}

/** Relay (TURN) servers with credentials for this member, valid until `expiresAt` (ms since the epoch). */
export interface RelayCredentials {
  iceServers: IceServerInfo[];
  expiresAt: number;
}

/** The answer to LS-ICE: fresh relay credentials. */
export interface RelayCredentialsMessage {
  type: 'LS-ICE';
  payload: RelayCredentials;
}

/** How a room's media flows: peer to peer (`mesh`, `star`) or through the SFU (`sfu`). */
export type RoomTopology = 'mesh' | 'star' | 'sfu';

/**
 * SFU rooms: whether the SFU is there, and a short-lived ticket for its proxy
 * (`<server path>sfu?ticket=<ticket>`, subprotocol `janus-protocol`).
 */
export interface SfuGrant {
  state: 'up' | 'unavailable';
  /** Present when `state` is `up`. */
  ticket?: string;
  /** Why the SFU is unavailable, fit to show. */
  message?: string;
}

/** One file of a finished recording: the tutors' camera (VP8 in WebM) or microphone (Ogg Opus). */
export interface RecordingFile {
  kind: 'video' | 'audio';
  /** Where to download it: `<server path>recordings/<file>`, relative to the server's URL. */
  path: string;
  bytes: number;
}

/** A recording of the room, once stopped. */
export interface RecordingEntry {
  /** Random, 32 hex digits; the file names start with it. */
  id: string;
  /** ms since the epoch. */
  startedAt: number;
  endedAt: number;
  /** `converting` while janus-pp-rec runs; `ready` with its files (and `message` when a track could not be converted); `failed` with `message`. */
  state: 'converting' | 'ready' | 'failed';
  files: RecordingFile[];
  message?: string;
}

/**
 * The room's recording: whether the server can record it (an SFU room on a
 * server with a recordings folder), whether it records now and since when;
 * for tutors, the room's recordings, newest first.
 */
export interface RecordingInfo {
  available: boolean;
  active: boolean;
  /** ms since the epoch, while active. */
  since?: number;
  /** Tutors only. */
  recordings?: RecordingEntry[];
}

/** Recording started or stopped, or (to tutors) a recording finished converting. */
export interface RecordingMessage {
  type: 'LS-RECORDING';
  payload: RecordingInfo;
}

/** SFU rooms, to one member: a fresh ticket (the answer to LS-SFU-TICKET), or the SFU went away or came back. */
export interface SfuMessage {
  type: 'LS-SFU';
  payload: SfuGrant;
}

/** The answer to a successful LS-JOIN: who you are and who is already there. */
export interface JoinedMessage {
  type: 'LS-JOINED';
  payload: {
    room: string;
    self: ParticipantInfo;
    /** Everyone else already in the room, oldest first, with current state. */
    participants: ParticipantInfo[];
    /** Peer ids with a raised hand, in the order the hands went up. */
    handQueue: string[];
    /** The chat so far (absent from servers without chat). */
    chat?: ChatSnapshot;
    /** The screen share (absent from servers without it). */
    screen?: ScreenInfo;
    /** Who may speak (absent from servers without floor control). */
    floor?: FloorInfo;
    /** The room's admission settings. */
    admission?: AdmissionInfo;
    /** Tutors only: who is in the waiting room, longest waiting first. */
    waiting?: WaitingInfo[];
    /** The server's STUN/TURN servers, as `<path>ice` serves them (absent from older servers). */
    iceServers?: IceServerInfo[];
    /** Relay (TURN) credentials for this member, when the server hands them out. */
    relay?: RelayCredentials;
    /** The room's topology (absent from servers that leave it to the pages). */
    topology?: RoomTopology;
    /** SFU rooms: the SFU's state and this member's first ticket. */
    sfu?: SfuGrant;
    /** The room's recording (absent from servers without recording). */
    recording?: RecordingInfo;
  };
}
export interface ParticipantJoinedMessage {
  type: 'LS-PARTICIPANT-JOINED';
  payload: { participant: ParticipantInfo };
}
export interface ParticipantLeftMessage {
  type: 'LS-PARTICIPANT-LEFT';
  payload: { id: string; userId: string; reason: LeaveReason };
}
export interface ParticipantUpdatedMessage {
  type: 'LS-PARTICIPANT-UPDATED';
  payload: { participant: ParticipantInfo };
}
export interface HandQueueMessage {
  type: 'LS-HAND-QUEUE';
  payload: { handQueue: string[] };
}
/** To the muted participant: your microphone was turned off by `by`. */
export interface MutedMessage {
  type: 'LS-MUTED';
  payload: { by: string };
}
/** To a participant: the tutor asks you to unmute. */
export interface UnmuteRequestedMessage {
  type: 'LS-UNMUTE-REQUESTED';
  payload: { by: string };
}
/** To this socket: you are no longer in the room (removed, replaced, shutdown). */
export interface EvictedMessage {
  type: 'LS-EVICTED';
  payload: { reason: LeaveReason; message: string };
}
/** A request was refused, or a message could not be understood. */
export interface ErrorMessage {
  type: 'LS-ERROR';
  payload: { code: ErrorCode; message: string; request?: string };
}
/** The server is going away; reconnect after a moment. */
/** The answer to LS-PING. */
export interface PongMessage {
  type: 'LS-PONG';
}
/** A chat message, to everyone in the room or (private) to its two parties. */
export interface ChatMessage {
  type: 'LS-CHAT';
  payload: { message: ChatMessageInfo };
}
/** A tutor deleted a chat message: forget it. */
export interface ChatDeletedMessage {
  type: 'LS-CHAT-DELETED';
  payload: { id: string; by: string };
}
/** A tutor changed whether students may write to the whole room. */
export interface ChatPolicyMessage {
  type: 'LS-CHAT-POLICY';
  payload: { studentsMayChat: boolean; by: string };
}
/** The room's screen share changed. `replaced`: the peer id whose share a newer one ended. */
export interface ScreenMessage {
  type: 'LS-SCREEN';
  payload: { screen: ScreenInfo; by: string; replaced?: string };
}
/** The answer to a student's LS-JOIN when the room has a waiting room: wait for a tutor. */
export interface WaitingMessage {
  type: 'LS-WAITING';
  payload: { room: string; message: string };
}
/** To the tutors of a room: the waiting room changed. */
export interface WaitingListMessage {
  type: 'LS-WAITING-LIST';
  payload: { waiting: WaitingInfo[] };
}
/** To a waiting student: a tutor did not let you in. The socket stays open, outside every room. */
export interface DeniedMessage {
  type: 'LS-DENIED';
  payload: { message: string };
}
/** To the room: a tutor changed how it admits people. */
export interface AdmissionMessage {
  type: 'LS-ADMISSION';
  payload: { admission: AdmissionInfo; by: string };
}
/** The floor changed (an invitation, an answer, an ended turn, the talking-stick mode, a speaker who left). */
export interface FloorMessage {
  type: 'LS-FLOOR';
  payload: { floor: FloorInfo };
}
/** To a student: the tutor invites you to speak. Answer with LS-SPEAK-ANSWER. */
export interface SpeakInvitedMessage {
  type: 'LS-SPEAK-INVITED';
  payload: { by: string };
}
/** Someone reacted. */
export interface ReactionMessage {
  type: 'LS-REACTION';
  payload: { from: string; reaction: Reaction };
}
export interface ShutdownMessage {
  type: 'LS-SHUTDOWN';
  payload: { message: string };
}

export type ServerMessage =
  | JoinedMessage
  | ParticipantJoinedMessage
  | ParticipantLeftMessage
  | ParticipantUpdatedMessage
  | HandQueueMessage
  | MutedMessage
  | UnmuteRequestedMessage
  | EvictedMessage
  | ErrorMessage
  | ShutdownMessage
  | PongMessage
  | ChatMessage
  | ChatDeletedMessage
  | ChatPolicyMessage
  | ReactionMessage
  | FloorMessage
  | SpeakInvitedMessage
  | WaitingMessage
  | WaitingListMessage
  | DeniedMessage
  | AdmissionMessage
  | ScreenMessage
  | RelayCredentialsMessage
  | SfuMessage
  | RecordingMessage;

export type ServerMessageType = ServerMessage['type'];

export const SERVER_MESSAGE_TYPES: readonly ServerMessageType[] = [
  'LS-JOINED',
  'LS-PARTICIPANT-JOINED',
  'LS-PARTICIPANT-LEFT',
  'LS-PARTICIPANT-UPDATED',
  'LS-HAND-QUEUE',
  'LS-MUTED',
  'LS-UNMUTE-REQUESTED',
  'LS-EVICTED',
  'LS-ERROR',
  'LS-SHUTDOWN',
  'LS-PONG',
  'LS-CHAT',
  'LS-CHAT-DELETED',
  'LS-CHAT-POLICY',
  'LS-REACTION',
  'LS-FLOOR',
  'LS-SPEAK-INVITED',
  'LS-WAITING',
  'LS-WAITING-LIST',
  'LS-DENIED',
  'LS-ADMISSION',
  'LS-SCREEN',
  'LS-ICE',
  'LS-SFU',
  'LS-RECORDING',
];

/** Error codes carried by LS-ERROR. Stable: clients switch on them. */
export type ErrorCode =
  /** The frame was not a JSON object with a string `type`. */
  | 'bad-message'
  /** A known type with missing or wrongly typed fields. */
  | 'bad-payload'
  /** A type this server does not know. */
  | 'unknown-type'
  /** A room request (or OFFER/ANSWER/CANDIDATE) before LS-JOIN succeeded: you are not in a room. */
  | 'not-joined'
  /** LS-JOIN while already in a room. */
  | 'already-joined'
  /** The server has a secret and the join carried no token. */
  | 'token-missing'
  /** The token's signature, algorithm or shape is wrong. */
  | 'token-invalid'
  /** The token has expired. */
  | 'token-expired'
  /** The token's `exp` is further away than the server's maximum token lifetime. */
  | 'token-lifetime'
  /** The tutor removed this user from the room; only the tutor can let them back (LS-READMIT). */
  | 'removed-from-room'
  /** Too many joins of one user into one room in a short time. */
  | 'join-rate-limited'
  /** The connection's peer id is tagged for another identity (see peer id binding). */
  | 'peer-id-not-yours'
  /** The server has as many participants as it accepts (`concurrentLimit`). */
  | 'server-full'
  /** The token was signed for another room. */
  | 'token-wrong-room'
  /** A tutor-only request from a student. */
  | 'forbidden'
  /** The target of a tutor request is not in the room. */
  | 'no-such-participant'
  /** OFFER/ANSWER/CANDIDATE/LEAVE to a peer that is not in the sender's room. */
  | 'peer-not-in-room'
  /** ANSWER/CANDIDATE for a connection id that no OFFER between the two peers opened (or that a newer OFFER replaced). */
  | 'unknown-connection'
  /** Too many OFFERs from the sender to one peer in a minute. */
  | 'offer-rate-limited'
  /** Too many messages too fast (with `request: 'LS-CHAT'`: too many chat messages). */
  | 'rate-limited'
  /** The tutor has turned off students' messages to the whole room (a tutor can still be written to). */
  | 'chat-disabled'
  /** A chat message longer than `LIMITS.chatMaxLength` characters. */
  | 'message-too-long'
  /** LS-CHAT-DELETE for a message the room does not have (any more). */
  | 'no-such-message'
  /** Talking-stick mode: a student unmuted without having the floor (wait for the tutor's invitation). */
  | 'floor-required'
  /** LS-SPEAK-ANSWER without a pending invitation. */
  | 'not-invited'
  /** A student may not share the screen now (the tutor has not allowed it). */
  | 'share-not-allowed'
  /** A tutor locked the room: new joins are refused. */
  | 'room-locked'
  /** LS-ADMIT / LS-DENY for someone not in the waiting room. */
  | 'not-waiting'
  /** The room is full. */
  | 'room-full'
  /** The server is shutting down and accepts no joins. */
  | 'shutting-down'
  /** The server failed to handle a request; nothing was changed. */
  | 'internal-error';

export const LIMITS = {
  /** Room names: letters, digits, `-`, `_`, `.`, 1–64 characters. */
  roomPattern: /^[A-Za-z0-9._-]{1,64}$/,
  /** User ids: printable, no spaces, 1–128 characters. */
  userIdPattern: /^[A-Za-z0-9._:@+=-]{1,128}$/,
  /** Display names are trimmed, control characters removed, at most this long. */
  nameMaxLength: 64,
  /** A display name longer than this (before cleaning) is refused rather than cut. */
  nameMaxInputLength: 256,
  /**
   * Peer ids (the `id` of the websocket URL) the server admits into a room: the
   * pattern the PeerJS client itself enforces, at most 128 characters.
   */
  peerIdPattern: /^(?=.{1,128}$)[A-Za-z0-9]+(?:[ _-][A-Za-z0-9]+)*$/,
  /** A chat message, in characters (code points) after cleaning. */
  chatMaxLength: 2000,
} as const;

/** Websocket close codes the server uses. */
export const CLOSE_CODES = {
  /** The server is shutting down (after LS-SHUTDOWN). */
  goingAway: 1001,
  /** Message flood, or too many malformed messages. */
  policyViolation: 1008,
  /** A frame larger than the server's `maxPayload`. */
  messageTooBig: 1009,
  /** The server process that ran your room stopped (several processes share rooms): reconnect and join again. */
  serviceRestart: 1012,
  /** The server cannot reach the store its processes share (Redis) right now: reconnect shortly. */
  tryAgainLater: 1013,
} as const;

/** Removes control characters and trims; returns '' when nothing printable is left. */
export function cleanName(raw: string): string {
  // eslint-disable-next-line no-control-regex
  const printable = raw.replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069]/g, '');
  return Array.from(printable.trim()).slice(0, LIMITS.nameMaxLength).join('').trim();
}

/**
 * Chat text as plain text: line breaks kept (CRLF becomes LF, at most two blank
 * lines in a row), other control characters, lone surrogates and the invisible
 * or direction-changing format characters removed (a message cannot hide or
 * reverse text), combining marks capped at four per letter, trimmed. Returns '' when nothing visible is left.
 */
export function cleanChatText(raw: string): string {
  const text = raw
    .replace(/\r\n?/g, '\n')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b\u200e\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]/g, '')
    .replace(/[\u{e0000}-\u{e007f}]/gu, '')
    // Lone surrogates, then piles of combining marks (at most four on one letter).
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '')
    .replace(/(\p{M}{4})\p{M}+/gu, '$1')
    .replace(/\n{4,}/g, '\n\n\n')
    .trim();
  // Visible: something besides spaces, blank-looking letters and invisible characters (kept inside text,
  // as emoji and some scripts need joiners and selectors, but not a message on their own).
  return /[^\s\p{Default_Ignorable_Code_Point}\p{Cf}\u3164\u115f\u1160\uffa0\u2800]/u.test(text) ? text : '';
}

export function isRole(value: unknown): value is Role {
  return value === 'tutor' || value === 'student';
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Whether a value is well-formed relay credentials (from a server, so checked before use). */
export function isRelayCredentials(value: unknown): value is RelayCredentials {
  return isRecord(value) && typeof value['expiresAt'] === 'number' && Number.isFinite(value['expiresAt']) && isIceServerList(value['iceServers']);
}

/** The most STUN/TURN servers a list may name (the server refuses more at start; clients ignore a longer list). */
export const MAX_ICE_SERVERS = 10;

/** A list of at most {@link MAX_ICE_SERVERS} STUN/TURN servers in the shape of `RTCIceServer`. */
export function isIceServerList(servers: unknown): servers is IceServerInfo[] {
  return (
    Array.isArray(servers) &&
    servers.length <= MAX_ICE_SERVERS &&
    servers.every(
      (server: unknown) =>
        isRecord(server) &&
        (typeof server['urls'] === 'string' || (Array.isArray(server['urls']) && server['urls'].every((url: unknown) => typeof url === 'string'))) &&
        (server['username'] === undefined || typeof server['username'] === 'string') &&
        (server['credential'] === undefined || typeof server['credential'] === 'string'),
    )
  );
}

export function isServerMessage(value: unknown): value is ServerMessage {
  return (
    isRecord(value) &&
    typeof value['type'] === 'string' &&
    (SERVER_MESSAGE_TYPES as readonly string[]).includes(value['type'])
  );
}
