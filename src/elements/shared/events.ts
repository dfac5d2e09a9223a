/**
 * The DOM events of the elements: typed CustomEvents that bubble and are
 * composed (they cross shadow roots), named with an `ls-` prefix so they never
 * collide with native events. Each mirrors an event of the session controller.
 */
import type { LeaveReason } from '../../protocol/index.js';
import type { ConnectionState, Participant, SessionErrorDetail } from '../../core/events.js';

export interface LiveSessionElementEventMap {
  /** The room was joined. */
  'ls-joined': CustomEvent<{ room: string; self: Participant; participants: readonly Participant[] }>;
  /** The local participant left (reason `left`), or was removed by the tutor or replaced by another tab of the same user. */
  'ls-left': CustomEvent<{ reason: LeaveReason }>;
  'ls-participant-joined': CustomEvent<{ participant: Participant }>;
  'ls-participant-left': CustomEvent<{ participant: Participant; reason: LeaveReason }>;
  'ls-participant-updated': CustomEvent<{ participant: Participant }>;
  'ls-connection-state': CustomEvent<{ state: ConnectionState }>;
  'ls-hand-queue': CustomEvent<{ handQueue: readonly string[] }>;
  'ls-muted': CustomEvent<{ by: Participant | null }>;
  'ls-unmute-requested': CustomEvent<{ by: Participant | null }>;
  'ls-error': CustomEvent<SessionErrorDetail>;
}

/** Session event → element event. */
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
  error: 'ls-error',
} as const satisfies Record<string, keyof LiveSessionElementEventMap>;

declare global {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface GlobalEventHandlersEventMap extends LiveSessionElementEventMap {}
}
