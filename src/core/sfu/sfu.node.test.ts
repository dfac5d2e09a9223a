// The SFU path's pure parts: the simulcast layer for a tile, whom a member
// receives, the subscription update between two wishes, Janus' lists read
// defensively (its trickled candidates too), and the VideoRoom requests the browser sends.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { candidateFrom } from './ice.js';
import { pluginError } from './janus-client.js';
import { configureSubstream, publish, publisherJoin, republish, subscriberJoin, updateSubscription } from './requests.js';
import { SIMULCAST_ENCODINGS, pickSubstream, simulcastEncodings, type Size, type Substream } from './simulcast.js';
import { chooseSubscribed, parsePublishers, parseSubscribedStreams, subscriptionUpdate, wantedStreams, type Feed, type SelectionInput } from './subscriptions.js';

describe('simulcast encodings', () => {
  it('three layers h, m, l, highest first (Janus reads them in that order), each half the one above', () => {
    assert.deepEqual(
      SIMULCAST_ENCODINGS.map((e) => [e.rid, e.scaleResolutionDownBy]),
      [['h', 1], ['m', 2], ['l', 4]],
    );
    const [first] = simulcastEncodings();
    assert.ok(first);
    first.active = false;
    assert.equal(SIMULCAST_ENCODINGS[0]?.active, true, 'a copy, not the shared constant');
  });
});

describe('pickSubstream', () => {
  const source: Size = { width: 640, height: 360 };
  const table: [string, Size, number, Substream][] = [
    ['hidden tile', { width: 0, height: 0 }, 1, 0],
    ['thumbnail 160×90', { width: 160, height: 90 }, 1, 0],
    ['slightly larger than the low layer (within the tolerance)', { width: 190, height: 107 }, 1, 0],
    ['strip tile 240×135', { width: 240, height: 135 }, 1, 1],
    ['half-size tile 320×180', { width: 320, height: 180 }, 1, 1],
    ['400×225 (within the tolerance of m)', { width: 400, height: 225 }, 1, 1],
    ['large tile 640×360', { width: 640, height: 360 }, 1, 2],
    ['thumbnail on a 2x screen needs twice the pixels', { width: 160, height: 90 }, 2, 1],
    ['strip tile on a 2x screen', { width: 320, height: 180 }, 2, 2],
    ['a tall narrow tile is decided by its height', { width: 100, height: 300 }, 1, 2],
    ['negative sizes count as hidden', { width: -5, height: 100 }, 1, 0],
  ];
  for (const [label, tile, ratio, expected] of table) {
    it(`${label} → ${expected}`, () => assert.equal(pickSubstream(tile, source, ratio), expected));
  }
  it('grows with the tile, never shrinks as it grows', () => {
    let last = 0;
    for (let width = 0; width <= 1280; width += 16) {
      const substream = pickSubstream({ width, height: (width * 9) / 16 }, source);
      assert.ok(substream >= last, `at ${width}px`);
      last = substream;
    }
    assert.equal(last, 2);
  });
  it('an unknown source size assumes the default capture; a bad pixel ratio counts as 1', () => {
    assert.equal(pickSubstream({ width: 640, height: 480 }), 2);
    assert.equal(pickSubstream({ width: 160, height: 120 }, undefined, Number.NaN), 0);
    assert.equal(pickSubstream({ width: 160, height: 120 }, { width: 0, height: 0 }), 0);
  });
});

describe('chooseSubscribed', () => {
  const members = [
    { id: 's1', role: 'student' as const },
    { id: 't', role: 'tutor' as const },
    { id: 's2', role: 'student' as const },
    { id: 's3', role: 'student' as const },
    { id: 's4', role: 'student' as const },
  ];
  const input = (overrides: Partial<SelectionInput>): SelectionInput => ({ members, speakers: [], visible: null, sharer: null, limit: 2, ...overrides });
  const table: [string, Partial<SelectionInput>, string[]][] = [
    ['the tutor always, then the earliest classmates up to the limit', {}, ['t', 's1', 's2']],
    ['speakers first, most recent first', { speakers: ['s4', 's3'] }, ['t', 's4', 's3']],
    ['the sharer does not count against the limit', { sharer: 's3' }, ['t', 's3', 's1', 's2']],
    ['what the UI shows, after speakers', { speakers: ['s4'], visible: ['s2', 's3'] }, ['t', 's4', 's2']],
    ['the UI shows nobody: only tutor and speakers', { visible: [], speakers: ['s1'] }, ['t', 's1']],
    ['limit 0: the tutor (and sharer) only', { limit: 0, sharer: 's2' }, ['t', 's2']],
    ['ids not in the room are ignored (a stale speaker, a tile of someone gone)', { speakers: ['gone'], visible: ['ghost', 's4'] }, ['t', 's4']],
    ['a tutor listed as visible is not counted twice', { visible: ['t', 's2', 's3', 's4'] }, ['t', 's2', 's3']],
    ['a fractional or negative limit', { limit: -1 }, ['t']],
  ];
  for (const [label, overrides, expected] of table) {
    it(label, () => assert.deepEqual(chooseSubscribed(input(overrides)), expected));
  }
  it('classmates with camera or microphone on before those with both off, on screen or not; speakers first still', () => {
    const media = members.map((member) => ({ ...member, media: member.id !== 's1' && member.id !== 's2' }));
    assert.deepEqual(chooseSubscribed(input({ members: media })), ['t', 's3', 's4']);
    assert.deepEqual(chooseSubscribed(input({ members: media, visible: ['s1', 's2', 's3'] })), ['t', 's3', 's1']);
    assert.deepEqual(chooseSubscribed(input({ members: media, speakers: ['s2'] })), ['t', 's2', 's3']);
  });
  it('every tutor of a room with two', () => {
    const two = [...members, { id: 't2', role: 'tutor' as const }];
    assert.deepEqual(chooseSubscribed(input({ members: two, limit: 1 })), ['t', 't2', 's1']);
  });
});

describe('wantedStreams and subscriptionUpdate', () => {
  const feeds: Feed[] = [
    { id: 1, display: 't', streams: [{ mid: '0', type: 'audio', disabled: false }, { mid: '1', type: 'video', disabled: false, description: 'camera' }, { mid: '2', type: 'video', disabled: false, description: 'screen' }] },
    { id: 2, display: 's1', streams: [{ mid: '0', type: 'audio', disabled: false }, { mid: '1', type: 'video', disabled: true }] },
    { id: 3, display: 's2', streams: [{ mid: '0', type: 'data', disabled: false }] },
  ];
  it('every live audio and video stream of the chosen members, data and disabled left out', () => {
    assert.deepEqual(wantedStreams(feeds, ['t', 's1', 's2'], 't'), [
      { feed: 1, mid: '0' },
      { feed: 1, mid: '1' },
      { feed: 1, mid: '2' },
      { feed: 2, mid: '0' },
    ]);
    assert.deepEqual(wantedStreams(feeds, [], 't'), []);
  });
  it("a stream described as a screen share only from the sharer the server named, whoever describes it so", () => {
    const spoofing: Feed[] = [
      ...feeds,
      { id: 4, display: 's3', streams: [{ mid: '0', type: 'audio', disabled: false, description: 'screen-audio' }, { mid: '1', type: 'video', disabled: false, description: 'screen' }, { mid: '2', type: 'video', disabled: false, description: 'camera' }] },
    ];
    // Nobody shares: no screen stream at all, the cameras and microphones as before.
    assert.deepEqual(wantedStreams(spoofing, ['t', 's3'], null), [
      { feed: 1, mid: '0' },
      { feed: 1, mid: '1' },
      { feed: 4, mid: '2' },
    ]);
    // The tutor shares: the tutor's screen, not the student's "screen".
    assert.deepEqual(wantedStreams(spoofing, ['t', 's3'], 't'), [
      { feed: 1, mid: '0' },
      { feed: 1, mid: '1' },
      { feed: 1, mid: '2' },
      { feed: 4, mid: '2' },
    ]);
    // The student was let share: theirs.
    assert.deepEqual(wantedStreams(spoofing, ['t', 's3'], 's3'), [
      { feed: 1, mid: '0' },
      { feed: 1, mid: '1' },
      { feed: 4, mid: '0' },
      { feed: 4, mid: '1' },
      { feed: 4, mid: '2' },
    ]);
  });
  it('subscribes what is missing and unsubscribes what is no longer wanted', () => {
    const current = [
      { feed: 1, mid: '0' },
      { feed: 2, mid: '0' },
    ];
    const wanted = [
      { feed: 1, mid: '0' },
      { feed: 1, mid: '1' },
    ];
    assert.deepEqual(subscriptionUpdate(current, wanted), { subscribe: [{ feed: 1, mid: '1' }], unsubscribe: [{ feed: 2, mid: '0' }] });
    assert.deepEqual(subscriptionUpdate(wanted, wanted), { subscribe: [], unsubscribe: [] });
  });
});

describe("Janus' lists, read defensively", () => {
  it('publishers: malformed entries and streams are left out', () => {
    const feeds = parsePublishers([
      { id: 7, display: 'peer-a', streams: [{ type: 'audio', mid: '0' }, { type: 'video', mid: '1', description: 'camera', disabled: true }, { type: 'bogus', mid: '2' }, 'x'] },
      { id: '8', display: 'string id' },
      { id: 9 },
      null,
      { id: 10, display: 'peer-b' },
    ]);
    assert.deepEqual(feeds, [
      { id: 7, display: 'peer-a', streams: [{ mid: '0', type: 'audio', disabled: false }, { mid: '1', type: 'video', disabled: true, description: 'camera' }] },
      { id: 10, display: 'peer-b', streams: [] },
    ]);
    assert.deepEqual(parsePublishers(undefined), []);
  });
  it("subscription streams: Janus' summary to ours", () => {
    const streams = parseSubscribedStreams([
      { mindex: 0, mid: '0', type: 'audio', active: true, feed_id: 7, feed_mid: '0', feed_display: 'peer-a' },
      { mindex: 1, mid: '1', type: 'video', active: true, feed_id: 7, feed_mid: '1', feed_display: 'peer-a', feed_description: 'camera' },
      { mindex: 2, mid: '2', type: 'video', active: false },
      { mindex: 3, mid: '3', type: 'data', active: true, sources: 1 },
    ]);
    assert.deepEqual(streams, [
      { mid: '0', type: 'audio', active: true, feed: 7, feedMid: '0', display: 'peer-a' },
      { mid: '1', type: 'video', active: true, feed: 7, feedMid: '1', display: 'peer-a', description: 'camera' },
    ]);
  });
  it("a plugin's error inside a successful frame", () => {
    assert.equal(pluginError({ videoroom: 'joined' }), null);
    const error = pluginError({ videoroom: 'event', error_code: 428, error: 'No such feed' });
    assert.ok(error);
    assert.equal(error.code, 428);
    assert.equal(error.message, 'No such feed');
  });
});

describe('VideoRoom requests', () => {
  it('through the proxy the browser names no room, pin or display', () => {
    assert.deepEqual(publisherJoin(), { request: 'join', ptype: 'publisher' });
    assert.deepEqual(subscriberJoin([{ feed: 1, mid: '1' }]), { request: 'join', ptype: 'subscriber', streams: [{ feed: 1, mid: '1' }] });
  });
  it('talking to Janus directly (tests) they are given', () => {
    assert.deepEqual(publisherJoin({ room: 1234, pin: 'p', display: 'peer-a' }), { request: 'join', ptype: 'publisher', room: 1234, pin: 'p', display: 'peer-a' });
    assert.deepEqual(subscriberJoin([], { room: 1234, pin: 'p', display: 'peer-a' }), { request: 'join', ptype: 'subscriber', room: 1234, pin: 'p', streams: [] });
  });
  it('publish describes each m-line; a renegotiation is a configure', () => {
    const described = [
      { mid: '0', description: 'microphone' as const },
      { mid: '1', description: 'camera' as const },
    ];
    assert.deepEqual(publish(described), { request: 'publish', descriptions: described });
    assert.deepEqual(republish(described), { request: 'configure', descriptions: described });
  });
  it('one update subscribes and unsubscribes at once; nothing to change is no request', () => {
    assert.equal(updateSubscription({ subscribe: [], unsubscribe: [] }), null);
    assert.deepEqual(updateSubscription({ subscribe: [{ feed: 1, mid: '1' }], unsubscribe: [] }), { request: 'update', subscribe: [{ feed: 1, mid: '1' }] });
    assert.deepEqual(updateSubscription({ subscribe: [{ feed: 1, mid: '1' }], unsubscribe: [{ feed: 2, mid: '0' }] }), {
      request: 'update',
      subscribe: [{ feed: 1, mid: '1' }],
      unsubscribe: [{ feed: 2, mid: '0' }],
    });
  });
  it('a layer is asked for per m-line', () => {
    assert.deepEqual(configureSubstream('3', 1), { request: 'configure', streams: [{ mid: '3', substream: 1 }] });
  });
});

describe("candidateFrom (Janus' trickled candidates)", () => {
  const line = 'candidate:1 1 udp 2015363327 127.0.0.1 20001 typ host';
  it('reads a candidate with its m-line, and the end of the candidates', () => {
    assert.deepEqual(candidateFrom({ sdpMid: '0', sdpMLineIndex: 0, candidate: line }), { candidate: line, sdpMid: '0', sdpMLineIndex: 0 });
    assert.equal(candidateFrom({ completed: true }), 'completed');
    assert.equal(candidateFrom(null), 'completed');
  });
  it('a candidate without an m-line is for the first (the bundle)', () => {
    assert.deepEqual(candidateFrom({ candidate: line }), { candidate: line, sdpMLineIndex: 0 });
  });
  it('anything else is not a candidate', () => {
    for (const value of [undefined, 'candidate', 42, [], {}, { candidate: '' }, { candidate: 7 }, { candidate: 'x'.repeat(2000) }, { completed: 'yes' }]) {
      assert.equal(candidateFrom(value), null, JSON.stringify(value));
    }
  });
  it('m-line fields of the wrong kind are left out', () => {
    assert.deepEqual(candidateFrom({ candidate: line, sdpMid: 5, sdpMLineIndex: -1 }), { candidate: line, sdpMLineIndex: 0 });
    assert.deepEqual(candidateFrom({ candidate: line, sdpMid: 'a'.repeat(40), sdpMLineIndex: 1.5 }), { candidate: line, sdpMLineIndex: 0 });
  });
});
