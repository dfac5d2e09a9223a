/**
 * The signalling channel: the PeerJS peer and its websocket to the room
 * server. It opens the peer at once (the ICE servers come with the answer to
 * the join), waits for that answer, and reconnects after a drop (the same peer
 * first, so media keeps flowing; a fresh peer id after several refused
 * attempts). What to send as the join, and what to do with messages, calls
 * and losses, the session decides.
 *
 * In the room it watches the server's signs of life: a socket silent for
 * `livenessTimeoutMs` after an LS-PING counts as dead at once (a network that
 * drops packets leaves the browser's socket open for minutes). An attempt
 * whose socket does not open within `reconnectAttemptTimeoutMs` is tried
 * again at once rather than after a growing backoff, so the first attempt
 * after the network's return gets through.
 */
import type { MediaConnection } from 'peerjs';
import { Peer } from './peerjs.js';
import { isIceServerList, isRecord, isRelayCredentials, isServerMessage, serverMessageProblem, type ClientMessage, type RelayCredentials, type ServerMessage } from '../protocol/index.js';
import { randomId } from './identity.js';
import type { Logger } from './logger.js';
import type { Timings } from './options.js';
import { guardPeer, skipUselessCandidates, socketIsOpen, whenSocketOpens } from './peer-guards.js';
import { LivenessEstimator, reconnectDelay, stalledFor } from './recovery-rules.js';
import type { Cancel, Scheduler } from './scheduler.js';
import type { ParsedServer } from './server-url.js';

export interface SignallingHost {
  readonly log: Logger;
  /** The session's live camera RTCPeerConnections, which new relay credentials reach (a screen share gets them at its next call). */
  peerConnections(): RTCPeerConnection[];
  /** Whether the session is in the room (only then is a lost socket worth reconnecting). */
  inRoom(): boolean;
  /** Whether the session is re-establishing its connection. */
  reconnecting(): boolean;
  /** Sends the join (first join and every re-join). */
  sendJoin(): void;
  onMessage(message: ServerMessage): void;
  onCall(call: MediaConnection): void;
  /** The socket was lost while in the room. */
  onLost(): void;
  /** A fresh peer id takes over: every media connection must be placed anew. */
  onFreshPeer(): void;
}

/** A failed connect; `connectionFailed` when the server could not be reached at all. */
export class ConnectError extends Error {
  readonly connectionFailed: boolean;
  constructor(message: string, connectionFailed: boolean, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'ConnectError';
    this.connectionFailed = connectionFailed;
  }
}

/** Destroys a Peer; a connection object PeerJS cannot close must not stop the rest of a teardown. */
function destroyPeer(peer: Peer): void {
  peer.removeAllListeners();
  try {
    peer.destroy();
  } catch {
    // PeerJS stops at the first connection that throws; what it holds dies with the page.
  }
}

export class SignallingChannel {
  readonly #server: ParsedServer;
  readonly #timings: Timings;
  readonly #scheduler: Scheduler;
  readonly #host: SignallingHost;
  #iceServers: RTCIceServer[] | null;
  /** The session was given its ICE servers: the server's are not used. */
  readonly #iceGiven: boolean;
  #peer: Peer | null = null;
  #attempt = 0;
  /** Every peer id this channel opens starts with it (see `peerIdPrefix`). */
  #idPrefix = 'ls-';
  #cancelReconnect: Cancel = () => undefined;
  /** The reconnect attempt under way (a stale attempt's timers do nothing). */
  #currentAttempt: symbol | null = null;
  /** The last attempt's socket never opened: the next one starts at once and the backoff does not grow. */
  #unreachable = false;
  /** Whether this server answers LS-PING (only then does silence count as death). */
  #pongSeen = false;
  /** When the oldest unanswered LS-PING left (scheduler clock), or null. */
  #pingSentAt: number | null = null;
  /** When the last liveness check ran (scheduler clock), to tell the page's own stalls from the server's silence. */
  #lastCheckAt: number | null = null;
  readonly #liveness: LivenessEstimator;
  #stopLiveness: Cancel = () => undefined;
  #joinWaiter: { resolve: () => void; reject: (error: Error) => void; stopTimeout: () => void } | null = null;
  readonly #transportPolicy: RTCIceTransportPolicy;
  /** TURN servers with this member's credentials, from LS-JOINED and LS-ICE. */
  #relay: RelayCredentials | null = null;
  #cancelRelayRefresh: Cancel = () => undefined;
  /**
   * The ICE configuration every live connection has, as JSON: each was made
   * from it or given it. A re-join brings the same list again, and live
   * connections are then left alone (each `setConfiguration` waits on the
   * browser's WebRTC thread).
   */
  #liveConfig: string;

  constructor(
    server: ParsedServer,
    iceServers: RTCIceServer[] | null,
    timings: Timings,
    scheduler: Scheduler,
    transportPolicy: RTCIceTransportPolicy,
    host: SignallingHost,
  ) {
    this.#server = server;
    this.#iceServers = iceServers;
    this.#iceGiven = iceServers !== null;
    this.#transportPolicy = transportPolicy;
    this.#timings = timings;
    this.#scheduler = scheduler;
    this.#host = host;
    this.#liveness = new LivenessEstimator({ floorMs: timings.livenessTimeoutMs, maxMs: timings.livenessTimeoutMs * 4 });
    this.#liveConfig = JSON.stringify(this.#rtcConfig());
  }

  get peer(): Peer | null {
    return this.#peer;
  }

  get peerId(): string | null {
    return this.#peer?.id ?? null;
  }

  /** Whether the socket is up (calls can be placed). */
  get connected(): boolean {
    const peer = this.#peer;
    return peer !== null && !peer.disconnected && !peer.destroyed;
  }

  /** Whether a join is waiting for the server's answer. */
  get awaitingJoin(): boolean {
    return this.#joinWaiter !== null;
  }

  send(message: ClientMessage): void {
    this.#peer?.socket.send(message);
  }

  /**
   * The server's STUN/TURN servers, unless the session was given its own: they
   * come in LS-JOINED, so the socket opens without fetching them first. An
   * older server's LS-JOINED lacks them: then they are fetched from
   * `<path>ice` (none on failure: host candidates still work on a LAN), and
   * calls placed before they arrive get them at their next ICE gathering.
   */
  #takeIceServers(servers: unknown): void {
    if (this.#iceGiven) return;
    if (isIceServerList(servers)) {
      this.#iceServers = servers;
      this.#applyConfig();
      return;
    }
    if (servers !== undefined) this.#host.log.warn('ignored a malformed ICE server list');
    if (this.#iceServers === null) void this.#fetchIceServers();
  }

  async #fetchIceServers(): Promise<void> {
    this.#iceServers = [];
    const controller = new AbortController();
    const cancel = this.#scheduler.after(this.#timings.iceFetchTimeoutMs, () => controller.abort());
    try {
      const response = await fetch(`${this.#server.base}ice`, { signal: controller.signal });
      const body = response.ok ? ((await response.json()) as { iceServers?: unknown }) : {};
      if (isIceServerList(body.iceServers)) {
        this.#iceServers = body.iceServers;
        this.#applyConfig();
      }
    } catch {
      // A server without the route: host candidates only.
    } finally {
      cancel();
    }
  }

  /** Sets the prefix of the peer ids opened from now on (the identity's tag). */
  usePeerIdPrefix(prefix: string): void {
    this.#idPrefix = prefix;
  }

  /** Opens a peer and joins; resolves when `joinAnswered()` is called, rejects on refusal or timeout. */
  connect(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const peer = this.#createPeer();
      this.#peer = peer;
      const { joinTimeoutMs } = this.#timings;
      const fail = (error: Error): void => {
        cancelTimeout();
        this.#joinWaiter = null;
        if (this.#peer === peer) {
          this.#peer = null;
          destroyPeer(peer);
        }
        reject(error);
      };
      const cancelTimeout = this.#scheduler.after(joinTimeoutMs, () => {
        fail(new ConnectError(`The server at ${this.#server.base} did not answer the join within ${joinTimeoutMs} ms.`, false));
      });
      this.#joinWaiter = {
        resolve: () => {
          cancelTimeout();
          this.#joinWaiter = null;
          resolve();
        },
        reject: fail,
        stopTimeout: cancelTimeout,
      };
      peer.once('open', () => this.#host.sendJoin());
      peer.once('error', (error) => {
        if (this.#joinWaiter && this.#peer === peer) {
          fail(new ConnectError(`Could not connect to the server at ${this.#server.base}: ${error.message}`, true, error));
        }
      });
    });
  }

  /** The server accepted a join or re-join. */
  joinAnswered(): void {
    this.#attempt = 0;
    this.#currentAttempt = null;
    this.#unreachable = false;
    this.#pingSentAt = null;
    this.#lastCheckAt = null;
    this.#stopLiveness();
    this.#stopLiveness = this.#scheduler.every(this.#timings.livenessIntervalMs, () => this.#checkLiveness());
    this.#joinWaiter?.resolve();
  }

  /**
   * In the room: asks for a sign of life when the server has been quiet, and
   * treats a ping left unanswered for `livenessTimeoutMs` as a dead socket.
   * Measured from the ping, not from the last message, so a background tab
   * whose timers ran late never mistakes its own sleep for a dead server.
   */
  #checkLiveness(): void {
    const now = this.#scheduler.now();
    const stalled = this.#lastCheckAt === null ? 0 : stalledFor(this.#lastCheckAt, now, this.#timings.livenessIntervalMs);
    this.#lastCheckAt = now;
    const peer = this.#peer;
    if (!peer || peer.disconnected || !this.#host.inRoom() || this.#host.reconnecting()) return;
    if (this.#pingSentAt === null) {
      this.#pingSentAt = now;
      this.send({ type: 'LS-PING' });
      return;
    }
    // The page's own stall is not the server's silence (the answer may be queued behind it).
    this.#pingSentAt += stalled;
    const timeoutMs = this.#liveness.timeoutMs;
    if (this.#pongSeen && now - this.#pingSentAt >= timeoutMs) {
      this.#host.log.debug('the server went silent; reconnecting', { silentMs: Math.round(now - this.#pingSentAt), timeoutMs: Math.round(timeoutMs) });
      this.#pingSentAt = null;
      this.#unreachable = true;
      peer.disconnect(); // 'disconnected' schedules the reconnect.
    }
  }

  /** The server put the join in the room's waiting room: no timeout while a tutor decides. */
  joinWaiting(): void {
    this.#joinWaiter?.stopTimeout();
  }

  /** The server refused the first join (or the session ended before it was answered). */
  joinRefused(error: Error): void {
    this.#joinWaiter?.reject(error);
  }

  /**
   * Schedules the next reconnect attempt: at once when `immediate` or when the
   * last attempt found nobody (its socket never opened: waiting longer cannot
   * help, and the attempt itself took its time); otherwise after a backoff
   * that grows with each refused or failed attempt.
   */
  scheduleReconnect(immediate = false): void {
    this.#cancelReconnect();
    const unreachable = this.#unreachable;
    this.#unreachable = false;
    let delay = 0;
    if (!immediate && !unreachable) {
      delay = reconnectDelay(this.#attempt, { minDelayMs: this.#timings.reconnectMinDelayMs, maxDelayMs: this.#timings.reconnectMaxDelayMs });
      this.#attempt++;
    }
    this.#cancelReconnect = this.#scheduler.after(delay, () => this.#reconnect());
  }

  /**
   * The browser reports the network back or changed: reconnect at once when
   * the socket is down, and otherwise check at once that it still works (after
   * a network change an open socket may lead nowhere).
   */
  reconnectNow(): void {
    const peer = this.#peer;
    if (!peer || !this.#host.inRoom()) return;
    if (this.#host.reconnecting() && peer.disconnected) {
      this.#attempt = 0;
      this.scheduleReconnect(true);
    } else if (!this.#host.reconnecting() && !peer.disconnected && this.#pingSentAt === null) {
      this.#pingSentAt = this.#scheduler.now();
      this.send({ type: 'LS-PING' });
    }
  }

  /** The RTCPeerConnection configuration for new connections (the SFU's too). */
  get rtcConfig(): RTCConfiguration {
    return this.#rtcConfig();
  }

  /**
   * The RTCPeerConnection configuration for new calls: static servers, relay
   * credentials, policy. Audio, video and PeerJS's data channel share one
   * transport from the start (`max-bundle`): a third of the ICE candidates to
   * gather, signal and check that the browser's default (a transport per
   * kind until the answer bundles them) would have.
   */
  #rtcConfig(): RTCConfiguration {
    return {
      iceServers: [...(this.#iceServers ?? []), ...(this.#relay?.iceServers ?? [])],
      iceTransportPolicy: this.#transportPolicy,
      bundlePolicy: 'max-bundle',
    };
  }

  /**
   * New relay credentials: every call placed or answered from now on uses them,
   * live connections get them for their next ICE gathering, and fresh ones are
   * asked for before these run out.
   */
  #useRelay(relay: RelayCredentials): void {
    this.#relay = relay;
    this.#applyConfig();
    this.#cancelRelayRefresh();
    const left = relay.expiresAt - Date.now();
    // Renew at 80 % of the lifetime (12 min ahead for the default hour). A rule of
    // "a minute before the end" would renew every second at the shortest, 60 s lifetime.
    const renewIn = Math.max(1000, left * 0.8);
    this.#cancelRelayRefresh = this.#scheduler.after(renewIn, () => {
      if (this.connected && this.#host.inRoom()) this.send({ type: 'LS-ICE' });
    });
  }

  /** New ICE servers: for every call placed or answered from now on, and live connections' next gathering. */
  #applyConfig(): void {
    const config = this.#rtcConfig();
    const peer = this.#peer;
    if (peer) {
      // PeerJS builds each RTCPeerConnection from this object.
      Object.assign(peer.options.config as RTCConfiguration, config);
    }
    const key = JSON.stringify(config);
    if (key === this.#liveConfig) return;
    this.#liveConfig = key;
    for (const pc of this.#host.peerConnections()) {
      try {
        pc.setConfiguration(config);
      } catch {
        // A closed connection, or a browser refusing a change: the next call uses the new servers.
      }
    }
  }

  /** Closes the peer and every pending task of the channel. */
  close(): void {
    this.#cancelRelayRefresh();
    this.#cancelReconnect();
    this.#stopLiveness();
    this.#scheduler.cancelAll();
    const peer = this.#peer;
    this.#peer = null;
    if (peer) destroyPeer(peer);
  }

  #createPeer(): Peer {
    const peer = new Peer(randomId(this.#idPrefix), {
      host: this.#server.host,
      port: this.#server.port,
      path: this.#server.path,
      secure: this.#server.secure,
      key: 'peerjs',
      config: this.#rtcConfig(),
    });
    guardPeer(peer, this.#host.log);
    skipUselessCandidates(peer);
    peer.socket.on('message', (message: unknown) => {
      if (this.#peer !== peer) return;
      // Any message is a sign of life; a pong also measures the round trip.
      const pingSentAt = this.#pingSentAt;
      this.#pingSentAt = null;
      if (isRecord(message) && message['type'] === 'LS-PONG') {
        this.#pongSeen = true;
        if (pingSentAt !== null) this.#liveness.observe(this.#scheduler.now() - pingSentAt);
        return;
      }
      if (!isServerMessage(message)) return;
      // A field of the wrong type would stop a handler half way or break every render after it.
      const problem = serverMessageProblem(message);
      if (problem !== null) {
        this.#host.log.warn('ignored a malformed server message:', problem);
        return;
      }
      if (message.type === 'LS-ICE') {
        if (isRelayCredentials(message.payload)) this.#useRelay(message.payload);
        else this.#host.log.warn('ignored malformed relay credentials');
        return;
      }
      if (message.type === 'LS-JOINED') {
        this.#takeIceServers(message.payload.iceServers);
        if (message.payload.relay !== undefined) {
          if (isRelayCredentials(message.payload.relay)) this.#useRelay(message.payload.relay);
          else this.#host.log.warn('ignored malformed relay credentials');
        }
      }
      this.#host.onMessage(message);
    });
    peer.on('call', (call) => {
      if (this.#peer === peer) this.#host.onCall(call);
      else call.close();
    });
    // Data connections are not part of this protocol: refuse them.
    peer.on('connection', (connection) => connection.close());
    peer.on('disconnected', () => {
      if (this.#peer === peer) this.#host.onLost();
    });
    peer.on('error', (error) => {
      if (this.#peer !== peer) return;
      this.#host.log.debug('peer error', error.type, error.message);
      if (error.type === 'unavailable-id' || error.type === 'server-error') {
        if (this.#host.inRoom()) this.#host.onLost();
      }
    });
    return peer;
  }

  /**
   * Reconnects the same peer (its media connections stay up) and re-joins as
   * soon as the socket is open (a server that re-attaches the socket to the
   * peer id it still knows sends no OPEN). A socket that does not open in
   * time is abandoned and tried again at once; a join left unanswered counts
   * as a failed attempt, retried with backoff; after several of those a fresh
   * peer (new id) takes over.
   */
  #reconnect(): void {
    const peer = this.#peer;
    if (!this.#host.inRoom() || !peer) return;
    if (this.#attempt > this.#timings.freshPeerAfterAttempts) {
      this.#replacePeer();
      return;
    }
    if (!peer.disconnected) return;
    this.#host.log.debug('reconnect attempt', this.#attempt);
    try {
      peer.reconnect();
    } catch {
      this.#replacePeer();
      return;
    }
    const attempt = Symbol('attempt');
    this.#currentAttempt = attempt;
    const stale = (): boolean => this.#peer !== peer || !this.#host.reconnecting() || this.#currentAttempt !== attempt;
    let joinSent = false;
    const join = (): void => {
      if (joinSent || stale()) return;
      joinSent = true;
      this.#host.sendJoin();
    };
    peer.once('open', join);
    const stopWatching = whenSocketOpens(peer, join);
    // Where the socket cannot be watched: send the join after a while anyway.
    if (!stopWatching) this.#scheduler.after(this.#timings.rejoinNudgeMs, () => !peer.disconnected && join());
    const giveUp = (unreachable: boolean): void => {
      peer.off('open', join);
      stopWatching?.();
      this.#unreachable = unreachable;
      if (!peer.disconnected) peer.disconnect(); // 'disconnected' schedules the next attempt.
      else this.scheduleReconnect();
    };
    this.#scheduler.after(this.#timings.reconnectAttemptTimeoutMs, () => {
      if (stale()) return;
      if (stopWatching && !peer.disconnected && !socketIsOpen(peer)) {
        this.#host.log.debug('the server did not answer the reconnect; trying again');
        giveUp(true);
        return;
      }
      this.#scheduler.after(this.#timings.rejoinTimeoutMs, () => {
        if (!stale()) giveUp(false);
      });
    });
  }

  /** Gives up on the old peer id: a fresh peer, a fresh join, every call placed anew. */
  #replacePeer(): void {
    this.#host.log.debug('reconnecting with a fresh peer');
    this.#host.onFreshPeer();
    const old = this.#peer;
    if (old) destroyPeer(old);
    this.#attempt = 0;
    const peer = this.#createPeer();
    this.#peer = peer;
    peer.once('open', () => this.#host.sendJoin());
    this.#cancelReconnect = this.#scheduler.after(this.#timings.freshPeerTimeoutMs, () => {
      if (this.#peer === peer && this.#host.reconnecting()) {
        if (!peer.disconnected) peer.disconnect();
        else this.scheduleReconnect();
      }
    });
  }
}
