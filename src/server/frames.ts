/**
 * Parsing and checking of incoming websocket frames, before anything acts on
 * them. Pure functions: no sockets, no rooms.
 */
import {
  CLIENT_MESSAGE_TYPES,
  LIMITS,
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

/** Combining marks kept on one base character; more are dropped ("Zalgo" text). */
export const NAME_MAX_MARKS_PER_CHARACTER = 4;

const ZERO_WIDTH_JOINER = '\u200d';
const BLACK_FLAG = '\u{1F3F4}';
const CANCEL_TAG = '\u{E007F}';
/** Lone surrogate halves (a `u` regex sees a valid pair as one code point, never as `Cs`). */
const LONE_SURROGATE = /^\p{Cs}$/u;
/**
 * Characters that show nothing by themselves: controls, format characters
 * (bidi overrides and isolates, zero-width characters, invisible operators,
 * tag characters), private use, line and paragraph separators, and every
 * default-ignorable code point (Hangul fillers U+115F, U+1160, U+3164, U+FFA0,
 * variation selectors, U+2060–U+206F, U+E0000–U+E0FFF, …).
 */
const INVISIBLE = /^[\p{Cc}\p{Cf}\p{Co}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}]$/u;
/** Names made only of printable ASCII take the fast path in {@link readableName}. */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const ASCII_SPACE_RUN = / {2,}/g;
/** Runs of spaces of any kind (and the blank Braille pattern, which draws nothing) become one space. */
const SPACE_RUN = /[\p{White_Space}\u2800]+/gu;
const SPACE = /^[\p{White_Space}\u2800]$/u;
const MARK = /^\p{M}$/u;
const PICTOGRAPH = /^\p{Extended_Pictographic}$/u;
const PICTOGRAPH_BEFORE = /\p{Extended_Pictographic}[\u{FE0F}\p{Emoji_Modifier}]?$/u;
const KEYCAP_BASE = /^[0-9#*]$/;
/** Tag letters and digits of a subdivision flag (England: 🏴 + "gbeng" in tags + cancel tag). */
const FLAG_TAG = /^[\u{E0030}-\u{E0039}\u{E0061}-\u{E007A}]$/u;
/** What counts as something to read: a letter, digit, punctuation or symbol. */
const READABLE = /[\p{L}\p{N}\p{P}\p{S}]/u;

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** A subdivision flag starting at `index` (black flag, 1–6 tag characters, cancel tag), or undefined. */
function flagSequenceAt(chars: string[], index: number): string | undefined {
  if (chars[index] !== BLACK_FLAG) return undefined;
  let end = index + 1;
  while (end < chars.length && end - index <= 6 && FLAG_TAG.test(chars[end] ?? '')) end++;
  if (end === index + 1 || chars[end] !== CANCEL_TAG) return undefined;
  return chars.slice(index, end + 1).join('');
}

/**
 * Drops invisible characters. Zero-width joiners and emoji variation selectors
 * are kept only inside emoji sequences (👩‍💻, ❤️, 1️⃣), tag characters only in
 * a subdivision flag, where they draw something.
 */
function dropInvisible(chars: string[]): string {
  let kept = '';
  for (let index = 0; index < chars.length; index++) {
    const char = chars[index] ?? '';
    const flag = flagSequenceAt(chars, index);
    if (flag !== undefined) {
      kept += flag;
      index += Array.from(flag).length - 1;
      continue;
    }
    if (char === ZERO_WIDTH_JOINER) {
      if (PICTOGRAPH_BEFORE.test(kept) && PICTOGRAPH.test(chars[index + 1] ?? '')) kept += char;
      continue;
    }
    if (char === '\ufe0f' || char === '\ufe0e') {
      const previous = Array.from(kept).at(-1) ?? '';
      if (PICTOGRAPH.test(previous) || KEYCAP_BASE.test(previous)) kept += char;
      continue;
    }
    // Line breaks and tabs are controls, but they separate words: they become spaces below.
    if (!INVISIBLE.test(char) || SPACE.test(char)) kept += char;
  }
  return kept;
}

/**
 * Keeps at most {@link NAME_MAX_MARKS_PER_CHARACTER} combining marks on each
 * character, and none that have no character to sit on (at the start, after
 * a space), where they would draw over the text around the name.
 */
function limitMarks(text: string): string {
  let kept = '';
  let marks = 0;
  let hasBase = false;
  for (const char of text) {
    if (MARK.test(char)) {
      if (hasBase && marks < NAME_MAX_MARKS_PER_CHARACTER) {
        kept += char;
        marks++;
      }
      continue;
    }
    kept += char;
    marks = 0;
    hasBase = !SPACE.test(char);
  }
  return kept;
}

/** At most `LIMITS.nameMaxLength` code points, cut between whole characters (an emoji is not split). */
function truncate(text: string): string {
  // UTF-16 units are never fewer than code points: a short text needs no cut.
  if (text.length <= LIMITS.nameMaxLength) return text;
  let kept = '';
  let length = 0;
  for (const { segment } of graphemes.segment(text)) {
    const size = Array.from(segment).length;
    if (length + size > LIMITS.nameMaxLength) break;
    kept += segment;
    length += size;
  }
  return kept;
}

/**
 * Makes a display name readable: lone surrogates and invisible characters
 * removed (see `INVISIBLE`), Unicode normalised (NFC), any run of spaces made
 * one space, combining marks limited, trimmed, at most `LIMITS.nameMaxLength`
 * code points. May return a string with nothing readable in it; see
 * {@link checkDisplayName}.
 */
export function readableName(raw: string): string {
  // Printable ASCII has nothing to remove, normalise or limit: only spaces to fold.
  if (PRINTABLE_ASCII.test(raw)) return truncate(raw.replace(ASCII_SPACE_RUN, ' ').trim()).trim();
  const wellFormed = Array.from(raw)
    .filter((char) => !LONE_SURROGATE.test(char))
    .join('')
    .normalize('NFC');
  const visible = limitMarks(dropInvisible(Array.from(wellFormed))).replace(SPACE_RUN, ' ');
  return truncate(visible.trim()).trim();
}

/**
 * Checks a display name, from a join request or a join token, and returns
 * what everyone will see (see {@link readableName}). Refused when it is
 * absurdly long, contains markup characters (`<`, `>`), or has nothing
 * readable left (no letter, digit, punctuation or symbol), such as a name made
 * of a Hangul filler, zero-width or bidi characters, or combining marks alone.
 */
export function checkDisplayName(raw: string): { ok: true; name: string } | { ok: false; message: string } {
  if (raw.length > LIMITS.nameMaxInputLength) {
    return refuse(`name is longer than ${LIMITS.nameMaxInputLength} characters`);
  }
  if (/[<>]/.test(raw)) return refuse('name must not contain markup (< or >)');
  const name = readableName(raw);
  if (!READABLE.test(name)) {
    return refuse('name has nothing readable (only spaces, invisible characters or combining marks)');
  }
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
): Checked<{ isVideoOn: boolean | undefined; isAudioOn: boolean | undefined; incomingVideoOff: boolean | undefined }> {
  const payload = payloadOf(frame);
  if (!payload) return refuse('payload must be an object');
  const media = mediaFlags(payload);
  if (!media.ok) return media;
  const incoming = optionalBoolean(payload, 'incomingVideoOff');
  if (!incoming.ok) return incoming;
  if (media.value.isVideoOn === undefined && media.value.isAudioOn === undefined && incoming.value === undefined) {
    return refuse('payload needs isVideoOn, isAudioOn and/or incomingVideoOff (booleans)');
  }
  return { ok: true, value: { ...media.value, incomingVideoOff: incoming.value } };
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

  /** Takes `count` tokens (one by default); false, taking none, when the bucket holds fewer. */
  take(now: number = Date.now(), count = 1): boolean {
    this.refill(now);
    if (this.tokens < count) return false;
    this.tokens -= count;
    return true;
  }

  /** Whether the bucket has refilled to capacity: then it is no different from a new one. */
  isFull(now: number = Date.now()): boolean {
    this.refill(now);
    return this.tokens >= this.capacity;
  }

  private refill(now: number): void {
    const elapsed = Math.max(0, now - this.refilledAt);
    this.tokens = Math.min(this.capacity, this.tokens + (elapsed * this.perSecond) / 1000);
    this.refilledAt = now;
  }
}

/**
 * A token bucket per key (a user, a room and user, a member pair), made on
 * first use. The map stays bounded: past `maxKeys`, buckets that have refilled
 * to capacity are dropped (they hold nothing a new one would not), and if every
 * one is still in use, the oldest half (a flood of distinct keys).
 *
 * Each bucket is one number, the time at which it is full again (the "virtual
 * scheduling" form of a token bucket): a take is allowed while that time is at
 * most `capacity - 1` intervals ahead, and moves it one interval on. Same
 * answers as {@link TokenBucket}, at a fraction of the memory per key.
 */
export class KeyedBuckets {
  /** key → when its bucket is full again, in ms since `#epoch`. */
  readonly #fullAt = new Map<string, number>();
  /** Times are kept relative to this, so they stay small integers in the map. */
  #epoch: number | undefined;
  /** The latest time seen, relative to `#epoch`. */
  #lastAt = 0;
  readonly #intervalMs: number;
  readonly #toleranceMs: number;

  constructor(
    capacity: number,
    perSecond: number,
    private readonly maxKeys = 1000,
  ) {
    this.#intervalMs = 1000 / perSecond;
    this.#toleranceMs = (capacity - 1) * this.#intervalMs;
  }

  /** Takes one token from `key`'s bucket; false when it is spent. */
  take(key: string, now: number = Date.now()): boolean {
    this.#epoch ??= now;
    let at = now - this.#epoch;
    if (at < this.#lastAt) {
      // The clock stepped back: time stands still instead (as for a TokenBucket), nobody is locked out.
      this.#epoch -= this.#lastAt - at;
      at = this.#lastAt;
    }
    this.#lastAt = at;
    let fullAt = this.#fullAt.get(key);
    if (fullAt === undefined) {
      if (this.#fullAt.size >= this.maxKeys) this.#prune(at);
      fullAt = at;
    }
    const start = Math.max(fullAt, at);
    if (start - at > this.#toleranceMs) return false;
    this.#fullAt.set(key, start + this.#intervalMs);
    return true;
  }

  /** Forgets `key`'s bucket. */
  delete(key: string): void {
    this.#fullAt.delete(key);
  }

  /** How many buckets are held. */
  get size(): number {
    return this.#fullAt.size;
  }

  #prune(at: number): void {
    for (const [key, fullAt] of this.#fullAt) if (fullAt <= at) this.#fullAt.delete(key);
    if (this.#fullAt.size < this.maxKeys) return;
    let toDrop = Math.floor(this.#fullAt.size / 2);
    for (const key of this.#fullAt.keys()) {
      if (toDrop-- <= 0) break;
      this.#fullAt.delete(key);
    }
  }
}
