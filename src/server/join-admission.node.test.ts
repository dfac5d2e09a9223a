/** Removals and join budgets, with an injected clock (pure logic). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { JoinAdmission } from './join-admission.js';

void describe('JoinAdmission', () => {
  void test('a removed user stays out until their removal expires or they are let back in', () => {
    let now = 1_000_000;
    const admission = new JoinAdmission(60, () => now);
    admission.remove('algebra', 'ann', now + 10_000);
    assert.equal(admission.admit('algebra', 'ann')?.code, 'removed-from-room');
    assert.equal(admission.admit('physics', 'ann'), undefined);
    assert.deepEqual(admission.removedFrom('algebra'), ['ann']);
    now += 10_001;
    assert.equal(admission.admit('algebra', 'ann'), undefined);
    admission.remove('algebra', 'bob', now + 10_000);
    assert.equal(admission.readmit('algebra', 'bob'), true);
    assert.equal(admission.admit('algebra', 'bob'), undefined);
  });

  void test('rooms whose removals all expired do not pile up, even if nobody joins them again', () => {
    let now = 1_000_000;
    const admission = new JoinAdmission(60, () => now);
    for (let i = 0; i < 5000; i++) {
      admission.remove(`room-${String(i)}`, 'mallory', now + 1000);
      now += 10;
    }
    // Only removals still running (the last 100 ms' worth) and at most one sweep threshold of expired ones.
    assert.ok(admission.roomsWithRemovals <= 2 * 64 + 100, `${String(admission.roomsWithRemovals)} rooms kept`);
    // Live removals are never swept.
    assert.equal(admission.admit('room-4999', 'mallory')?.code, 'removed-from-room');
  });
});
