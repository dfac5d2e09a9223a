/**
 * Routing between room server processes. Each room has one home process,
 * which runs it exactly as a lone server would; a browser may reach any
 * process (its edge). When a socket joins a room whose home is elsewhere, the
 * edge attaches it there: the home sees a {@link RemoteSocket} and every
 * frame either way crosses the cluster backend, in order.
 *
 * The edge keeps the real socket: its pings, its rate budget, its buffer. The
 * home keeps everything about the room. A lost edge takes its sockets' members
 * out of their rooms (as a timeout); a lost home closes its rooms' sockets on
 * every edge with 1012, and the browsers reconnect and join again, at a new home.
 */
import { CLOSE_CODES, type LeaveReason } from '../../protocol/index.js';
import type { ServerLog } from '../socket-gate.js';
import type { RemoteHome, SocketSession } from '../socket-session.js';
import type { ClusterBackend, ClusterListener, ClusterMessage, PeerClaim } from './backend.js';
import { RemoteSocket } from './remote-socket.js';
import { stateLifetime } from './room-state.js';

/** What the router needs from the room server. */
export interface RouterHost {
  log: ServerLog;
  /** Handles a frame here, as a lone server would. */
  handleLocally(session: SocketSession, data: unknown, isBinary: boolean): void;
  /** Runs `work` with the socket's later frames held back, in order. */
  hold(session: SocketSession, work: Promise<void>): void;
  /** Hands a socket of another process to the socket gate and `peer`. */
  adopt(socket: RemoteSocket, url: string, address: string): void;
  /** Whether another open socket here holds the peer id. */
  holdsPeerId(peerId: string, except: SocketSession): boolean;
  /** Open sockets here that are not remote: peer id and PeerJS token. */
  localPeers(): Iterable<[peerId: string, token: string]>;
  /** Rooms with members or waiting joiners here. */
  occupied(room: string): boolean;
  /**
   * Closes with 1012 every socket in the room (members and waiting joiners, here
   * or attached from other processes), so they reconnect to its new home; returns how many.
   */
  evacuate(room: string): number;
  /** A room's state to carry over if it moves, its version, and taking up a moved room's state. */
  roomState: {
    save(room: string): string | undefined;
    version(room: string): string;
    restore(room: string, json: string): Record<string, unknown>;
    /** The room ended here: drop anything restored that it did not take up. */
    forget(room: string): void;
  };
}

/** An empty room stays claimed this long, so a join on its way finds it at home. */
const HOME_KEEP_MS = 5000;
/** Unchanged room state is saved again this often (it expires otherwise). */
const STATE_REFRESH_MS = 10 * 60_000;

/** The frame as an object, or undefined when it is not a JSON object. */
function parseRecord(text: string): Record<string, unknown> | undefined {
  let frame: unknown;
  try {
    frame = JSON.parse(text);
  } catch {
    return undefined;
  }
  return typeof frame === 'object' && frame !== null && !Array.isArray(frame) ? (frame as Record<string, unknown>) : undefined;
}

/** The room a parsed LS-JOIN names: its `room` field, else its token's `room` claim (read, not verified: the home verifies). */
function roomOfJoinFrame(frame: Record<string, unknown>): string | undefined {
  const payload = frame['payload'];
  if (typeof payload !== 'object' || payload === null) return undefined;
  const { room, token } = payload as Record<string, unknown>;
  if (typeof room === 'string' && room.length > 0 && room.length <= 64) return room;
  if (typeof token !== 'string') return undefined;
  const body = token.split('.')[1];
  if (body === undefined || body.length > 8192) return undefined;
  const claims = parseRecord(Buffer.from(body, 'base64url').toString('utf8'));
  const claimed = claims?.['room'];
  return typeof claimed === 'string' && claimed.length > 0 && claimed.length <= 64 ? claimed : undefined;
}

/** The room a join frame names, or undefined when the frame is no LS-JOIN or names none. */
export function roomOfJoin(text: string): string | undefined {
  const frame = parseRecord(text);
  return frame?.['type'] === 'LS-JOIN' ? roomOfJoinFrame(frame) : undefined;
}

function textOf(data: unknown, binary: boolean): string {
  const buffer = Buffer.isBuffer(data)
    ? data
    : Array.isArray(data)
      ? Buffer.concat(data as Buffer[])
      : data instanceof ArrayBuffer
        ? Buffer.from(data)
        : Buffer.from(String(data));
  return buffer.toString(binary ? 'base64' : 'utf8');
}

export class ClusterRouter implements ClusterListener {
  /** Edge: sockets here attached to another process, by their id. */
  private readonly attached = new Map<string, SocketSession>();
  /** Edge: when each attached socket's home last showed it knows the socket. */
  private readonly confirmed = new Map<string, number>();
  /** Edge: attached sockets their home said are members (or wait) in a room there. */
  private readonly joinedAttached = new Set<SocketSession>();
  /** When this process last compared notes with the others. */
  private lastCheck = 0;
  /** Home: sockets of other processes, by `<edge>/<sid>`. */
  private readonly remote = new Map<string, RemoteSocket>();
  /** Home: rooms this process claimed, and since when each is empty. */
  private readonly homes = new Map<string, number | undefined>();
  /** Home: the version of each room's state last saved, and when. */
  private readonly savedStates = new Map<string, { version: string; at: number }>();
  /** Home: rooms whose saved state is being taken up, and the promise every join waits for. */
  private readonly restoring = new Map<string, Promise<void>>();
  private sequence = 0;
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    private readonly backend: ClusterBackend,
    private readonly host: RouterHost,
  ) {
    if (!backend.shared) return;
    backend.listen(this);
    this.sweeper = setInterval(() => {
      this.sweepHomes();
      this.compareNotes();
    }, 1000);
    this.sweeper.unref();
  }

  get shared(): boolean {
    return this.backend.shared;
  }

  /** Sockets here attached to another process whose home said they joined a room there. */
  get attachedCount(): number {
    return this.joinedAttached.size;
  }

  /**
   * A socket's membership changed. Edge: counts the attached ones that joined.
   * Home: tells the edge of a socket attached here, so that the edge's caps on
   * sockets outside rooms hold for a socket whose join was refused here.
   */
  joinedChanged(session: SocketSession, joined: boolean): void {
    if (!this.backend.shared) return;
    const socket = session.socket;
    if (socket instanceof RemoteSocket) {
      this.backend.send(socket.edge, { op: 'joined', from: this.backend.processId, sid: socket.sid, joined });
      return;
    }
    if (joined && session.homeJoined) this.joinedAttached.add(session);
    else this.joinedAttached.delete(session);
  }

  /** Rooms this process is home to, as claimed. */
  homeRooms(): string[] {
    return [...this.homes.keys()];
  }

  // ------------------------------------------------------------------ edge

  /** A new socket here claims its peer id over every process; undefined when there is nothing to ask. */
  claimPeer(session: SocketSession): Promise<PeerClaim> | undefined {
    if (!this.backend.shared || session.socket instanceof RemoteSocket) return undefined;
    // From the moment it is sent, the claim may land in Redis, whatever this socket
    // becomes meanwhile (closed at once, or given up after a timeout): its close releases it.
    session.peerClaimed = true;
    return this.backend.claimPeer(session.peerId, session.peerToken);
  }

  /**
   * Routes a frame that passed the gate: true when the router took it (sent to
   * the home, or held while the room's home is looked up).
   */
  route(session: SocketSession, data: unknown, isBinary: boolean): boolean {
    if (!this.backend.shared) return false;
    const text = textOf(data, isBinary);
    // Frames are told apart by their parsed type, never by their text: a type can be written with escapes.
    const frame = isBinary ? undefined : parseRecord(text);
    const home = session.home;
    if (home) {
      // Everything goes to the home, joins included: it answers them as a lone server
      // does (already joined), or sends the socket to the room's own home.
      this.backend.send(home.process, { op: 'frame', from: this.backend.processId, sid: home.sid, data: text, binary: isBinary });
      // `peer` here also counts the socket's heartbeats, or it would drop the socket as silent.
      return frame?.['type'] !== 'HEARTBEAT';
    }
    if (!frame || frame['type'] !== 'LS-JOIN' || session.membership || session.waitingIn !== undefined) return false;
    const joining = roomOfJoinFrame(frame);
    // A join naming no room is refused here, as a lone server refuses it.
    if (joining === undefined) return false;
    // Attached here by an edge for a room already at home here: nothing to look up.
    if (session.socket instanceof RemoteSocket && this.homes.has(joining) && !this.restoring.has(joining)) return false;
    this.host.hold(session, this.routeJoin(session, joining, data, isBinary, text));
    return true;
  }

  /** Whether this process runs `room` (claimed as its home). */
  isHome(room: string): boolean {
    return !this.backend.shared || this.homes.has(room);
  }

  private async routeJoin(session: SocketSession, room: string, data: unknown, isBinary: boolean, text: string): Promise<void> {
    let home: string;
    try {
      home = await this.backend.homeOf(room);
    } catch (error) {
      this.host.log('warn', 'cluster-unavailable', { room, message: error instanceof Error ? error.message : String(error) });
      // Not a refusal the user should read: the client reconnects and joins again, as after any drop.
      session.closed = true;
      session.socket.close(CLOSE_CODES.tryAgainLater, 'try again later');
      return;
    }
    const me = this.backend.processId;
    // Newly home to the room: it may have run elsewhere before, and left its state.
    if (home === me) await this.restoreOnce(room);
    if (session.closed) return;
    if (home === me) {
      this.homes.set(room, undefined);
      this.host.handleLocally(session, data, isBinary);
      return;
    }
    if (session.socket instanceof RemoteSocket) {
      // The room's home is another process (it moved since the edge asked, or this
      // socket asks for another room): the browser reconnects and lands there.
      this.host.log('warn', 'home-moved', { room, home });
      session.socket.close(CLOSE_CODES.serviceRestart, 'room moved');
      return;
    }
    const attached = this.attach(session, home);
    this.backend.send(home, { op: 'frame', from: me, sid: attached.sid, data: text, binary: isBinary });
  }

  /**
   * Takes up a room's saved state once, when this process becomes its home:
   * joins arriving together (a whole class coming back after its home was
   * lost) all wait for the same restore, and none restores it again.
   */
  private restoreOnce(room: string): Promise<void> {
    if (this.homes.has(room)) return this.restoring.get(room) ?? Promise.resolve();
    this.homes.set(room, undefined);
    const restore = this.restoreRoom(room).finally(() => this.restoring.delete(room));
    this.restoring.set(room, restore);
    return restore;
  }

  private async restoreRoom(room: string): Promise<void> {
    try {
      const json = await this.backend.loadRoomState(room);
      if (json === undefined) return;
      const restored = this.host.roomState.restore(room, json);
      this.host.log('info', 'room-restored', { room, ...restored });
    } catch (error) {
      this.host.log('warn', 'room-restore-failed', { room, message: error instanceof Error ? error.message : String(error) });
    }
  }

  /** Saves a room's state when it changed since the last save (or the last save is getting old). */
  private saveRoom(room: string, now: number): void {
    const version = this.host.roomState.version(room);
    const last = this.savedStates.get(room);
    if (last && last.version === version && now - last.at < STATE_REFRESH_MS) return;
    this.savedStates.set(room, { version, at: now });
    const json = this.host.roomState.save(room);
    this.backend.saveRoomState(room, json, json === undefined ? 0 : stateLifetime(json, now));
  }

  private attach(session: SocketSession, home: string): RemoteHome {
    const sid = (++this.sequence).toString(36);
    const attached = { process: home, sid };
    session.home = attached;
    this.attached.set(sid, session);
    this.confirmed.set(sid, Date.now());
    this.backend.send(home, {
      op: 'attach',
      from: this.backend.processId,
      sid,
      peerId: session.peerId,
      token: session.peerToken,
      address: session.address,
    });
    return attached;
  }

  private detach(session: SocketSession, reason: LeaveReason): void {
    const home = session.home;
    if (!home) return;
    session.home = undefined;
    this.attached.delete(home.sid);
    this.confirmed.delete(home.sid);
    this.backend.send(home.process, { op: 'detach', from: this.backend.processId, sid: home.sid, reason });
  }

  /** A socket here closed: its home hears of it, and its peer id is free unless another socket here holds it. */
  closed(session: SocketSession): void {
    if (!this.backend.shared || session.socket instanceof RemoteSocket) return;
    this.joinedAttached.delete(session);
    this.detach(session, session.closeReason ?? 'closed');
    if (session.peerClaimed && !this.host.holdsPeerId(session.peerId, session)) this.backend.releasePeer(session.peerId);
  }

  // ------------------------------------------------------------------ messages

  message(message: ClusterMessage): void {
    switch (message.op) {
      case 'attach': {
        const key = `${message.from}/${message.sid}`;
        if (this.remote.has(key)) return;
        const socket = new RemoteSocket(message.from, message.sid, this.backend, (gone) => {
          this.remote.delete(`${gone.edge}/${gone.sid}`);
        });
        this.remote.set(key, socket);
        const query = new URLSearchParams({ key: 'peerjs', id: message.peerId, token: message.token });
        this.host.adopt(socket, `/peerjs?${query.toString()}`, message.address);
        return;
      }
      case 'frame':
        this.remote.get(`${message.from}/${message.sid}`)?.receive(message.data, message.binary);
        return;
      case 'detach':
        // Edge → home: the socket closed on its edge (ids are the edge's own, keyed by it here).
        this.remote.get(`${message.from}/${message.sid}`)?.closedByEdge(message.reason);
        return;
      case 'close':
        // Home → edge: only the home a socket is attached to may close it.
        this.closeAttached(message.from, message.sid, message.code ?? 1000, message.text ?? '', message.terminate === true);
        return;
      case 'send': {
        const session = this.attached.get(message.sid);
        if (session?.home?.process !== message.from) return;
        this.confirmed.set(message.sid, Date.now());
        session.sendText(message.text);
        return;
      }
      case 'joined': {
        const session = this.attached.get(message.sid);
        if (session?.home?.process !== message.from) return;
        this.confirmed.set(message.sid, Date.now());
        session.homeJoined = message.joined;
        return;
      }
      case 'check':
        this.checkedBy(message.from, message.sids, message.joined);
        return;
    }
  }

  /**
   * Compares notes with the other processes, every {@link ClusterBackend.livenessMs}:
   * as a home, tells each edge which of its sockets are attached here; as an edge,
   * closes (1012) an attached socket its home has not named for three rounds, so
   * the browser reconnects and joins again. A message lost while Redis was away
   * (an attach, a detach) is made good within a few rounds.
   */
  private compareNotes(): void {
    const now = Date.now();
    const every = this.backend.livenessMs;
    if (now - this.lastCheck < every) return;
    this.lastCheck = now;
    const byEdge = new Map<string, { sids: string[]; joined: string[] }>();
    for (const socket of this.remote.values()) {
      const notes = byEdge.get(socket.edge) ?? { sids: [], joined: [] };
      notes.sids.push(socket.sid);
      if (socket.session?.joined) notes.joined.push(socket.sid);
      byEdge.set(socket.edge, notes);
    }
    for (const [edge, { sids, joined }] of byEdge) this.backend.send(edge, { op: 'check', from: this.backend.processId, sids, joined });
    for (const [sid, session] of [...this.attached]) {
      const home = session.home;
      if (!home || now - (this.confirmed.get(sid) ?? 0) < 3 * every) continue;
      this.host.log('warn', 'cluster-unconfirmed', { peerId: session.peerId, home: home.process });
      this.detach(session, 'timeout');
      if (session.isOpen) session.socket.close(CLOSE_CODES.serviceRestart, 'reconnect');
    }
  }

  /** Edge: a home named the sockets of this process attached to it, and which of them joined a room there. */
  private checkedBy(home: string, sids: string[], joined: string[] | undefined): void {
    const now = Date.now();
    const members = joined === undefined ? undefined : new Set(joined);
    let gone = 0;
    for (const sid of sids) {
      const session = this.attached.get(sid);
      if (session?.home?.process === home) {
        this.confirmed.set(sid, now);
        // A `joined` message lost on its way is made good here.
        if (members) session.homeJoined = members.has(sid);
        continue;
      }
      // The home still counts a socket that closed here (its detach was lost): it leaves now.
      this.backend.send(home, { op: 'detach', from: this.backend.processId, sid, reason: 'timeout' });
      gone++;
    }
    if (gone > 0) this.host.log('warn', 'cluster-stale-members', { home, sockets: gone });
  }

  /** The home closed an attached socket: the real one closes the same way. */
  private closeAttached(from: string, sid: string, code: number, text: string, terminate: boolean): void {
    const session = this.attached.get(sid);
    if (session?.home?.process !== from) return;
    this.attached.delete(sid);
    this.confirmed.delete(sid);
    session.home = undefined;
    if (terminate) {
      session.socket.terminate();
      return;
    }
    if (session.isOpen) session.socket.close(code, text);
  }

  processLost(processId: string): void {
    let members = 0;
    for (const socket of [...this.remote.values()]) {
      if (socket.edge !== processId) continue;
      socket.closedByEdge('timeout');
      members++;
    }
    let sockets = 0;
    for (const [sid, session] of [...this.attached]) {
      if (session.home?.process !== processId) continue;
      this.closeAttached(processId, sid, CLOSE_CODES.serviceRestart, 'room moved', false);
      sockets++;
    }
    this.host.log('warn', 'process-lost-handled', { processId, members, sockets });
  }

  homeLost(room: string): void {
    this.homes.delete(room);
    this.savedStates.delete(room);
    const moved = this.host.evacuate(room);
    this.host.log('warn', 'room-moved', { room, sockets: moved });
  }

  watched(): Iterable<string> {
    const processes = new Set<string>();
    for (const socket of this.remote.values()) processes.add(socket.edge);
    for (const session of this.attached.values()) if (session.home) processes.add(session.home.process);
    return processes;
  }

  held(): { peers: Iterable<[string, string]>; rooms: Iterable<string> } {
    return { peers: this.host.localPeers(), rooms: this.homeRooms() };
  }

  reclaiming(): void {
    // Redis may have lost the saved states too: save each room again at the next sweep.
    this.savedStates.clear();
  }

  private sweepHomes(): void {
    const now = Date.now();
    for (const [room, emptySince] of this.homes) {
      this.saveRoom(room, now);
      if (this.host.occupied(room)) {
        if (emptySince !== undefined) this.homes.set(room, undefined);
        continue;
      }
      if (emptySince === undefined) {
        this.homes.set(room, now);
        continue;
      }
      if (now - emptySince < HOME_KEEP_MS) continue;
      this.homes.delete(room);
      this.savedStates.delete(room);
      this.host.roomState.forget(room);
      this.backend.releaseHome(room);
    }
  }

  /**
   * The server is stopping: saves every room it runs as it is now (members and
   * chat included) and gives up their homes, so members reconnecting elsewhere
   * find the room there with its state.
   */
  handOver(): void {
    clearInterval(this.sweeper);
    if (!this.backend.shared) return;
    const now = Date.now();
    this.savedStates.clear();
    for (const room of this.homes.keys()) {
      this.saveRoom(room, now);
      this.backend.releaseHome(room);
    }
    this.homes.clear();
  }

  /** Leaves the cluster (after the server closed its sockets). */
  async close(): Promise<void> {
    this.handOver();
    await this.backend.close();
  }
}
