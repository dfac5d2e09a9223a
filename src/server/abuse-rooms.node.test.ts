/**
 * Hostile members (issue rows 2, 3, 4, 10, 11): each test reproduces an attack
 * by a member of a room (or a holder of a valid token) against a real server
 * on loopback, bounded in time and count.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SignJWT } from 'jose';
import type { ParticipantInfo } from '../protocol/index.js';
import { peerIdTag } from './join-identity.js';
import { signJoinToken } from './join-token.js';
import { MediaConnectionTable } from './relay.js';
import { Room } from './room-registry.js';
import { TestClient, identity, withServer, type TestServer } from './test-client.node.test.js';
import { UpdatePacer } from './update-pacer.js';

const SECRET = 'a-secret-for-hostile-member-tests-0123456789';


async function classroom(server: TestServer, opened: TestClient[], room: string): Promise<{ tutor: TestClient; student: TestClient }> {
  const tutor = await TestClient.connect(server.webSocketUrl);
  const student = await TestClient.connect(server.webSocketUrl);
  opened.push(tutor, student);
  await tutor.join(identity('Tutor', 'tutor', room));
  await student.join(identity('Student', 'student', room));
  await tutor.next('LS-PARTICIPANT-JOINED');
  return { tutor, student };
}

void describe('row 2: one student toggling state fast', () => {
  void test('broadcasts per sender are paced; the latest state always arrives', async () => {
    const updatesPerSecond = 10;
    await withServer({ updatesPerSecond }, async (server, opened) => {
      const { tutor, student } = await classroom(server, opened, 'toggles');
      const toggles = 150;
      const started = Date.now();
      for (let i = 1; i <= toggles; i++) student.send({ type: 'LS-STATE', payload: { isAudioOn: i % 2 === 1, isVideoOn: i % 3 === 0 } });
      const last = { isAudioOn: toggles % 2 === 1, isVideoOn: toggles % 3 === 0 };
      // Wait for the trailing update with the final state.
      const received: ParticipantInfo[] = [];
      for (;;) {
        const update = await tutor.next('LS-PARTICIPANT-UPDATED', (m) => m.payload.participant.id === student.id);
        received.push(update.payload.participant);
        const { isAudioOn, isVideoOn } = update.payload.participant;
        if (isAudioOn === last.isAudioOn && isVideoOn === last.isVideoOn && received.length > 1) break;
        if (received.length > toggles) break;
      }
      const elapsed = Date.now() - started;
      // Paced: one broadcast at once, then at most one per interval of 1000 / updatesPerSecond ms.
      const allowed = 2 + Math.floor(elapsed / (1000 / updatesPerSecond));
      assert.ok(received.length <= allowed, `${received.length} broadcasts in ${elapsed} ms (at most ${allowed})`);
      assert.deepEqual(
        { isAudioOn: received.at(-1)?.isAudioOn, isVideoOn: received.at(-1)?.isVideoOn },
        last,
        'the trailing broadcast carries the latest state',
      );
      assert.deepEqual(
        server.roomServer.rooms.get('toggles')?.participants.find((p) => p.id === student.id)?.isAudioOn,
        last.isAudioOn,
      );
    });
  });

  void test('a broadcast is serialised once, not once per recipient', () => {
    const room = new Room<{ send(): void; sendText(text: string): void }>('fan-out');
    const texts: string[] = [];
    for (let i = 0; i < 50; i++) {
      const info: ParticipantInfo = { id: `p${i}`, userId: `u${i}`, name: `P${i}`, role: 'student', isVideoOn: false, isAudioOn: false, isHandRaised: false, joinedAt: 0 };
      room.add(info, { send: () => assert.fail('a broadcast must not serialise per member'), sendText: (text) => texts.push(text) });
    }
    let serialised = 0;
    const handQueue = Object.assign(['p1'], { toJSON: () => (serialised += 1, ['p1']) });
    room.broadcast({ type: 'LS-HAND-QUEUE', payload: { handQueue } });
    assert.equal(serialised, 1);
    assert.equal(texts.length, 50);
    assert.ok(texts.every((text) => text === texts[0]));
  });

  void test('the pacer (injected clock and timer): first change at once, a burst becomes one trailing update, a leaver gets none', () => {
    let now = 0;
    const timers: Array<{ at: number; run: () => void; cleared: boolean }> = [];
    const pacer = new UpdatePacer<string>(10, () => now, {
      setTimeout: (run, ms) => {
        const timer = { at: now + ms, run, cleared: false };
        timers.push(timer);
        return timer as unknown as ReturnType<typeof setTimeout>;
      },
      clearTimeout: (handle) => {
        (handle as unknown as { cleared: boolean }).cleared = true;
      },
    });
    const sent: string[] = [];
    pacer.update('a', () => sent.push('a1'));
    assert.deepEqual(sent, ['a1']);
    now = 10;
    pacer.update('a', () => sent.push('a2'));
    now = 20;
    pacer.update('a', (queue) => sent.push(`a3${queue ? '+queue' : ''}`), true);
    pacer.update('b', () => sent.push('b1'));
    assert.deepEqual(sent, ['a1', 'b1']);
    assert.equal(timers.length, 1);
    now = timers[0]?.at ?? NaN;
    timers[0]?.run();
    assert.deepEqual(sent, ['a1', 'b1', 'a3+queue']);
    // b sent at 20: changes at 50 wait for the interval; b leaves before it ends.
    now = 50;
    pacer.update('b', () => sent.push('b2'));
    pacer.update('b', () => sent.push('b3'));
    pacer.forget('b');
    assert.equal(timers.at(-1)?.cleared, true);
    assert.deepEqual(sent, ['a1', 'b1', 'a3+queue']);
  });
});

void describe('rows 3 and 4: crafted signalling', () => {
  void test('CANDIDATE/ANSWER with connection ids no OFFER opened are not relayed', async () => {
    await withServer({}, async (server, opened) => {
      const { tutor, student } = await classroom(server, opened, 'candidates');
      for (let i = 0; i < 100; i++) {
        student.send({ type: 'CANDIDATE', dst: tutor.id, payload: { candidate: 'c', connectionId: `mc_random${i}` } });
      }
      student.send({ type: 'ANSWER', dst: tutor.id, payload: { sdp: 'v=0', connectionId: 'mc_random' } });
      const refusals = [];
      for (let i = 0; i < 101; i++) refusals.push((await student.nextError()).code);
      assert.ok(refusals.every((code) => code === 'unknown-connection'));
      // A connection the tutor opened works, in both directions; another id still does not.
      tutor.send({ type: 'OFFER', dst: student.id, payload: { type: 'media', sdp: 'v=0', connectionId: 'mc_real' } });
      await student.next('OFFER');
      student.send({ type: 'ANSWER', dst: tutor.id, payload: { sdp: 'v=0', connectionId: 'mc_real' } });
      student.send({ type: 'CANDIDATE', dst: tutor.id, payload: { candidate: 'c', connectionId: 'mc_real' } });
      tutor.send({ type: 'CANDIDATE', dst: student.id, payload: { candidate: 'c', connectionId: 'mc_real' } });
      await tutor.next('ANSWER');
      await tutor.next('CANDIDATE');
      await student.next('CANDIDATE');
      await tutor.roundTrip();
      assert.deepEqual(tutor.drain('CANDIDATE'), [], 'none of the random candidates reached the tutor');
      // Cleared on leave: after the student leaves and joins again, the old connection is gone.
      student.send({ type: 'LS-LEAVE' });
      await tutor.next('LS-PARTICIPANT-LEFT');
      await student.join(identity('Student', 'student', 'candidates'));
      student.send({ type: 'CANDIDATE', dst: tutor.id, payload: { candidate: 'c', connectionId: 'mc_real' } });
      assert.equal((await student.nextError()).code, 'unknown-connection');
    });
  });

  void test('OFFERs per member pair are limited; a new OFFER replaces the old connection', async () => {
    const offersPerMinute = 10;
    await withServer({ offersPerMinute }, async (server, opened) => {
      const { tutor, student } = await classroom(server, opened, 'offers');
      for (let i = 0; i < 60; i++) {
        student.send({ type: 'OFFER', dst: tutor.id, payload: { type: 'media', sdp: 'v=0', connectionId: `mc_${i}` } });
      }
      const limited = [];
      for (let i = 0; i < 60 - offersPerMinute; i++) limited.push((await student.nextError()).code);
      assert.ok(limited.every((code) => code === 'offer-rate-limited'));
      await tutor.roundTrip();
      const offers = tutor.drain('OFFER');
      assert.ok(offers.length <= offersPerMinute + 1, `${offers.length} OFFERs reached the tutor`);
      assert.ok(offers.length >= offersPerMinute);
      // Only the newest relayed OFFER is live: the tutor's ANSWER to an older one is refused.
      const newest = (offers.at(-1)?.payload as { connectionId: string }).connectionId;
      const oldest = (offers[0]?.payload as { connectionId: string }).connectionId;
      tutor.send({ type: 'ANSWER', dst: student.id, payload: { sdp: 'v=0', connectionId: oldest } });
      assert.equal((await tutor.nextError()).code, 'unknown-connection');
      tutor.send({ type: 'ANSWER', dst: student.id, payload: { sdp: 'v=0', connectionId: newest } });
      await student.next('ANSWER');
      // Another pair has its own budget: the tutor may still call the student.
      tutor.send({ type: 'OFFER', dst: student.id, payload: { type: 'media', sdp: 'v=0', connectionId: 'mc_tutor' } });
      await student.next('OFFER');
    });
  });

  void test('the connection table stays bounded per member and is emptied on leave', () => {
    let now = 0;
    const table = new MediaConnectionTable(10, () => now);
    for (let i = 0; i < 1000; i++) {
      now += 10_000;
      if (table.takeOffer('student', 'tutor')) table.open('student', 'tutor', `mc_${i}`);
    }
    table.open('tutor', 'student', 'mc_back');
    assert.equal(table.sizeFor('student'), 2);
    assert.ok(table.isLive('tutor', 'student', 'mc_999'));
    assert.ok(!table.isLive('tutor', 'student', 'mc_998'));
    table.forget('student');
    assert.equal(table.sizeFor('student'), 0);
    assert.equal(table.sizeFor('tutor'), 0);
    assert.ok(!table.isLive('tutor', 'student', 'mc_back'));
  });
});

void describe('row 10: peer ids bound to their owner', () => {
  void test('after a restart, a member who grabs another member\'s peer id first gains nothing', async () => {
    const victim = { room: 'restart', sub: 'user-victim', name: 'Victim', role: 'student' } as const;
    const squatter = { room: 'restart', sub: 'user-squatter', name: 'Squatter', role: 'student' } as const;
    const victimPeerId = `${peerIdTag(victim.room, victim.sub)}-page1`;
    await withServer({ secret: SECRET }, async (server, opened) => {
      // The squatter connects first with the victim's peer id (as after a server restart).
      const grabbed = await TestClient.connect(server.webSocketUrl, victimPeerId);
      opened.push(grabbed);
      const refused = await grabbed.joinRefused({ token: await signJoinToken(squatter, SECRET) });
      assert.equal(refused.code, 'peer-id-not-yours');
      // Holding the id outside the room does not keep the victim out: the victim's new socket takes it.
      const back = await TestClient.connect(server.webSocketUrl, victimPeerId);
      opened.push(back);
      const joined = await back.join({ token: await signJoinToken(victim, SECRET) });
      assert.equal(joined.self.id, victimPeerId);
      assert.equal(joined.self.userId, victim.sub);
      await grabbed.closed;
      // Once the victim is in the room, the id is theirs: a new grab gets PeerJS's ID-TAKEN.
      const again = await TestClient.connect(server.webSocketUrl, victimPeerId, { waitForOpen: false });
      opened.push(again);
      const answer = await again.nextOf(['OPEN', 'ID-TAKEN']);
      assert.equal(answer.type, 'ID-TAKEN');
      assert.ok(back.isOpen);
    });
  });

  void test('with peerIdBinding "bound", untagged peer ids are refused in token mode', async () => {
    const member = { room: 'bound', sub: 'user-m', name: 'M', role: 'student' } as const;
    await withServer({ secret: SECRET, peerIdBinding: 'bound' }, async (server, opened) => {
      const untagged = await TestClient.connect(server.webSocketUrl);
      const tagged = await TestClient.connect(server.webSocketUrl, `${peerIdTag(member.room, member.sub)}-tab`);
      opened.push(untagged, tagged);
      const token = await signJoinToken(member, SECRET);
      assert.equal((await untagged.joinRefused({ token })).code, 'peer-id-not-yours');
      await tagged.join({ token });
    });
  });
});

void describe('row 11: token abuse', () => {
  const key = new TextEncoder().encode(SECRET);
  const claims = { room: 'tokens', name: 'Alice', role: 'student' };

  async function tokenWithExp(exp: number): Promise<string> {
    return new SignJWT({ ...claims, exp }).setProtectedHeader({ alg: 'HS256' }).setSubject('user-alice').sign(key);
  }

  void test('a token valid for longer than the maximum lifetime (or forever) is refused with token-lifetime', async () => {
    await withServer({ secret: SECRET, maxTokenLifetime: 3600 }, async (server, opened) => {
      const client = await TestClient.connect(server.webSocketUrl);
      opened.push(client);
      const now = Math.floor(Date.now() / 1000);
      assert.equal((await client.joinRefused({ token: await tokenWithExp(1e308) })).code, 'token-lifetime');
      assert.equal((await client.joinRefused({ token: await tokenWithExp(now + 7200) })).code, 'token-lifetime');
      await client.join({ token: await tokenWithExp(now + 1800) });
    });
  });

  void test('a removed user stays out of that room until the tutor re-admits them', async () => {
    await withServer({ secret: SECRET }, async (server, opened) => {
      const tutor = await TestClient.connect(server.webSocketUrl);
      const alice = await TestClient.connect(server.webSocketUrl);
      const aliceAgain = await TestClient.connect(server.webSocketUrl);
      opened.push(tutor, alice, aliceAgain);
      const aliceToken = await signJoinToken({ ...claims, sub: 'user-alice', role: 'student' }, SECRET);
      await tutor.join({ token: await signJoinToken({ ...claims, sub: 'user-tutor', name: 'Tom', role: 'tutor' }, SECRET) });
      await alice.join({ token: aliceToken });
      tutor.send({ type: 'LS-REMOVE', payload: { target: alice.id } });
      await alice.next('LS-EVICTED');
      alice.joined = false;
      // Same token, same socket or another one: refused.
      assert.equal((await alice.joinRefused({ token: aliceToken })).code, 'removed-from-room');
      assert.equal((await aliceAgain.joinRefused({ token: aliceToken })).code, 'removed-from-room');
      // The tutor re-admits her.
      tutor.send({ type: 'LS-READMIT', payload: { userId: 'user-alice' } });
      await tutor.roundTrip();
      await aliceAgain.join({ token: aliceToken });
      assert.ok(server.logs.some((entry) => entry.event === 'readmit' && entry['userId'] === 'user-alice'));
    });
  });

  void test('a re-join storm from one identity (two sockets sharing a token) is rate-limited', async () => {
    const joinsPerMinute = 5;
    await withServer({ secret: SECRET, joinsPerMinute }, async (server, opened) => {
      const first = await TestClient.connect(server.webSocketUrl);
      const second = await TestClient.connect(server.webSocketUrl);
      opened.push(first, second);
      const token = await signJoinToken({ ...claims, sub: 'user-storm', role: 'student' }, SECRET);
      let joins = 0;
      let refusedWith: string | undefined;
      for (let i = 0; i < 20 && refusedWith === undefined; i++) {
        const socket = i % 2 === 0 ? first : second;
        socket.send({ type: 'LS-JOIN', payload: { token } });
        const answer = await socket.nextOf(['LS-JOINED', 'LS-ERROR']);
        if (answer.type === 'LS-JOINED') joins += 1;
        else refusedWith = (answer.payload as { code: string }).code;
      }
      assert.equal(refusedWith, 'join-rate-limited');
      assert.equal(joins, joinsPerMinute);
    });
  });
});
