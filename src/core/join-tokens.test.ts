/**
 * Join tokens against a real room server with a secret: identity from the
 * token, a re-join refused for an expired token, and a tokenProvider that keeps
 * a student in the room across an expired token and a reconnect.
 */
import { expect } from '@esm-bundle/chai';
import { restartServer, signToken, startServer, stopServer, waitFor } from '../../test/browser/helpers.js';
import { Classroom } from '../../test/browser/session-helpers.js';
import type { SessionErrorDetail } from './events.js';
import { EXPIRED_LINK_MESSAGE } from './token-refresh.js';

/** A JWT's `exp` claim, in seconds. */
function expiryOf(token: string): number {
  const payload = token.split('.')[1] ?? '';
  return (JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as { exp: number }).exp;
}

describe('LiveSession', function () {
  this.timeout(60_000);

  describe('tokens', () => {
    before(async () => {
      // Start the fake camera and microphone once: the short-lived tokens below
      // must not expire while a fresh page's devices start for the first join.
      const stream = await navigator.mediaDevices.getUserMedia({ video: true, audio: true });
      for (const track of stream.getTracks()) track.stop();
    });

    it('with a secret, identity and role come from the token; a refused re-join ends the session instead of retrying forever', async () => {
      const secret = 'controller-test-secret-long-enough';
      // No clock tolerance, so the short-lived token below really expires in the test.
      const own = await startServer({ kind: 'room', options: { secret, pingInterval: 1000, pongTimeout: 2000, clockTolerance: 0 } });
      const tokenRoom = new Classroom(own);
      try {
        const token = await signToken({ room: tokenRoom.room, sub: 'sam-token', name: 'Sam Token', role: 'student' }, secret, { expiresIn: '2s' });
        const student = await tokenRoom.join('Forged', 'tutor', { token, userId: 'ignored', reconnectMinDelayMs: 200, reconnectMaxDelayMs: 500 });
        expect(student.role).to.equal('student');
        expect(student.name).to.equal('Sam Token');
        expect(student.userId).to.equal('sam-token');
        const errors: SessionErrorDetail[] = [];
        student.addEventListener('error', (e) => errors.push(e.detail));
        const left = new Promise<string>((resolve) => student.addEventListener('left', (e) => resolve(e.detail.reason), { once: true }));
        // Wait until the token has really expired (its `exp`, in seconds, is behind us).
        await waitFor(() => Date.now() / 1000 > expiryOf(token), 'the token expires', 10_000, 100);
        await restartServer(own, 200);
        expect(await left).to.equal('closed');
        const expired = errors.find((e) => e.code === 'token-expired');
        // Plainly said, not "You are disconnected".
        expect(expired?.message).to.equal(EXPIRED_LINK_MESSAGE);
        expect(student.phase).to.equal('left');
        expect(student.peerConnections).to.have.length(0);
      } finally {
        await tokenRoom.close();
        await stopServer(own);
      }
    });
    it('a tokenProvider keeps a student in the room when the token expires mid-lesson and the connection drops', async () => {
      const secret = 'controller-test-secret-long-enough';
      const own = await startServer({ kind: 'room', options: { secret, pingInterval: 1000, pongTimeout: 2000, clockTolerance: 0 } });
      const tokenRoom = new Classroom(own);
      try {
        const claims = { room: tokenRoom.room, sub: 'sam-fresh', name: 'Sam Fresh', role: 'student' };
        const token = await signToken(claims, secret, { expiresIn: '2s' });
        const fast = { reconnectMinDelayMs: 200, reconnectMaxDelayMs: 500 };
        const tutor = await tokenRoom.join('Tess', 'tutor', {
          token: await signToken({ room: tokenRoom.room, sub: 'tess-fresh', name: 'Tess', role: 'tutor' }, secret, { expiresIn: '1h' }),
          ...fast,
        });
        // The provider first hands back the stale token (as a page with a cached
        // one might): the server refuses it, and the controller asks once more.
        const provided: string[] = [];
        const student = await tokenRoom.join('Sam', 'student', {
          token,
          ...fast,
          tokenProvider: async () => {
            const next = provided.length === 0 ? token : await signToken(claims, secret, { expiresIn: '1h' });
            provided.push(next);
            return next;
          },
        });
        await tokenRoom.expectSees(tutor, student);
        const left: string[] = [];
        student.addEventListener('left', (e) => left.push(e.detail.reason));
        const states: string[] = [];
        student.addEventListener('connection-state', (e) => states.push(e.detail.state));
        await waitFor(() => Date.now() / 1000 > expiryOf(token), 'the first token expires', 10_000, 100);
        await restartServer(own, 200);
        await waitFor(() => states.includes('reconnecting'), 'the student notices the drop');
        await waitFor(() => student.connectionState === 'connected', 'the student is back', 30_000);
        expect(provided.length).to.be.at.least(2);
        expect(provided[0]).to.equal(token);
        expect(student.phase).to.equal('joined');
        expect(left).to.deep.equal([]);
        await waitFor(
          () => tutor.participants.filter((p) => p.userId === 'sam-fresh').length === 1 && tutor.participants.length === 2,
          'the tutor sees one Sam',
          30_000,
        );
        await tokenRoom.expectSees(tutor, student, 'the tutor still sees Sam');
      } finally {
        await tokenRoom.close();
        await stopServer(own);
      }
    });
  });
});
