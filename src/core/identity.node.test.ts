import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { peerIdTag } from '../server/join-identity.js';
import { signJoinToken } from '../server/index.js';
import { peerIdPrefix, tokenIdentity } from './identity.js';
import { sha256Hex } from './sha256.js';

const SECRET = 'a-test-secret-of-at-least-32-bytes!!';

void describe('peer id tags', () => {
  for (const [room, userId] of [
    ['physics-101', 'u-1'],
    ['Room With Spaces', 'ü-ñíçødé'],
    ['r', 'a'.repeat(128)],
    // Lengths around SHA-256's block edges (55, 56, 63, 64 bytes of message) and a multi-block one.
    ['edge', 'x'.repeat(55 - 'live-session peer id\nedge\n'.length)],
    ['edge', 'x'.repeat(56 - 'live-session peer id\nedge\n'.length)],
    ['edge', 'x'.repeat(63 - 'live-session peer id\nedge\n'.length)],
    ['edge', 'x'.repeat(64 - 'live-session peer id\nedge\n'.length)],
    ['😀 emoji room', 'y'.repeat(300)],
  ] as const) {
    void test(`the client's prefix carries the tag the server checks (${room} / ${userId.slice(0, 12)})`, () => {
      assert.equal(peerIdPrefix(room, userId), `${peerIdTag(room, userId)}-`);
    });
  }

  void test('without a room there is nothing to bind to: the plain prefix', () => {
    assert.equal(peerIdPrefix(undefined, 'u-1'), 'ls-');
    assert.equal(peerIdPrefix('', 'u-1'), 'ls-');
  });

  void test('the synchronous SHA-256 matches the standard one on empty, short, block-edge and long inputs', () => {
    for (const text of ['', 'abc', 'a'.repeat(55), 'a'.repeat(56), 'a'.repeat(64), 'a'.repeat(1000), 'ünïcødé ✓']) {
      assert.equal(sha256Hex(text), createHash('sha256').update(text).digest('hex'));
    }
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
