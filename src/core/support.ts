/**
 * What this browser can do for a call, checked before anything is tried:
 * peer-to-peer calls need `RTCPeerConnection` (missing in old Safari-class
 * engines, some embedded web views and browsers with WebRTC turned off by
 * policy); the camera and microphone need `navigator.mediaDevices.getUserMedia`,
 * which browsers only offer on secure origins (HTTPS or localhost).
 */

export interface BrowserSupport {
  /** Peer-to-peer calls are possible (`RTCPeerConnection` exists). */
  calls: boolean;
  /** Camera and microphone can be asked for (`getUserMedia` exists). */
  media: boolean;
  /** The page is a secure context (HTTPS or localhost). */
  secureContext: boolean;
}

/** Why no call can be made here, or null when calls work. */
export type CallProblem =
  /** The page is served over plain HTTP from a remote host: the browser hides WebRTC's devices, and some hide calls too. */
  | 'insecure-context'
  /** The browser has no WebRTC (or it is turned off). */
  | 'webrtc-unsupported';

/** What the global scope `scope` (the page's window by default) offers. */
export function browserSupport(scope: object = globalThis): BrowserSupport {
  const g = scope as {
    RTCPeerConnection?: unknown;
    isSecureContext?: boolean;
    navigator?: { mediaDevices?: { getUserMedia?: unknown } };
  };
  return {
    calls: typeof g.RTCPeerConnection === 'function',
    media: typeof g.navigator?.mediaDevices?.getUserMedia === 'function',
    secureContext: g.isSecureContext !== false,
  };
}

/**
 * Whether a call can be made, and if not why: without `RTCPeerConnection`
 * nothing can be joined; an insecure page without it is told the likelier
 * cure (HTTPS). A page that lacks only the devices can still join to watch and
 * listen, so that is not a call problem (the devices report their own).
 */
export function callProblem(support: BrowserSupport): CallProblem | null {
  if (support.calls) return null;
  return support.secureContext ? 'webrtc-unsupported' : 'insecure-context';
}

/** The English explanation of a call problem (the elements use their localisable strings instead). */
export function describeCallProblem(problem: CallProblem): string {
  return problem === 'insecure-context'
    ? 'This page is not served over HTTPS, so the browser does not allow video calls here. Open it through an https:// address.'
    : 'This browser cannot make video calls: it has no WebRTC, or it is turned off. Open this page in a current Chrome, Edge, Firefox or Safari.';
}

/**
 * The English explanation of media that never reached `name`: what to ask the
 * network's administrator (the TURN ports in relay-only mode). The elements
 * use their localisable strings, whose defaults are these.
 */
export function describeNetworkBlocked(name: string, relayOnly: boolean): string {
  return relayOnly
    ? `Video could not reach ${name} through the relay. Ask your administrator to open the TURN server's ports (3478 UDP and TCP, 5349 TCP) on this network.`
    : `Video could not reach ${name}: your network seems to block video calls. Ask your administrator to allow WebRTC traffic (UDP), or to set up a TURN relay for this service.`;
}
