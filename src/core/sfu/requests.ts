/**
 * The VideoRoom requests the browser sends, built in one place. Through the
 * room server's proxy the browser never names the room, its pin or its own
 * display (the proxy forces them); `RoomAccess` carries them only when a test
 * talks to Janus directly.
 */
import type { MidDescription } from '../../protocol/sfu-streams.js';
import type { Substream } from './simulcast.js';
import type { StreamRef, SubscriptionUpdate } from './subscriptions.js';

/** Only when talking to Janus without the room server's proxy (tests). */
export interface RoomAccess {
  room?: number;
  pin?: string;
  /** The publisher's display (the member's peer id). */
  display?: string;
}

function access(room: RoomAccess, withDisplay: boolean): Record<string, unknown> {
  return {
    ...(room.room !== undefined ? { room: room.room } : {}),
    ...(room.pin !== undefined ? { pin: room.pin } : {}),
    ...(withDisplay && room.display !== undefined ? { display: room.display } : {}),
  };
}

export function publisherJoin(room: RoomAccess = {}): Record<string, unknown> {
  return { request: 'join', ptype: 'publisher', ...access(room, true) };
}

/** The first offer of a publisher. */
export function publish(descriptions: readonly MidDescription[]): Record<string, unknown> {
  return { request: 'publish', descriptions: descriptions.map((d) => ({ ...d })) };
}

/** A renegotiation of a publisher (a track added or removed): `configure` with the new offer. */
export function republish(descriptions: readonly MidDescription[]): Record<string, unknown> {
  return { request: 'configure', descriptions: descriptions.map((d) => ({ ...d })) };
}

export function subscriberJoin(streams: readonly StreamRef[], room: RoomAccess = {}): Record<string, unknown> {
  return { request: 'join', ptype: 'subscriber', ...access(room, false), streams: streams.map((s) => ({ ...s })) };
}

/** One `update` for subscribing and unsubscribing at once, or null when nothing changes. */
export function updateSubscription(update: SubscriptionUpdate): Record<string, unknown> | null {
  const { subscribe, unsubscribe } = update;
  if (subscribe.length === 0 && unsubscribe.length === 0) return null;
  return {
    request: 'update',
    ...(subscribe.length > 0 ? { subscribe: subscribe.map((s) => ({ ...s })) } : {}),
    ...(unsubscribe.length > 0 ? { unsubscribe: unsubscribe.map((s) => ({ ...s })) } : {}),
  };
}

/** The subscriber's answer to Janus' offer. */
export function start(): Record<string, unknown> {
  return { request: 'start' };
}

/** Asks for one simulcast layer of a subscribed video (`mid`: our m-line). */
export function configureSubstream(mid: string, substream: Substream): Record<string, unknown> {
  return { request: 'configure', streams: [{ mid, substream }] };
}

/** Asks Janus for a fresh offer with an ICE restart (the subscriber cannot restart ICE itself). */
export function restartSubscriberIce(): Record<string, unknown> {
  return { request: 'configure', restart: true };
}

export function leave(): Record<string, unknown> {
  return { request: 'leave' };
}
