/**
 * The SFU media path of one member: a Janus session (through the room
 * server's proxy), one publisher handle and one multistream subscriber handle.
 * It turns what the subscriber receives into one MediaStream per participant
 * (microphone + camera) and one for the room's screen share, chooses whom to
 * receive (the tutors, the sharer, a bounded set of classmates), and asks for
 * the simulcast layer each tile needs.
 */
import type { Role } from '../../protocol/index.js';
import { JanusSession, type JanusClientOptions } from './janus-client.js';
import { SfuPublisher } from './publisher.js';
import type { RoomAccess } from './requests.js';
import { pickSubstream, type Size, type Substream } from './simulcast.js';
import { SfuSubscriber, type ReceivedTrack } from './subscriber.js';
import { chooseSubscribed, isScreenStream, wantedStreams, type Feed } from './subscriptions.js';

/** What the SFU path needs from the session. */
export interface SfuMediaHost {
  debug(...args: unknown[]): void;
  /** The other members, in the order they joined (`media`: camera or microphone on). */
  members(): readonly { id: string; role: Role; media?: boolean }[];
  /** The devices to publish; a kind without a track is published as an empty sender that `replaceTrack` fills later. */
  outgoingStream(): MediaStream;
  /** Who shares a screen now (peer id), or null. */
  sharer(): string | null;
  /** A participant's stream (or the screen share, `id` null) changed. */
  changed(id: string | null): void;
  /** A participant's audio receiver to follow for speaking; null to stop. */
  watchAudio(id: string, receiver: RTCRtpReceiver | null): void;
  /** The path broke (Janus gone, the proxy closed, a PeerConnection failed): the session decides what next. */
  lost(reason: string): void;
}

export interface SfuMediaOptions {
  /** The most classmates (members who are not tutors) received at once. Default 8. */
  maxClassmates?: number;
  /** ICE servers and policy for the two PeerConnections. */
  rtcConfig?: RTCConfiguration;
  /** Only when a test talks to Janus directly: the room, its pin, and our display. */
  access?: RoomAccess;
  /** Only when a test talks to Janus directly. */
  apiSecret?: string;
  trace?: JanusClientOptions['trace'];
  /** How long a PeerConnection to Janus may stay `new` (no check started) before the path is given up. Default 20 s. */
  iceStartTimeoutMs?: number;
}

export const DEFAULT_MAX_CLASSMATES = 8;

/** What the session shows of one remote participant received through the SFU. */
export interface SfuView {
  stream: MediaStream | null;
  media: 'connecting' | 'connected' | 'reconnecting';
}

/**
 * How long a tile reported gone is still received: a tile the UI re-creates
 * elsewhere (from the strip to the stage) reports `null` as the old one goes
 * and its size once the new one is laid out, a frame or more later; without
 * the grace the subscription would be dropped and asked for again in between.
 */
export const HIDE_GRACE_MS = 500;

export class SfuMedia {
  readonly #host: SfuMediaHost;
  readonly #options: SfuMediaOptions;
  readonly #feeds = new Map<number, Feed>();
  /** Peer ids that spoke, the most recent first. */
  #speakers: string[] = [];
  /** Tile sizes the UI reported, by peer id (insertion order is the UI's order). */
  readonly #sizes = new Map<string, Size>();
  /** Whether the UI reports sizes at all (then only what it shows is received, beyond tutors, sharer and speakers). */
  #sizesReported = false;
  /** Tiles reported gone, still received until their grace ends (see HIDE_GRACE_MS). */
  readonly #hiding = new Map<string, ReturnType<typeof setTimeout>>();
  /** One stream per participant, kept while its tracks stay the same. */
  readonly #streams = new Map<string, { stream: MediaStream; key: string; audio: RTCRtpReceiver | null }>();
  #screen: { stream: MediaStream; key: string; from: string } | null = null;
  #session: JanusSession | null = null;
  #publisher: SfuPublisher | null = null;
  #subscriber: SfuSubscriber | null = null;
  #closed = false;

  constructor(host: SfuMediaHost, options: SfuMediaOptions = {}) {
    this.#host = host;
    this.#options = options;
  }

  /** Opens the session at `url` (the proxy's, with its ticket), publishes, and starts receiving. */
  async connect(url: string, screen: MediaStream | null = null): Promise<void> {
    const session = await JanusSession.open(url, {
      ...(this.#options.apiSecret ? { apiSecret: this.#options.apiSecret } : {}),
      ...(this.#options.trace ? { trace: this.#options.trace } : {}),
    });
    if (this.#closed) {
      session.close();
      return;
    }
    this.#session = session;
    session.onClose((reason) => this.#lost(`SFU session ended: ${reason}`));
    const rtcConfig = this.#options.rtcConfig ?? {};
    const access = this.#options.access ?? {};
    const iceStart = this.#options.iceStartTimeoutMs !== undefined ? { iceStartTimeoutMs: this.#options.iceStartTimeoutMs } : {};
    this.#subscriber = new SfuSubscriber(
      session,
      {
        debug: (...args) => this.#host.debug(...args),
        changed: () => this.#received(),
        substreamChanged: (mid) => {
          const id = this.#received().find((r) => r.stream.mid === mid)?.stream.display;
          if (id) this.#host.changed(id);
        },
        lost: (reason) => this.#lost(reason),
      },
      { access: { ...access, display: undefined }, rtcConfig, ...iceStart },
    );
    this.#publisher = new SfuPublisher(
      session,
      {
        debug: (...args) => this.#host.debug(...args),
        feeds: (feeds) => {
          for (const feed of feeds) this.#feeds.set(feed.id, feed);
          this.refresh();
        },
        feedGone: (id) => {
          this.#feeds.delete(id);
          this.refresh();
        },
        talking: (id, talking) => {
          const display = this.#feeds.get(id)?.display;
          if (!display || !talking) return;
          this.#speakers = [display, ...this.#speakers.filter((s) => s !== display)].slice(0, 16);
          this.refresh();
        },
        lost: (reason) => this.#lost(reason),
      },
      { access, rtcConfig, ...iceStart },
    );
    await this.#publisher.start(() => this.#host.outgoingStream());
    if (screen) await this.#publisher.setScreen(screen);
  }

  /** The publisher's and subscriber's PeerConnections (for measuring, and to prove everything closes). */
  get peerConnections(): RTCPeerConnection[] {
    return [this.#publisher?.peerConnection, this.#subscriber?.peerConnection].filter((pc): pc is RTCPeerConnection => pc !== undefined);
  }

  get publisherConnection(): RTCPeerConnection | null {
    return this.#publisher?.peerConnection ?? null;
  }

  get subscriberConnection(): RTCPeerConnection | null {
    return this.#subscriber?.peerConnection ?? null;
  }

  /** Peer ids received now (subscribed, with at least one track). */
  get receiving(): string[] {
    return [...this.#streams.keys()];
  }

  /** What the session shows of each participant received. */
  get views(): ReadonlyMap<string, SfuView> {
    const state = this.#subscriber?.peerConnection.connectionState;
    const media = state === 'connected' ? 'connected' : state === 'disconnected' ? 'reconnecting' : 'connecting';
    const views = new Map<string, SfuView>();
    for (const [id, entry] of this.#streams) views.set(id, { stream: entry.stream, media });
    return views;
  }

  /** The room's screen share as received (null while nobody else shares). */
  get screenStream(): MediaStream | null {
    return this.#screen?.stream ?? null;
  }

  /** Whose screen share is received (their peer id), or null. */
  get screenFrom(): string | null {
    return this.#screen?.from ?? null;
  }

  /** The simulcast layer of `id`'s camera: `asked` of Janus, and what Janus said it `sends`. */
  substreamOf(id: string): { asked: Substream | undefined; sends: number | undefined } {
    const camera = this.#received().find((r) => r.stream.display === id && r.stream.type === 'video' && !isScreenStream(r.stream));
    if (!camera) return { asked: undefined, sends: undefined };
    return { asked: this.#subscriber?.substreamAsked(camera.stream.mid), sends: this.#subscriber?.substreamSent(camera.stream.mid) };
  }

  replaceTrack(kind: 'audio' | 'video', track: MediaStreamTrack | null): Promise<void> {
    return this.#publisher?.replaceTrack(kind, track) ?? Promise.resolve();
  }

  /** Publishes our screen share, or stops (null). */
  setScreen(stream: MediaStream | null): Promise<void> {
    return this.#publisher?.setScreen(stream) ?? Promise.resolve();
  }

  /**
   * The size of the tile showing `id` (CSS pixels), or null when it is not
   * shown. Picks its simulcast layer; once the UI reports sizes, classmates
   * not shown (and not speaking) are no longer received: half a second after
   * their tile went (HIDE_GRACE_MS), unless a tile shows them again meanwhile.
   */
  setVideoSize(id: string, size: Size | null): void {
    clearTimeout(this.#hiding.get(id));
    this.#hiding.delete(id);
    const before = this.#sizes.get(id);
    if (size && size.width > 0 && size.height > 0) {
      if (before?.width === size.width && before.height === size.height) return;
      this.#sizes.set(id, { width: size.width, height: size.height });
    } else {
      if (!before && this.#sizesReported) return;
      if (before && !this.#closed) {
        // Gone, unless a tile shows it again within the grace.
        this.#hiding.set(
          id,
          setTimeout(() => {
            this.#hiding.delete(id);
            this.#sizes.delete(id);
            this.refresh();
          }, HIDE_GRACE_MS),
        );
        return;
      }
      this.#sizes.delete(id);
    }
    const visibilityChanged = !before !== !this.#sizes.get(id) || !this.#sizesReported;
    this.#sizesReported = true;
    if (visibilityChanged) this.refresh();
    else this.#applySubstreams();
  }

  /** The roster, the share or the speakers changed: receive whom we should. */
  refresh(): void {
    if (this.#closed || !this.#subscriber) return;
    const members = this.#host.members();
    const sharer = this.#host.sharer();
    const chosen = chooseSubscribed({
      members,
      speakers: this.#speakers,
      visible: this.#sizesReported ? [...this.#sizes.keys()] : null,
      sharer,
      limit: this.#options.maxClassmates ?? DEFAULT_MAX_CLASSMATES,
    });
    this.#subscriber.want(wantedStreams([...this.#feeds.values()], chosen, sharer));
    // A share that ended or changed hands leaves the screen at once, before Janus confirms the unsubscribe.
    this.#received();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const timer of this.#hiding.values()) clearTimeout(timer);
    this.#hiding.clear();
    for (const id of this.#streams.keys()) this.#host.watchAudio(id, null);
    this.#streams.clear();
    this.#screen = null;
    const session = this.#session;
    await Promise.all([this.#publisher?.close(), this.#subscriber?.close()]);
    await session?.destroy();
  }

  #lost(reason: string): void {
    if (this.#closed) return;
    this.#host.debug('SFU path lost', reason);
    void this.close();
    this.#host.lost(reason);
  }

  /** Regroups what the subscriber receives into participants' streams; tells the session what changed. */
  #received(): ReceivedTrack[] {
    const received = this.#subscriber?.received ?? [];
    if (this.#closed) return received;
    const byMember = new Map<string, ReceivedTrack[]>();
    const screen: ReceivedTrack[] = [];
    const sharer = this.#host.sharer();
    for (const item of received) {
      // The screen share only from the member the room server names; a "screen" from anyone else is dropped.
      if (isScreenStream(item.stream)) {
        if (item.stream.display === sharer) screen.push(item);
      } else byMember.set(item.stream.display, [...(byMember.get(item.stream.display) ?? []), item]);
    }
    for (const id of [...this.#streams.keys()]) {
      if (byMember.has(id)) continue;
      this.#streams.delete(id);
      this.#host.watchAudio(id, null);
      this.#host.changed(id);
    }
    for (const [id, items] of byMember) {
      const key = items.map((item) => item.track.id).sort().join(',');
      if (this.#streams.get(id)?.key === key) continue;
      const audio = items.find((item) => item.track.kind === 'audio')?.receiver ?? null;
      this.#streams.set(id, { stream: new MediaStream(items.map((item) => item.track)), key, audio });
      this.#host.watchAudio(id, audio);
      this.#host.changed(id);
    }
    const screenKey = screen.map((item) => item.track.id).sort().join(',');
    if ((this.#screen?.key ?? '') !== screenKey) {
      this.#screen = screen.length > 0 ? { stream: new MediaStream(screen.map((item) => item.track)), key: screenKey, from: screen[0]?.stream.display ?? '' } : null;
      this.#host.changed(null);
    }
    this.#applySubstreams(received);
    return received;
  }

  /** Asks for each received camera's layer from its tile's size (a tutor shown large by default, classmates small). */
  #applySubstreams(received: ReceivedTrack[] = this.#subscriber?.received ?? []): void {
    const subscriber = this.#subscriber;
    if (!subscriber) return;
    const roles = new Map(this.#host.members().map((member) => [member.id, member.role] as const));
    const ratio = typeof devicePixelRatio === 'number' ? devicePixelRatio : 1;
    for (const item of received) {
      if (item.stream.type !== 'video' || isScreenStream(item.stream)) continue;
      const size = this.#sizes.get(item.stream.display);
      const substream: Substream = size ? pickSubstream(size, undefined, ratio) : roles.get(item.stream.display) === 'tutor' ? 2 : 1;
      subscriber.setSubstream(item.stream.mid, substream);
    }
  }
}
