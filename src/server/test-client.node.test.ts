/**
 * Test support for the server tests (no tests of its own): a raw `ws` client
 * that connects like PeerJS does and speaks the room protocol, and a helper
 * that starts a quiet room server on a free loopback port.
 */
import { randomUUID } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { startBalancer } from '../../test/balancer.js';
import { WebSocket, type ClientOptions } from 'ws';
import type { ServerMessage, ServerMessageType } from '../protocol/index.js';
import type { LogEntry } from './logger.js';
import type { RoomServer, RoomsView } from './room-server.js';
import { startRoomServer, type RunningRoomServer, type StartRoomServerOptions } from './standalone.js';

/** Anything the server sends: room messages and PeerJS messages (OPEN, OFFER, …). */
export interface InboundMessage {
  type: string;
  payload?: unknown;
  src?: string;
  dst?: string;
}

type MessageOf<K extends string> = K extends ServerMessageType ? Extract<ServerMessage, { type: K }> : InboundMessage;

interface Waiter {
  matches: (message: InboundMessage) => boolean;
  resolve: (message: InboundMessage) => void;
}

/** Failure guard only: how long `next()` waits before the test fails. */
export const GUARD_MS = 4000;

export interface TestServer extends RunningRoomServer {
  /** Every log record the server produced. */
  logs: LogEntry[];
  /** Base websocket URL, e.g. ws://127.0.0.1:1234/peerjs. */
  webSocketUrl: string;
}

/**
 * With `LIVE_SESSION_TEST_REDIS` set (a Redis URL), every test server is two
 * room server processes' worth of servers sharing rooms through that Redis,
 * behind a TCP balancer that sends each connection to the next one in turn:
 * the same suites then run against the Redis backend.
 */
export async function startTestServer(options: StartRoomServerOptions = {}): Promise<TestServer> {
  const redisUrl = process.env['LIVE_SESSION_TEST_REDIS'];
  if (redisUrl !== undefined && options.redis === undefined) return startClusterTestServer(options, redisUrl);
  const running = await startRoomServer({ port: 0, host: '127.0.0.1', quiet: true, ...options });
  const logs: LogEntry[] = [];
  running.roomServer.on('log', (entry) => logs.push(entry));
  const webSocketUrl = `ws://127.0.0.1:${running.port}${running.roomServer.webSocketPath}`;
  return Object.assign(running, { logs, webSocketUrl });
}

async function startClusterTestServer(options: StartRoomServerOptions, redisUrl: string): Promise<TestServer> {
  // Each test server its own key space: nothing leaks between tests sharing the Redis.
  const redis = { url: redisUrl, keyPrefix: `ls-${randomUUID().slice(0, 8)}:`, heartbeatMs: 200, processTimeoutMs: 1000 };
  const servers = [
    await startRoomServer({ port: 0, host: '127.0.0.1', quiet: true, ...options, redis }),
    await startRoomServer({ port: 0, host: '127.0.0.1', quiet: true, ...options, redis }),
  ];
  const balancer = await startBalancer(servers.map((server) => server.port), { rotate: true });
  const port = balancer.port;
  const [first] = servers as [RunningRoomServer, RunningRoomServer];
  // A listener hears both servers, each calling it as it calls its own.
  const events = {
    on(name: string, listener: (event: unknown) => void) {
      for (const { roomServer } of servers) (roomServer as unknown as EventEmitter).on(name, listener);
      return events;
    },
    off(name: string, listener: (event: unknown) => void) {
      for (const { roomServer } of servers) (roomServer as unknown as EventEmitter).off(name, listener);
      return events;
    },
  };
  // Each room lives on one of the servers: the view of all rooms is theirs together.
  const rooms: RoomsView = {
    list: () => servers.flatMap((server) => server.roomServer.rooms.list()),
    get: (room) => servers.map((server) => server.roomServer.rooms.get(room)).find((snapshot) => snapshot !== undefined),
    get size() {
      return servers.reduce((sum, server) => sum + server.roomServer.rooms.size, 0);
    },
    get connections() {
      return servers.reduce((sum, server) => sum + server.roomServer.rooms.connections, 0);
    },
  };
  const roomServer = Object.assign(events, {
    app: first.roomServer.app,
    rooms,
    mode: first.roomServer.mode,
    path: first.roomServer.path,
    webSocketPath: first.roomServer.webSocketPath,
    attendance: first.roomServer.attendance,
    processId: first.roomServer.processId,
    ready: Promise.resolve(),
    close: async () => {
      await Promise.all(servers.map((server) => server.roomServer.close()));
    },
  }) as unknown as RoomServer;
  const logs: LogEntry[] = [];
  roomServer.on('log', (entry) => logs.push(entry));
  return {
    url: `http://127.0.0.1:${String(port)}${first.roomServer.path}`,
    port,
    host: '127.0.0.1',
    httpServer: first.httpServer,
    roomServer,
    logs,
    webSocketUrl: `ws://127.0.0.1:${String(port)}${first.roomServer.webSocketPath}`,
    close: async () => {
      await Promise.all(servers.map((server) => server.close()));
      await balancer.close();
    },
  };
}

/** A join identity for `name` in `room`, with a user id unique to that room. */
export function identity(name: string, role: 'tutor' | 'student', room: string): Record<string, unknown> {
  return { room, userId: `${name.toLowerCase()}-${room}`, name, role };
}

/** Runs `run` against a fresh server; the clients it pushes to `opened` and the server are closed afterwards. */
export async function withServer(options: StartRoomServerOptions, run: (server: TestServer, opened: TestClient[]) => Promise<void>): Promise<void> {
  const server = await startTestServer(options);
  const opened: TestClient[] = [];
  try {
    await run(server, opened);
  } finally {
    await Promise.all(opened.map((client) => client.close()));
    await server.close();
  }
}

export interface ConnectOptions extends ClientOptions {
  /** Wait for PeerJS's OPEN before resolving (default true). */
  waitForOpen?: boolean;
  /** The PeerJS connection token (default: a fresh one); reuse one to re-attach an id. */
  peerToken?: string;
}

export class TestClient {
  private readonly inbox: InboundMessage[] = [];
  private readonly waiters = new Set<Waiter>();
  /** Resolves with the close code and reason once the socket is closed. */
  readonly closed: Promise<{ code: number; reason: string }>;
  /** Peer id of the participant, once joined (equals `id`). */
  joined = false;
  /** Websocket pings received from the server so far. */
  pings = 0;

  private constructor(
    readonly id: string,
    readonly socket: WebSocket,
  ) {
    this.closed = new Promise((resolve) => {
      socket.on('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
      });
    });
    socket.on('error', () => undefined);
    socket.on('ping', () => {
      this.pings += 1;
    });
    socket.on('message', (data) => {
      const text = Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
      const message = JSON.parse(text) as InboundMessage;
      for (const waiter of this.waiters) {
        if (waiter.matches(message)) {
          this.waiters.delete(waiter);
          waiter.resolve(message);
          return;
        }
      }
      this.inbox.push(message);
    });
  }

  /** Connects to `<webSocketUrl>?key=peerjs&id=…&token=…` like the PeerJS client. */
  static async connect(webSocketUrl: string, id: string = randomUUID(), options: ConnectOptions = {}): Promise<TestClient> {
    const { waitForOpen = true, peerToken = randomUUID(), ...clientOptions } = options;
    const url = `${webSocketUrl}?key=peerjs&id=${encodeURIComponent(id)}&token=${peerToken}`;
    const socket = new WebSocket(url, clientOptions);
    const client = new TestClient(id, socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => {
        resolve();
      });
      socket.once('unexpected-response', (_request, response) => {
        reject(new Error(`websocket refused with HTTP ${String(response.statusCode)}`));
      });
      socket.once('error', reject);
    });
    if (waitForOpen) await client.next('OPEN');
    return client;
  }

  send(message: unknown): void {
    this.socket.send(JSON.stringify(message));
  }

  sendRaw(data: string | Buffer): void {
    this.socket.send(data);
  }

  /** The first message of `type` (received or still to come); fails after the guard time. */
  next<K extends string>(type: K, where: (message: MessageOf<K>) => boolean = () => true): Promise<MessageOf<K>> {
    return this.nextMatching((message) => message.type === type && where(message as MessageOf<K>), type) as Promise<
      MessageOf<K>
    >;
  }

  /** The first message whose type is one of `types`. */
  nextOf(types: string[]): Promise<InboundMessage> {
    return this.nextMatching((message) => types.includes(message.type), types.join(' or '));
  }

  private nextMatching(matches: (message: InboundMessage) => boolean, what: string): Promise<InboundMessage> {
    const index = this.inbox.findIndex(matches);
    if (index >= 0) {
      const [message] = this.inbox.splice(index, 1);
      if (message) return Promise.resolve(message);
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        matches,
        resolve: (message) => {
          clearTimeout(timer);
          resolve(message);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`${this.id}: no ${what} within ${GUARD_MS} ms; unread: ${JSON.stringify(this.inbox.map((m) => m.type))}`));
      }, GUARD_MS);
      this.waiters.add(waiter);
    });
  }

  /** The LS-ERROR that answers the last request. */
  async nextError(): Promise<{ code: string; message: string; request?: string }> {
    const error = await this.next('LS-ERROR');
    return error.payload;
  }

  /** Messages received and not consumed by `next()`, optionally of one type; clears them. */
  drain(type?: string): InboundMessage[] {
    const taken = this.inbox.filter((message) => type === undefined || message.type === type);
    for (const message of taken) this.inbox.splice(this.inbox.indexOf(message), 1);
    return taken;
  }

  /** Sends LS-JOIN and returns the LS-JOINED answer (throws on LS-ERROR). */
  async join(payload: Record<string, unknown>): Promise<MessageOf<'LS-JOINED'>['payload']> {
    this.send({ type: 'LS-JOIN', payload });
    const answer = await this.nextOf(['LS-JOINED', 'LS-ERROR']);
    if (answer.type === 'LS-ERROR') throw new Error(`join refused: ${JSON.stringify(answer.payload)}`);
    this.joined = true;
    return (answer as MessageOf<'LS-JOINED'>).payload;
  }

  /** Sends LS-JOIN and returns the LS-ERROR payload (fails if the join succeeds). */
  async joinRefused(payload: Record<string, unknown>): Promise<{ code: string; message: string; request?: string }> {
    this.send({ type: 'LS-JOIN', payload });
    const answer = await this.nextOf(['LS-JOINED', 'LS-ERROR']);
    if (answer.type !== 'LS-ERROR') throw new Error(`join unexpectedly accepted: ${JSON.stringify(answer.payload)}`);
    return (answer as MessageOf<'LS-ERROR'>).payload;
  }

  /**
   * A request/answer round trip that changes nothing and costs nothing: every
   * message the server sent to this socket before handling it has arrived
   * afterwards. Joined: LS-READMIT of a user nobody removed → no-such-participant
   * (tutor) or forbidden (student); not joined: LS-LEAVE → not-joined. Neither
   * counts against the socket's bad-request allowance.
   */
  async roundTrip(): Promise<void> {
    if (this.joined) {
      this.send({ type: 'LS-READMIT', payload: { userId: 'nobody-was-removed' } });
      await this.next('LS-ERROR', (message) => message.payload.request === 'LS-READMIT');
      return;
    }
    this.send({ type: 'LS-LEAVE' });
    await this.next('LS-ERROR', (message) => message.payload.code === 'not-joined');
  }

  /** Stops reading the socket: the client no longer answers pings (a frozen machine). */
  freeze(): void {
    (this.socket as unknown as { _socket: Socket })._socket.pause();
  }

  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  /** Closes (or terminates, if frozen) and waits for the close. */
  async close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return;
    this.socket.terminate();
    await this.closed;
  }
}

/** Two clients in their own room, to check that the server still serves others. */
export class Bystanders {
  private constructor(
    readonly first: TestClient,
    readonly second: TestClient,
  ) {}

  static async create(server: TestServer, room = 'bystanders'): Promise<Bystanders> {
    const first = await TestClient.connect(server.webSocketUrl);
    const second = await TestClient.connect(server.webSocketUrl);
    await first.join({ room, userId: `by-1-${first.id}`, name: 'Bystander One', role: 'student' });
    await second.join({ room, userId: `by-2-${second.id}`, name: 'Bystander Two', role: 'student' });
    await first.next('LS-PARTICIPANT-JOINED');
    return new Bystanders(first, second);
  }

  /** Fails unless a state change of one bystander still reaches the other, and nothing else arrived. */
  async assertUnaffected(): Promise<void> {
    const flag = !this.flag;
    this.flag = flag;
    this.first.send({ type: 'LS-STATE', payload: { isAudioOn: flag } });
    const update = await this.second.next('LS-PARTICIPANT-UPDATED', (m) => m.payload.participant.id === this.first.id);
    if (update.payload.participant.isAudioOn !== flag) throw new Error('bystander update lost');
    await this.first.next('LS-PARTICIPANT-UPDATED', (m) => m.payload.participant.id === this.first.id);
    const stray = [...this.first.drain(), ...this.second.drain()];
    if (stray.length > 0) throw new Error(`bystanders received stray messages: ${JSON.stringify(stray)}`);
  }

  private flag = false;

  async close(): Promise<void> {
    await Promise.all([this.first.close(), this.second.close()]);
  }
}
