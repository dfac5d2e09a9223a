import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { JoinFields } from './frames.js';
import { MAX_TOKEN_LENGTH, resolveJoinRequest, resolveTokenIdentity } from './join-identity.js';
import type { JoinTokenVerdict } from './join-token.js';

function fields(overrides: Partial<JoinFields>): JoinFields {
  return {
    room: 'algebra-1',
    userId: 'user-1',
    name: 'Alice',
    role: 'student',
    token: undefined,
    isVideoOn: false,
    isAudioOn: false,
    ...overrides,
  };
}

const PEER_ID = 'peer-1';

void describe('join identity, open mode', () => {
  const refusals: Array<[label: string, overrides: Partial<JoinFields>, peerId: string, code: string, malformed: boolean]> = [
    ['peer id with a slash', {}, 'a/b', 'bad-payload', false],
    ['peer id too long', {}, 'x'.repeat(129), 'bad-payload', false],
    ['no room', { room: undefined }, PEER_ID, 'bad-payload', true],
    ['room with a space', { room: 'a b' }, PEER_ID, 'bad-payload', true],
    ['room of 65 characters', { room: 'r'.repeat(65) }, PEER_ID, 'bad-payload', true],
    ['user id as a number', { userId: 42 }, PEER_ID, 'bad-payload', true],
    ['user id with a space', { userId: 'a b' }, PEER_ID, 'bad-payload', true],
    ['name missing', { name: undefined }, PEER_ID, 'bad-payload', true],
    ['name with markup', { name: '<b>Al</b>' }, PEER_ID, 'bad-payload', true],
    ['name only control characters', { name: '\u0000\u0007' }, PEER_ID, 'bad-payload', true],
    ['role admin', { role: 'admin' }, PEER_ID, 'bad-payload', true],
    ['role missing', { role: undefined }, PEER_ID, 'bad-payload', true],
  ];
  for (const [label, overrides, peerId, code, malformed] of refusals) {
    void test(`refused: ${label} → ${code}${malformed ? ' (counts as malformed)' : ''}`, () => {
      const verdict = resolveJoinRequest(fields(overrides), peerId, 'open');
      if (verdict.ok !== false) assert.fail(`not refused: ${JSON.stringify(verdict)}`);
      assert.equal(verdict.code, code);
      assert.equal(verdict.malformed, malformed);
    });
  }

  const accepted: Array<[label: string, overrides: Partial<JoinFields>, expected: Record<string, string>]> = [
    ['a student', {}, { room: 'algebra-1', userId: 'user-1', name: 'Alice', role: 'student' }],
    ['a tutor', { role: 'tutor' }, { room: 'algebra-1', userId: 'user-1', name: 'Alice', role: 'tutor' }],
    ['a name with control characters, cleaned', { name: ' Bo\u0007b ' }, { room: 'algebra-1', userId: 'user-1', name: 'Bob', role: 'student' }],
    ['a token in open mode is ignored', { token: 'anything' }, { room: 'algebra-1', userId: 'user-1', name: 'Alice', role: 'student' }],
  ];
  for (const [label, overrides, expected] of accepted) {
    void test(`accepted: ${label}`, () => {
      const verdict = resolveJoinRequest(fields(overrides), PEER_ID, 'open');
      if (verdict.ok !== true) assert.fail(`not accepted: ${JSON.stringify(verdict)}`);
      assert.deepEqual(verdict.identity, expected);
    });
  }
});

void describe('join identity, token mode', () => {
  const refusals: Array<[label: string, overrides: Partial<JoinFields>, code: string, malformed: boolean]> = [
    ['no token', {}, 'token-missing', false],
    ['empty token', { token: '' }, 'token-missing', false],
    ['null token', { token: null }, 'token-missing', false],
    ['token as a number', { token: 7 }, 'token-invalid', false],
    ['token too long', { token: 'x'.repeat(MAX_TOKEN_LENGTH + 1) }, 'token-invalid', false],
    ['room as a number', { token: 't', room: 7 }, 'bad-payload', true],
  ];
  for (const [label, overrides, code, malformed] of refusals) {
    void test(`refused before verification: ${label} → ${code}`, () => {
      const verdict = resolveJoinRequest(fields({ room: undefined, ...overrides }), PEER_ID, 'token');
      if (verdict.ok !== false) assert.fail(`not refused: ${JSON.stringify(verdict)}`);
      assert.equal(verdict.code, code);
      assert.equal(verdict.malformed, malformed);
    });
  }

  void test('identity fields of the request are not even read: only the token is to be verified', () => {
    const verdict = resolveJoinRequest(fields({ token: 'abc', room: 'algebra-1', role: 'tutor', name: '<evil>' }), PEER_ID, 'token');
    assert.deepEqual(verdict, { ok: 'verify-token', token: 'abc', requestedRoom: 'algebra-1' });
  });

  const nowSeconds = 1_900_000_000;
  const lifetime = { nowSeconds, maxLifetime: 86_400, clockTolerance: 5 };
  const claims = { room: 'algebra-1', sub: 'user-9', name: 'Tess', role: 'tutor' as const, exp: nowSeconds + 3600 };
  const verdicts: Array<[label: string, verdict: JoinTokenVerdict, requestedRoom: string | undefined, outcome: string]> = [
    ['a good token, no room asked', { ok: true, claims }, undefined, 'ok'],
    ['a good token, its own room asked', { ok: true, claims }, 'algebra-1', 'ok'],
    ['a good token, another room asked', { ok: true, claims }, 'biology', 'token-wrong-room'],
    ['an expired token', { ok: false, code: 'token-expired', message: 'expired' }, undefined, 'token-expired'],
    ['a tampered token', { ok: false, code: 'token-invalid', message: 'invalid' }, undefined, 'token-invalid'],
    ['a token valid for exactly the maximum (plus tolerance)', { ok: true, claims: { ...claims, exp: nowSeconds + 86_405 } }, undefined, 'ok'],
    ['a token valid for longer than the maximum', { ok: true, claims: { ...claims, exp: nowSeconds + 86_406 } }, undefined, 'token-lifetime'],
    ['a token with exp 1e308', { ok: true, claims: { ...claims, exp: 1e308 } }, undefined, 'token-lifetime'],
    ['a token with exp Infinity', { ok: true, claims: { ...claims, exp: Infinity } }, undefined, 'token-lifetime'],
  ];
  for (const [label, verdict, requestedRoom, outcome] of verdicts) {
    void test(`after verification: ${label} → ${outcome}`, () => {
      const resolved = resolveTokenIdentity(verdict, requestedRoom, lifetime);
      if (outcome === 'ok') {
        assert.ok(resolved.ok);
        assert.deepEqual(resolved.identity, { room: 'algebra-1', userId: 'user-9', name: 'Tess', role: 'tutor' });
        assert.equal(resolved.expiresAt, (verdict.ok ? verdict.claims.exp : NaN) * 1000);
      } else {
        if (resolved.ok) assert.fail('accepted');
        assert.equal(resolved.code, outcome);
      }
    });
  }
});
