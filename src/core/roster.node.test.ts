// The roster reducer, table-driven: each server message applied to a state,
// with the new state and the changes it reports. No socket, no browser.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ParticipantInfo, ServerMessage } from '../protocol/index.js';
import { EMPTY_ROSTER, applyServerMessage, keepMembers, removeMember, toParticipants, type LinkView, type RosterState } from './roster.js';

function info(id: string, overrides: Partial<ParticipantInfo> = {}): ParticipantInfo {
  return {
    id,
    userId: `u-${id}`,
    name: id.toUpperCase(),
    role: 'student',
    isVideoOn: true,
    isAudioOn: true,
    isHandRaised: false,
    joinedAt: Number(id.replace(/\D/g, '')) || 0,
    ...overrides,
  };
}

function state(self: ParticipantInfo | null, members: ParticipantInfo[], handQueue: string[] = []): RosterState {
  return { room: self ? 'r1' : null, self, members: new Map(members.map((m) => [m.id, m])), handQueue };
}

const me = info('p1', { role: 'tutor' });
const ann = info('p2');
const ben = info('p3');

describe('applyServerMessage', () => {
  const table: {
    name: string;
    before: RosterState;
    message: ServerMessage;
    members: string[];
    handQueue?: string[];
    changes: unknown[];
  }[] = [
    {
      name: 'LS-JOINED, first join: the snapshot, nothing vanished',
      before: EMPTY_ROSTER,
      message: { type: 'LS-JOINED', payload: { room: 'r1', self: me, participants: [ann, ben], handQueue: ['p3'] } },
      members: ['p2', 'p3'],
      handQueue: ['p3'],
      changes: [{ type: 'joined', rejoin: false, vanished: [] }],
    },
    {
      name: 'LS-JOINED, re-join: members missing from the snapshot are reported as vanished',
      before: state(me, [ann, ben]),
      message: { type: 'LS-JOINED', payload: { room: 'r1', self: me, participants: [ann], handQueue: [] } },
      members: ['p2'],
      changes: [{ type: 'joined', rejoin: true, vanished: [ben] }],
    },
    {
      name: 'LS-PARTICIPANT-JOINED, a newcomer',
      before: state(me, [ann]),
      message: { type: 'LS-PARTICIPANT-JOINED', payload: { participant: ben } },
      members: ['p2', 'p3'],
      changes: [{ type: 'member-joined', id: 'p3' }],
    },
    {
      name: 'LS-PARTICIPANT-JOINED, a known id again is "back", not a duplicate',
      before: state(me, [ann]),
      message: { type: 'LS-PARTICIPANT-JOINED', payload: { participant: { ...ann, isVideoOn: false } } },
      members: ['p2'],
      changes: [{ type: 'member-back', id: 'p2' }],
    },
    {
      name: 'LS-PARTICIPANT-JOINED, the same user on a new peer id replaces the old one',
      before: state(me, [ann, ben], ['p2']),
      message: { type: 'LS-PARTICIPANT-JOINED', payload: { participant: info('p9', { userId: 'u-p2' }) } },
      members: ['p3', 'p9'],
      handQueue: [],
      changes: [
        { type: 'member-left', id: 'p2', member: ann, reason: 'replaced' },
        { type: 'member-joined', id: 'p9' },
      ],
    },
    {
      name: 'LS-PARTICIPANT-JOINED about ourselves is ignored',
      before: state(me, [ann]),
      message: { type: 'LS-PARTICIPANT-JOINED', payload: { participant: me } },
      members: ['p2'],
      changes: [],
    },
    {
      name: 'LS-PARTICIPANT-LEFT removes the member and its hand',
      before: state(me, [ann, ben], ['p2', 'p3']),
      message: { type: 'LS-PARTICIPANT-LEFT', payload: { id: 'p2', userId: 'u-p2', reason: 'closed' } },
      members: ['p3'],
      handQueue: ['p3'],
      changes: [{ type: 'member-left', id: 'p2', member: ann, reason: 'closed' }],
    },
    {
      name: 'LS-PARTICIPANT-LEFT for an unknown id still reports it (a link may need closing)',
      before: state(me, [ann]),
      message: { type: 'LS-PARTICIPANT-LEFT', payload: { id: 'p7', userId: 'u-p7', reason: 'timeout' } },
      members: ['p2'],
      changes: [{ type: 'member-left', id: 'p7', member: null, reason: 'timeout' }],
    },
    {
      name: 'LS-PARTICIPANT-UPDATED of a member',
      before: state(me, [ann]),
      message: { type: 'LS-PARTICIPANT-UPDATED', payload: { participant: { ...ann, isAudioOn: false } } },
      members: ['p2'],
      changes: [{ type: 'member-updated', id: 'p2' }],
    },
    {
      name: 'LS-PARTICIPANT-UPDATED of someone unknown is ignored (no ghost)',
      before: state(me, [ann]),
      message: { type: 'LS-PARTICIPANT-UPDATED', payload: { participant: ben } },
      members: ['p2'],
      changes: [],
    },
    {
      name: 'LS-PARTICIPANT-UPDATED of ourselves',
      before: state(me, [ann]),
      message: { type: 'LS-PARTICIPANT-UPDATED', payload: { participant: { ...me, isHandRaised: true } } },
      members: ['p2'],
      changes: [{ type: 'self-updated' }],
    },
    {
      name: 'LS-HAND-QUEUE replaces the queue',
      before: state(me, [ann, ben], ['p2']),
      message: { type: 'LS-HAND-QUEUE', payload: { handQueue: ['p3', 'p2'] } },
      members: ['p2', 'p3'],
      handQueue: ['p3', 'p2'],
      changes: [{ type: 'hand-queue' }],
    },
    {
      name: 'LS-MUTED',
      before: state(me, [ann]),
      message: { type: 'LS-MUTED', payload: { by: 'p2' } },
      members: ['p2'],
      changes: [{ type: 'muted', by: 'p2' }],
    },
    {
      name: 'messages not about the roster change nothing',
      before: state(me, [ann]),
      message: { type: 'LS-ERROR', payload: { code: 'rate-limited', message: 'slow down' } },
      members: ['p2'],
      changes: [],
    },
  ];
  for (const row of table) {
    it(row.name, () => {
      const frozenBefore = structuredClone({ members: [...row.before.members.keys()], handQueue: [...row.before.handQueue] });
      const { state: after, changes } = applyServerMessage(row.before, row.message);
      assert.deepEqual([...after.members.keys()].sort(), row.members);
      if (row.handQueue) assert.deepEqual(after.handQueue, row.handQueue);
      assert.deepEqual(changes, row.changes);
      // Pure: the old state is untouched.
      assert.deepEqual({ members: [...row.before.members.keys()], handQueue: [...row.before.handQueue] }, frozenBefore);
    });
  }

  it('LS-MUTED turns the recorded microphone of the local participant off', () => {
    const { state: after } = applyServerMessage(state(me, []), { type: 'LS-MUTED', payload: { by: 'p2' } });
    assert.equal(after.self?.isAudioOn, false);
    assert.equal(me.isAudioOn, true);
  });

  it('keepMembers and removeMember (grace periods)', () => {
    const kept = keepMembers(state(me, [ann]), [ben]);
    assert.deepEqual([...kept.members.keys()], ['p2', 'p3']);
    const removed = removeMember(kept, 'p3');
    assert.deepEqual([...removed.state.members.keys()], ['p2']);
    assert.deepEqual(removed.changes, [{ type: 'member-left', id: 'p3', member: ben, reason: 'timeout' }]);
    assert.deepEqual(removeMember(kept, 'nobody').state, kept);
  });
});

describe('toParticipants', () => {
  const stream = { id: 'remote-stream' } as unknown as MediaStream;
  const preview = { id: 'preview' } as unknown as MediaStream;
  const links = new Map<string, LinkView>([['p2', { stream, media: 'connected' }]]);
  const roster = state(info('p5', { role: 'tutor', isVideoOn: false }), [ann, ben], ['p3']);

  it('sorts by join time, marks the local one and joins the links', () => {
    const list = toParticipants(roster, links, { isVideoOn: true, isAudioOn: false, stream: preview });
    assert.deepEqual(list.map((p) => p.id), ['p2', 'p3', 'p5']);
    const [a, b, self] = list.map((p) => ({
      stream: p.stream,
      media: p.media,
      isLocal: p.isLocal,
      isVideoOn: p.isVideoOn,
      isAudioOn: p.isAudioOn,
      isHandRaised: p.isHandRaised,
      handPosition: p.handPosition,
    }));
    assert.deepEqual(a, { stream, media: 'connected', isLocal: false, isVideoOn: true, isAudioOn: true, isHandRaised: false, handPosition: 0 });
    assert.deepEqual(b, { stream: null, media: 'none', isLocal: false, isVideoOn: true, isAudioOn: true, isHandRaised: true, handPosition: 1 });
    // The local devices win over what the server last heard.
    assert.deepEqual(self, { stream: preview, media: 'none', isLocal: true, isVideoOn: true, isAudioOn: false, isHandRaised: false, handPosition: 0 });
    assert.ok(Object.isFrozen(list));
  });

  it('a pending local hand shows before the server confirms it, and a pending lower hides the queue place', () => {
    const raised = toParticipants(roster, links, { isVideoOn: false, isAudioOn: false, stream: null, pending: { isHandRaised: true } });
    assert.equal(raised.find((p) => p.isLocal)?.isHandRaised, true);
    const queued = state(info('p5'), [], ['p5']);
    const lowering = toParticipants(queued, new Map(), { isVideoOn: false, isAudioOn: false, stream: null, pending: { isHandRaised: false } });
    assert.deepEqual(lowering.map((p) => [p.isHandRaised, p.handPosition]), [[false, 0]]);
  });

  it('an empty roster gives no one', () => {
    assert.deepEqual(toParticipants(EMPTY_ROSTER, new Map()), []);
  });
});
