/**
 * Membership: the session's life in the room and what it asks of the room
 * server — joining, leaving, re-joining after a drop (with fresh tokens, see
 * token-refresh.ts), refusals, and the room requests (hands, tutor controls)
 * with the client-side checks that spare a round trip. It owns the phase and
 * the connection state.
 */
import type { ClientMessage, LeaveReason, Role, ServerMessage } from '../protocol/index.js';
import { SessionError, type ConnectionState, type LiveSessionEventMap, type SessionErrorDetail, type SessionPhase } from './events.js';
import type { LocalMedia } from './local-media.js';
import type { Logger } from './logger.js';
import type { MediaLinks } from './media-links.js';
import type { LiveSessionOptions } from './options.js';
import { peerIdPrefix, tokenIdentity } from './identity.js';
import { watchPage } from './page-lifecycle.js';
import type { Room } from './room.js';
import type { Scheduler } from './scheduler.js';
import { ConnectError, type SignallingChannel } from './signalling.js';
import type { SpeakingDetector } from './speaking.js';
import { TokenRefresh } from './token-refresh.js';
import type { DetailOf } from './typed-events.js';

export interface MembershipHost {
  readonly log: Logger;
  readonly options: Readonly<LiveSessionOptions>;
  readonly signalling: SignallingChannel;
  readonly room: Room;
  /** Forgets the room's chat and reactions (on leaving, like the roster). */
  forgetRoomTalk(): void;
  readonly links: MediaLinks;
  readonly media: LocalMedia;
  readonly speaking: SpeakingDetector;
  /** Every timer of the session. */
  readonly scheduler: Scheduler;
  emit<K extends keyof LiveSessionEventMap>(type: K, detail: DetailOf<LiveSessionEventMap[K]>): void;
  changed(): void;
  /** What the join says about us. */
  joinFields(): { userId: string; name: string; isVideoOn: boolean; isAudioOn: boolean };
  role(): Role;
  peerId(): string | null;
}

/** What `join()` rejects with: a SessionError whose code says why. */
function asSessionError(error: unknown, message: string): SessionError {
  if (error instanceof SessionError) return error;
  if (error instanceof ConnectError) return new SessionError(error.connectionFailed ? 'connection-failed' : 'join-timeout', message, { cause: error });
  return new SessionError('connection-failed', message, { cause: error });
}

export class Membership {
  readonly #host: MembershipHost;
  readonly #tokens: TokenRefresh;
  #phase: SessionPhase = 'idle';
  #connectionState: ConnectionState = 'disconnected';
  #joining: Promise<void> | null = null;
  /** The join waits in the room's waiting room. */
  #waiting = false;
  /** The first join's local media has settled (started, or failed and said why). */
  #mediaSettled = false;
  #destroyed = false;
  #stopWatchingPage: (() => void) | null = null;

  constructor(host: MembershipHost) {
    this.#host = host;
    this.#tokens = new TokenRefresh(host.options.token, host.options.tokenProvider, host.log);
  }

  /**
   * The public phase: 'joined' once the server has let us in and the camera and
   * microphone have settled, so whoever reads it (or hears 'joined') sees the
   * local participant as it will be.
   */
  get phase(): SessionPhase {
    return this.#phase === 'joined' && !this.#mediaSettled ? 'joining' : this.#phase;
  }

  /** Whether the join waits for a tutor to let us in (the room's waiting room). */
  get waiting(): boolean {
    return this.#waiting;
  }

  /** LS-WAITING: the join is on hold until a tutor admits us. */
  onWaiting(room: string, message: string): void {
    if (this.#phase !== 'joining') return;
    this.#waiting = true;
    this.#host.signalling.joinWaiting();
    this.#host.emit('waiting', { room, message });
    this.#host.changed();
  }

  /** LS-DENIED: a tutor did not let us in; the join fails. */
  onDenied(message: string): void {
    if (this.#phase !== 'joining') return;
    this.#waiting = false;
    this.#host.signalling.joinRefused(new SessionError('admission-denied', message));
  }

  /** The server has let us in (media may still be starting): the signalling layer's view. */
  get inRoom(): boolean {
    return this.#phase === 'joined';
  }

  get connectionState(): ConnectionState {
    return this.#connectionState;
  }

  get destroyed(): boolean {
    return this.#destroyed;
  }

  /** The join token the session joined with (the latest, after re-joins with fresh ones). */
  get joinToken(): string | undefined {
    return this.#tokens.current;
  }

  join(): Promise<void> {
    if (this.#destroyed) return Promise.reject(new SessionError('destroyed', 'This session was destroyed; create a new one.'));
    if (this.#phase === 'joined') return Promise.resolve();
    // A session that left may join again: media, signalling and the roster start afresh.
    if (this.#phase === 'left') this.#phase = 'idle';
    // A second call while joining waits for the same join.
    if (this.#phase !== 'joining' || !this.#joining) this.#joining = this.#join();
    return this.#joining;
  }

  async #join(): Promise<void> {
    const { signalling } = this.#host;
    this.#phase = 'joining';
    this.#mediaSettled = false;
    this.#setConnectionState('connecting');
    this.#host.changed();
    // The camera starts while the room is joined: the join says camera and
    // microphone are off until their tracks exist, calls carry placeholders
    // until then, and the real tracks replace them without renegotiation.
    const mediaStarted = this.#host.media.start();
    mediaStarted.catch(() => undefined);
    try {
      // The socket opens in this task, before anything else (an element's first
      // render, the camera's start) holds the main thread.
      this.#tagPeerIds();
      const connected = signalling.connect();
      connected.catch(() => undefined);
      this.#host.media.preparePlaceholders();
      await connected;
      await mediaStarted;
      if (!this.#isJoinedOrJoining()) throw new SessionError('join-cancelled', 'The join was cancelled.');
      this.#mediaSettled = true;
      this.#host.room.announceJoined();
      this.#stopWatchingPage ??= watchPage({
        onPageHide: (persisted) => {
          // Leave cleanly so others see us go at once; a page kept in the
          // back/forward cache leaves too (its media cannot continue).
          if (this.#phase !== 'joined') return;
          this.#host.log.debug('pagehide: leaving', { persisted });
          this.leave();
        },
        onOnline: () => {
          signalling.reconnectNow();
          // The paths the media connections used may be gone with the old network.
          this.#host.links.restartIce();
        },
        onOffline: () => this.#host.log.debug('browser offline'),
        onDeviceChange: () => {
          // A device unplugged ends its track (see local-media.ts); one plugged in
          // while none worked is picked up when the user turns it on.
          this.#host.log.debug('media devices changed');
          this.#host.changed();
        },
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.#waiting = false;
      if (this.#isJoining()) {
        if (error instanceof ConnectError && error.connectionFailed) this.#emitError({ code: 'connection-failed', message });
        this.#teardownConnections();
        this.#phase = 'idle';
        this.#setConnectionState('disconnected');
        this.#host.changed();
      }
      throw asSessionError(error, message);
    }
  }

  /** Peer ids carry the tag of the identity the server will see (the token's, when there is one). */
  #tagPeerIds(): void {
    const { options } = this.#host;
    const fromToken = options.token ? tokenIdentity(options.token) : null;
    const identity = fromToken ?? { room: options.room, userId: this.#host.joinFields().userId };
    this.#host.signalling.usePeerIdPrefix(peerIdPrefix(identity.room, identity.userId));
  }

  #isJoinedOrJoining(): boolean {
    return this.#phase === 'joined' || this.#phase === 'joining';
  }

  /** Re-reads the phase (an await may have changed it; TypeScript cannot know). */
  #isJoining(): boolean {
    return this.#phase === 'joining';
  }

  leave(): void {
    if (this.#phase === 'idle' || this.#phase === 'left') {
      this.#stopLocalMedia();
      return;
    }
    this.#send({ type: 'LS-LEAVE' });
    this.#end('left');
  }

  destroy(): void {
    if (this.#destroyed) return;
    if (this.#phase === 'joined' || this.#phase === 'joining') this.#send({ type: 'LS-LEAVE' });
    this.#end('left', false);
    this.#destroyed = true;
    this.#host.scheduler.cancelAll();
  }

  /** The server accepted the join or re-join: the session is in the room. */
  entered(): void {
    this.#waiting = false;
    this.#phase = 'joined';
    this.#setConnectionState('connected');
    this.#tokens.accepted();
    this.#host.signalling.joinAnswered();
  }

  /** The signalling socket was lost: reconnect while in the room. */
  onSignallingLost(): void {
    if (this.#phase === 'joining' && this.#waiting && !this.#destroyed) {
      // The server forgets a waiting socket that is gone: waiting on would wait forever.
      this.#host.signalling.joinRefused(
        new SessionError('connection-failed', 'The connection was lost while you waited for the tutor. Join again to wait again.'),
      );
      return;
    }
    if (this.#phase !== 'joined' || this.#destroyed) return;
    if (this.#connectionState !== 'reconnecting') {
      this.#host.log.debug('signalling lost; reconnecting');
      this.#setConnectionState('reconnecting');
      this.#host.changed();
    }
    this.#host.signalling.scheduleReconnect();
  }

  end(reason: LeaveReason, notify = true): void {
    this.#end(reason, notify);
  }

  #end(reason: LeaveReason, notify = true): void {
    const host = this.#host;
    const wasInRoom = this.#phase === 'joined' || this.#phase === 'joining';
    this.#waiting = false;
    host.signalling.joinRefused(new SessionError('join-cancelled', `Left before the join completed (${reason}).`));
    // Camera and microphone first: nothing that fails below may leave them on.
    this.#stopLocalMedia();
    this.#teardownConnections();
    host.media.dispose();
    this.#stopWatchingPage?.();
    this.#stopWatchingPage = null;
    host.room.reset();
    host.forgetRoomTalk();
    this.#phase = 'left';
    this.#setConnectionState('disconnected');
    host.log.debug('left', { reason });
    if (notify && wasInRoom) host.emit('left', { reason });
    host.changed();
  }

  #teardownConnections(): void {
    this.#host.links.closeAll();
    this.#host.signalling.close();
  }

  #stopLocalMedia(): void {
    this.#host.speaking.dispose();
    this.#host.media.stop();
  }

  #setConnectionState(state: ConnectionState): void {
    if (state === this.#connectionState) return;
    this.#connectionState = state;
    this.#host.log.debug('connection', state);
    this.#host.emit('connection-state', { state });
  }

  #emitError(detail: SessionErrorDetail): void {
    this.#host.emit('error', detail);
  }

  /** Sends the join (first join and every re-join), with a fresh token when one is needed and can be had. */
  async sendJoin(): Promise<void> {
    const rejoin = this.#phase === 'joined';
    const token = await this.#tokens.forJoin(rejoin);
    if (rejoin && this.#connectionState !== 'reconnecting') return; // Answered meanwhile.
    const { options } = this.#host;
    this.#send({
      type: 'LS-JOIN',
      payload: {
        ...(token ? { token } : {}),
        ...(options.room ? { room: options.room } : {}),
        ...this.#host.joinFields(),
        role: options.role ?? 'student',
      },
    });
  }

  onServerError(payload: Extract<ServerMessage, { type: 'LS-ERROR' }>['payload']): void {
    const { code, message: text, request } = payload;
    const host = this.#host;
    if (request === 'OFFER' || request === 'ANSWER' || request === 'CANDIDATE') {
      // A relay the server refused (a call already replaced, a member gone, a paced offer):
      // media recovery handles it; nothing the user can act on.
      host.log.debug('signalling refused', request, code, text);
      return;
    }
    host.log.warn('server error', code, text);
    if (request === 'LS-JOIN') {
      if (host.signalling.awaitingJoin && this.#phase === 'joining') {
        this.#emitError({ code, message: text, request });
        host.signalling.joinRefused(new SessionError(code, `${code}: ${text}`));
        return;
      }
      if (code === 'already-joined') return; // A duplicate join while reconnecting.
      if (this.#connectionState === 'reconnecting') {
        // A refused token is worth one retry with a fresh one, when a provider can give it.
        if (this.#tokens.shouldRetry(code)) {
          void this.sendJoin();
          return;
        }
        // Otherwise the server will not take us back (expired token, full room…): retrying cannot help.
        this.#emitError(this.#tokens.explain({ code, message: text, request }));
        this.#end('closed');
        return;
      }
    }
    if (request === 'LS-HAND') host.room.refused(['isHandRaised']);
    else if (request === 'LS-STATE') host.room.refused(['isVideoOn', 'isAudioOn']);
    else if (request === undefined && code === 'rate-limited') host.room.refused(['isVideoOn', 'isAudioOn', 'isHandRaised']);
    this.#emitError({ code, message: text, ...(request ? { request } : {}) });
  }

  raiseHand(): void {
    if (this.#requireRoom()) this.#host.room.setHand(true);
  }

  lowerHand(id?: string): void {
    if (!this.#requireRoom()) return;
    if (id === undefined || id === this.#host.peerId()) this.#host.room.setHand(false);
    else if (this.#requireTutor()) this.#send({ type: 'LS-LOWER-HAND', payload: { target: id } });
  }

  /** A tutor-only request about one participant, or everyone (LS-MUTE-ALL). */
  tutorRequest(type: 'LS-MUTE' | 'LS-REMOVE' | 'LS-ASK-UNMUTE', target: string): void;
  tutorRequest(type: 'LS-MUTE-ALL'): void;
  tutorRequest(type: 'LS-MUTE' | 'LS-REMOVE' | 'LS-ASK-UNMUTE' | 'LS-MUTE-ALL', target?: string): void {
    if (!this.#requireRoom() || !this.#requireTutor()) return;
    if (type === 'LS-MUTE-ALL') this.#send({ type });
    else this.#send({ type, payload: { target: target ?? '' } });
  }

  /** Tutor: lets a removed user (by user id) join this room again. */
  readmit(userId: string): void {
    if (this.#requireRoom() && this.#requireTutor()) this.#send({ type: 'LS-READMIT', payload: { userId } });
  }

  /** Whether a room request may go now: in the room, and (with `tutorOnly`) a tutor. Says why not as an `error`. */
  allowed(tutorOnly: boolean): boolean {
    return this.#requireRoom() && (!tutorOnly || this.#requireTutor());
  }

  /** Fires an `error` event. */
  error(detail: SessionErrorDetail): void {
    this.#emitError(detail);
  }

  #send(message: ClientMessage): void {
    this.#host.signalling.send(message);
  }

  #requireRoom(): boolean {
    if (this.#phase === 'joined') return true;
    this.#emitError({ code: 'not-joined', message: 'Join the room first.' });
    return false;
  }

  #requireTutor(): boolean {
    if (this.#host.role() === 'tutor') return true;
    this.#emitError({ code: 'not-tutor', message: 'Only the tutor can do that.' });
    return false;
  }
}
