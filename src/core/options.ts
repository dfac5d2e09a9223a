/**
 * The options of a LiveSession, and the default of every timing. Each timing
 * is documented here and in docs/controller.md ("Options").
 */
import type { Role } from '../protocol/index.js';
import type { SchedulerTimers } from './scheduler.js';
import type { Topology } from './topology.js';

export interface LiveSessionOptions {
  /** Base URL of the live-session server, e.g. `https://rtc.example.edu/`. */
  server: string;
  /** Signed join token; when the server has a secret, room, name, role and user come from it. */
  token?: string;
  /**
   * Returns a fresh join token. Called before every re-join (after a
   * signalling drop), and once more when the server answers a re-join with an
   * expired or invalid token. Without it, a token that expired during the
   * lesson ends the session with the error code `token-expired`.
   */
  tokenProvider?: () => Promise<string>;
  room?: string;
  name?: string;
  role?: Role;
  /** Stable identity; when absent, one is generated and kept for the tab (sessionStorage). */
  userId?: string;
  /**
   * Default `mesh`. The room server may decide instead: a room it runs
   * through its SFU (`sfu`, see docs/large-classes.md) ignores this.
   */
  topology?: Topology;
  /**
   * SFU rooms: `maxClassmates`, the most classmates received at once (besides
   * every tutor and whoever shares a screen): those speaking first, then those
   * whose tiles are shown (`setVideoSize()`), then the earliest joined. Default 8.
   */
  sfu?: { maxClassmates?: number };
  debug?: boolean;
  /** Camera constraints, or false to join without camera. Default: 640×480 at up to 30 fps. */
  video?: MediaTrackConstraints | false;
  /** Microphone constraints, or false to join without microphone. Default: echo cancellation, noise suppression, AGC. */
  audio?: MediaTrackConstraints | false;
  /**
   * Preferred camera and microphone (`deviceId`s from `listDevices()`), tried
   * first; another is used when one is gone. `speaker`: the audio output others
   * are heard on (where the browser can choose one, see `canChooseAudioOutput`).
   */
  devices?: { camera?: string; microphone?: string; speaker?: string };
  /** ICE servers; when absent, asked of the server (`GET <server>/ice`). */
  iceServers?: RTCIceServer[];
  /**
   * `relay` sends media only through a TURN relay (for networks that allow
   * nothing else; needs a server with a TURN relay). Default `all`.
   */
  iceTransportPolicy?: RTCIceTransportPolicy;
  /** Total outgoing video bitrate shared by all peers. Default 2,500,000. */
  videoBudgetBps?: number;
  /** How long `GET <server>/ice` may take (asked only of an older server, whose join answer lacks the ICE servers). Default 3000 ms. */
  iceFetchTimeoutMs?: number;
  /** How long a new media connection may take to connect before it is placed again. Default 15000 ms. */
  connectTimeoutMs?: number;
  /**
   * How long an ICE `disconnected` may last (ICE restarts included) before the
   * connection is replaced by a new call; also how long the higher peer id waits for the re-call
   * before calling itself. Default 4000 ms.
   */
  mediaRecoveryDelayMs?: number;
  /** The lower peer id's pause before it re-places a dropped media connection. Default 500 ms. */
  recallDelayMs?: number;
  /**
   * While a media connection is `disconnected`, how often its restarting side
   * (the lower peer id) restarts ICE on it, before `mediaRecoveryDelayMs`
   * replaces it with a new call. Default 1000 ms.
   */
  iceRestartDelayMs?: number;
  /** How long a call from a peer not yet in the roster is held before it is refused. Default 5000 ms. */
  heldCallMs?: number;
  /**
   * The shortest time between two calls answered from the same member; a newer
   * call waits for its turn (the newest replaces any waiting one). Bounds what
   * repeated offers can make the page set up. Default 1000 ms.
   */
  answerIntervalMs?: number;
  /** First signalling reconnect delay (then doubling, ±25 % jitter). Default 500 ms. */
  reconnectMinDelayMs?: number;
  /** Longest signalling reconnect delay. Default 8000 ms. */
  reconnectMaxDelayMs?: number;
  /**
   * After a socket reconnect without a new OPEN, when the join is sent anyway
   * (only where the socket's own open event cannot be watched). Default 1500 ms.
   */
  rejoinNudgeMs?: number;
  /**
   * How long one reconnect attempt may take to open its socket before it is
   * abandoned and tried again at once: a server that does not answer at all
   * usually means the network is gone, and a fresh attempt every few seconds
   * gets through as soon as it is back. Default 2000 ms.
   */
  reconnectAttemptTimeoutMs?: number;
  /** How long a re-join may go unanswered once its socket is open before the attempt counts as failed. Default 5000 ms. */
  rejoinTimeoutMs?: number;
  /**
   * How often, in the room, the session asks the server for a sign of life
   * (LS-PING) when it heard nothing else. Default 1000 ms.
   */
  livenessIntervalMs?: number;
  /**
   * Silence from the server after which the signalling socket counts as dead
   * and a reconnect starts, without waiting for the browser to notice (which
   * can take minutes when the network silently drops packets). Only against a
   * server that answers LS-PING. Default 3500 ms; a floor, the timeout grows
   * with slow round trips (up to four times this).
   */
  livenessTimeoutMs?: number;
  /** Failed reconnect attempts after which a fresh peer id takes over. Default 6. */
  freshPeerAfterAttempts?: number;
  /** How long the fresh peer's join may go unanswered before reconnecting again. Default 8000 ms. */
  freshPeerTimeoutMs?: number;
  /**
   * After a reconnect, how long a participant missing from the new snapshot is
   * kept while its media still flows (it may simply not have re-joined yet). Default 10000 ms.
   */
  reconnectGraceMs?: number;
  /** How long to wait for the server's answer to a join before giving up. Default 15000 ms. */
  joinTimeoutMs?: number;
  /**
   * How long a local change (camera, microphone, hand) waits for the server's
   * confirmation before the hand falls back to the server's value and a device
   * state is sent again. Default 5000 ms.
   */
  stateConfirmMs?: number;
  /** Where the generated user id is kept; null to keep none. Default: sessionStorage. */
  storage?: Storage | null;
  /** The timer functions every timer of the session goes through. For tests; default the global ones. */
  timers?: SchedulerTimers;
}

/** The timings, resolved. */
export interface Timings {
  iceFetchTimeoutMs: number;
  connectTimeoutMs: number;
  mediaRecoveryDelayMs: number;
  recallDelayMs: number;
  iceRestartDelayMs: number;
  heldCallMs: number;
  answerIntervalMs: number;
  reconnectMinDelayMs: number;
  reconnectMaxDelayMs: number;
  rejoinNudgeMs: number;
  reconnectAttemptTimeoutMs: number;
  rejoinTimeoutMs: number;
  livenessIntervalMs: number;
  livenessTimeoutMs: number;
  freshPeerAfterAttempts: number;
  freshPeerTimeoutMs: number;
  reconnectGraceMs: number;
  joinTimeoutMs: number;
  stateConfirmMs: number;
}

export const DEFAULT_TIMINGS: Readonly<Timings> = Object.freeze({
  iceFetchTimeoutMs: 3000,
  connectTimeoutMs: 15_000,
  mediaRecoveryDelayMs: 4000,
  recallDelayMs: 500,
  iceRestartDelayMs: 1000,
  heldCallMs: 5000,
  answerIntervalMs: 1000,
  reconnectMinDelayMs: 500,
  reconnectMaxDelayMs: 8000,
  rejoinNudgeMs: 1500,
  reconnectAttemptTimeoutMs: 2000,
  rejoinTimeoutMs: 5000,
  livenessIntervalMs: 1000,
  livenessTimeoutMs: 3500,
  freshPeerAfterAttempts: 6,
  freshPeerTimeoutMs: 8000,
  reconnectGraceMs: 10_000,
  joinTimeoutMs: 15_000,
  stateConfirmMs: 5000,
});

export function resolveTimings(options: Partial<Timings>): Timings {
  const timings = { ...DEFAULT_TIMINGS };
  for (const key of Object.keys(DEFAULT_TIMINGS) as (keyof Timings)[]) {
    const value = options[key];
    if (typeof value === 'number' && Number.isFinite(value) && value >= 0) timings[key] = value;
  }
  return timings;
}

export const DEFAULT_AUDIO: MediaTrackConstraints = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };

export const DEFAULT_VIDEO: MediaTrackConstraints = {
  width: { ideal: 640 },
  height: { ideal: 480 },
  frameRate: { ideal: 30 },
};
