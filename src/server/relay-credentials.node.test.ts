import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import { signJoinToken } from './join-token.js';
import { resolveOptions, type IceServerConfig } from './options.js';
import { relayCredentials, resolveTurnOptions } from './relay-credentials.js';
import { TestClient, withServer } from './test-client.node.test.js';

const SECRET = 'relay-test-secret-long-enough-for-hs256-000';
const TURN = { secret: 'turn-shared-secret-0123', urls: ['turn:127.0.0.1:3478?transport=udp'], ttl: 600 };

function checkCredential(username: string, credential: string): boolean {
  return createHmac('sha1', TURN.secret).update(username).digest('base64') === credential;
}

void describe('TURN credentials', () => {
  void test('follow the TURN REST scheme: <expiry>:<user>, base64 HMAC-SHA1 of it', () => {
    const now = Date.UTC(2026, 0, 1);
    const creds = relayCredentials(resolveTurnOptions(TURN) ?? assert.fail(), 'lms:user-7', now);
    const server = creds.iceServers[0];
    assert.ok(server?.username !== undefined && server.credential !== undefined);
    assert.equal(server.username, `${String(now / 1000 + 600)}:lms_user-7`, 'no colon in the user part');
    assert.ok(checkCredential(server.username, server.credential));
    assert.equal(creds.expiresAt, now + 600_000);
    assert.deepEqual(server.urls, TURN.urls);
  });

  void test('bad turn options are refused', () => {
    assert.throws(() => resolveTurnOptions({ ...TURN, secret: 'short' }), /at least 16/);
    assert.throws(() => resolveTurnOptions({ ...TURN, urls: ['http://x'] }), /turn: or turns:/);
    assert.throws(() => resolveTurnOptions({ ...TURN, ttl: 5 }), /ttl/);
  });

  void test('joined members get them in LS-JOINED and fresh ones on LS-ICE; GET /ice never carries them', async () => {
    await withServer({ secret: SECRET, turn: TURN, iceServers: [{ urls: 'stun:127.0.0.1:3478' }] }, async (server, opened) => {
      const stranger = await fetch(`${server.url}ice`);
      assert.deepEqual(await stranger.json(), { iceServers: [{ urls: 'stun:127.0.0.1:3478' }] });
      const client = await TestClient.connect(server.webSocketUrl);
      opened.push(client);
      // Before joining: no credentials.
      client.send({ type: 'LS-ICE' });
      assert.equal((await client.nextError()).code, 'not-joined');
      const joined = await client.join({ token: await signJoinToken({ room: 'turn-room', sub: 'user-turn', name: 'Tia', role: 'student' }, SECRET) });
      // The static list comes with the join too, so a client need not fetch it before connecting.
      assert.deepEqual(joined.iceServers, [{ urls: 'stun:127.0.0.1:3478' }]);
      const relay = joined.relay;
      assert.ok(relay);
      const first = relay.iceServers[0];
      assert.ok(first?.username !== undefined && first.credential !== undefined);
      assert.ok(first.username.endsWith(':user-turn'));
      assert.ok(checkCredential(first.username, first.credential));
      assert.ok(relay.expiresAt > Date.now() + 590_000);
      client.send({ type: 'LS-ICE' });
      const fresh = await client.next('LS-ICE');
      const again = fresh.payload.iceServers[0];
      assert.ok(again?.username !== undefined && again.credential !== undefined);
      assert.ok(checkCredential(again.username, again.credential));
      assert.ok(fresh.payload.expiresAt >= relay.expiresAt);
    });
  });

  void test('without a TURN relay: no relay in LS-JOINED, LS-ICE refused', async () => {
    await withServer({ secret: SECRET }, async (server, opened) => {
      const client = await TestClient.connect(server.webSocketUrl);
      opened.push(client);
      const joined = await client.join({ token: await signJoinToken({ room: 'no-turn', sub: 'user-nt', name: 'Nia', role: 'student' }, SECRET) });
      assert.equal(joined.relay, undefined);
      assert.deepEqual(joined.iceServers, [], 'no ICE servers configured: an empty list, not an absent one (absent means an older server)');
      client.send({ type: 'LS-ICE' });
      assert.equal((await client.nextError()).code, 'forbidden');
    });
  });
});

void describe('the static ICE server list', () => {
  void test('is checked at start as browsers will read it: one bad entry would break every call', () => {
    const list = (iceServers: unknown): IceServerConfig[] => resolveOptions({ iceServers: iceServers as IceServerConfig[] }).iceServers;
    assert.deepEqual(list(undefined), []);
    assert.deepEqual(list([{ urls: 'stun:stun.example.org:3478' }, { urls: ['turns:t.example.org:443?transport=tcp'], username: 'u', credential: 'c' }]), [
      { urls: 'stun:stun.example.org:3478' },
      { urls: ['turns:t.example.org:443?transport=tcp'], username: 'u', credential: 'c' },
    ]);
    // Extra fields are not passed on to every client.
    assert.deepEqual(list([{ urls: 'stun:a.example.org', note: 'x' }]), [{ urls: 'stun:a.example.org' }]);
    for (const [bad, message] of [
      [{ urls: 'stun:a' }, /must be an array/],
      [Array.from({ length: 11 }, () => ({ urls: 'stun:a.example.org' })), /at most 10/],
      [[null], /must be an object/],
      [[{ urls: [] }], /urls is empty/],
      [[{ urls: 'http://stun.example.org' }], /not a stun:, stuns:, turn: or turns: URL/],
      [[{ urls: ['stun:ok.example.org', 42] }], /not a stun:/],
      [[{ urls: 'turn:t.example.org' }], /needs username and credential/],
      [[{ urls: 'stun:a.example.org', username: 7 }], /username must be a string/],
    ] as const) {
      assert.throws(() => list(bad), message);
    }
  });
});
