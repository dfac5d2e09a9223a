// The one scheduler every session timer goes through, the update model that
// rides on it, the observable state and token refresh: Node tests with a
// manual clock, no sockets, no browser.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ParticipantInfo } from '../protocol/index.js';
import { createLogger } from './logger.js';
import { observe, select } from './observe.js';
import { PendingState, type PendingField } from './pending-state.js';
import { ManualTimers, Scheduler } from './scheduler.js';
import { EXPIRED_LINK_MESSAGE, TokenRefresh } from './token-refresh.js';

describe('Scheduler', () => {
  it('runs tasks when due, in order, and a cancelled task never', () => {
    const clock = new ManualTimers();
    const scheduler = new Scheduler(clock);
    const ran: string[] = [];
    scheduler.after(300, () => ran.push('c'));
    scheduler.after(100, () => ran.push('a'));
    const cancel = scheduler.after(200, () => ran.push('b'));
    cancel();
    cancel(); // Twice is harmless.
    clock.advance(250);
    assert.deepEqual(ran, ['a']);
    clock.advance(100);
    assert.deepEqual(ran, ['a', 'c']);
    assert.equal(scheduler.size, 0);
  });

  it('cancelAll cancels every task, groups included; a group cancels only its own', () => {
    const clock = new ManualTimers();
    const root = new Scheduler(clock);
    const links = root.group();
    const preview = root.group();
    const ran: string[] = [];
    root.after(10, () => ran.push('root'));
    links.after(10, () => ran.push('links'));
    preview.after(10, () => ran.push('preview'));
    links.cancelAll();
    assert.equal(root.size, 2);
    clock.advance(5);
    root.cancelAll();
    assert.equal(root.size, 0);
    assert.equal(clock.pending, 0);
    clock.advance(100);
    assert.deepEqual(ran, []);
  });

  it('every() repeats until cancelled', () => {
    const clock = new ManualTimers();
    const scheduler = new Scheduler(clock);
    let ticks = 0;
    const stop = scheduler.every(150, () => ticks++);
    clock.advance(450);
    assert.equal(ticks, 3);
    stop();
    clock.advance(1000);
    assert.equal(ticks, 3);
    assert.equal(clock.pending, 0);
  });

  it('a task scheduled from a task runs at its own time', () => {
    const clock = new ManualTimers();
    const scheduler = new Scheduler(clock);
    const at: number[] = [];
    scheduler.after(100, () => scheduler.after(50, () => at.push(clock.now())));
    clock.advance(1000);
    assert.deepEqual(at, [150]);
  });
});

describe('PendingState (the update model)', () => {
  const self = (overrides: Partial<ParticipantInfo> = {}): ParticipantInfo => ({
    id: 'p1',
    userId: 'u1',
    name: 'Sam',
    role: 'student',
    isVideoOn: false,
    isAudioOn: false,
    isHandRaised: false,
    joinedAt: 0,
    ...overrides,
  });

  function setup(): { clock: ManualTimers; pending: PendingState; unconfirmed: PendingField[] } {
    const clock = new ManualTimers();
    const unconfirmed: PendingField[] = [];
    const pending = new PendingState(new Scheduler(clock), 5000, { unconfirmed: (field) => unconfirmed.push(field) });
    return { clock, pending, unconfirmed };
  }

  it('a change the server already has is not pending', () => {
    const { pending } = setup();
    assert.equal(pending.expect('isHandRaised', false, false), false);
    assert.equal(pending.get('isHandRaised'), undefined);
  });

  it('shows at once, and the server\'s matching view confirms it', () => {
    const { clock, pending, unconfirmed } = setup();
    assert.equal(pending.expect('isHandRaised', true, false), true);
    assert.equal(pending.get('isHandRaised'), true);
    // A stale view (still down) does not confirm.
    assert.equal(pending.reconcile(self(), false), false);
    assert.equal(pending.get('isHandRaised'), true);
    assert.equal(pending.reconcile(self({ isHandRaised: true }), true), true);
    assert.equal(pending.get('isHandRaised'), undefined);
    clock.advance(10_000);
    assert.deepEqual(unconfirmed, []);
  });

  it('no confirmation in time: the field is reported unconfirmed, once', () => {
    const { clock, pending, unconfirmed } = setup();
    pending.expect('isVideoOn', true, false);
    clock.advance(4999);
    assert.deepEqual(unconfirmed, []);
    clock.advance(1);
    assert.deepEqual(unconfirmed, ['isVideoOn']);
    assert.equal(pending.get('isVideoOn'), undefined);
  });

  it('a newer change restarts the wait; a refusal drops it without a report', () => {
    const { clock, pending, unconfirmed } = setup();
    pending.expect('isHandRaised', true, false);
    clock.advance(3000);
    pending.expect('isHandRaised', false, true);
    clock.advance(3000);
    assert.deepEqual(unconfirmed, []);
    pending.refused(['isHandRaised']);
    assert.equal(pending.get('isHandRaised'), undefined);
    clock.advance(10_000);
    assert.deepEqual(unconfirmed, []);
  });
});

describe('observe and select', () => {
  class Source extends EventTarget {
    items: readonly number[] = [];
    set(items: number[]): void {
      this.items = items;
      this.dispatchEvent(new Event('change'));
    }
  }

  it('get() starts with the current value and keeps one reference until a change', () => {
    const source = new Source();
    source.items = [1, 2, 3];
    const evens = observe(source, (s) => s.items.filter((n) => n % 2 === 0));
    const first = evens.get();
    assert.deepEqual(first, [2]);
    assert.equal(evens.get(), first, 'a new array every call would loop useSyncExternalStore');
    source.set([2, 4]);
    assert.deepEqual(evens.get(), [2, 4]);
  });

  it('subscribe() tells only about real changes, by the given equality', () => {
    const source = new Source();
    const count = observe(source, (s) => s.items.length);
    const seen: number[] = [];
    const stop = count.subscribe((value) => seen.push(value));
    source.set([1]);
    source.set([2]); // Same length: no notification.
    source.set([1, 2]);
    stop();
    source.set([]);
    assert.deepEqual(seen, [1, 2]);
  });

  it('select() calls back at once with the current value (startWith)', () => {
    const source = new Source();
    source.items = [7];
    const seen: (readonly number[])[] = [];
    const stop = select(source, (s) => s.items, (value) => seen.push(value));
    source.set([8]);
    stop();
    assert.deepEqual(seen, [[7], [8]]);
  });
});

describe('TokenRefresh', () => {
  const log = createLogger(false);

  it('without a provider: the given token always, no retry, an expired link said plainly', async () => {
    const tokens = new TokenRefresh('t0', undefined, log);
    assert.equal(await tokens.forJoin(false), 't0');
    assert.equal(await tokens.forJoin(true), 't0');
    assert.equal(tokens.shouldRetry('token-expired'), false);
    const detail = tokens.explain({ code: 'token-expired', message: 'The token has expired.', request: 'LS-JOIN' });
    assert.equal(detail.message, EXPIRED_LINK_MESSAGE);
    assert.equal(tokens.explain({ code: 'room-full', message: 'Full.' }).message, 'Full.');
  });

  it('with a provider: a fresh token for every re-join, and one retry per refusal until a join succeeds', async () => {
    let issued = 0;
    const tokens = new TokenRefresh('t0', () => Promise.resolve(`t${++issued}`), log);
    assert.equal(await tokens.forJoin(false), 't0', 'the first join uses the given token');
    assert.equal(await tokens.forJoin(true), 't1');
    assert.equal(await tokens.forJoin(true), 't2');
    assert.equal(tokens.shouldRetry('room-full'), false, 'a fresh token cannot cure a full room');
    assert.equal(tokens.shouldRetry('token-expired'), true);
    assert.equal(tokens.shouldRetry('token-expired'), false, 'only once');
    tokens.accepted();
    assert.equal(tokens.shouldRetry('token-invalid'), true);
  });

  it('a provider that fails keeps the last token; without a given token the provider serves the first join', async () => {
    const failing = new TokenRefresh('t0', () => Promise.reject(new Error('offline')), log);
    assert.equal(await failing.forJoin(true), 't0');
    const providedOnly = new TokenRefresh(undefined, () => Promise.resolve('fresh'), log);
    assert.equal(await providedOnly.forJoin(false), 'fresh');
  });
});
