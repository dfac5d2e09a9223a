/**
 * Media links: one PeerJS media connection per remote participant. Places and
 * answers calls, holds calls from peers the roster does not know yet, resolves
 * glare, re-establishes connections that die or never connect, and spreads the
 * video budget over the senders. The decisions are pure functions in
 * recovery-rules.ts; this module applies them.
 */
import type { MediaConnection, Peer } from 'peerjs';
import type { ParticipantInfo } from '../protocol/index.js';
import type { Logger } from './logger.js';
import type { Timings } from './options.js';
import { IceRestart } from './ice-restart.js';
import { incomingCallAction, recallPlan, resolveGlare } from './recovery-rules.js';
import type { LinkView } from './roster.js';
import type { Cancel, Scheduler } from './scheduler.js';
import { reducedSendLimits, videoSendLimits } from './send-limits.js';
import type { QualityView } from './quality-monitor.js';
import { recallerOf } from './topology.js';

export interface MediaLinksHost {
  readonly log: Logger;
  /** The peer to place calls with; null when signalling is down. */
  peer(): Peer | null;
  /** The local peer id. */
  myId(): string;
  /** The local user id, sent as call metadata. */
  userId(): string;
  member(id: string): ParticipantInfo | undefined;
  joined(): boolean;
  /** Whether the topology lets us exchange media with `member`. */
  allows(member: ParticipantInfo): boolean;
  /** The tracks every call carries (real devices or placeholders). */
  outgoingStream(): MediaStream;
  /** A remote audio receiver to follow for speaking; null to stop following `id`. */
  watchAudio(id: string, receiver: RTCRtpReceiver | null): void;
  /** Something about the link to `id` changed (stream, connection state). */
  changed(id: string): void;
  /** A media connection to `id` failed without ever connecting: the network may block calls. */
  unreachable(id: string): void;
  /** The measured quality of the connection to `id`, null until measured. */
  quality(id: string): QualityView | null;
}

/**
 * Media that comes some other way than the links (the SFU, in SFU rooms): its
 * views join the links' in what the roster renders, and device changes reach it.
 */
export interface ExternalMedia {
  readonly views: ReadonlyMap<string, LinkView>;
  readonly peerConnections: RTCPeerConnection[];
  replaceTrack(kind: 'audio' | 'video', track: MediaStreamTrack | null): Promise<void>;
}

interface Link {
  call: MediaConnection;
  stream: MediaStream | null;
  /** Whether we placed this call. */
  outgoing: boolean;
  /** Whether it ever reached `connected`. */
  everConnected: boolean;
  cancelDisconnected: Cancel;
  /** ICE restarts on this connection (null without an RTCPeerConnection). */
  iceRestart: IceRestart | null;
  cleanup: () => void;
}

export function peerConnectionOf(call: MediaConnection): RTCPeerConnection | undefined {
  // Typed as always present, but PeerJS sets it to null once the call is closed.
  const { peerConnection } = call as { peerConnection: RTCPeerConnection | null | undefined };
  return peerConnection ?? undefined;
}

/**
 * PeerJS reads `event.streams[0]` of every track without checking: a crafted
 * offer whose tracks carry no stream makes it throw. Such tracks are ignored
 * (every PeerJS caller sends its tracks in a stream).
 */
export function ignoreStreamlessTracks(pc: RTCPeerConnection): void {
  const handler = pc.ontrack;
  if (!handler) return;
  pc.ontrack = function (this: RTCPeerConnection, event: RTCTrackEvent) {
    if (event.streams.length > 0) handler.call(this, event);
  };
}

export class MediaLinks {
  readonly #host: MediaLinksHost;
  readonly #timings: Timings & { videoBudgetBps: number };
  readonly #scheduler: Scheduler;
  readonly #links = new Map<string, Link>();
  /** Calls from peers not (yet) in the roster, held briefly in case the join broadcast is late. */
  readonly #held = new Map<string, { call: MediaConnection; cancel: Cancel }>();
  /** Calls from members waiting for their turn to be answered (at most one per member: the newest). */
  readonly #waiting = new Map<string, { call: MediaConnection; cancel: Cancel }>();
  /** When a call from each member was last answered (scheduler clock). */
  readonly #answeredAt = new Map<string, number>();
  /** Per member: media connections in a row that failed without ever connecting (the network may block calls). */
  readonly #fruitless = new Map<string, number>();
  /** The camera's part of the video budget: all of it, less while we share a screen. */
  #cameraShare = 1;
  /** The limits each video sender was last given by `applySendLimits` (as a key), so an unchanged one is not read again. */
  readonly #applied = new WeakMap<RTCRtpSender, string>();
  /** A pass of `applySendLimits` waiting for its task (see there). */
  #limitsPending: Cancel | null = null;
  /** Members whose connection sends less (its sending was judged poor). */
  readonly #reduced = new Set<string>();
  #external: ExternalMedia | null = null;

  constructor(host: MediaLinksHost, timings: Timings & { videoBudgetBps: number }, scheduler: Scheduler) {
    this.#host = host;
    this.#timings = timings;
    this.#scheduler = scheduler;
  }

  /** Media received some other way (the SFU): shown like the links' own; null to stop. */
  setExternal(external: ExternalMedia | null): void {
    this.#external = external;
  }

  /** What the roster needs to render each remote participant. */
  get views(): ReadonlyMap<string, LinkView> {
    const views = new Map<string, LinkView>(this.#external?.views ?? []);
    for (const [id, link] of this.#links) {
      const state = peerConnectionOf(link.call)?.connectionState;
      const media = state === 'connected' ? 'connected' : state === 'disconnected' ? 'reconnecting' : 'connecting';
      const quality = this.#host.quality(id);
      views.set(id, { stream: link.stream, media, quality: quality?.quality ?? null, figures: quality?.figures ?? null });
    }
    return views;
  }

  /** Each member's RTCPeerConnection, for measuring. */
  get connections(): ReadonlyMap<string, RTCPeerConnection> {
    const connections = new Map<string, RTCPeerConnection>();
    for (const [id, link] of this.#links) {
      const pc = peerConnectionOf(link.call);
      if (pc) connections.set(id, pc);
    }
    return connections;
  }

  /** Whether the connection to `id` sends less (lower resolution, 10 fps, half the bitrate) until it recovers. */
  setReduced(id: string, reduced: boolean): void {
    if (reduced === this.#reduced.has(id)) return;
    if (reduced) this.#reduced.add(id);
    else this.#reduced.delete(id);
    this.#host.log.debug(reduced ? 'sending less to' : 'sending as usual to', id);
    this.applySendLimits();
  }

  /** The RTCPeerConnections held open (the SFU's included). */
  get peerConnections(): RTCPeerConnection[] {
    return [...this.#links.values()]
      .map((link) => peerConnectionOf(link.call))
      .filter((pc): pc is RTCPeerConnection => pc !== undefined)
      .concat(this.#external?.peerConnections ?? []);
  }

  has(id: string): boolean {
    return this.#links.has(id);
  }

  /** Whether the link to `id` has its connection up now. */
  isConnected(id: string): boolean {
    const link = this.#links.get(id);
    if (!link) return this.#external?.views.get(id)?.media === 'connected';
    const pc = peerConnectionOf(link.call);
    return pc ? pc.connectionState === 'connected' : link.call.open;
  }

  /** Whether a link to `id` exists and its connection is not closed or failed. */
  isLive(id: string): boolean {
    const link = this.#links.get(id);
    if (!link) return this.#external?.views.has(id) ?? false;
    const pc = peerConnectionOf(link.call);
    if (!pc) return link.call.open;
    return pc.connectionState !== 'closed' && pc.connectionState !== 'failed';
  }

  /** Places a call to `member` (replacing any link to it), if the topology allows. */
  connectTo(member: ParticipantInfo): void {
    const peer = this.#host.peer();
    if (!peer || peer.disconnected || peer.destroyed || !this.#host.allows(member)) return;
    this.close(member.id);
    this.#host.log.debug('calling', `${member.name} (${member.id})`);
    const call = peer.call(member.id, this.#host.outgoingStream(), { metadata: { userId: this.#host.userId() } }) as
      | MediaConnection
      | undefined;
    if (call) this.#adopt(member.id, call, true);
  }

  /** An incoming call: answered, held until its caller is in the roster, or refused. */
  onIncomingCall(call: MediaConnection): void {
    const from = call.peer;
    const member = this.#host.member(from);
    const action = incomingCallAction({
      callerKnown: member !== undefined,
      joined: this.#host.joined(),
      topologyAllows: member !== undefined && this.#host.allows(member),
    });
    if (action === 'answer') this.#answerInTurn(call);
    else if (action === 'refuse') call.close();
    else this.#hold(call);
  }

  /** Answers held calls whose callers are now in the roster. */
  adoptHeld(): void {
    for (const [from, held] of this.#held) {
      if (!this.#host.member(from)) continue;
      held.cancel();
      this.#held.delete(from);
      this.onIncomingCall(held.call);
    }
  }

  close(id: string): void {
    this.#dropWaiting(id);
    this.#reduced.delete(id);
    this.#answeredAt.delete(id);
    const link = this.#links.get(id);
    if (!link) return;
    this.#drop(id, link);
    // Fewer peers: the remaining videos may use more of the budget.
    this.applySendLimits();
  }

  /** Closes every link and held call. */
  closeAll(): void {
    for (const id of [...this.#links.keys()]) this.close(id);
    for (const slot of [this.#held, this.#waiting]) {
      for (const { call, cancel } of slot.values()) {
        cancel();
        call.close();
      }
      slot.clear();
    }
    this.#answeredAt.clear();
    this.#fruitless.clear();
    this.#scheduler.cancelAll();
    this.#limitsPending = null;
  }

  /** Puts `track` (or nothing) on every sender of `kind`, without renegotiating. */
  async replaceTrack(kind: 'audio' | 'video', track: MediaStreamTrack | null): Promise<void> {
    await Promise.all([
      ...this.#senders(kind).map((sender) =>
        sender.replaceTrack(track).catch((error: unknown) => this.#host.log.debug('replaceTrack failed', error)),
      ),
      this.#external?.replaceTrack(kind, track),
    ]);
  }

  /** Gives the camera `share` (0–1] of the video budget, e.g. less while a screen share sends too. */
  setCameraShare(share: number): void {
    this.#cameraShare = Math.min(1, Math.max(0.1, share));
    this.applySendLimits();
  }

  /**
   * Spreads the video budget over the video senders that send: a member who
   * turned incoming video off gets none of our camera, and their share goes
   * to the others. A connection judged poor gets the reduced limits.
   */
  applySendLimits(): void {
    // Once, in a task of its own: several changes in a row cost one pass, and
    // reading each sender's parameters (a synchronous call into the browser's
    // WebRTC thread) does not delay what the change was part of, such as the
    // ANSWER that leaves once its local description is set.
    if (this.#limitsPending) return;
    this.#limitsPending = this.#scheduler.after(0, () => {
      this.#limitsPending = null;
      this.#applySendLimitsNow();
    });
  }

  #applySendLimitsNow(): void {
    const receivesVideo = (id: string): boolean => this.#host.member(id)?.incomingVideoOff !== true;
    const sending = [...this.#links].filter(([id]) => receivesVideo(id)).flatMap(([, link]) => sendersOf(link, 'video'));
    const limits = videoSendLimits(sending.length, this.#timings.videoBudgetBps * this.#cameraShare);
    for (const [id, link] of this.#links) {
      const target = this.#reduced.has(id) ? reducedSendLimits(limits) : limits;
      const active = receivesVideo(id);
      const wanted = `${String(target.maxBitrate)}/${String(target.scaleResolutionDownBy)}/${String(target.maxFramerate)}/${String(active)}`;
      for (const sender of sendersOf(link, 'video')) {
        // What this pass set last time: no need to read the parameters again. Reading them
        // waits for the browser's WebRTC thread, which a join of many calls keeps busy
        // (a late joiner into a room of five spent about 100 ms of main thread in it).
        if (this.#applied.get(sender) === wanted) continue;
        const parameters = sender.getParameters();
        if (parameters.encodings.length === 0) continue; // Not negotiated yet; retried when it is.
        const same = parameters.encodings.every(
          (e) =>
            e.maxBitrate === target.maxBitrate &&
            (e.scaleResolutionDownBy ?? 1) === target.scaleResolutionDownBy &&
            e.maxFramerate === target.maxFramerate &&
            (e.active ?? true) === active,
        );
        this.#applied.set(sender, wanted);
        if (same) continue; // Setting them again may still reconfigure the encoder.
        for (const encoding of parameters.encodings) {
          encoding.maxBitrate = target.maxBitrate;
          encoding.scaleResolutionDownBy = target.scaleResolutionDownBy;
          encoding.maxFramerate = target.maxFramerate;
          encoding.active = active;
        }
        sender.setParameters(parameters).catch((error: unknown) => {
          // Not set: the next pass reads and tries again.
          if (this.#applied.get(sender) === wanted) this.#applied.delete(sender);
          this.#host.log.debug('setParameters failed', error);
        });
      }
    }
  }

  /**
   * Makes every video sender towards `id` start again with a key frame: an
   * encoding switched off and on again restarts its encoder (Chromium and
   * Firefox have no other way for a page to ask for one).
   */
  async sendKeyFrame(id: string): Promise<void> {
    const link = this.#links.get(id);
    if (!link) return;
    for (const sender of sendersOf(link, 'video')) {
      if (!sender.track) continue;
      try {
        const off = sender.getParameters();
        const active = off.encodings.map((e) => e.active ?? true);
        if (!active.some(Boolean)) continue;
        for (const encoding of off.encodings) encoding.active = false;
        await sender.setParameters(off);
        const on = sender.getParameters();
        on.encodings.forEach((encoding, index) => {
          encoding.active = active[index] ?? true;
        });
        await sender.setParameters(on);
        this.#host.log.debug('key frame sent after an outage to', id);
      } catch (error: unknown) {
        this.#host.log.debug('key frame request failed', error);
        // The encoding may be left off: the limits are read and set again.
        this.#applied.delete(sender);
        this.applySendLimits();
      }
    }
  }

  #hold(call: MediaConnection): void {
    const from = call.peer;
    this.#host.log.debug('holding call from unknown peer', from);
    const previous = this.#held.get(from);
    if (previous) {
      previous.cancel();
      previous.call.close();
    }
    const cancel = this.#scheduler.after(this.#timings.heldCallMs, () => {
      if (this.#held.get(from)?.call !== call) return;
      this.#held.delete(from);
      this.#host.log.debug('refused call from a peer outside the room', from);
      call.close();
    });
    this.#held.set(from, { call, cancel });
  }

  /**
   * At most one live connection per member, and at most one new one per
   * `answerIntervalMs`: a call that comes sooner after the last one answered
   * waits, replacing (and closing at once, before PeerJS sets anything up) any
   * call already waiting. A member whose link is gone is answered at once.
   */
  #answerInTurn(call: MediaConnection): void {
    const from = call.peer;
    this.#dropWaiting(from);
    const last = this.#answeredAt.get(from);
    const wait = last === undefined || !this.#links.has(from) ? 0 : last + this.#timings.answerIntervalMs - this.#scheduler.now();
    if (wait <= 0) {
      this.#answer(call);
      return;
    }
    this.#host.log.debug('call waits for its turn', from);
    const cancel = this.#scheduler.after(wait, () => {
      if (this.#waiting.get(from)?.call !== call) return;
      this.#waiting.delete(from);
      this.onIncomingCall(call);
    });
    this.#waiting.set(from, { call, cancel });
  }

  /** Closes the call waiting for its turn from `id`, if any. */
  #dropWaiting(id: string): void {
    const waiting = this.#waiting.get(id);
    if (!waiting) return;
    waiting.cancel();
    waiting.call.close();
    this.#waiting.delete(id);
  }

  #answer(call: MediaConnection): void {
    const existing = this.#links.get(call.peer);
    const glare = resolveGlare(
      this.#host.myId(),
      call.peer,
      existing ? { outgoing: existing.outgoing, connected: peerConnectionOf(existing.call)?.connectionState === 'connected' } : null,
    );
    if (glare === 'keep-existing') {
      call.close();
      return;
    }
    this.close(call.peer);
    this.#host.log.debug('answering', `${this.#host.member(call.peer)?.name ?? '?'} (${call.peer})`);
    this.#answeredAt.set(call.peer, this.#scheduler.now());
    call.answer(this.#host.outgoingStream());
    this.#adopt(call.peer, call, false);
  }

  #adopt(id: string, call: MediaConnection, outgoing: boolean): void {
    const pc = peerConnectionOf(call);
    const iceRestart = pc
      ? new IceRestart(pc, {
          remoteId: id,
          connectionId: call.connectionId,
          log: this.#host.log,
          send: (frame) => {
            const peer = this.#host.peer();
            if (!peer || peer.disconnected || peer.destroyed) return false;
            peer.socket.send(frame);
            return true;
          },
        })
      : null;
    const link: Link = { call, stream: null, outgoing, everConnected: false, cancelDisconnected: () => undefined, iceRestart, cleanup: () => undefined };
    this.#links.set(id, link);
    const current = (): boolean => this.#links.get(id) === link;
    const onStream = (stream: MediaStream): void => {
      if (!current()) return;
      // PeerJS fires once per track, with the same stream.
      const first = link.stream === null;
      link.stream = stream;
      if (first) {
        this.#host.log.debug('stream from', `${this.#host.member(id)?.name ?? '?'} (${id})`);
        watchAudioOnceConnected();
      }
      this.#host.changed(id);
    };
    // Speaking is measured once audio can flow: sampling a receiver is a
    // blocking call into the WebRTC thread, which a join keeps busy, and
    // before the connection is up there is nothing to hear.
    let audioWatched = false;
    const watchAudioOnceConnected = (): void => {
      if (audioWatched || link.stream === null || (pc && pc.connectionState !== 'connected')) return;
      const receiver = pc?.getReceivers().find((r) => r.track.kind === 'audio');
      if (!receiver) return;
      audioWatched = true;
      this.#host.watchAudio(id, receiver);
    };
    const onClose = (): void => {
      if (current()) this.#broken(id, link);
    };
    const onState = (): void => {
      if (!current() || !pc) return;
      const state = pc.connectionState;
      this.#host.log.debug('media connection', state, id);
      if (state === 'connected') {
        link.everConnected = true;
        watchAudioOnceConnected();
        this.#fruitless.delete(id);
        link.cancelDisconnected();
        this.applySendLimits();
        this.#host.changed(id);
      } else if (state === 'failed' || state === 'closed') {
        this.#host.log.debug('media connection failed', id);
        if (state === 'failed' && !link.everConnected) this.#host.unreachable(id);
        this.#broken(id, link);
      } else if (state === 'disconnected') {
        link.cancelDisconnected();
        // First an ICE restart on this connection (from one side, until it is
        // back or the fallback comes); then, if it is still down, a new call.
        const cancelRestarts = this.#restartWhileDown(id, link, pc);
        const cancelFallback = this.#scheduler.after(this.#timings.mediaRecoveryDelayMs, () => {
          cancelRestarts();
          if (current() && pc.connectionState !== 'connected') {
            this.#host.log.debug('media connection lost', id);
            this.#broken(id, link);
          }
        });
        link.cancelDisconnected = () => {
          cancelRestarts();
          cancelFallback();
        };
        this.#host.changed(id);
      }
    };
    call.on('stream', onStream);
    call.on('close', onClose);
    call.on('error', onClose);
    // A call that never connects (an offer lost on the way) is retried like a broken one.
    const cancelConnectTimeout = this.#scheduler.after(this.#timings.connectTimeoutMs, () => {
      if (current() && pc?.connectionState !== 'connected') {
        this.#host.log.debug('media connection never connected', id);
        if (pc && (pc.iceConnectionState === 'checking' || pc.iceConnectionState === 'failed' || pc.iceConnectionState === 'new')) {
          this.#host.unreachable(id);
        }
        this.#broken(id, link);
      }
    });
    // The limits go on as soon as the senders are negotiated, before the
    // first frame: changed once media flows, they restart the encoder.
    const onSignalling = (): void => {
      if (current() && pc?.signalingState === 'stable') this.applySendLimits();
    };
    pc?.addEventListener('connectionstatechange', onState);
    pc?.addEventListener('signalingstatechange', onSignalling);
    if (pc) ignoreStreamlessTracks(pc);
    link.cleanup = () => {
      call.off('stream', onStream);
      call.off('close', onClose);
      call.off('error', onClose);
      pc?.removeEventListener('connectionstatechange', onState);
      pc?.removeEventListener('signalingstatechange', onSignalling);
      link.cancelDisconnected();
      link.iceRestart?.dispose();
      cancelConnectTimeout();
    };
    this.applySendLimits();
    this.#host.changed(id);
  }

  #drop(id: string, link: Link): void {
    this.#host.watchAudio(id, null);
    link.cleanup();
    this.#links.delete(id);
    link.call.close();
  }

  /**
   * While the link to `id` is down, its restarting side (the lower peer id)
   * restarts ICE every `iceRestartDelayMs`: the first try may find signalling
   * still down, and a restart whose candidates were lost needs another.
   */
  #restartWhileDown(id: string, link: Link, pc: RTCPeerConnection): Cancel {
    if (!link.iceRestart || !this.#restartsIce(id)) return () => undefined;
    return this.#scheduler.every(this.#timings.iceRestartDelayMs, () => {
      if (this.#links.get(id) !== link || pc.connectionState === 'connected') return;
      void link.iceRestart?.restart();
    });
  }

  /**
   * The network changed (a new address, Wi-Fi to mobile): the paths the
   * connections use may be gone though none has noticed yet. Each link this
   * side restarts gets an ICE restart now.
   */
  restartIce(): void {
    for (const [id, link] of this.#links) {
      if (this.#restartsIce(id)) void link.iceRestart?.restart();
    }
  }

  /** Whether this side restarts ICE on the link to `id` (the lower peer id, as for re-calls). */
  #restartsIce(id: string): boolean {
    return recallerOf(this.#host.myId(), id) === this.#host.myId();
  }

  /** ICE restarts this side sent, over the links held now. */
  get iceRestarts(): number {
    let count = 0;
    for (const link of this.#links.values()) count += link.iceRestart?.restarts ?? 0;
    return count;
  }

  /** A media connection died: re-establish it if the peer is still in the room. */
  #broken(id: string, link: Link): void {
    this.#drop(id, link);
    this.#host.changed(id);
    const member = this.#host.member(id);
    const peer = this.#host.peer();
    if (!member || !this.#host.joined() || !peer || peer.disconnected) return;
    const plan = recallPlan(this.#host.myId(), id, {
      recallMs: this.#timings.recallDelayMs,
      waitMs: this.#timings.mediaRecoveryDelayMs,
    });
    // Links that never connect, again and again, are retried less and less often
    // (from the third in a row, up to 8 s more): a network that blocks calls does
    // not open in half a second. The first retries keep their pace.
    const fruitless = link.everConnected ? 0 : (this.#fruitless.get(id) ?? 0) + 1;
    if (fruitless > 0) this.#fruitless.set(id, fruitless);
    // Two calls in a row that never connected: the network may block calls. This
    // also tells the side whose calls the other side's timeouts close first (the
    // host says it once, until a link connects).
    if (fruitless >= 2) this.#host.unreachable(id);
    const backoffMs = fruitless >= 3 ? Math.min(8000, 1000 * 2 ** (fruitless - 3)) : 0;
    // The re-caller waits a moment so the far side notices too; the other side
    // calls anyway after a while, in case its end still looked healthy to the far side.
    this.#host.log.debug(plan.role === 'recaller' ? 're-establishing media' : 'waiting for the re-call', id);
    this.#scheduler.after(plan.delayMs + backoffMs, () => {
      const current = this.#host.member(id);
      if (current && !this.#links.has(id) && this.#host.joined()) this.connectTo(current);
    });
  }

  #senders(kind: 'audio' | 'video'): RTCRtpSender[] {
    return [...this.#links.values()].flatMap((link) => sendersOf(link, kind));
  }
}

/** The live senders of `kind` on one link's connection. */
function sendersOf(link: Link, kind: 'audio' | 'video'): RTCRtpSender[] {
  const pc = peerConnectionOf(link.call);
  if (!pc || pc.signalingState === 'closed') return [];
  return pc
    .getTransceivers()
    .filter((transceiver) => transceiver.receiver.track.kind === kind && transceiver.currentDirection !== 'stopped')
    .map((transceiver) => transceiver.sender);
}
