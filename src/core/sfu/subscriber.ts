/**
 * The subscriber: ONE multistream VideoRoom handle receiving every stream
 * this member watches, whoever publishes it. Janus makes the offers; this side
 * answers. Changes to what is wanted are applied one renegotiation at a time
 * (`join` the first time, then `update`), always from the latest wish, so a
 * burst of roster changes costs one or two renegotiations, not one each.
 */
import { JanusError, type JanusHandle, type JanusSession, type PluginReply } from './janus-client.js';
import { RemoteCandidates } from './ice.js';
import { configureSubstream, start, subscriberJoin, updateSubscription, type RoomAccess } from './requests.js';
import type { Substream } from './simulcast.js';
import { parseSubscribedStreams, subscriptionUpdate, type StreamRef, type SubscribedStream } from './subscriptions.js';

/** How long Janus may take to switch layers before it is asked again. */
const SUBSTREAM_REASK_MS = 3000;
const SUBSTREAM_RETRIES = 2;
/** A subscriber join Janus refused is tried again this often, then the path is given up (the session then opens a fresh one). */
const JOIN_TRIES = 5;

export interface SubscriberHost {
  debug(...args: unknown[]): void;
  /** What is received changed (streams added, removed or renegotiated). */
  changed(): void;
  /** Janus switched a video to another simulcast layer. */
  substreamChanged(mid: string, substream: number): void;
  /** The handle or its PeerConnection is gone on Janus' side. */
  lost(reason: string): void;
}

/** A received track and what it is. */
export interface ReceivedTrack {
  stream: SubscribedStream;
  track: MediaStreamTrack;
  receiver: RTCRtpReceiver;
}

export class SfuSubscriber {
  readonly #session: JanusSession;
  readonly #host: SubscriberHost;
  readonly #access: RoomAccess;
  readonly #pc: RTCPeerConnection;
  /** Janus' candidates (it trickles them all). */
  readonly #candidates: RemoteCandidates;
  #handle: JanusHandle | null = null;
  /** Our subscription as Janus last described it. */
  #streams: SubscribedStream[] = [];
  /** What should be received. */
  #wanted: StreamRef[] = [];
  #running = false;
  #dirty = false;
  #closed = false;
  /** Offers and updates run one at a time. */
  #chain: Promise<void> = Promise.resolve();
  /** Layers asked for, by our mid. */
  readonly #substreams = new Map<string, Substream>();
  /** The layer Janus last said it sends, by our mid. */
  readonly #sending = new Map<string, number>();
  /** Pending re-asks of a layer Janus has not switched to yet, by our mid. */
  readonly #reask = new Map<string, ReturnType<typeof setTimeout>>();
  /** Subscriber joins refused in a row, and the pause before the next try (times the count). */
  #joinFailures = 0;
  readonly #joinRetryMs: number;
  #joinRetry: ReturnType<typeof setTimeout> | undefined;

  constructor(session: JanusSession, host: SubscriberHost, options: { access?: RoomAccess; rtcConfig?: RTCConfiguration; joinRetryMs?: number; iceStartTimeoutMs?: number }) {
    this.#session = session;
    this.#host = host;
    this.#access = options.access ?? {};
    this.#joinRetryMs = options.joinRetryMs ?? 500;
    this.#pc = new RTCPeerConnection(options.rtcConfig ?? {});
    this.#candidates = new RemoteCandidates(
      this.#pc,
      { debug: (...args) => this.#host.debug(...args), stuck: (reason) => this.#host.lost(`subscriber: ${reason}`) },
      options.iceStartTimeoutMs,
    );
    // Candidates go to the handle of the moment (a refused join is retried on a fresh one).
    this.#pc.addEventListener('icecandidate', (event) => this.#handle?.trickle(event.candidate));
    this.#pc.addEventListener('track', () => this.#host.changed());
    this.#pc.addEventListener('connectionstatechange', () => {
      if (this.#pc.connectionState === 'failed') this.#host.lost('subscriber connection failed');
      else this.#host.changed();
    });
  }

  get peerConnection(): RTCPeerConnection {
    return this.#pc;
  }

  /** Every active stream of the subscription with its track (once negotiated). */
  get received(): ReceivedTrack[] {
    const transceivers = this.#pc.signalingState === 'closed' ? [] : this.#pc.getTransceivers();
    const tracks: ReceivedTrack[] = [];
    for (const stream of this.#streams) {
      if (!stream.active) continue;
      const transceiver = transceivers.find((t) => t.mid === stream.mid);
      if (!transceiver || transceiver.currentDirection === 'inactive' || transceiver.currentDirection === 'stopped') continue;
      tracks.push({ stream, track: transceiver.receiver.track, receiver: transceiver.receiver });
    }
    return tracks;
  }

  /** Receives exactly `wanted` (publishers' streams), renegotiating as needed. */
  want(wanted: readonly StreamRef[]): void {
    this.#wanted = [...wanted];
    this.#dirty = true;
    if (!this.#running) void this.#run();
  }

  /**
   * Asks for a simulcast layer of the video on our m-line `mid` (sent only
   * when it changes). Janus switches at the layer's next key frame, which it
   * asks the publisher for; a request it has not acted on after a few seconds
   * (a key frame request lost or ignored) is made again, twice at most: a
   * layer the publisher does not send at all is not worth more.
   */
  setSubstream(mid: string, substream: Substream): void {
    if (this.#substreams.get(mid) === substream || !this.#handle) return;
    this.#substreams.set(mid, substream);
    this.#askSubstream(mid, substream, SUBSTREAM_RETRIES);
  }

  #askSubstream(mid: string, substream: Substream, retries: number): void {
    const handle = this.#handle;
    if (!handle) return;
    clearTimeout(this.#reask.get(mid));
    this.#reask.delete(mid);
    void this.#enqueue(async () => {
      if (this.#substreams.get(mid) !== substream || !this.#streams.some((s) => s.mid === mid && s.active)) return;
      await handle.request(configureSubstream(mid, substream));
      if (retries <= 0) return;
      this.#reask.set(
        mid,
        setTimeout(() => {
          this.#reask.delete(mid);
          if (!this.#closed && this.#substreams.get(mid) === substream && this.#sending.get(mid) !== substream) this.#askSubstream(mid, substream, retries - 1);
        }, SUBSTREAM_REASK_MS),
      );
    });
  }

  /** The layer asked for on `mid`, if any. */
  substreamAsked(mid: string): Substream | undefined {
    return this.#substreams.get(mid);
  }

  /** The layer Janus last said it sends on `mid`, if it said. */
  substreamSent(mid: string): number | undefined {
    return this.#sending.get(mid);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#candidates.stop();
    clearTimeout(this.#joinRetry);
    for (const timer of this.#reask.values()) clearTimeout(timer);
    this.#reask.clear();
    this.#pc.close();
    await this.#handle?.detach();
  }

  async #run(): Promise<void> {
    this.#running = true;
    try {
      while (this.#dirty && !this.#closed) {
        this.#dirty = false;
        await this.#enqueue(() => this.#apply());
      }
    } finally {
      this.#running = false;
    }
  }

  /** One step towards what is wanted: the join (with the first streams) or one `update`. */
  async #apply(): Promise<void> {
    if (this.#closed) return;
    if (!this.#handle) {
      if (this.#wanted.length === 0) return; // Janus will not take a subscriber without streams.
      // Only the handle in use speaks for the subscriber (not one whose join was refused and is detached).
      let attached: JanusHandle | null = null;
      const handle = await this.#session.attach('janus.plugin.videoroom', {
        event: (reply) => {
          if (this.#handle === attached) this.#onEvent(reply);
        },
        hangup: (reason) => {
          if (this.#handle === attached) this.#host.lost(`subscriber hangup: ${reason}`);
        },
        detached: () => {
          if (this.#handle === attached) this.#host.lost('subscriber detached');
        },
        webrtcup: () => this.#host.debug('subscriber up'),
        // Janus may trickle before the join's answer (with its offer) arrives: kept until the offer is applied.
        trickle: (candidate) => {
          if (this.#handle === attached || this.#handle === null) this.#candidates.add(candidate);
        },
      });
      attached = handle;
      let reply: PluginReply;
      try {
        reply = await handle.request(subscriberJoin(this.#wanted, this.#access));
      } catch (error) {
        // Refused (a feed announced but not ready yet, or gone meanwhile, as when a whole class comes back
        // to a restarted Janus at once): a handle that never joined takes no update, so start over with a
        // fresh one, a little later; after a few refusals, give the path up for a fresh one.
        void handle.detach().catch(() => undefined);
        this.#joinFailures += 1;
        const message = error instanceof Error ? error.message : String(error);
        if (this.#joinFailures >= JOIN_TRIES) {
          this.#host.lost(`subscriber join refused ${String(this.#joinFailures)} times: ${message}`);
          return;
        }
        this.#host.debug('subscriber join refused, trying again', message);
        this.#joinRetry = setTimeout(() => {
          this.#dirty = true;
          if (!this.#running) void this.#run();
        }, this.#joinRetryMs * this.#joinFailures);
        return;
      }
      this.#joinFailures = 0;
      this.#handle = handle;
      await this.#onReply(reply);
      return;
    }
    const current = this.#streams.filter((s) => s.active).map((s) => ({ feed: s.feed, mid: s.feedMid }));
    const body = updateSubscription(subscriptionUpdate(current, this.#wanted));
    if (!body) return;
    try {
      await this.#onReply(await this.#handle.request(body));
    } catch (error) {
      // A publisher that left between our wish and Janus' reading of it: the next pass drops it.
      if (error instanceof JanusError && error.code > 0) this.#host.debug('subscription update refused', error.message);
      else throw error;
    }
  }

  /** An answer or event of the handle: new stream list, an offer to answer. */
  async #onReply(reply: PluginReply): Promise<void> {
    const kind = reply.data['videoroom'];
    if ((kind === 'attached' || kind === 'updated') && reply.data['streams'] !== undefined) {
      this.#streams = parseSubscribedStreams(reply.data['streams']);
      // Layers asked for on m-lines now carrying something else no longer hold.
      for (const mid of [...this.#substreams.keys()]) {
        if (this.#streams.some((s) => s.mid === mid && s.active)) continue;
        this.#substreams.delete(mid);
        this.#sending.delete(mid);
      }
    }
    if (reply.jsep?.type === 'offer') await this.#answer(reply.jsep);
    this.#host.changed();
  }

  async #answer(offer: RTCSessionDescriptionInit): Promise<void> {
    const handle = this.#handle;
    if (!handle || this.#closed) return;
    await this.#pc.setRemoteDescription(offer);
    this.#candidates.described();
    const answer = await this.#pc.createAnswer();
    await this.#pc.setLocalDescription(answer);
    const local = this.#pc.localDescription ?? answer;
    await handle.request(start(), { type: local.type, sdp: local.sdp });
  }

  /** Events nobody waits for: Janus' own updates (a publisher left, `updating` done), layer switches. */
  #onEvent(reply: PluginReply): void {
    const kind = reply.data['videoroom'];
    if (kind === 'event' && typeof reply.data['substream'] === 'number') {
      const mid = reply.data['mid'];
      if (typeof mid !== 'string') return;
      this.#sending.set(mid, reply.data['substream']);
      this.#host.substreamChanged(mid, reply.data['substream']);
      return;
    }
    if (kind === 'updated' || kind === 'attached' || reply.jsep) {
      void this.#enqueue(() => this.#onReply(reply)).then(() => {
        // Janus removed streams by itself: our wish may need another pass.
        this.#dirty = true;
        if (!this.#running) void this.#run();
      });
    }
  }

  #enqueue(step: () => Promise<void>): Promise<void> {
    const next = this.#chain.then(step, step);
    this.#chain = next.catch((error: unknown) => {
      this.#host.debug('subscriber step failed', error);
      if (!this.#closed && !(error instanceof JanusError && error.code > 0)) this.#host.lost(`subscriber: ${String(error)}`);
    });
    return this.#chain;
  }
}
