/**
 * The DOM events of the elements: typed CustomEvents that bubble and are
 * composed (they cross shadow roots), named with an `ls-` prefix so they never
 * collide with native events. The forwarded ones mirror an event of the
 * session (`LiveSessionEventMap` in the core): their detail types are derived
 * from it, never written twice.
 */
import type { LiveSessionEventMap, SessionErrorDetail } from '../../core/events.js';

/** The `detail` type of a session event. */
export type SessionEventDetail<K extends keyof LiveSessionEventMap> =
  LiveSessionEventMap[K] extends CustomEvent<infer D> ? D : never;

/**
 * Session event → element event, each `ls-` plus the session event's name.
 * The compiler checks both sides: the key must be a session event, the value
 * its prefixed name.
 */
export const FORWARDED_EVENTS = {
  joined: 'ls-joined',
  left: 'ls-left',
  'participant-joined': 'ls-participant-joined',
  'participant-left': 'ls-participant-left',
  'participant-updated': 'ls-participant-updated',
  'connection-state': 'ls-connection-state',
  'hand-queue': 'ls-hand-queue',
  muted: 'ls-muted',
  'unmute-requested': 'ls-unmute-requested',
  speaking: 'ls-speaking',
  reaction: 'ls-reaction',
  waiting: 'ls-waiting',
  'waiting-list': 'ls-waiting-list',
  admission: 'ls-admission',
  'speak-invited': 'ls-speak-invited',
  floor: 'ls-floor',
  'chat-message': 'ls-chat-message',
  'chat-deleted': 'ls-chat-deleted',
  'chat-policy': 'ls-chat-policy',
  'screen-share': 'ls-screen-share',
  'screen-share-ended': 'ls-screen-share-ended',
  error: 'ls-error',
} as const satisfies { [K in keyof LiveSessionEventMap]?: `ls-${K}` };

export type ForwardedSessionEvent = keyof typeof FORWARDED_EVENTS;

/** Codes of `ls-error` that the element adds to the session's own. */
export type ElementErrorCode =
  /** `user-role` is neither `tutor` nor `student`; the element does not join. */
  'invalid-role';

/** Detail of `ls-error`: the session's error detail, or one of the element's own codes. */
export type ElementErrorDetail = SessionErrorDetail | (Omit<SessionErrorDetail, 'code'> & { code: ElementErrorCode });

/** Returns a fresh join token, e.g. from the page's backend. */
export type TokenProvider = () => Promise<string>;

/** Detail of `ls-token-expiring`. */
export interface TokenExpiringDetail {
  /** The token the element holds now (maybe expired). */
  readonly token: string;
  /**
   * Answers with a fresh token, or a promise of one. Call it while the event is
   * dispatched (synchronously in the listener).
   */
  respondWith(token: string | Promise<string>): void;
}

type ForwardedEventMap = {
  [K in ForwardedSessionEvent as (typeof FORWARDED_EVENTS)[K]]: CustomEvent<SessionEventDetail<K>>;
};

/** Every event `<live-session>` dispatches, by name. */
export interface LiveSessionElementEventMap extends Omit<ForwardedEventMap, 'ls-error'> {
  /** Something failed: media, connection, a refused request, or an invalid attribute. */
  'ls-error': CustomEvent<ElementErrorDetail>;
  /**
   * The session needs a join token for a re-join (cancelable). Answer with
   * `detail.respondWith(tokenOrPromise)`, or call `preventDefault()` and then
   * set the `token` attribute.
   */
  'ls-token-expiring': CustomEvent<TokenExpiringDetail>;
  /** Someone was pinned large from a tile's Pin button, or unpinned (null); from the inner `<video-grid>` (bubbles, composed). */
  'ls-pinned-changed': CustomEvent<{ participantId: string | null }>;
}

/** The `detail` type of an element event. */
export type ElementEventDetail<E extends keyof LiveSessionElementEventMap> =
  LiveSessionElementEventMap[E] extends CustomEvent<infer D> ? D : never;

type Assert<T extends true> = T;
type ForwardedDetailsFit = {
  [K in ForwardedSessionEvent]: SessionEventDetail<K> extends ElementEventDetail<(typeof FORWARDED_EVENTS)[K]> ? true : false;
};
/**
 * Compile-time check: each forwarded session event's detail fits the element
 * event it becomes (the build fails otherwise).
 */
export type ForwardedDetailsChecked = Assert<ForwardedDetailsFit[ForwardedSessionEvent]>;

/** Events of `<participant-tile>`. */
export interface ParticipantTileEventMap {
  /**
   * The browser refused to start the tile's sound without a user gesture
   * (bubbles; not composed). Call `play()` on the tile from a click.
   */
  'ls-autoplay-blocked': CustomEvent<{ participantId: string }>;
  /** The tile's Pin button was pressed (bubbles; not composed); `<video-grid>` pins or unpins. */
  'ls-pin-toggle': CustomEvent<{ participantId: string }>;
}

declare global {
  interface GlobalEventHandlersEventMap extends LiveSessionElementEventMap, ParticipantTileEventMap {}
}
