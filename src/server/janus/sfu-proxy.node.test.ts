/**
 * The SFU proxy against a real Janus: a member with a ticket gets a session,
 * the VideoRoom handle and a publisher's place in its own room, with the room,
 * pin and display forced; every other verb, plugin and request is refused
 * with a Janus-style error and never reaches Janus; forged, expired and
 * foreign tickets and other origins are refused at the upgrade; a member
 * leaving closes its proxy; the room emptied takes its VideoRoom away.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { connect, createServer as createTcpServer, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { WebSocket } from 'ws';
import { startJanus, type TestJanus } from '../../../test/janus.js';
import { waitFor } from '../../../test/wait-for.js';
import { JanusAdmin } from './janus-admin.js';
import { SfuService, allowedDescriptions } from './sfu-service.js';
import { signSfuTicket } from './sfu-tickets.js';

type Frame = Record<string, unknown>;

/** A browser's side of the proxy: Janus JSON requests and their answers. */
class Client {
  readonly frames: Frame[] = [];
  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.frames.push(JSON.parse((Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as Buffer)).toString('utf8')) as Frame);
    });
  }

  static open(url: string, origin?: string): Promise<Client> {
    const socket = new WebSocket(url, 'janus-protocol', origin ? { origin } : {});
    return new Promise((resolve, reject) => {
      socket.once('open', () => {
        resolve(new Client(socket));
      });
      socket.once('unexpected-response', (_request, response) => {
        reject(new Error(`HTTP ${String(response.statusCode)}`));
      });
      socket.once('error', reject);
    });
  }

  /** Sends a request and waits for its answer (success, error, or the plugin's event; an ack when `ack`). */
  async request(frame: Frame, ack = false): Promise<Frame> {
    const transaction = randomBytes(6).toString('hex');
    this.socket.send(JSON.stringify({ ...frame, transaction }));
    return waitFor(
      () => this.frames.find((f) => f['transaction'] === transaction && (ack || f['janus'] !== 'ack')),
      `an answer to ${JSON.stringify(frame)}`,
      10_000,
      10,
    );
  }

  sendRaw(text: string): void {
    this.socket.send(text);
  }
}

void describe('the SFU proxy (real Janus)', () => {
  let janus: TestJanus;
  let http: Server;
  let sfu: SfuService;
  let base: string;
  const key = randomBytes(32);
  const members = new Map<string, Set<string>>();
  const logs: string[] = [];

  before(async () => {
    janus = await startJanus();
    http = createServer((_request, response) => response.writeHead(404).end());
    sfu = new SfuService({
      janus: { url: janus.url, apiSecret: janus.apiSecret },
      ticketKey: key,
      maxPublishers: 50,
      proxyPath: '/sfu',
      originAllowed: (origin) => origin === undefined || origin === 'https://school.example',
      memberRole: (room, peerId) => (members.get(room)?.has(peerId) ? 'student' : undefined),
      log: (_level, event) => logs.push(event),
    });
    http.on('upgrade', (request, socket, head) => {
      if (!sfu.handleUpgrade(request, socket, head)) socket.destroy();
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    base = `ws://127.0.0.1:${String((http.address() as { port: number }).port)}/sfu`;
    assert.ok(await sfu.whenUp(10_000));
  });
  after(async () => {
    await sfu.close();
    http.closeAllConnections();
    await new Promise((resolve) => http.close(resolve));
    await janus.stop();
  });

  const join = (room: string, peerId: string): string => {
    const set = members.get(room) ?? new Set<string>();
    set.add(peerId);
    members.set(room, set);
    return sfu.ticket(room, peerId, 'student');
  };

  /** A session and a VideoRoom handle through the proxy. */
  const attach = async (client: Client): Promise<{ session: number; handle: number }> => {
    const created = await client.request({ janus: 'create' });
    assert.equal(created['janus'], 'success');
    const session = (created['data'] as { id: number }).id;
    const attached = await client.request({ janus: 'attach', session_id: session, plugin: 'janus.plugin.videoroom' });
    assert.equal(attached['janus'], 'success');
    return { session, handle: (attached['data'] as { id: number }).id };
  };

  void test('a member joins its own room as a publisher: room, pin and display are forced by the proxy', async () => {
    const client = await Client.open(`${base}?ticket=${join('algebra', 'peer-ann')}`);
    const { session, handle } = await attach(client);
    // The page names another room and another display: neither holds.
    const joined = await client.request({ janus: 'message', session_id: session, handle_id: handle, body: { request: 'join', ptype: 'publisher', room: 1234, display: 'the-tutor', id: 1 } });
    const data = (joined['plugindata'] as { data: Frame }).data;
    assert.equal(data['videoroom'], 'joined');
    assert.equal(data['room'], sfu.janusRoomOf('algebra'));
    assert.notEqual(data['id'], 1);
    // Another member sees this publisher under the peer id.
    const other = await Client.open(`${base}?ticket=${join('algebra', 'peer-bob')}`);
    const second = await attach(other);
    const seen = await other.request({ janus: 'message', session_id: second.session, handle_id: second.handle, body: { request: 'join', ptype: 'publisher' } });
    const publishers = ((seen['plugindata'] as { data: Frame }).data['publishers'] ?? []) as Array<{ display?: string }>;
    // Ann joined without publishing media yet: VideoRoom lists only active publishers, so look her up as a participant of the room instead.
    assert.ok(Array.isArray(publishers));
    const admin = new JanusAdmin({ url: janus.url, apiSecret: janus.apiSecret, log: () => undefined });
    try {
      assert.ok(await admin.whenUp(5000));
      const listed = await admin.videoroom({ request: 'listparticipants', room: sfu.janusRoomOf('algebra') });
      const displays = (listed['participants'] as Array<{ display?: string }>).map((p) => p.display).sort();
      assert.deepEqual(displays, ['peer-ann', 'peer-bob']);
    } finally {
      admin.close();
    }
    client.socket.close();
    other.socket.close();
  });

  void test('every other verb, plugin and request is refused and never reaches Janus; bad frames get an error; the proxy stays up', async () => {
    const client = await Client.open(`${base}?ticket=${join('physics', 'peer-eve')}`);
    const { session, handle } = await attach(client);
    const refused = async (frame: Frame, code: number): Promise<void> => {
      const answer = await client.request(frame);
      assert.equal(answer['janus'], 'error', JSON.stringify(frame));
      assert.equal((answer['error'] as { code: number }).code, code, JSON.stringify(answer));
    };
    await refused({ janus: 'info' }, 403);
    await refused({ janus: 'create' }, 403); // one session per connection
    await refused({ janus: 'claim', session_id: session }, 403);
    await refused({ janus: 'attach', session_id: session, plugin: 'janus.plugin.echotest' }, 403);
    await refused({ janus: 'keepalive', session_id: 42 }, 458);
    await refused({ janus: 'message', session_id: session, handle_id: 42, body: { request: 'join' } }, 459);
    for (const request of ['create', 'destroy', 'edit', 'kick', 'moderate', 'enable_recording', 'rtp_forward', 'list', 'listparticipants', 'exists', 'allowed']) {
      await refused({ janus: 'message', session_id: session, handle_id: handle, body: { request, room: 1 } }, 403);
    }
    await refused({ janus: 'message', session_id: session, handle_id: handle }, 456);
    await refused({ janus: 'message', session_id: session, handle_id: handle, body: { request: 'configure' }, jsep: { type: 'rollback' } }, 456);
    client.sendRaw('not json');
    client.sendRaw('[1,2]');
    client.sendRaw(JSON.stringify({ janus: 'keepalive', session_id: session }));
    await waitFor(() => client.frames.filter((f) => f['janus'] === 'error' && f['transaction'] === undefined).length >= 3, 'three errors without a transaction');
    // Still working after all that.
    const ok = await client.request({ janus: 'keepalive', session_id: session }, true);
    assert.equal(ok['janus'], 'ack');
    assert.equal(sfu.janusRoomOf('physics'), undefined, 'no refused request made a room');
    client.socket.close();
  });

  void test('one way to Janus per member, one publisher on it; ptype read as Janus reads it (any case), anything else refused', async () => {
    const ticket = join('geometry', 'peer-kim');
    const first = await Client.open(`${base}?ticket=${ticket}`);
    const one = await attach(first);
    // "PUBLISHER" is a publisher to Janus: the proxy treats it as one (id dropped, display forced).
    const joined = await first.request({ janus: 'message', session_id: one.session, handle_id: one.handle, body: { request: 'join', ptype: 'PUBLISHER', id: 4242, display: 'the-tutor' } });
    const data = (joined['plugindata'] as { data: Frame }).data;
    assert.equal(data['videoroom'], 'joined');
    assert.notEqual(data['id'], 4242);
    // A second publisher for the same member is refused; so is a ptype Janus would not take.
    const attached = await first.request({ janus: 'attach', session_id: one.session, plugin: 'janus.plugin.videoroom' });
    const second = (attached['data'] as { id: number }).id;
    const again = await first.request({ janus: 'message', session_id: one.session, handle_id: second, body: { request: 'join', ptype: 'publisher' } });
    assert.equal(again['janus'], 'error');
    assert.equal((again['error'] as { code: number }).code, 403);
    const odd = await first.request({ janus: 'message', session_id: one.session, handle_id: second, body: { request: 'join', ptype: 'listener' } });
    assert.equal((odd['error'] as { code: number }).code, 456);
    const admin = new JanusAdmin({ url: janus.url, apiSecret: janus.apiSecret, log: () => undefined });
    try {
      assert.ok(await admin.whenUp(5000));
      const listed = await admin.videoroom({ request: 'listparticipants', room: sfu.janusRoomOf('geometry') });
      assert.deepEqual((listed['participants'] as Array<{ display?: string }>).map((p) => p.display), ['peer-kim']);
    } finally {
      admin.close();
    }
    // The same ticket again (a page whose SFU path started over): the newer connection replaces the older.
    const closed = new Promise<number>((resolve) => first.socket.once('close', resolve));
    const newer = await Client.open(`${base}?ticket=${ticket}`);
    assert.equal(await closed, 4409);
    const fresh = await attach(newer);
    const rejoined = await newer.request({ janus: 'message', session_id: fresh.session, handle_id: fresh.handle, body: { request: 'join', ptype: 'publisher' } });
    assert.equal((rejoined['plugindata'] as { data: Frame }).data['videoroom'], 'joined');
    newer.socket.close();
  });

  void test('hostile upgrades do not stop the server: a path that is no URL, and a connection reset after its refusal', async () => {
    const port = (http.address() as { port: number }).port;
    const upgrade = (path: string): string => `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`;
    // "//a:99999" makes `new URL` throw; before, inside the server's upgrade event.
    await new Promise<void>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => socket.write(upgrade('//a:99999')));
      socket.on('error', () => undefined);
      socket.on('close', () => {
        resolve();
      });
    });
    // A refused upgrade (bad ticket) whose connection is reset as the answer arrives.
    for (let i = 0; i < 5; i++) {
      await new Promise<void>((resolve) => {
        const socket = connect(port, '127.0.0.1', () => socket.write(upgrade('/sfu?ticket=bad')));
        socket.on('error', () => undefined);
        socket.once('data', () => {
          socket.resetAndDestroy();
          resolve();
        });
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    // Still serving.
    const client = await Client.open(`${base}?ticket=${join('biology', 'peer-lou')}`);
    const created = await client.request({ janus: 'create' });
    assert.equal(created['janus'], 'success');
    client.socket.close();
  });

  void test('frames built to throw are refused, not fatal; a transaction reused or handles asked for at once stay within the limit; a flood closes the connection', async () => {
    const client = await Client.open(`${base}?ticket=${join('music', 'peer-mo')}`);
    const { session } = await attach(client);
    // A verb or request that is an object converting to nothing: before, an unhandled rejection ended the process.
    client.sendRaw(JSON.stringify({ janus: { toString: 0 }, transaction: 'obj-1' }));
    await waitFor(() => client.frames.find((f) => f['transaction'] === 'obj-1'), 'an answer to the object verb');
    assert.equal(client.frames.find((f) => f['transaction'] === 'obj-1')?.['janus'], 'error');
    const attached = await client.request({ janus: 'attach', session_id: session, plugin: 'janus.plugin.videoroom' });
    const handle = (attached['data'] as { id: number }).id;
    const answer = await client.request({ janus: 'message', session_id: session, handle_id: handle, body: { request: { toString: 0 } } });
    assert.equal((answer['error'] as { code: number }).code, 403);
    // Thirty attaches under one transaction, then thirty more at once: at most eight handles in all.
    for (let i = 0; i < 30; i++) client.sendRaw(JSON.stringify({ janus: 'attach', session_id: session, plugin: 'janus.plugin.videoroom', transaction: 'same' }));
    for (let i = 0; i < 30; i++) client.sendRaw(JSON.stringify({ janus: 'attach', session_id: session, plugin: 'janus.plugin.videoroom', transaction: `many-${String(i)}` }));
    await waitFor(() => client.frames.filter((f) => f['transaction'] === 'same' || String(f['transaction']).startsWith('many-')).filter((f) => f['janus'] !== 'ack').length >= 60, 'every attach answered');
    const made = client.frames.filter((f) => (f['transaction'] === 'same' || String(f['transaction']).startsWith('many-')) && f['janus'] === 'success').length;
    assert.ok(made <= 6, `at most eight handles in all (two made before), got ${String(made)} more`);
    // A flood far over the rate: the connection is closed, not answered frame by frame.
    const closed = new Promise<number>((resolve) => client.socket.once('close', resolve));
    for (let i = 0; i < 2000; i++) client.sendRaw('x');
    assert.equal(await closed, 1008);
    // Whichever bound it met first: the rate, or the frames waiting to be handled.
    assert.ok(logs.includes('sfu-proxy-flood') || logs.includes('sfu-proxy-queue-full'));
  });

  void test('the same ticket three times: only the newest connection stays, and the member leaving closes it', async () => {
    const ticket = join('drama', 'peer-nia');
    const connections: Client[] = [];
    const codes: Promise<number>[] = [];
    for (let i = 0; i < 3; i++) {
      const client = await Client.open(`${base}?ticket=${ticket}`);
      connections.push(client);
      codes.push(new Promise<number>((resolve) => client.socket.once('close', resolve)));
    }
    assert.deepEqual(await Promise.all(codes.slice(0, 2)), [4409, 4409], 'each older connection replaced');
    assert.equal(connections[2]?.socket.readyState, WebSocket.OPEN);
    members.get('drama')?.delete('peer-nia');
    sfu.memberLeft('drama', 'peer-nia');
    assert.equal(await codes[2], 1000);
    await sfu.roomEmpty('drama');
    assert.equal(sfu.hasRoom('drama'), false);
  });

  void test('only the connection to Janus dropped (Janus still up): the VideoRooms made before are destroyed once it is back', async () => {
    // A relay between the service and Janus, whose connections the test cuts.
    const target = new URL(janus.url);
    const relayed = new Set<Socket>();
    const relay = createTcpServer((socket) => {
      const upstream = connect(Number(target.port), target.hostname);
      relayed.add(socket).add(upstream);
      socket.pipe(upstream).pipe(socket);
      for (const end of [socket, upstream]) {
        end.on('error', () => undefined);
        end.on('close', () => {
          socket.destroy();
          upstream.destroy();
          relayed.delete(end);
        });
      }
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    const states: string[] = [];
    const relayedSfu = new SfuService({
      janus: { url: `ws://127.0.0.1:${String((relay.address() as { port: number }).port)}${target.pathname}`, apiSecret: janus.apiSecret },
      ticketKey: key,
      maxPublishers: 50,
      proxyPath: '/sfu',
      originAllowed: () => true,
      memberRole: () => 'student',
      log: () => undefined,
      stateChanged: (state) => states.push(state),
    });
    const admin = new JanusAdmin({ url: janus.url, apiSecret: janus.apiSecret, log: () => undefined });
    try {
      assert.ok(await relayedSfu.whenUp(10_000));
      assert.ok(await admin.whenUp(5000));
      const before = (await relayedSfu.ensureRoom('blip')).id;
      assert.equal((await admin.videoroom({ request: 'exists', room: before }))['exists'], true);
      for (const socket of relayed) socket.destroy();
      await waitFor(() => states.includes('down') && relayedSfu.state === 'up', 'down, then up again', 20_000);
      await waitFor(async () => (await admin.videoroom({ request: 'exists', room: before }))['exists'] === false, 'the VideoRoom made before the drop is destroyed');
    } finally {
      admin.close();
      await relayedSfu.close();
      for (const socket of relayed) socket.destroy();
      await new Promise((resolve) => relay.close(resolve));
    }
  });

  void test('stream descriptions: camera and microphone for anyone, the screen share\'s only for the sharer the room server names; malformed lists refused', () => {
    const all = [
      { mid: '0', description: 'microphone' },
      { mid: '1', description: 'camera' },
      { mid: '2', description: 'screen' },
      { mid: '3', description: 'screen-audio' },
    ];
    assert.deepEqual(allowedDescriptions(all, true), { kept: all, refused: [] });
    assert.deepEqual(allowedDescriptions(all, false), { kept: all.slice(0, 2), refused: ['screen', 'screen-audio'] });
    assert.deepEqual(allowedDescriptions([{ mid: '0', description: 'Tutor (teacher)' }], true), { kept: [], refused: ['Tutor (teacher)'] });
    for (const bad of [null, 'camera', {}, [null], [{ mid: 0, description: 'camera' }], [{ mid: '', description: 'camera' }], [{ mid: '0' }], Array.from({ length: 9 }, () => ({ mid: '0', description: 'camera' }))]) {
      assert.equal(allowedDescriptions(bad, true), null, JSON.stringify(bad));
    }
  });

  void test('forged, expired and foreign tickets, non-members and other origins are refused at the upgrade', async () => {
    const good = join('chemistry', 'peer-fay');
    const [body, signature] = good.split('.');
    const forged = `${Buffer.from(JSON.stringify({ r: 'chemistry', p: 'peer-gus', o: 'tutor', e: Date.now() + 60_000 })).toString('base64url')}.${String(signature)}`;
    await assert.rejects(Client.open(`${base}?ticket=${encodeURIComponent(forged)}`), /HTTP 401/);
    await assert.rejects(Client.open(`${base}?ticket=${String(body)}.${'A'.repeat(String(signature).length)}`), /HTTP 401/);
    await assert.rejects(Client.open(`${base}?ticket=${signSfuTicket(key, { room: 'chemistry', peerId: 'peer-fay', role: 'student' }, Date.now() - 120_000)}`), /HTTP 401/);
    await assert.rejects(Client.open(`${base}?ticket=${signSfuTicket(randomBytes(32), { room: 'chemistry', peerId: 'peer-fay', role: 'student' })}`), /HTTP 401/);
    await assert.rejects(Client.open(base), /HTTP 401/);
    // Signed, but this peer is not in the room (left, or never was).
    await assert.rejects(Client.open(`${base}?ticket=${sfu.ticket('chemistry', 'peer-hal', 'student')}`), /HTTP 403/);
    await assert.rejects(Client.open(`${base}?ticket=${good}`, 'https://evil.example'), /HTTP 403/);
    const allowed = await Client.open(`${base}?ticket=${good}`, 'https://school.example');
    allowed.socket.close();
  });

  void test('a member leaving closes its proxy; the room emptied takes its VideoRoom away', async () => {
    const client = await Client.open(`${base}?ticket=${join('history', 'peer-ivy')}`);
    const { session, handle } = await attach(client);
    await client.request({ janus: 'message', session_id: session, handle_id: handle, body: { request: 'join', ptype: 'publisher' } });
    const janusRoom = sfu.janusRoomOf('history');
    assert.ok(janusRoom);
    const closed = new Promise<number>((resolve) => client.socket.once('close', resolve));
    members.get('history')?.delete('peer-ivy');
    sfu.memberLeft('history', 'peer-ivy');
    assert.equal(await closed, 1000);
    await sfu.roomEmpty('history');
    const admin = new JanusAdmin({ url: janus.url, apiSecret: janus.apiSecret, log: () => undefined });
    try {
      assert.ok(await admin.whenUp(5000));
      await waitFor(async () => (await admin.videoroom({ request: 'exists', room: janusRoom }))['exists'] === false, 'the VideoRoom destroyed');
    } finally {
      admin.close();
    }
    assert.ok(logs.includes('sfu-room-destroyed'));
  });
});
