/**
 * What a member receives through the SFU: which publishers (feeds) to
 * subscribe to, and the `update` that takes the subscription from what it is
 * to what it should be. Pure: Janus' lists in, request bodies out.
 */
import type { Role } from '../../protocol/index.js';
import { SCREEN_DESCRIPTIONS } from '../../protocol/sfu-streams.js';

/** One medium a publisher sends. */
export interface PublishedStream {
  /** The publisher's mid for it. */
  mid: string;
  type: 'audio' | 'video' | 'data';
  /** What the publisher said it is (`camera`, `screen`). */
  description?: string;
  /** Disabled by the publisher (a medium it stopped). */
  disabled: boolean;
}

/** A publisher in the VideoRoom, as Janus lists it. */
export interface Feed {
  /** Janus' id of the publisher. */
  id: number;
  /** The publisher's display: the member's peer id (the room server forces it). */
  display: string;
  streams: PublishedStream[];
}

/** One stream of a subscription: a publisher's medium (`feed` + its `mid`). */
export interface StreamRef {
  feed: number;
  mid: string;
}

/** A stream of our subscription as Janus describes it (`attached` / `updated` events). */
export interface SubscribedStream {
  /** Our mid for it (the m-line of the subscriber's PeerConnection). */
  mid: string;
  type: 'audio' | 'video' | 'data';
  active: boolean;
  feed: number;
  /** The publisher's mid. */
  feedMid: string;
  /** The publisher's display (peer id). */
  display: string;
  description?: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function mediaType(value: unknown): PublishedStream['type'] | null {
  return value === 'audio' || value === 'video' || value === 'data' ? value : null;
}

/** Janus' `publishers` array (in `joined` and publisher events), with anything malformed left out. */
export function parsePublishers(value: unknown): Feed[] {
  if (!Array.isArray(value)) return [];
  const feeds: Feed[] = [];
  for (const item of value) {
    if (!isRecord(item) || typeof item['id'] !== 'number' || typeof item['display'] !== 'string') continue;
    const streams: PublishedStream[] = [];
    for (const stream of Array.isArray(item['streams']) ? (item['streams'] as unknown[]) : []) {
      if (!isRecord(stream) || typeof stream['mid'] !== 'string') continue;
      const type = mediaType(stream['type']);
      if (!type) continue;
      streams.push({
        mid: stream['mid'],
        type,
        disabled: stream['disabled'] === true,
        ...(typeof stream['description'] === 'string' ? { description: stream['description'] } : {}),
      });
    }
    feeds.push({ id: item['id'], display: item['display'], streams });
  }
  return feeds;
}

/** Janus' `streams` array of a subscription (in `attached` and `updated`), with anything malformed left out. */
export function parseSubscribedStreams(value: unknown): SubscribedStream[] {
  if (!Array.isArray(value)) return [];
  const streams: SubscribedStream[] = [];
  for (const item of value) {
    if (!isRecord(item) || typeof item['mid'] !== 'string') continue;
    const type = mediaType(item['type']);
    if (!type || typeof item['feed_id'] !== 'number' || typeof item['feed_mid'] !== 'string') continue;
    streams.push({
      mid: item['mid'],
      type,
      active: item['active'] !== false,
      feed: item['feed_id'],
      feedMid: item['feed_mid'],
      display: typeof item['feed_display'] === 'string' ? item['feed_display'] : '',
      ...(typeof item['feed_description'] === 'string' ? { description: item['feed_description'] } : {}),
    });
  }
  return streams;
}

/** What decides whom a member receives. */
export interface SelectionInput {
  /** The other members, in the order they joined; `media`: camera or microphone on (unknown counts as on). */
  members: readonly { id: string; role: Role; media?: boolean }[];
  /** Peer ids that spoke lately, the most recent first. */
  speakers: readonly string[];
  /** Peer ids whose tiles are on screen now, in the UI's order; null when the UI does not say. */
  visible: readonly string[] | null;
  /** The peer id sharing a screen, if any (always received). */
  sharer: string | null;
  /** How many classmates (members who are not tutors) at most. */
  limit: number;
}

/**
 * The members to receive: every tutor and the sharer, then at most `limit`
 * classmates: those speaking (most recent first), then those on screen, then,
 * when the UI does not say what it shows, the earliest joined. Among those on
 * screen (or joined), classmates with a camera or microphone on come first:
 * in a lecture most tiles are of students with both off, who send nothing,
 * and must not take the places of the few who do.
 */
export function chooseSubscribed(input: SelectionInput): string[] {
  const known = new Map(input.members.map((member) => [member.id, member.role] as const));
  const chosen: string[] = [];
  const add = (id: string): void => {
    if (known.has(id) && !chosen.includes(id)) chosen.push(id);
  };
  for (const member of input.members) if (member.role === 'tutor') add(member.id);
  if (input.sharer) add(input.sharer);
  const always = chosen.length;
  const limit = Math.max(0, Math.floor(input.limit));
  const silent = new Set(input.members.filter((member) => member.media === false).map((member) => member.id));
  const shown = input.visible ?? input.members.map((member) => member.id);
  const classmates = [...input.speakers, ...shown.filter((id) => !silent.has(id)), ...shown.filter((id) => silent.has(id))];
  for (const id of classmates) {
    if (chosen.length - always >= limit) break;
    add(id);
  }
  return chosen;
}

/** Whether a stream is part of a screen share, as its publisher describes it. */
export function isScreenStream(stream: { description?: string | undefined }): boolean {
  return SCREEN_DESCRIPTIONS.has(stream.description ?? '');
}

/**
 * Every live stream (audio and video) of the feeds whose member is in
 * `members`. A stream its publisher calls part of a screen share is wanted
 * only from `sharer`, the one the room server named: a publisher names its
 * streams itself, and anyone else's "screen" would pass for the room's share.
 */
export function wantedStreams(feeds: readonly Feed[], members: readonly string[], sharer: string | null = null): StreamRef[] {
  const wanted = new Set(members);
  const refs: StreamRef[] = [];
  for (const feed of feeds) {
    if (!wanted.has(feed.display)) continue;
    for (const stream of feed.streams) {
      if (stream.type === 'data' || stream.disabled) continue;
      if (isScreenStream(stream) && feed.display !== sharer) continue;
      refs.push({ feed: feed.id, mid: stream.mid });
    }
  }
  return refs;
}

/** The change from the streams subscribed now to the wanted ones. */
export interface SubscriptionUpdate {
  subscribe: StreamRef[];
  unsubscribe: StreamRef[];
}

const key = (ref: StreamRef): string => `${ref.feed}/${ref.mid}`;

export function subscriptionUpdate(current: readonly StreamRef[], wanted: readonly StreamRef[]): SubscriptionUpdate {
  const have = new Set(current.map(key));
  const want = new Set(wanted.map(key));
  return {
    subscribe: wanted.filter((ref) => !have.has(key(ref))),
    unsubscribe: current.filter((ref) => !want.has(key(ref))),
  };
}

export function isEmptyUpdate(update: SubscriptionUpdate): boolean {
  return update.subscribe.length === 0 && update.unsubscribe.length === 0;
}
