// The decisions behind joining calls and recovery, table-driven: reconnect
// delays, glare, held calls, grace periods, who re-calls.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ParticipantInfo } from '../protocol/index.js';
import { LivenessEstimator, incomingCallAction, partitionVanished, recallPlan, reconnectDelay, resolveGlare, stalledFor } from './recovery-rules.js';

describe('reconnectDelay', () => {
  const bounds = { minDelayMs: 500, maxDelayMs: 8000 };
  const table: [attempt: number, random: number, delay: number][] = [
    [0, 0.5, 500],
    [1, 0.5, 1000],
    [2, 0.5, 2000],
    [4, 0.5, 8000],
    [10, 0.5, 8000],
    [0, 0, 375],
    [0, 0.999999, 624.9995],
    [3, 0, 3000],
    [-1, 0.5, 500],
  ];
  for (const [attempt, random, delay] of table) {
    it(`attempt ${attempt}, random ${random} → ${delay} ms`, () => {
      assert.ok(Math.abs(reconnectDelay(attempt, bounds, random) - delay) < 0.001);
    });
  }
  it('stays within ±25 % of the capped doubling', () => {
    for (let attempt = 0; attempt < 12; attempt++) {
      const base = Math.min(8000, 500 * 2 ** attempt);
      const delay = reconnectDelay(attempt, bounds);
      assert.ok(delay >= base * 0.75 && delay <= base * 1.25, `${delay} for attempt ${attempt}`);
    }
  });
});

describe('resolveGlare', () => {
  const table: [me: string, caller: string, existing: Parameters<typeof resolveGlare>[2], expected: string][] = [
    ['ls-a', 'ls-b', null, 'take-incoming'],
    ['ls-a', 'ls-b', { outgoing: true, connected: true }, 'keep-existing'],
    ['ls-b', 'ls-a', { outgoing: true, connected: true }, 'take-incoming'],
    ['ls-a', 'ls-b', { outgoing: true, connected: false }, 'take-incoming'],
    ['ls-a', 'ls-b', { outgoing: false, connected: true }, 'take-incoming'],
  ];
  for (const [me, caller, existing, expected] of table) {
    it(`${me} called by ${caller}, existing ${JSON.stringify(existing)} → ${expected}`, () => {
      assert.equal(resolveGlare(me, caller, existing), expected);
    });
  }
  it('both sides of a glare agree on one call', () => {
    // a's outgoing call to b and b's outgoing call to a are both connected.
    const atA = resolveGlare('ls-a', 'ls-b', { outgoing: true, connected: true });
    const atB = resolveGlare('ls-b', 'ls-a', { outgoing: true, connected: true });
    assert.deepEqual([atA, atB], ['keep-existing', 'take-incoming']);
  });
});

describe('incomingCallAction (held calls)', () => {
  const table: [callerKnown: boolean, joined: boolean, topologyAllows: boolean, expected: string][] = [
    [true, true, true, 'answer'],
    [false, true, true, 'hold'],
    [false, false, false, 'hold'],
    [true, false, true, 'refuse'],
    [true, true, false, 'refuse'],
  ];
  for (const [callerKnown, joined, topologyAllows, expected] of table) {
    it(`known ${callerKnown}, joined ${joined}, allowed ${topologyAllows} → ${expected}`, () => {
      assert.equal(incomingCallAction({ callerKnown, joined, topologyAllows }), expected);
    });
  }
});

describe('partitionVanished (grace periods)', () => {
  const member = (id: string): ParticipantInfo => ({
    id,
    userId: `u-${id}`,
    name: id,
    role: 'student',
    isVideoOn: false,
    isAudioOn: false,
    isHandRaised: false,
    joinedAt: 0,
  });
  it('keeps those whose media flows, drops the rest', () => {
    const flowing = new Set(['a', 'c']);
    const { graced, gone } = partitionVanished([member('a'), member('b'), member('c')], (id) => flowing.has(id));
    assert.deepEqual(graced.map((m) => m.id), ['a', 'c']);
    assert.deepEqual(gone.map((m) => m.id), ['b']);
  });
  it('nothing vanished, nothing to do', () => {
    assert.deepEqual(partitionVanished([], () => true), { graced: [], gone: [] });
  });
});

describe('recallPlan', () => {
  const timings = { recallMs: 500, waitMs: 4000 };
  it('the lower id re-calls soon, the higher waits', () => {
    assert.deepEqual(recallPlan('ls-a', 'ls-b', timings), { role: 'recaller', delayMs: 500 });
    assert.deepEqual(recallPlan('ls-b', 'ls-a', timings), { role: 'waiter', delayMs: 4000 });
  });
});

describe('LivenessEstimator', () => {
  it('starts at the floor and stays there for quick answers', () => {
    const liveness = new LivenessEstimator({ floorMs: 3500, maxMs: 15_000 });
    assert.equal(liveness.timeoutMs, 3500);
    for (let i = 0; i < 20; i++) liveness.observe(5);
    assert.equal(liveness.timeoutMs, 3500);
  });
  it('grows with slow, jittery answers (a loaded machine) and is capped', () => {
    const liveness = new LivenessEstimator({ floorMs: 3500, maxMs: 15_000 });
    for (const ms of [900, 2500, 1200, 3000, 800, 2800]) liveness.observe(ms);
    assert.ok(liveness.timeoutMs > 3500, `${liveness.timeoutMs}`);
    for (let i = 0; i < 30; i++) liveness.observe(i % 2 === 0 ? 100 : 40_000);
    assert.equal(liveness.timeoutMs, 15_000);
  });
  it('comes back down to the floor when answers are quick again', () => {
    const liveness = new LivenessEstimator({ floorMs: 3500, maxMs: 15_000 });
    for (const ms of [3000, 4000, 2000, 5000]) liveness.observe(ms);
    const loaded = liveness.timeoutMs;
    for (let i = 0; i < 60; i++) liveness.observe(10);
    assert.ok(loaded > 3500);
    assert.equal(liveness.timeoutMs, 3500);
  });
  it('ignores impossible samples', () => {
    const liveness = new LivenessEstimator({ floorMs: 3500, maxMs: 15_000 });
    liveness.observe(-1);
    liveness.observe(Number.NaN);
    liveness.observe(Number.POSITIVE_INFINITY);
    assert.equal(liveness.timeoutMs, 3500);
  });
});

describe('stalledFor', () => {
  const table: [previous: number, now: number, interval: number, stalled: number][] = [
    [0, 1000, 1000, 0],
    [0, 1200, 1000, 0],
    [0, 1300, 1000, 300],
    [0, 6000, 1000, 5000],
    [0, 900, 1000, 0],
  ];
  for (const [previous, now, interval, stalled] of table) {
    it(`checks ${now - previous} ms apart, meant ${interval} → ${stalled} ms stalled`, () => {
      assert.equal(stalledFor(previous, now, interval), stalled);
    });
  }
});
