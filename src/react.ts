/**
 * live-session/react: React components for every element, made with
 * `@lit/react`. Properties are typed from the element classes (objects such as
 * `video`, `strings` or `session` included) and every `ls-*` event is an
 * `on…` prop in camel case: `ls-joined` is `onLsJoined`, `ls-participant-joined`
 * is `onLsParticipantJoined`, each with its `CustomEvent` detail typed.
 *
 * Importing this module registers the tags, like `import 'live-session'`.
 * `react` and `@lit/react` are the app's own (optional peer dependencies).
 */
import { createComponent, type EventName } from '@lit/react';
import * as React from 'react';
import './define.js';
import { DeviceSettings as DeviceSettingsElement } from './elements/device-settings/device-settings.js';
import { LiveSessionElement } from './elements/live-session/live-session.js';
import { ParticipantList as ParticipantListElement } from './elements/participant-list/participant-list.js';
import { ParticipantTile as ParticipantTileElement } from './elements/participant-tile/participant-tile.js';
import { SelfPreview as SelfPreviewElement } from './elements/self-preview/self-preview.js';
import { SessionChat as SessionChatElement } from './elements/session-chat/session-chat.js';
import { SessionControls as SessionControlsElement } from './elements/session-controls/session-controls.js';
import type { LiveSessionElementEventMap, ParticipantTileEventMap } from './elements/shared/events.js';
import { VideoGrid as VideoGridElement } from './elements/video-grid/video-grid.js';

/** `ls-participant-joined` → `LsParticipantJoined`. */
type Pascal<S extends string> = S extends `${infer Head}-${infer Tail}` ? `${Capitalize<Head>}${Pascal<Tail>}` : Capitalize<S>;

/** The React prop of each event of an event map: `ls-joined` → `onLsJoined`, typed with the event. */
export type ReactEvents<M> = { [K in keyof M & string as `on${Pascal<K>}`]: EventName<M[K] & Event> };

/** Grid events: only `ls-pinned-changed` comes from `<video-grid>` itself. */
export interface VideoGridEventMap {
  'ls-pinned-changed': LiveSessionElementEventMap['ls-pinned-changed'];
}

/**
 * Builds the `events` option of `createComponent` from a list of names; the
 * `satisfies` at each call makes the list cover its event map exactly.
 */
function reactEvents<M>(names: Record<keyof M & string, true>): ReactEvents<M> {
  const events: Record<string, string> = {};
  for (const name of Object.keys(names)) {
    const pascal = name.split('-').map((word) => word.charAt(0).toUpperCase() + word.slice(1)).join('');
    events[`on${pascal}`] = name;
  }
  return events as ReactEvents<M>;
}

const liveSessionEvents = reactEvents<LiveSessionElementEventMap>({
  'ls-joined': true,
  'ls-left': true,
  'ls-participant-joined': true,
  'ls-participant-left': true,
  'ls-participant-updated': true,
  'ls-connection-state': true,
  'ls-hand-queue': true,
  'ls-muted': true,
  'ls-unmute-requested': true,
  'ls-speaking': true,
  'ls-waiting': true,
  'ls-waiting-list': true,
  'ls-admission': true,
  'ls-speak-invited': true,
  'ls-floor': true,
  'ls-reaction': true,
  'ls-chat-message': true,
  'ls-chat-deleted': true,
  'ls-chat-policy': true,
  'ls-screen-share': true,
  'ls-screen-share-ended': true,
  'ls-error': true,
  'ls-token-expiring': true,
  'ls-pinned-changed': true,
} satisfies Record<keyof LiveSessionElementEventMap, true>);

/** `<live-session>`: the whole room. */
export const LiveSession = createComponent({
  react: React,
  tagName: 'live-session',
  elementClass: LiveSessionElement,
  events: liveSessionEvents,
  displayName: 'LiveSession',
});

/** `<video-grid>`: everyone's video. */
export const VideoGrid = createComponent({
  react: React,
  tagName: 'video-grid',
  elementClass: VideoGridElement,
  events: reactEvents<VideoGridEventMap>({ 'ls-pinned-changed': true } satisfies Record<keyof VideoGridEventMap, true>),
  displayName: 'VideoGrid',
});

/** `<self-preview>`: your own camera. */
export const SelfPreview = createComponent({
  react: React,
  tagName: 'self-preview',
  elementClass: SelfPreviewElement,
  displayName: 'SelfPreview',
});

/** `<participant-tile>`: one participant's video, name and state. */
export const ParticipantTile = createComponent({
  react: React,
  tagName: 'participant-tile',
  elementClass: ParticipantTileElement,
  events: reactEvents<ParticipantTileEventMap>({
    'ls-autoplay-blocked': true,
    'ls-pin-toggle': true,
  } satisfies Record<keyof ParticipantTileEventMap, true>),
  displayName: 'ParticipantTile',
});

/** `<session-controls>`: the control bar. */
export const SessionControls = createComponent({
  react: React,
  tagName: 'session-controls',
  elementClass: SessionControlsElement,
  displayName: 'SessionControls',
});

/** `<participant-list>`: who is in the room, hands and the waiting list. */
export const ParticipantList = createComponent({
  react: React,
  tagName: 'participant-list',
  elementClass: ParticipantListElement,
  displayName: 'ParticipantList',
});

/** `<session-chat>`: the room's chat. */
export const SessionChat = createComponent({
  react: React,
  tagName: 'session-chat',
  elementClass: SessionChatElement,
  displayName: 'SessionChat',
});

/** `<device-settings>`: camera, microphone and speaker pickers with a level meter. */
export const DeviceSettings = createComponent({
  react: React,
  tagName: 'device-settings',
  elementClass: DeviceSettingsElement,
  displayName: 'DeviceSettings',
});

export type { LiveSessionElementEventMap, ParticipantTileEventMap };
