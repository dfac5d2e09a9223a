import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ClientMessage, Reaction } from '../protocol/index.js';
import { chatSegments } from './chat.js';
import type { Participant } from './events.js';
import { REACTION_HOLD_MS, Reactions } from './reactions.js';
import { ManualTimers, Scheduler } from './scheduler.js';

function setup(inRoom = true) {
  const timers = new ManualTimers();
  const sent: ClientMessage[] = [];
  const events: Array<{ name: string; reaction: Reaction }> = [];
  let changes = 0;
  const people = new Map([
    ['p-sam', { id: 'p-sam', name: 'Sam' }],
    ['p-ann', { id: 'p-ann', name: 'Ann' }],
  ]);
  const reactions = new Reactions(
    {
      emit: (type, detail) => {
        if (type === 'reaction') {
          const { participant, reaction } = detail as { participant: Participant; reaction: Reaction };
          events.push({ name: participant.name, reaction });
        }
      },
      changed: () => {
        changes++;
      },
      send: (message) => sent.push(message),
      allowed: () => inRoom,
      participant: (id) => (people.get(id) as Participant | undefined) ?? null,
    },
    new Scheduler(timers),
  );
  const relay = (from: string, reaction: string) => reactions.apply({ type: 'LS-REACTION', payload: { from, reaction: reaction as Reaction } });
  return { timers, sent, events, reactions, relay, changes: () => changes };
}

void describe('reactions', () => {
  void test('a reaction shows for its hold time, a newer one replaces it, and the tally counts people, not clicks', () => {
    const { timers, reactions, relay, events } = setup();
    relay('p-sam', 'confused');
    relay('p-ann', 'confused');
    assert.equal(reactions.of('p-sam'), 'confused');
    assert.equal(reactions.tally().confused, 2);
    timers.advance(REACTION_HOLD_MS - 1000);
    relay('p-sam', 'thumbs-up');
    assert.deepEqual(reactions.tally(), { 'thumbs-up': 1, clap: 0, confused: 1, slower: 0 });
    timers.advance(1000);
    assert.equal(reactions.of('p-ann'), null, "Ann's went after the hold time");
    assert.equal(reactions.of('p-sam'), 'thumbs-up', "Sam's newer one has its own hold time");
    timers.advance(REACTION_HOLD_MS);
    assert.deepEqual(reactions.tally(), { 'thumbs-up': 0, clap: 0, confused: 0, slower: 0 });
    assert.equal(timers.pending, 0, 'no timer left behind');
    assert.deepEqual(events.map((e) => `${e.name} ${e.reaction}`), ['Sam confused', 'Ann confused', 'Sam thumbs-up']);
  });

  void test('reactions of unknown people, unknown kinds, or people who left are dropped', () => {
    const { timers, reactions, relay, events } = setup();
    relay('p-nobody', 'clap');
    relay('p-sam', 'fireworks');
    assert.equal(events.length, 0);
    relay('p-ann', 'slower');
    reactions.apply({ type: 'LS-PARTICIPANT-LEFT', payload: { id: 'p-ann', userId: 'ann', reason: 'left' } });
    assert.equal(reactions.of('p-ann'), null);
    assert.equal(timers.pending, 0);
  });

  void test('sending checks the kind and the room first', () => {
    const inRoom = setup();
    inRoom.reactions.send('clap');
    inRoom.reactions.send('boo' as Reaction);
    assert.deepEqual(inRoom.sent, [{ type: 'LS-REACT', payload: { reaction: 'clap' } }]);
    const outside = setup(false);
    outside.reactions.send('clap');
    assert.deepEqual(outside.sent, []);
  });

  void test('leaving forgets every reaction and its timer', () => {
    const { timers, reactions, relay } = setup();
    relay('p-sam', 'clap');
    reactions.reset();
    assert.equal(reactions.of('p-sam'), null);
    assert.equal(timers.pending, 0);
  });
});

void describe('chat links', () => {
  const links = (text: string) => chatSegments(text).filter((s) => s.href).map((s) => [s.text, s.href]);

  void test('http, https and www links, without the punctuation that ends the sentence', () => {
    assert.deepEqual(links('see https://example.org/a?b=1, then www.example.com.'), [
      ['https://example.org/a?b=1', 'https://example.org/a?b=1'],
      ['www.example.com', 'https://www.example.com/'],
    ]);
    assert.deepEqual(links('(notes: https://en.wikipedia.org/wiki/Set_(mathematics))'), [
      ['https://en.wikipedia.org/wiki/Set_(mathematics)', 'https://en.wikipedia.org/wiki/Set_(mathematics)'],
    ]);
  });

  void test('nothing else becomes a link, and the text is kept whole', () => {
    for (const text of ['javascript:alert(1)', 'data:text/html,<b>x</b>', 'ftp://example.org', 'mailto:a@b.c', 'http://', 'a <b>tag</b>']) {
      assert.deepEqual(links(text), [], text);
      assert.equal(chatSegments(text).map((s) => s.text).join(''), text);
    }
    const mixed = 'x https://a.org y';
    assert.equal(chatSegments(mixed).map((s) => s.text).join(''), mixed);
  });
});
