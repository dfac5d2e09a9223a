/**
 * SFU rooms, seen from the session: the room server says a room's media goes
 * through the SFU (`LS-JOINED.topology` = `sfu`) and hands out short-lived
 * tickets for its proxy; this unit loads the SFU path (src/core/sfu/, its own
 * chunk, never downloaded by peer-to-peer rooms), connects it with a ticket,
 * and when the path breaks asks for a fresh ticket and connects again, with a
 * growing pause. When the SFU is down the user is told (`sfu-unavailable`),
 * and everything comes back by itself when the server says it is up again.
 * Membership, hands, chat and tutor actions never depend on it.
 */
import type { ClientMessage, Role, ServerMessage, SfuGrant } from '../protocol/index.js';
import type { SessionErrorDetail } from './events.js';
import type { Logger } from './logger.js';
import type { LinkView } from './roster.js';
import type { Cancel, Scheduler } from './scheduler.js';
import type { ParsedServer } from './server-url.js';
import type { SfuMedia } from './sfu/index.js';

/** Where the SFU path stands: `off` outside SFU rooms. */
export type SfuState = 'off' | 'connecting' | 'connected' | 'unavailable';

export interface SfuModeHost {
  readonly log: Logger;
  send(message: ClientMessage): void;
  /** The other members, in the order they joined (`media`: camera or microphone on). */
  members(): readonly { id: string; role: Role; media?: boolean }[];
  /** The devices to publish, live ones only: a device that is off is no track at all (not a placeholder). */
  outgoingStream(): MediaStream;
  /** Our own screen capture while we share, else null. */
  ownScreen(): MediaStream | null;
  sharer(): string | null;
  /** A participant's received stream (or, `id` null, the received share or the SFU state) changed. */
  changed(id: string | null): void;
  watchAudio(id: string, receiver: RTCRtpReceiver | null): void;
  rtcConfig(): RTCConfiguration;
  /** Whether the session is in the room (a ticket is only worth using then). */
  joined(): boolean;
  error(detail: SessionErrorDetail): void;
}

export interface SfuModeOptions {
  /** The most classmates received at once (the tutors and the sharer come on top). Default 8. */
  maxClassmates?: number;
}

/** The pause before asking for a fresh ticket after the path broke: 1 s, doubling up to 8 s. */
export function retryDelayMs(failures: number): number {
  return Math.min(8000, 1000 * 2 ** Math.max(0, failures - 1));
}

/** The proxy's websocket URL for a ticket. */
export function sfuProxyUrl(server: ParsedServer, ticket: string): string {
  const scheme = server.secure ? 'wss' : 'ws';
  const defaultPort = server.secure ? 443 : 80;
  const port = server.port === defaultPort ? '' : `:${server.port}`;
  return `${scheme}://${server.host}${port}${server.path}sfu?ticket=${encodeURIComponent(ticket)}`;
}

let loading: Promise<typeof import('./sfu/index.js')> | null = null;
/** The SFU chunk, loaded once, on first use. */
function loadSfu(): Promise<typeof import('./sfu/index.js')> {
  loading ??= import('./sfu/index.js').catch((error: unknown) => {
    loading = null;
    throw error;
  });
  return loading;
}

export class SfuMode {
  readonly #host: SfuModeHost;
  readonly #server: ParsedServer;
  readonly #scheduler: Scheduler;
  readonly #options: SfuModeOptions;
  #active = false;
  #state: SfuState = 'off';
  #media: SfuMedia | null = null;
  /** Bumped for every connection attempt: an older attempt's late results are dropped. */
  #attempt = 0;
  #failures = 0;
  /** An attempt to open the path is under way. */
  #opening = false;
  #cancelRetry: Cancel | null = null;
  /** The user was told the SFU is unavailable (told again only after it worked once more). */
  #told = false;
  /** Tile sizes reported before the path existed, applied when it connects. */
  readonly #sizes = new Map<string, { width: number; height: number } | null>();

  constructor(host: SfuModeHost, server: ParsedServer, scheduler: Scheduler, options: SfuModeOptions = {}) {
    this.#host = host;
    this.#server = server;
    this.#scheduler = scheduler;
    this.#options = options;
  }

  /** Whether the room's media goes through the SFU (then no peer-to-peer media calls are made). */
  get active(): boolean {
    return this.#active;
  }

  get state(): SfuState {
    return this.#state;
  }

  /** The path itself, while connected (tests and diagnostics). */
  get media(): SfuMedia | null {
    return this.#state === 'connected' ? this.#media : null;
  }

  get views(): ReadonlyMap<string, LinkView> {
    return this.#media?.views ?? new Map<string, LinkView>();
  }

  get peerConnections(): RTCPeerConnection[] {
    return this.#media?.peerConnections ?? [];
  }

  get screenStream(): MediaStream | null {
    return this.#media?.screenStream ?? null;
  }

  /** Server messages: the room's topology and grants; roster and share changes re-choose whom to receive. */
  apply(message: ServerMessage): void {
    if (message.type === 'LS-JOINED') {
      const sfu = message.payload.topology === 'sfu';
      if (sfu !== this.#active) this.#host.log.debug('room topology', message.payload.topology ?? '(the page decides)');
      if (!sfu) {
        if (this.#active) this.close();
        return;
      }
      this.#active = true;
      this.#grant(message.payload.sfu ?? { state: 'unavailable' });
      return;
    }
    if (!this.#active) return;
    if (message.type === 'LS-SFU') this.#grant(message.payload);
    else this.#media?.refresh();
  }

  /** Puts a device's track on the published stream. */
  async replaceTrack(kind: 'audio' | 'video', track: MediaStreamTrack | null): Promise<void> {
    await this.#media?.replaceTrack(kind, track);
  }

  /** Publishes our screen share, or stops. */
  async setScreen(stream: MediaStream | null): Promise<void> {
    await this.#media?.setScreen(stream);
  }

  /** The size of the tile showing `id`, or null when it is not shown (see `LiveSession.setVideoSize`). */
  setVideoSize(id: string, size: { width: number; height: number } | null): void {
    if (size) this.#sizes.set(id, size);
    else this.#sizes.delete(id);
    this.#media?.setVideoSize(id, size);
  }

  /** Leaving, or a fresh peer id: the path closes; a join's grant opens it again. */
  close(): void {
    this.#attempt += 1;
    this.#opening = false;
    this.#cancelRetry?.();
    this.#cancelRetry = null;
    const media = this.#media;
    this.#media = null;
    void media?.close();
    this.#active = false;
    this.#failures = 0;
    this.#told = false;
    this.#sizes.clear();
    this.#setState('off');
  }

  #grant(grant: SfuGrant): void {
    if (grant.state === 'unavailable') {
      this.#disconnect();
      this.#setState('unavailable');
      this.#tell(grant.message ?? 'The video server for this class is unavailable. Video and sound come back by themselves when it is.');
      return;
    }
    if (!grant.ticket) return;
    // A working path, or one being opened, keeps going: a re-join's fresh ticket is not needed. A path that
    // broke and waits to retry ('connecting' too, but with no attempt under way) takes it.
    if (this.#state === 'connected' || this.#opening) return;
    void this.#connect(grant.ticket);
  }

  async #connect(ticket: string): Promise<void> {
    this.#disconnect();
    const attempt = ++this.#attempt;
    this.#opening = true;
    this.#setState('connecting');
    try {
      let sfu: typeof import('./sfu/index.js');
      try {
        sfu = await loadSfu();
      } catch (error) {
        // The script-tag bundle loads this chunk from its own folder: a page that copied the bundle alone lands here.
        throw new Error(`the SFU code (live-session.sfu.js, beside the bundle) could not be loaded: ${error instanceof Error ? error.message : String(error)}`);
      }
      const { SfuMedia } = sfu;
      if (attempt !== this.#attempt) return;
      const media: SfuMedia = new SfuMedia(
        {
          debug: (message, ...details) => this.#host.log.debug(String(message), ...details),
          members: () => this.#host.members(),
          outgoingStream: () => this.#host.outgoingStream(),
          sharer: () => this.#host.sharer(),
          changed: (id) => {
            if (this.#media === media) this.#host.changed(id);
          },
          watchAudio: (id, receiver) => this.#host.watchAudio(id, receiver),
          lost: (reason) => {
            if (this.#media === media) this.#broken(reason);
          },
        },
        { rtcConfig: this.#host.rtcConfig(), ...(this.#options.maxClassmates !== undefined ? { maxClassmates: this.#options.maxClassmates } : {}) },
      );
      this.#media = media;
      for (const [id, size] of this.#sizes) media.setVideoSize(id, size);
      await media.connect(sfuProxyUrl(this.#server, ticket), this.#host.ownScreen());
      if (attempt !== this.#attempt) return;
      this.#failures = 0;
      this.#told = false;
      this.#setState('connected');
      media.refresh();
    } catch (error) {
      if (attempt !== this.#attempt) return;
      this.#broken(error instanceof Error ? error.message : String(error));
    } finally {
      if (attempt === this.#attempt) this.#opening = false;
    }
  }

  /** The path broke or never came up: drop it, and ask for a fresh ticket after a pause. */
  #broken(reason: string): void {
    this.#host.log.warn('SFU connection lost', reason);
    this.#disconnect();
    this.#failures += 1;
    this.#setState('connecting');
    // Two failures in a row: the user hears about it (once), while the retries go on.
    if (this.#failures >= 2) this.#tell('The connection to the video server was lost. Reconnecting…');
    this.#cancelRetry?.();
    this.#cancelRetry = this.#scheduler.after(retryDelayMs(this.#failures), () => {
      this.#cancelRetry = null;
      if (this.#active && this.#host.joined() && this.#state !== 'unavailable') this.#host.send({ type: 'LS-SFU-TICKET' });
    });
  }

  #disconnect(): void {
    this.#attempt += 1;
    this.#opening = false;
    const media = this.#media;
    this.#media = null;
    if (media) {
      void media.close();
      this.#host.changed(null);
    }
  }

  #tell(message: string): void {
    if (this.#told) return;
    this.#told = true;
    this.#host.error({ code: 'sfu-unavailable', message });
  }

  #setState(state: SfuState): void {
    if (state === this.#state) return;
    this.#state = state;
    this.#host.log.debug('SFU', state);
    this.#host.changed(null);
  }
}
