/**
 * The room server's side of SFU rooms, apart from the room logic: one Janus
 * VideoRoom per SFU room (random id, secret and pin, private, made when a
 * member first needs it and destroyed when the room empties), tickets for its
 * members, and the proxy browsers reach Janus through.
 *
 * The proxy (`<path>sfu?ticket=…`, subprotocol `janus-protocol`) opens one
 * upstream websocket to Janus per browser and relays both ways, but only what
 * a member of that room may do: the session and handle verbs a client needs,
 * the VideoRoom plugin only, and its participant requests only. It adds the
 * API secret; it forces the room and its pin on every join, and a publisher's
 * display to the member's peer id, so feeds map to participants and cannot be
 * spoofed; it strips recording fields. Browsers never hold the API secret, the
 * room's secret or its pin. Anything else gets a Janus-style error and is not
 * sent on.
 *
 * Recording: with a recordings folder, each VideoRoom is made with it as its
 * `rec_dir`, and while the room records, the proxies of its tutors ask Janus
 * to record their publisher (a `configure` of their own, on the tutor's
 * publisher handle, whose answers the browser never sees; or `record` added to
 * the tutor's `publish`). Students are never recorded.
 */
import { randomBytes, randomInt } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import type { Role } from '../../protocol/index.js';
import { CAMERA_DESCRIPTIONS, SCREEN_DESCRIPTIONS } from '../../protocol/sfu-streams.js';
import { TokenBucket } from '../frames.js';
import { JanusAdmin, type JanusState } from './janus-admin.js';
import { signSfuTicket, verifySfuTicket } from './sfu-tickets.js';

export interface SfuServiceOptions {
  janus: { url: string; apiSecret: string };
  /** Signs tickets (the server's secret, or a random key per process). */
  ticketKey: Buffer;
  /** Publishers a room allows (the server's room size). */
  maxPublishers: number;
  /** The proxy's path, `<path>sfu`. */
  proxyPath: string;
  /** Whether a browser origin may open the proxy (the server's allowed origins). */
  originAllowed(origin: string | undefined): boolean;
  /** The member's role when `peerId` is in `room` now, else undefined. */
  memberRole(room: string, peerId: string): Role | undefined;
  /** Who shares a screen in `room` now (peer id), or null: only they may publish streams described as a screen share. */
  sharer?(room: string): string | null;
  /** Where Janus writes recordings (it must be the same folder for Janus and the room server). */
  recordingsDir?: string;
  /** Janus went down or came back. */
  stateChanged?(state: JanusState): void;
  log(level: 'info' | 'warn', event: string, fields?: Record<string, unknown>): void;
}

/** A room's VideoRoom in Janus. */
interface JanusRoom {
  id: number;
  secret: string;
  pin: string;
  /** Resolves once Janus has the room. */
  ready: Promise<void>;
}

/** The largest frame a browser may send the proxy (an SDP with many m-lines fits). */
export const SFU_MAX_FRAME_BYTES = 256 * 1024;
/** Requests per second a proxied browser may send on average, after a burst. */
const RATE_PER_SECOND = 50;
const RATE_BURST = 200;
/** Frames over the rate in a row before the connection is closed (1008) rather than answered one by one. */
const OVER_RATE_LIMIT = 100;
/** Frames waiting in a proxy's queue (for the upstream to open, or for Janus' room); beyond it, closed (1008). */
const MAX_QUEUED_FRAMES = 64;
/** Unsent bytes to a browser that does not read; beyond it, closed (1008). */
const MAX_BROWSER_BUFFER = 1024 * 1024;
/** Handles one connection may have with Janus, made or being made. */
const MAX_HANDLES = 8;
/** VideoRooms remembered for destruction while Janus is unreachable (more than one server's rooms at once). */
const MAX_STALE_ROOMS = 10_000;

/** A value from a frame, for a refusal's text: a string cut short, else its type (never converted: it may be an object that throws). */
function shown(value: unknown): string {
  return typeof value === 'string' ? value.slice(0, 32) : typeof value;
}

const SESSION_VERBS = new Set(['create', 'attach', 'message', 'trickle', 'keepalive', 'detach', 'hangup', 'destroy']);
const VIDEOROOM_REQUESTS = new Set(['join', 'configure', 'publish', 'unpublish', 'start', 'pause', 'switch', 'update', 'subscribe', 'unsubscribe', 'leave']);
/** After a recording starts, when the server asks the tutor's browser for a keyframe once more. */
const RECORDING_KEYFRAME_DELAY_MS = 1500;

/**
 * The stream descriptions a publisher may give: camera and microphone, and
 * the screen share's two only while the room server names it the sharer
 * (viewers would take them for the room's share). A description not allowed
 * is left out, its stream published undescribed, and named in `refused`
 * (cut short, for the log); null when the list is malformed.
 */
export function allowedDescriptions(value: unknown, isSharer: boolean): { kept: { mid: string; description: string }[]; refused: string[] } | null {
  if (!Array.isArray(value) || value.length > 8) return null;
  const kept: { mid: string; description: string }[] = [];
  const refused: string[] = [];
  for (const item of value) {
    if (typeof item !== 'object' || item === null) return null;
    const { mid, description } = item as Record<string, unknown>;
    if (typeof mid !== 'string' || mid.length === 0 || mid.length > 16 || typeof description !== 'string') return null;
    if (CAMERA_DESCRIPTIONS.has(description) || (SCREEN_DESCRIPTIONS.has(description) && isSharer)) kept.push({ mid, description });
    else refused.push(description.slice(0, 32));
  }
  return { kept, refused };
}

/** Fields no member may set on its own stream: recording is the server's to start. */
const SERVER_ONLY_FIELDS = ['record', 'filename', 'secret', 'admin_key', 'rtp_forward'];

function textOf(data: RawData): string {
  const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
  return buffer.toString('utf8');
}

export class SfuService {
  readonly #options: SfuServiceOptions;
  readonly #admin: JanusAdmin;
  readonly #rooms = new Map<string, JanusRoom>();
  /** VideoRooms made before the connection to Janus dropped, to destroy when it is back. */
  readonly #stale: JanusRoom[] = [];
  /** Open proxies by room, then peer id (one per member: a newer one replaces the older). */
  readonly #proxies = new Map<string, Map<string, SfuProxy>>();
  readonly #server: WebSocketServer;
  /** Rooms recording now: the recording's id, and the number of the next file set (one per tutor publish). */
  readonly #recording = new Map<string, { id: string; next: number }>();

  constructor(options: SfuServiceOptions) {
    this.#options = options;
    this.#admin = new JanusAdmin({
      url: options.janus.url,
      apiSecret: options.janus.apiSecret,
      log: (level, event, fields) => {
        options.log(level, event, fields);
      },
      stateChanged: (state) => {
        // Janus restarted has none of our rooms: they are made again as members come back.
        if (state === 'down') {
          // If only the connection to Janus dropped, Janus still has them: destroyed once it answers again.
          for (const entry of this.#rooms.values()) if (this.#stale.length < MAX_STALE_ROOMS) this.#stale.push(entry);
          this.#rooms.clear();
          for (const room of [...this.#proxies.keys()]) this.#closeRoomProxies(room, 1011, 'the SFU went away');
        } else {
          for (const entry of this.#stale.splice(0)) {
            // A Janus that restarted answers "no such room": nothing to do then.
            this.#admin.videoroom({ request: 'destroy', room: entry.id, secret: entry.secret }).catch(() => undefined);
          }
        }
        options.stateChanged?.(state);
      },
    });
    this.#server = new WebSocketServer({
      noServer: true,
      maxPayload: SFU_MAX_FRAME_BYTES,
      perMessageDeflate: false,
      handleProtocols: (protocols) => (protocols.has('janus-protocol') ? 'janus-protocol' : false),
    });
  }

  /** `up` while the room server is connected to Janus. */
  get state(): JanusState {
    return this.#admin.state;
  }

  /** Resolves once Janus is up, or after `ms` (false). */
  whenUp(ms: number): Promise<boolean> {
    return this.#admin.whenUp(ms);
  }

  /** A fresh ticket for a member of an SFU room. */
  ticket(room: string, peerId: string, role: Role): string {
    return signSfuTicket(this.#options.ticketKey, { room, peerId, role });
  }

  /** The room's VideoRoom, made in Janus on first need. */
  ensureRoom(room: string): Promise<JanusRoom> {
    let entry = this.#rooms.get(room);
    if (!entry) {
      const id = randomInt(1, 2 ** 47);
      const secret = randomBytes(18).toString('base64url');
      const pin = randomBytes(18).toString('base64url');
      const ready = this.#admin
        .videoroom({
          request: 'create',
          room: id,
          secret,
          pin,
          is_private: true,
          permanent: false,
          publishers: this.#options.maxPublishers,
          videocodec: 'vp8',
          audiocodec: 'opus',
          audiolevel_event: true,
          notify_joining: false,
          ...(this.#options.recordingsDir ? { rec_dir: this.#options.recordingsDir } : {}),
          description: `live-session ${room}`.slice(0, 100),
        })
        .then(() => {
          this.#options.log('info', 'sfu-room-created', { room, janusRoom: id });
        });
      entry = { id, secret, pin, ready };
      const made = entry;
      this.#rooms.set(room, made);
      // A room Janus refused is made again at the next need.
      ready.catch(() => {
        if (this.#rooms.get(room) === made) this.#rooms.delete(room);
      });
    }
    const found = entry;
    return found.ready.then(() => found);
  }

  /**
   * Starts recording the room's tutors under `id` (their publishers now, and
   * any tutor publishing later), or stops (null). Resolves once Janus has
   * answered every tutor's proxy (or 5 s passed): after a stop, the files are
   * closed.
   */
  setRecording(room: string, id: string | null): Promise<void> {
    if (id === null) this.#recording.delete(room);
    else this.#recording.set(room, { id, next: 1 });
    const tutors = [...(this.#proxies.get(room)?.values() ?? [])].filter((proxy) => proxy.role === 'tutor');
    return Promise.all(tutors.map((proxy) => proxy.record(id === null ? null : this.#nextFile(room)))).then(() => undefined);
  }

  /** The base name of a tutor's next recording files while `room` records, else null. */
  #nextFile(room: string): string | null {
    const recording = this.#recording.get(room);
    if (!recording) return null;
    const file = `${recording.id}-${String(recording.next)}`;
    recording.next += 1;
    return file;
  }

  /** A member left its room: its proxies close (Janus drops its feeds with them). */
  memberLeft(room: string, peerId: string): void {
    this.#proxies.get(room)?.get(peerId)?.close(1000, 'left the room');
  }

  /** The room emptied: its VideoRoom goes (the promise settles once Janus said so, or could not). */
  roomEmpty(room: string): Promise<void> {
    this.#closeRoomProxies(room, 1000, 'the room ended');
    const entry = this.#rooms.get(room);
    if (!entry) return Promise.resolve();
    this.#rooms.delete(room);
    return entry.ready
      .then(() => this.#admin.videoroom({ request: 'destroy', room: entry.id, secret: entry.secret }))
      .then(
        () => {
          this.#options.log('info', 'sfu-room-destroyed', { room, janusRoom: entry.id });
        },
        () => undefined,
      );
  }

  /** Whether Janus has a VideoRoom for `room` now (for tests and health). */
  hasRoom(room: string): boolean {
    return this.#rooms.has(room);
  }

  /** The Janus room id of `room`, when made (tests). */
  janusRoomOf(room: string): number | undefined {
    return this.#rooms.get(room)?.id;
  }

  #closeRoomProxies(room: string, code: number, reason: string): void {
    for (const proxy of [...(this.#proxies.get(room)?.values() ?? [])]) proxy.close(code, reason);
  }

  /** Takes an upgrade to the proxy path; false for any other path. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    let url: URL;
    try {
      url = new URL(request.url ?? '/', 'http://server');
    } catch {
      // Not a path of ours ("//a:99999" is no URL): the websocket server refuses it.
      return false;
    }
    if (url.pathname !== this.#options.proxyPath) return false;
    // Node took the HTTP server's error listener off this socket for the upgrade: a reset while we
    // answer would otherwise be an unhandled 'error' that stops the process.
    socket.on('error', () => {
      socket.destroy();
    });
    const refuse = (status: number, message: string): true => {
      socket.end(`HTTP/1.1 ${String(status)} ${message}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return true;
    };
    if (!this.#options.originAllowed(request.headers.origin)) return refuse(403, 'Forbidden');
    const ticket = verifySfuTicket(this.#options.ticketKey, url.searchParams.get('ticket') ?? '');
    if (!ticket) return refuse(401, 'Unauthorized');
    const role = this.#options.memberRole(ticket.room, ticket.peerId);
    if (role === undefined) return refuse(403, 'Forbidden');
    if (this.#admin.state !== 'up') return refuse(503, 'Service Unavailable');
    this.#server.handleUpgrade(request, socket, head, (browser) => {
      this.#open(browser, ticket.room, ticket.peerId, role);
    });
    return true;
  }

  #open(browser: WebSocket, room: string, peerId: string, role: Role): void {
    // One way to Janus per member: a newer connection (the page's SFU path
    // started again) replaces the older. Without this, one ticket reused for
    // many connections could take every publisher place in the VideoRoom.
    // Closed first: its close forgets it, before the newer one is kept.
    this.#proxies.get(room)?.get(peerId)?.close(4409, 'replaced by a newer connection of the same member');
    // Left the room while the upgrade was under way: nothing to proxy.
    if (this.#options.memberRole(room, peerId) === undefined) {
      browser.close(4403, 'not in the room');
      return;
    }
    const proxy = new SfuProxy(browser, {
      url: this.#options.janus.url,
      apiSecret: this.#options.janus.apiSecret,
      peerId,
      role,
      room: () => this.ensureRoom(room),
      recordingFile: () => (role === 'tutor' ? this.#nextFile(room) : null),
      isSharer: () => this.#options.sharer?.(room) === peerId,
      closed: () => {
        // Only the member's current proxy is forgotten (the maps may be newer than this one).
        const byPeer = this.#proxies.get(room);
        if (byPeer?.get(peerId) !== proxy) return;
        byPeer.delete(peerId);
        if (byPeer.size === 0) this.#proxies.delete(room);
      },
      log: (level, event, fields) => {
        this.#options.log(level, event, fields);
      },
    });
    if (proxy.isClosed) return;
    const byPeer = this.#proxies.get(room) ?? new Map<string, SfuProxy>();
    this.#proxies.set(room, byPeer);
    byPeer.set(peerId, proxy);
  }

  /** Closes every proxy, destroys every VideoRoom (waiting for Janus's answers), then the admin connection. */
  async close(): Promise<void> {
    for (const room of [...this.#proxies.keys()]) this.#closeRoomProxies(room, 1001, 'the server is stopping');
    this.#server.close();
    await Promise.all([...this.#rooms.keys()].map((room) => this.roomEmpty(room)));
    this.#admin.close();
  }
}

interface ProxyHost {
  url: string;
  apiSecret: string;
  peerId: string;
  role: Role;
  room(): Promise<{ id: number; pin: string }>;
  /** The base name to record this publisher under when it publishes now, or null (not recording, or not a tutor). */
  recordingFile(): string | null;
  /** Whether the room server names this member as the one sharing a screen now. */
  isSharer(): boolean;
  closed(): void;
  log(level: 'info' | 'warn', event: string, fields?: Record<string, unknown>): void;
}

/** One browser's way to Janus: the upstream websocket and the filter. */
class SfuProxy {
  readonly #browser: WebSocket;
  readonly #upstream: WebSocket;
  readonly #host: ProxyHost;
  /** Frames from the browser waiting for the upstream to open, or for the room. */
  #queue: Promise<void> = Promise.resolve();
  readonly #sessions = new Set<number>();
  readonly #handles = new Set<number>();
  /** Transactions of `create` and `attach` requests, to learn the ids Janus gives. */
  readonly #creating = new Map<string, 'session' | 'handle'>();
  /** The browser's frames per second, after a burst. */
  readonly #rate = new TokenBucket(RATE_BURST, RATE_PER_SECOND);
  /** Frames over the rate in a row. */
  #overRate = 0;
  /** Frames received and not yet handled. */
  #queued = 0;
  #closed = false;
  /** The session and handle this browser joined the VideoRoom as a publisher on, once it has. */
  #publisher: { session: number; handle: number; published: boolean } | undefined;
  /** Our own requests (recording), answered to us and never passed to the browser. */
  readonly #ownRequests = new Map<string, () => void>();
  #ownCount = 0;

  constructor(browser: WebSocket, host: ProxyHost) {
    this.#browser = browser;
    this.#host = host;
    this.#upstream = new WebSocket(host.url, 'janus-protocol', { maxPayload: 4 * 1024 * 1024 });
    const opened = new Promise<void>((resolve, reject) => {
      this.#upstream.once('open', () => {
        resolve();
      });
      this.#upstream.once('error', reject);
    });
    this.#queue = opened.catch(() => {
      this.close(1011, 'the SFU is unreachable');
    });
    this.#upstream.on('error', () => undefined);
    this.#upstream.on('message', (data) => {
      this.#fromJanus(textOf(data));
    });
    this.#upstream.on('close', () => {
      this.close(1011, 'the SFU went away');
    });
    browser.on('error', () => undefined);
    browser.on('message', (data, isBinary) => {
      if (this.#closed) return;
      // Every frame counts against the rate, malformed ones included; a flood closes the connection.
      if (!this.#rate.take()) {
        this.#overRate += 1;
        if (this.#overRate >= OVER_RATE_LIMIT) this.#closeForPolicy('sfu-proxy-flood', 'too many requests');
        else this.#refuse(undefined, 'too many requests', 429);
        return;
      }
      this.#overRate = 0;
      if (isBinary) {
        this.#refuse(undefined, 'binary frames are not accepted');
        return;
      }
      if (this.#queued >= MAX_QUEUED_FRAMES) {
        this.#closeForPolicy('sfu-proxy-queue-full', 'too many requests waiting');
        return;
      }
      this.#queued += 1;
      const text = textOf(data);
      this.#queue = this.#queue
        .then(() => this.#fromBrowser(text))
        .catch((error: unknown) => {
          // A request the proxy could not handle: logged, and the connection closed (the page opens a fresh one).
          this.#host.log('warn', 'sfu-proxy-error', { peerId: this.#host.peerId, message: error instanceof Error ? error.message : String(error) });
          this.close(1011, 'internal error');
        })
        .finally(() => {
          this.#queued -= 1;
        });
    });
    browser.on('close', () => {
      this.close(1000, '');
    });
  }

  get isClosed(): boolean {
    return this.#closed;
  }

  #closeForPolicy(event: string, reason: string): void {
    this.#host.log('warn', event, { peerId: this.#host.peerId });
    this.close(1008, reason);
  }

  /** Sends to the browser, unless it stopped reading (then the connection closes). */
  #toBrowser(text: string): void {
    if (this.#browser.readyState !== WebSocket.OPEN) return;
    if (this.#browser.bufferedAmount > MAX_BROWSER_BUFFER) {
      this.#closeForPolicy('sfu-proxy-stalled', 'not reading');
      return;
    }
    this.#browser.send(text);
  }

  #refuse(transaction: unknown, reason: string, code = 403): void {
    if (this.#browser.readyState !== WebSocket.OPEN) return;
    this.#toBrowser(JSON.stringify({ janus: 'error', ...(typeof transaction === 'string' ? { transaction } : {}), error: { code, reason } }));
  }

  async #fromBrowser(text: string): Promise<void> {
    if (this.#closed) return;
    let frame: unknown;
    try {
      frame = JSON.parse(text);
    } catch {
      this.#refuse(undefined, 'not JSON', 454);
      return;
    }
    if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) {
      this.#refuse(undefined, 'not a JSON object', 454);
      return;
    }
    const request = frame as Record<string, unknown>;
    const { janus: verb, transaction } = request;
    if (typeof transaction !== 'string' || transaction.length === 0 || transaction.length > 64) {
      this.#refuse(undefined, 'a request needs a transaction (a string of 1 to 64 characters)', 456);
      return;
    }
    if (transaction.startsWith('server-')) {
      this.#refuse(transaction, "transactions starting with 'server-' are the room server's own", 456);
      return;
    }
    if (this.#creating.has(transaction)) {
      this.#refuse(transaction, 'a request with this transaction is under way', 456);
      return;
    }
    if (typeof verb !== 'string' || !SESSION_VERBS.has(verb)) {
      this.#refuse(transaction, `'${shown(verb)}' is not allowed here`);
      return;
    }
    const out: Record<string, unknown> = { janus: verb, transaction, apisecret: this.#host.apiSecret };
    if (verb === 'create') {
      if (this.#sessions.size > 0 || [...this.#creating.values()].includes('session')) {
        this.#refuse(transaction, 'one session per connection');
        return;
      }
      this.#creating.set(transaction, 'session');
      this.#send(out);
      return;
    }
    const session = request['session_id'];
    if (typeof session !== 'number' || !this.#sessions.has(session)) {
      this.#refuse(transaction, 'no such session', 458);
      return;
    }
    out['session_id'] = session;
    if (verb === 'keepalive' || verb === 'destroy') {
      this.#send(out);
      return;
    }
    if (verb === 'attach') {
      if (request['plugin'] !== 'janus.plugin.videoroom') {
        this.#refuse(transaction, 'only the VideoRoom plugin');
        return;
      }
      if (this.#handles.size + [...this.#creating.values()].filter((kind) => kind === 'handle').length >= MAX_HANDLES) {
        this.#refuse(transaction, 'too many handles');
        return;
      }
      out['plugin'] = 'janus.plugin.videoroom';
      this.#creating.set(transaction, 'handle');
      this.#send(out);
      return;
    }
    const handle = request['handle_id'];
    if (typeof handle !== 'number' || !this.#handles.has(handle)) {
      this.#refuse(transaction, 'no such handle', 459);
      return;
    }
    out['handle_id'] = handle;
    if (verb === 'trickle') {
      if ('candidate' in request) out['candidate'] = request['candidate'];
      if ('candidates' in request) out['candidates'] = request['candidates'];
      this.#send(out);
      return;
    }
    if (verb === 'detach' || verb === 'hangup') {
      this.#send(out);
      return;
    }
    // verb === 'message'
    const body = request['body'];
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      this.#refuse(transaction, 'a message needs a body', 456);
      return;
    }
    const checked = { ...(body as Record<string, unknown>) };
    const what = checked['request'];
    if (typeof what !== 'string' || !VIDEOROOM_REQUESTS.has(what)) {
      this.#refuse(transaction, `the VideoRoom request '${shown(what)}' is not allowed here`);
      return;
    }
    for (const field of SERVER_ONLY_FIELDS) Reflect.deleteProperty(checked, field);
    if (what === 'join' || checked['room'] !== undefined) {
      let room: { id: number; pin: string };
      try {
        room = await this.#host.room();
      } catch {
        this.#refuse(transaction, 'the SFU has no room for this class now', 503);
        return;
      }
      checked['room'] = room.id;
      checked['pin'] = room.pin;
    }
    if (what === 'join') {
      // Janus reads ptype without regard to case: so does the proxy, or "PUBLISHER" would pass as something else.
      const ptype = typeof checked['ptype'] === 'string' ? checked['ptype'].toLowerCase() : '';
      if (ptype !== 'publisher' && ptype !== 'subscriber') {
        this.#refuse(transaction, "a join needs ptype 'publisher' or 'subscriber'", 456);
        return;
      }
      checked['ptype'] = ptype;
    }
    if (what === 'join' && checked['ptype'] === 'publisher') {
      // One publisher per member: its camera, microphone and screen share all go on it.
      if (this.#publisher !== undefined) {
        this.#refuse(transaction, 'one publisher per member');
        return;
      }
      Reflect.deleteProperty(checked, 'id');
      checked['display'] = this.#host.peerId;
      this.#publisher = { session, handle, published: false };
    } else if ('display' in checked) {
      checked['display'] = this.#host.peerId;
    }
    if ('descriptions' in checked) {
      const descriptions = allowedDescriptions(checked['descriptions'], this.#host.isSharer());
      if (descriptions === null) {
        this.#refuse(transaction, 'descriptions must be a list of { mid, description }', 456);
        return;
      }
      for (const description of descriptions.refused) this.#host.log('warn', 'sfu-description-refused', { peerId: this.#host.peerId, description });
      checked['descriptions'] = descriptions.kept;
    }
    if (what === 'publish' && this.#publisher?.handle === handle) {
      this.#publisher.published = true;
      // A tutor who publishes while the room records is recorded from the start.
      const file = this.#host.recordingFile();
      if (file !== null) Object.assign(checked, { record: true, filename: file });
    }
    out['body'] = checked;
    const jsep = request['jsep'];
    if (jsep !== undefined) {
      if (typeof jsep !== 'object' || jsep === null) {
        this.#refuse(transaction, 'jsep must be an object', 456);
        return;
      }
      const { type, sdp, trickle } = jsep as Record<string, unknown>;
      if ((type !== 'offer' && type !== 'answer') || typeof sdp !== 'string') {
        this.#refuse(transaction, 'jsep needs a type (offer or answer) and an sdp', 456);
        return;
      }
      out['jsep'] = { type, sdp, ...(typeof trickle === 'boolean' ? { trickle } : {}) };
    }
    this.#send(out);
  }

  #send(frame: Record<string, unknown>): void {
    if (this.#upstream.readyState === WebSocket.OPEN) this.#upstream.send(JSON.stringify(frame));
  }

  get role(): Role {
    return this.#host.role;
  }

  /**
   * Records this member's publisher under the base name `file`, or stops (null):
   * a `configure` of our own on its handle. Resolves when Janus has answered
   * (or after 5 s, or at once when nothing is published yet: the publish then
   * carries the recording).
   *
   * Janus records a simulcast camera from its next keyframe on, and asks for
   * one once as the recording starts; a browser that just sent a keyframe may
   * let that request pass (rate limits on both sides), so a second request
   * follows a moment later: a short recording has the picture too.
   */
  record(file: string | null): Promise<void> {
    const publisher = this.#publisher;
    if (!publisher?.published || this.#closed) return Promise.resolve();
    const answered = this.#ownRequest(file === null ? { request: 'configure', record: false } : { request: 'configure', record: true, filename: file });
    if (file === null) return answered;
    return answered.then(() => {
      const timer = setTimeout(() => {
        if (this.#publisher === publisher && publisher.published && !this.#closed) void this.#ownRequest({ request: 'configure', keyframe: true });
      }, RECORDING_KEYFRAME_DELAY_MS);
      timer.unref();
    });
  }

  /** A VideoRoom request of our own on this member's publisher handle: its answer stays with us (5 s at most). */
  #ownRequest(body: Record<string, unknown>): Promise<void> {
    const publisher = this.#publisher;
    if (!publisher || this.#closed) return Promise.resolve();
    this.#ownCount += 1;
    const transaction = `server-record-${String(this.#ownCount)}`;
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.#ownRequests.delete(transaction);
        resolve();
      }, 5000);
      this.#ownRequests.set(transaction, () => {
        clearTimeout(timer);
        resolve();
      });
      this.#send({ janus: 'message', transaction, apisecret: this.#host.apiSecret, session_id: publisher.session, handle_id: publisher.handle, body });
    });
  }

  #fromJanus(text: string): void {
    let frame: Record<string, unknown> | undefined;
    try {
      frame = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return;
    }
    const transaction = frame['transaction'];
    if (typeof transaction === 'string' && this.#ownRequests.has(transaction)) {
      // Janus acks a plugin message first, then answers with an event (or an error).
      if (frame['janus'] !== 'ack') {
        this.#ownRequests.get(transaction)?.();
        this.#ownRequests.delete(transaction);
      }
      return;
    }
    if (typeof transaction === 'string' && frame['janus'] === 'success') {
      const kind = this.#creating.get(transaction);
      const id = (frame['data'] as { id?: unknown } | undefined)?.id;
      if (kind && typeof id === 'number') (kind === 'session' ? this.#sessions : this.#handles).add(id);
    }
    if (typeof transaction === 'string' && frame['janus'] !== 'ack') this.#creating.delete(transaction);
    if (frame['janus'] === 'detached' && typeof frame['sender'] === 'number') this.#handles.delete(frame['sender']);
    this.#toBrowser(text);
  }

  close(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const done of this.#ownRequests.values()) done();
    this.#ownRequests.clear();
    this.#host.closed();
    if (this.#browser.readyState === WebSocket.OPEN || this.#browser.readyState === WebSocket.CONNECTING) this.#browser.close(code, reason);
    // Janus drops the sessions of a transport connection that closes.
    if (this.#upstream.readyState === WebSocket.OPEN || this.#upstream.readyState === WebSocket.CONNECTING) this.#upstream.close();
  }
}
