import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { peerIdTag } from '../server/join-identity.js';
import { signJoinToken } from '../server/index.js';
import { peerIdPrefix, tokenIdentity } from './identity.js';

const SECRET = 'a-test-secret-of-at-least-32-bytes!!';

void describe('peer id tags', () => {
  for (const [room, userId] of [
    ['physics-101', 'u-1'],
    ['Room With Spaces', 'ü-ñíçødé'],
    ['r', 'a'.repeat(128)],
  ] as const) {
    void test(`the client's prefix carries the tag the server checks (${room} / ${userId.slice(0, 12)})`, async () => {
      assert.equal(await peerIdPrefix(room, userId), `${peerIdTag(room, userId)}-`);
    });
  }

  void test('without a room there is nothing to bind to: the plain prefix', async () => {
    assert.equal(await peerIdPrefix(undefined, 'u-1'), 'ls-');
    assert.equal(await peerIdPrefix('', 'u-1'), 'ls-');
  });
});

void describe('tokenIdentity', () => {
  void test('reads room and sub from a signed token', async () => {
    const token = await signJoinToken({ room: 'maths', sub: 'user-42', name: 'Ada', role: 'tutor' }, SECRET);
    assert.deepEqual(tokenIdentity(token), { room: 'maths', userId: 'user-42' });
  });

  const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const cases: [string, string][] = [
    ['not a token', 'garbage'],
    ['an empty payload', 'a..c'],
    ['a payload that is not JSON', `a.${Buffer.from('{').toString('base64url')}.c`],
    ['a payload that is not an object', `a.${encode(42)}.c`],
    ['claims of the wrong type', `a.${encode({ room: 1, sub: 'x' })}.c`],
    ['a missing sub', `a.${encode({ room: 'r' })}.c`],
  ];
  for (const [what, token] of cases) {
    void test(`gives null for ${what}`, () => {
      assert.equal(tokenIdentity(token), null);
    });
  }
});
