import type { ReactiveControllerHost } from 'lit';
import { FORWARDED_EVENTS, type ForwardedSessionEvent } from '../elements/shared/events.js';
import { SessionListeners, type SessionListenerMap } from './session-listeners.js';

function forwardingListeners(host: EventTarget): SessionListenerMap {
  const listeners: SessionListenerMap = {};
  for (const from of Object.keys(FORWARDED_EVENTS) as ForwardedSessionEvent[]) {
    const to = FORWARDED_EVENTS[from];
    const forward = (event: CustomEvent): void => {
      host.dispatchEvent(new CustomEvent(to, { detail: event.detail as unknown, bubbles: true, composed: true }));
    };
    Object.assign(listeners, { [from]: forward });
  }
  return listeners;
}

/**
 * Re-dispatches the session's events on the host element as `ls-*` events
 * that bubble and are composed (see `FORWARDED_EVENTS`, whose detail types the
 * compiler checks against the session's event map), with the same detail,
 * while the host is connected.
 */
export class SessionEventForwarder extends SessionListeners {
  constructor(host: ReactiveControllerHost & EventTarget) {
    super(host, forwardingListeners(host));
  }
}
