// Who is shown large: the active speaker with its hold, pins, the speaker layout's fallbacks.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { featuredParticipant, nextActiveSpeaker, parseLayoutMode, stripOrder, type ActiveSpeaker, type StageParticipant } from './stage.js';

describe('nextActiveSpeaker', () => {
  const here = new Set(['a', 'b', 'c']);
  const at = (id: string, since: number): ActiveSpeaker => ({ id, since });
  const table: [name: string, current: ActiveSpeaker | null, speaking: string[], now: number, expected: ActiveSpeaker | null][] = [
    ['nobody yet, nobody speaks', null, [], 100, null],
    ['the first speaker takes the stage', null, ['b'], 100, at('b', 100)],
    ['the most recent of several', null, ['c', 'a'], 100, at('c', 100)],
    ['stays while speaking, others too', at('a', 0), ['b', 'a'], 5000, at('a', 0)],
    ['stays through a pause', at('a', 0), [], 9000, at('a', 0)],
    ['a quick interjection inside the hold does not take over', at('a', 1000), ['b'], 2000, at('a', 1000)],
    ['after the hold, a new speaker takes over', at('a', 1000), ['b'], 2500, at('b', 2500)],
    ['a speaker who left is replaced at once', at('z', 1000), ['b'], 1100, at('b', 1100)],
    ['a speaker who left, nobody speaking: nobody', at('z', 1000), [], 1100, null],
    ['someone not in the room is ignored', null, ['z'], 100, null],
  ];
  for (const [name, current, speaking, now, expected] of table) {
    it(name, () => assert.deepEqual(nextActiveSpeaker(current, speaking, here, now), expected));
  }
});

describe('featuredParticipant', () => {
  const room: StageParticipant[] = [
    { id: 's1', role: 'student' },
    { id: 't', role: 'tutor' },
    { id: 's2', role: 'student' },
  ];
  const students = room.filter((p) => p.role === 'student');
  const table: [name: string, layout: 'grid' | 'speaker', pinned: string | null, speaker: string | null, participants: StageParticipant[], expected: string | null][] = [
    ['grid, no pin: the plain layout', 'grid', null, 's2', room, null],
    ['grid with a pin: the pinned one', 'grid', 's2', 't', room, 's2'],
    ['a pin of someone who left is ignored', 'grid', 'gone', 's2', room, null],
    ['speaker: the active speaker', 'speaker', null, 's2', room, 's2'],
    ['speaker: a pin wins over the active speaker', 'speaker', 's1', 's2', room, 's1'],
    ['speaker, nobody has spoken: the tutor', 'speaker', null, null, room, 't'],
    ['speaker, the speaker left: the tutor', 'speaker', null, 'gone', room, 't'],
    ['speaker, no tutor, nobody spoke: the first', 'speaker', null, null, students, 's1'],
    ['speaker, an empty room: nobody', 'speaker', null, null, [], null],
  ];
  for (const [name, layout, pinned, speaker, participants, expected] of table) {
    it(name, () => assert.equal(featuredParticipant({ layout, pinned, activeSpeaker: speaker, participants }), expected));
  }
});

describe('stripOrder', () => {
  it('everyone but the featured one, the tutor first, then in join order', () => {
    const room: StageParticipant[] = [
      { id: 's1', role: 'student' },
      { id: 's2', role: 'student' },
      { id: 't', role: 'tutor' },
      { id: 's3', role: 'student' },
    ];
    assert.deepEqual(stripOrder(room, 's2').map((p) => p.id), ['t', 's1', 's3']);
    assert.deepEqual(stripOrder(room, 't').map((p) => p.id), ['s1', 's2', 's3']);
  });
});

describe('parseLayoutMode', () => {
  for (const [value, expected] of [['speaker', 'speaker'], ['grid', 'grid'], ['Speaker', 'grid'], [null, 'grid'], [42, 'grid']] as const) {
    it(`${String(value)} → ${expected}`, () => assert.equal(parseLayoutMode(value), expected));
  }
});
