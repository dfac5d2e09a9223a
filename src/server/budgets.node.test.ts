// Rate budgets: the token bucket and the bounded map of buckets per key that
// chat, reactions and joins use. Pure logic with an injected clock.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyedBuckets, TokenBucket } from './frames.js';

void describe('rate budgets', () => {
  void test('a token bucket gives its burst, then its rate, and is full again after a quiet spell', () => {
    const bucket = new TokenBucket(3, 1, 0);
    assert.deepEqual([1, 2, 3, 4].map(() => bucket.take(0)), [true, true, true, false]);
    assert.equal(bucket.take(999), false, 'not a whole token yet');
    assert.equal(bucket.take(1000), true);
    assert.equal(bucket.isFull(1000), false);
    assert.equal(bucket.isFull(4000), true);
  });

  void test('a token bucket takes a count at once (bytes of a frame), all or nothing', () => {
    const bucket = new TokenBucket(1000, 100, 0);
    assert.equal(bucket.take(0, 600), true);
    assert.equal(bucket.take(0, 600), false, 'only 400 left: nothing taken');
    assert.equal(bucket.take(0, 400), true);
    assert.equal(bucket.take(2000, 300), false, '200 refilled in 2 s');
    assert.equal(bucket.take(3000, 300), true);
  });

  void test('keyed buckets are separate per key; past the bound only refilled buckets are forgotten, so a spent one stays spent', () => {
    const budgets = new KeyedBuckets(2, 1 / 60, 3); // 2 at once, then one a minute
    assert.deepEqual([1, 2, 3].map(() => budgets.take('sam', 0)), [true, true, false]);
    assert.equal(budgets.take('ann', 0), true, 'another key has its own');
    assert.equal(budgets.take('k1', 0), true);
    // 90 s later Ann and k1 are full again, Sam is not (1.5 of 2): a new key drops those two only.
    assert.equal(budgets.take('k2', 90_000), true);
    assert.equal(budgets.size, 2);
    assert.equal(budgets.take('sam', 90_000), true, 'the half-refilled budget was kept');
    assert.equal(budgets.take('sam', 90_000), false);
  });

  void test('when every bucket is in use, the oldest half goes: memory stays bounded under a flood of keys', () => {
    const budgets = new KeyedBuckets(5, 1, 4);
    for (let i = 0; i < 100; i++) budgets.take(`key-${String(i)}`, 0);
    assert.ok(budgets.size <= 4, `bounded (${String(budgets.size)} buckets)`);
  });

  void test('a full bucket dropped from the map is no different from a new one', () => {
    const budgets = new KeyedBuckets(1, 1, 1);
    assert.equal(budgets.take('a', 0), true);
    assert.equal(budgets.take('b', 5000), true, 'a refilled: dropped to make room');
    assert.equal(budgets.take('a', 5000), true, 'a gets a full budget, as it would have anyway');
  });

  void test('keyed buckets answer exactly as token buckets do, over random takes (integer and fractional rates)', () => {
    let seed = 7;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (const [capacity, perSecond] of [[1, 1], [3, 0.5], [10, 10 / 60], [5, 1 / 60], [20, 20 / 60]] as const) {
      const keyed = new KeyedBuckets(capacity, perSecond, 100);
      const plain = new TokenBucket(capacity, perSecond, 1_000_000);
      let now = 1_000_000;
      for (let i = 0; i < 2000; i++) {
        now += Math.floor(random() * random() * 20_000);
        assert.equal(keyed.take('k', now), plain.take(now), `capacity ${String(capacity)}, ${String(perSecond)}/s, take ${String(i)} at ${String(now)}`);
      }
    }
  });

  void test('a clock that steps back locks nobody out: time stands still until it catches up', () => {
    const budgets = new KeyedBuckets(2, 1 / 60, 10);
    const start = 10_000_000;
    assert.equal(budgets.take('sam', start), true);
    assert.equal(budgets.take('sam', start), true);
    assert.equal(budgets.take('sam', start), false, 'spent');
    // The clock jumps back ten minutes: Sam is as spent as before, not spent for ten more minutes.
    const back = start - 600_000;
    assert.equal(budgets.take('sam', back), false);
    assert.equal(budgets.take('sam', back + 60_000), true, 'a minute later one token is back, as for a token bucket');
    assert.equal(budgets.take('ann', back), true);
  });
});
