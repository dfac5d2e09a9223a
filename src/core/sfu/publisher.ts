/**
 * The publisher: one VideoRoom handle sending the member's microphone and
 * camera (three simulcast layers, VP8), and a screen share as a second video
 * when there is one. Its handle is also where the room's publishers are
 * announced (who publishes, who left, who talks), which it passes on.
 */
import type { MidDescription } from '../../protocol/sfu-streams.js';
import type { JanusHandle, JanusSession, PluginReply } from './janus-client.js';
import { RemoteCandidates } from './ice.js';
import { publish, publisherJoin, republish, type RoomAccess } from './requests.js';
import { simulcastEncodings } from './simulcast.js';
import { parsePublishers, type Feed } from './subscriptions.js';

export interface PublisherHost {
  debug(...args: unknown[]): void;
  /** Publishers announced (the room's list at join, then each one that publishes or changes its streams). */
  feeds(feeds: Feed[]): void;
  /** A publisher stopped publishing or left. */
  feedGone(id: number): void;
  /** A publisher started or stopped talking (VideoRoom `audiolevel_event`). */
  talking(id: number, talking: boolean): void;
  /** The handle or its PeerConnection is gone on Janus' side. */
  lost(reason: string): void;
}

function trackOf(stream: MediaStream, kind: 'audio' | 'video'): MediaStreamTrack | null {
  return (kind === 'audio' ? stream.getAudioTracks() : stream.getVideoTracks())[0] ?? null;
}

/** Puts VP8 first where the browser lets a page choose (the VideoRoom is created for VP8 anyway). */
function preferVp8(transceiver: RTCRtpTransceiver): void {
  const capabilities = typeof RTCRtpSender.getCapabilities === 'function' ? RTCRtpSender.getCapabilities('video') : null;
  if (!capabilities || typeof transceiver.setCodecPreferences !== 'function') return;
  const vp8 = capabilities.codecs.filter((codec) => codec.mimeType.toLowerCase() === 'video/vp8');
  const rest = capabilities.codecs.filter((codec) => codec.mimeType.toLowerCase() !== 'video/vp8');
  if (vp8.length === 0) return;
  try {
    transceiver.setCodecPreferences([...vp8, ...rest]);
  } catch {
    // Some browsers refuse a list with rtx/red entries in it: the room's codec still wins.
  }
}

export class SfuPublisher {
  readonly #session: JanusSession;
  readonly #host: PublisherHost;
  readonly #access: RoomAccess;
  readonly #pc: RTCPeerConnection;
  /** Janus' candidates (it trickles them all). */
  readonly #candidates: RemoteCandidates;
  #handle: JanusHandle | null = null;
  #audio: RTCRtpTransceiver | null = null;
  #camera: RTCRtpTransceiver | null = null;
  #screen: RTCRtpTransceiver | null = null;
  #screenAudio: RTCRtpTransceiver | null = null;
  /** Our publisher id in the VideoRoom. */
  #id: number | null = null;
  /** Renegotiations run one at a time. */
  #negotiating: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(session: JanusSession, host: PublisherHost, options: { access?: RoomAccess; rtcConfig?: RTCConfiguration; iceStartTimeoutMs?: number }) {
    this.#session = session;
    this.#host = host;
    this.#access = options.access ?? {};
    this.#pc = new RTCPeerConnection(options.rtcConfig ?? {});
    this.#candidates = new RemoteCandidates(
      this.#pc,
      { debug: (...args) => this.#host.debug(...args), stuck: (reason) => this.#host.lost(`publisher: ${reason}`) },
      options.iceStartTimeoutMs,
    );
  }

  get peerConnection(): RTCPeerConnection {
    return this.#pc;
  }

  /** Our publisher id in the VideoRoom, once joined. */
  get id(): number | null {
    return this.#id;
  }

  /** The camera's sender (three encodings), once published. */
  get cameraSender(): RTCRtpSender | null {
    return this.#camera?.sender ?? null;
  }

  /**
   * Joins the room as a publisher and publishes the microphone and camera of
   * `outgoing()` (a kind it lacks gets an empty sender, filled by `replaceTrack`
   * when the device starts). The stream is read once joined, not
   * before: a camera that starts while the join is under way (its
   * `replaceTrack` finding no sender yet) is what gets published.
   */
  async start(outgoing: () => MediaStream): Promise<void> {
    const handle = await this.#session.attach('janus.plugin.videoroom', {
      event: (reply) => this.#onEvent(reply),
      hangup: (reason) => this.#host.lost(`publisher hangup: ${reason}`),
      detached: () => this.#host.lost('publisher detached'),
      webrtcup: () => this.#host.debug('publisher up'),
      trickle: (candidate) => this.#candidates.add(candidate),
    });
    this.#handle = handle;
    this.#pc.addEventListener('icecandidate', (event) => handle.trickle(event.candidate));
    this.#pc.addEventListener('connectionstatechange', () => {
      if (this.#pc.connectionState === 'failed') this.#host.lost('publisher connection failed');
    });
    const joined = await handle.request(publisherJoin(this.#access));
    if (typeof joined.data['id'] === 'number') this.#id = joined.data['id'];
    this.#host.feeds(parsePublishers(joined.data['publishers']));
    if (this.#closed) return;
    const stream = outgoing();
    const audio = trackOf(stream, 'audio');
    const video = trackOf(stream, 'video');
    this.#audio = this.#pc.addTransceiver(audio ?? 'audio', { direction: 'sendonly', streams: [stream] });
    this.#camera = this.#pc.addTransceiver(video ?? 'video', { direction: 'sendonly', streams: [stream], sendEncodings: simulcastEncodings() });
    preferVp8(this.#camera);
    await this.#negotiate(true);
  }

  /** Puts `track` on the camera or microphone sender, without renegotiating (a device switched, turned on or off). */
  async replaceTrack(kind: 'audio' | 'video', track: MediaStreamTrack | null): Promise<void> {
    const transceiver = kind === 'audio' ? this.#audio : this.#camera;
    if (!transceiver || this.#closed) return;
    await transceiver.sender.replaceTrack(track).catch((error: unknown) => this.#host.debug('publisher replaceTrack failed', error));
  }

  /**
   * Publishes a screen share as a second video (and its sound, if captured),
   * or stops publishing it (null). Renegotiates with Janus.
   */
  setScreen(stream: MediaStream | null): Promise<void> {
    const run = async (): Promise<void> => {
      if (this.#closed || !this.#handle) return;
      if (stream) {
        const video = trackOf(stream, 'video');
        const audio = trackOf(stream, 'audio');
        if (!video) return;
        if (this.#screen && this.#screen.currentDirection !== 'stopped') {
          await this.#screen.sender.replaceTrack(video);
          this.#screen.direction = 'sendonly';
        } else {
          this.#screen = this.#pc.addTransceiver(video, { direction: 'sendonly', streams: [stream] });
          preferVp8(this.#screen);
        }
        if (audio) {
          if (this.#screenAudio) {
            await this.#screenAudio.sender.replaceTrack(audio);
            this.#screenAudio.direction = 'sendonly';
          } else {
            this.#screenAudio = this.#pc.addTransceiver(audio, { direction: 'sendonly', streams: [stream] });
          }
        }
      } else {
        for (const transceiver of [this.#screen, this.#screenAudio]) {
          if (!transceiver) continue;
          await transceiver.sender.replaceTrack(null);
          // Inactive rather than stopped: the m-line is reused by the next share.
          transceiver.direction = 'inactive';
        }
      }
      await this.#negotiate(false);
    };
    const next = this.#negotiating.then(run, run);
    this.#negotiating = next.catch((error: unknown) => this.#host.debug('screen publish failed', error));
    return next;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#candidates.stop();
    this.#pc.close();
    await this.#handle?.detach();
  }

  /** Offers our tracks to Janus (`publish` the first time, `configure` after) and applies its answer. */
  async #negotiate(first: boolean): Promise<void> {
    const handle = this.#handle;
    if (!handle || this.#closed) return;
    const offer = await this.#pc.createOffer();
    await this.#pc.setLocalDescription(offer);
    const local = this.#pc.localDescription ?? offer;
    const body = first ? publish(this.#descriptions()) : republish(this.#descriptions());
    const reply = await handle.request(body, { type: local.type, sdp: local.sdp });
    if (!reply.jsep || reply.jsep.type !== 'answer') throw new Error('the SFU did not answer the offer');
    if (this.#isClosed()) return;
    await this.#pc.setRemoteDescription(reply.jsep);
    this.#candidates.described();
  }

  /** Re-reads the flag after an await (the compiler cannot know it changed). */
  #isClosed(): boolean {
    return this.#closed;
  }

  #descriptions(): MidDescription[] {
    const described: MidDescription[] = [];
    const add = (transceiver: RTCRtpTransceiver | null, description: MidDescription['description']): void => {
      if (transceiver?.mid) described.push({ mid: transceiver.mid, description });
    };
    add(this.#audio, 'microphone');
    add(this.#camera, 'camera');
    add(this.#screen, 'screen');
    add(this.#screenAudio, 'screen-audio');
    return described;
  }

  #onEvent(reply: PluginReply): void {
    const data = reply.data;
    const kind = data['videoroom'];
    if (kind === 'talking' || kind === 'stopped-talking') {
      if (typeof data['id'] === 'number') this.#host.talking(data['id'], kind === 'talking');
      return;
    }
    if (kind !== 'event') return;
    if (data['publishers'] !== undefined) this.#host.feeds(parsePublishers(data['publishers']));
    for (const field of ['unpublished', 'leaving']) {
      const id = data[field];
      if (typeof id === 'number' && id !== this.#id) this.#host.feedGone(id);
    }
  }
}
