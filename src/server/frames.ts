/**
 * Parsing and checking of incoming websocket frames, before anything acts on
 * them. Pure functions: no sockets, no rooms.
 */
import {
  CLIENT_MESSAGE_TYPES,
  LIMITS,
  cleanName,
  isRecord,
  type ClientMessageType,
} from '../protocol/index.js';

/** PeerJS types relayed to `dst`, allowed only between peers that share a room. */
export const RELAYED_PEERJS_TYPES = ['OFFER', 'ANSWER', 'CANDIDATE'] as const;
export type RelayedPeerJsType = (typeof RELAYED_PEERJS_TYPES)[number];

/** What an incoming frame is, once parsed. */
export type IncomingFrame =
  /** Not a JSON object with a string `type`. */
  | { kind: 'bad-message'; message: string }
  /** Valid JSON with a `type` this server does not accept from clients. */
  | { kind: 'unknown-type'; type: string }
  /** A room request (`LS-*`), payload not yet checked. */
  | { kind: 'room-request'; type: ClientMessageType; frame: Record<string, unknown> }
  /** OFFER / ANSWER / CANDIDATE (and LEAVE with a `dst`): relayed to another peer. */
  | { kind: 'relay'; type: string; dst: unknown; payload: unknown }
  /** HEARTBEAT, LEAVE without `dst`: PeerJS housekeeping, passed on as is. */
  | { kind: 'peerjs'; type: string };

function frameText(data: unknown): string | undefined {
  if (typeof data === 'string') return data;
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  if (Array.isArray(data) && data.every((part) => Buffer.isBuffer(part))) {
    return Buffer.concat(data).toString('utf8');
  }
  return undefined;
}

/** Classifies one websocket message event (`data`, `isBinary` as `ws` emits them). */
export function parseFrame(data: unknown, isBinary: boolean): IncomingFrame {
  if (isBinary) return { kind: 'bad-message', message: 'Binary frames are not accepted; send JSON text.' };
  const text = frameText(data);
  if (text === undefined) return { kind: 'bad-message', message: 'Unreadable frame.' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { kind: 'bad-message', message: 'The frame is not valid JSON.' };
  }
  if (!isRecord(parsed)) {
    return { kind: 'bad-message', message: 'A message must be a JSON object with a string "type".' };
  }
  const type = parsed['type'];
  if (typeof type !== 'string' || type.length === 0) {
    return { kind: 'bad-message', message: 'A message must have a string "type".' };
  }
  if ((CLIENT_MESSAGE_TYPES as readonly string[]).includes(type)) {
    return { kind: 'room-request', type: type as ClientMessageType, frame: parsed };
  }
  if ((RELAYED_PEERJS_TYPES as readonly string[]).includes(type)) {
    return { kind: 'relay', type, dst: parsed['dst'], payload: parsed['payload'] };
  }
  if (type === 'LEAVE') {
    return parsed['dst'] === undefined ? { kind: 'peerjs', type } : { kind: 'relay', type, dst: parsed['dst'], payload: parsed['payload'] };
  }
  if (type === 'HEARTBEAT') return { kind: 'peerjs', type };
  return { kind: 'unknown-type', type: type.slice(0, 64) };
}

/** Result of a payload check: the typed value, or the reason it is refused. */
export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

function refuse(message: string): { ok: false; message: string } {
  return { ok: false, message };
}

/**
 * Checks a display name: control characters removed and trimmed (see
 * `cleanName`), at most `LIMITS.nameMaxLength` characters kept; refused when
 * nothing printable is left, when it is absurdly long, or when it contains
 * markup characters (`<`, `>`).
 */
export function checkDisplayName(raw: string): { ok: true; name: string } | { ok: false; message: string } {
  if (raw.length > LIMITS.nameMaxInputLength) {
    return refuse(`name is longer than ${LIMITS.nameMaxInputLength} characters`);
  }
  if (/[<>]/.test(raw)) return refuse('name must not contain markup (< or >)');
  const name = cleanName(raw);
  if (name.length === 0) return refuse('name has no printable characters');
  return { ok: true, name };
}

/** The payload of a request, or `{}` when absent; undefined when present but not an object. */
function payloadOf(frame: Record<string, unknown>): Record<string, unknown> | undefined {
  const payload = frame['payload'];
  if (payload === undefined) return {};
  return isRecord(payload) ? payload : undefined;
}

function optionalBoolean(payload: Record<string, unknown>, key: string): Checked<boolean | undefined> {
  const value = payload[key];
  if (value === undefined || typeof value === 'boolean') return { ok: true, value };
  return refuse(`payload.${key} must be a boolean`);
}

/** LS-JOIN fields, checked for type only (identity is checked per mode). */
export interface JoinFields {
  room: unknown;
  userId: unknown;
  name: unknown;
  role: unknown;
  token: unknown;
  isVideoOn: boolean;
  isAudioOn: boolean;
}

/** The optional camera and microphone flags of LS-JOIN and LS-STATE. */
function mediaFlags(
  payload: Record<string, unknown>,
): Checked<{ isVideoOn: boolean | undefined; isAudioOn: boolean | undefined }> {
  const video = optionalBoolean(payload, 'isVideoOn');
  if (!video.ok) return video;
  const audio = optionalBoolean(payload, 'isAudioOn');
  if (!audio.ok) return audio;
  return { ok: true, value: { isVideoOn: video.value, isAudioOn: audio.value } };
}

export function checkJoinPayload(frame: Record<string, unknown>): Checked<JoinFields> {
  const payload = payloadOf(frame);
  if (!payload) return refuse('payload must be an object');
  const media = mediaFlags(payload);
  if (!media.ok) return media;
  return {
    ok: true,
    value: {
      room: payload['room'],
      userId: payload['userId'],
      name: payload['name'],
      role: payload['role'],
      token: payload['token'],
      isVideoOn: media.value.isVideoOn ?? false,
      isAudioOn: media.value.isAudioOn ?? false,
    },
  };
}

export function checkStatePayload(
  frame: Record<string, unknown>,
): Checked<{ isVideoOn: boolean | undefined; isAudioOn: boolean | undefined }> {
  const payload = payloadOf(frame);
  if (!payload) return refuse('payload must be an object');
  const media = mediaFlags(payload);
  if (!media.ok) return media;
  if (media.value.isVideoOn === undefined && media.value.isAudioOn === undefined) {
    return refuse('payload needs isVideoOn and/or isAudioOn (booleans)');
  }
  return media;
}

export function checkHandPayload(frame: Record<string, unknown>): Checked<boolean> {
  const payload = payloadOf(frame);
  if (!payload || typeof payload['raised'] !== 'boolean') return refuse('payload.raised must be a boolean');
  return { ok: true, value: payload['raised'] };
}

export function checkTargetPayload(frame: Record<string, unknown>): Checked<string> {
  const payload = payloadOf(frame);
  const target = payload?.['target'];
  if (typeof target !== 'string' || target.length === 0 || target.length > 128) {
    return refuse('payload.target must be a peer id (string)');
  }
  return { ok: true, value: target };
}

/** Token bucket: `capacity` frames at once, refilled at `perSecond`. */
export class TokenBucket {
  private tokens: number;
  private refilledAt: number;

  constructor(
    private readonly capacity: number,
    private readonly perSecond: number,
    now: number = Date.now(),
  ) {
    this.tokens = capacity;
    this.refilledAt = now;
  }

  /** Takes one token; false when the bucket is empty. */
  take(now: number = Date.now()): boolean {
    const elapsed = Math.max(0, now - this.refilledAt);
    this.tokens = Math.min(this.capacity, this.tokens + (elapsed * this.perSecond) / 1000);
    this.refilledAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
