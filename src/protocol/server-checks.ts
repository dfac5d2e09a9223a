/**
 * The shape of each server → client message, checked before the session acts
 * on it. A server that sends a field of the wrong type (a bug, a mismatched
 * version, or a server that is not ours) would otherwise stop a handler half
 * way, or leave a value that throws at every render (an invalid date), and
 * the page would stay broken. Checked: every field a handler reads, lists
 * bounded. Fields the client does not read pass unchecked; an optional field
 * may be absent or null.
 */
import { SERVER_MESSAGE_TYPES, isRecord, type ServerMessage } from './messages.js';

/** A check of one value: a problem (naming the field), or null when it is fine. */
type Check = (value: unknown, at: string) => string | null;

/** Most entries of a list the client accepts (rosters, queues, chat history, recordings). */
const MAX_LIST = 5000;

const string: Check = (value, at) => (typeof value === 'string' ? null : `${at} must be a string`);
const boolean: Check = (value, at) => (typeof value === 'boolean' ? null : `${at} must be true or false`);
/** A finite number (times are milliseconds since the epoch, and must make a valid date). */
const number: Check = (value, at) => (typeof value === 'number' && Number.isFinite(value) && Math.abs(value) <= 8.64e15 ? null : `${at} must be a finite number`);
const oneOf =
  (...allowed: readonly unknown[]): Check =>
  (value, at) =>
    allowed.includes(value) ? null : `${at} must be one of ${allowed.map(String).join(', ')}`;
const optional =
  (check: Check): Check =>
  (value, at) =>
    value === undefined || value === null ? null : check(value, at);
const nullable =
  (check: Check): Check =>
  (value, at) =>
    value === null ? null : check(value, at);
const list =
  (check: Check): Check =>
  (value, at) => {
    if (!Array.isArray(value)) return `${at} must be a list`;
    if (value.length > MAX_LIST) return `${at} has more than ${String(MAX_LIST)} entries`;
    for (let i = 0; i < value.length; i++) {
      const problem = check(value[i], `${at}[${String(i)}]`);
      if (problem) return problem;
    }
    return null;
  };
const object =
  (fields: Record<string, Check>): Check =>
  (value, at) => {
    if (!isRecord(value)) return `${at} must be an object`;
    for (const [name, check] of Object.entries(fields)) {
      const problem = check(value[name], `${at}.${name}`);
      if (problem) return problem;
    }
    return null;
  };
/** Anything: a field another check reads (ICE servers and relay credentials have their own). */
const any: Check = () => null;

const role = oneOf('tutor', 'student');
const participant = object({
  id: string,
  userId: string,
  name: string,
  role,
  isVideoOn: boolean,
  isAudioOn: boolean,
  isHandRaised: boolean,
  joinedAt: number,
  incomingVideoOff: optional(oneOf(true)),
});
const chatParty = object({ id: string, userId: string, name: string, role });
const chatMessage = object({ id: string, from: chatParty, to: optional(chatParty), text: string, sentAt: number });
const waiting = object({ id: string, userId: string, name: string, since: number });
const admission = object({ waiting: boolean, locked: boolean });
const screen = object({ sharer: nullable(string), studentsMayShare: boolean });
const floor = object({ talkingStick: boolean, speakers: list(string), invited: list(string) });
const chat = object({ messages: list(chatMessage), studentsMayChat: boolean });
const sfuGrant = object({ state: oneOf('up', 'unavailable'), ticket: optional(string), message: optional(string) });
const recordingFile = object({ kind: oneOf('video', 'audio'), path: string, bytes: number });
const recordingEntry = object({
  id: string,
  startedAt: number,
  endedAt: number,
  state: oneOf('converting', 'ready', 'failed'),
  files: list(recordingFile),
  message: optional(string),
});
const recording = object({ available: boolean, active: boolean, since: optional(number), recordings: optional(list(recordingEntry)) });
const by = string;

const PAYLOADS: Record<ServerMessage['type'], Check | null> = {
  'LS-JOINED': object({
    room: string,
    self: participant,
    participants: list(participant),
    handQueue: list(string),
    chat: optional(chat),
    screen: optional(screen),
    floor: optional(floor),
    admission: optional(admission),
    waiting: optional(list(waiting)),
    iceServers: any,
    relay: any,
    topology: optional(oneOf('mesh', 'star', 'sfu')),
    sfu: optional(sfuGrant),
    recording: optional(recording),
  }),
  'LS-PARTICIPANT-JOINED': object({ participant }),
  'LS-PARTICIPANT-UPDATED': object({ participant }),
  'LS-PARTICIPANT-LEFT': object({ id: string, userId: string, reason: string }),
  'LS-HAND-QUEUE': object({ handQueue: list(string) }),
  'LS-MUTED': object({ by }),
  'LS-UNMUTE-REQUESTED': object({ by }),
  'LS-SPEAK-INVITED': object({ by }),
  'LS-EVICTED': object({ reason: string, message: string }),
  'LS-ERROR': object({ code: string, message: string, request: optional(string) }),
  'LS-SHUTDOWN': object({ message: string }),
  'LS-PONG': null,
  'LS-CHAT': object({ message: chatMessage }),
  'LS-CHAT-DELETED': object({ id: string, by }),
  'LS-CHAT-POLICY': object({ studentsMayChat: boolean, by }),
  'LS-REACTION': object({ from: string, reaction: string }),
  'LS-FLOOR': object({ floor }),
  'LS-WAITING': object({ room: string, message: string }),
  'LS-WAITING-LIST': object({ waiting: list(waiting) }),
  'LS-DENIED': object({ message: string }),
  'LS-ADMISSION': object({ admission, by }),
  'LS-SCREEN': object({ screen, by, replaced: optional(string) }),
  // Relay credentials are checked where they are used (isRelayCredentials).
  'LS-ICE': any,
  'LS-SFU': sfuGrant,
  'LS-RECORDING': recording,
};

/**
 * What is wrong with a server message, or null when the client can act on it:
 * a known type whose payload has every field a handler reads, of its type.
 */
export function serverMessageProblem(value: unknown): string | null {
  if (!isRecord(value) || typeof value['type'] !== 'string') return 'not a message with a type';
  const type = value['type'];
  if (!(SERVER_MESSAGE_TYPES as readonly string[]).includes(type)) return `unknown type ${type.slice(0, 40)}`;
  const check = PAYLOADS[type as ServerMessage['type']];
  return check === null ? null : check(value['payload'], `${type}.payload`);
}
