// <live-session>: how it joins: the participant's role (user-role) and fresh
// join tokens for re-joins (tokenProvider, ls-token-expiring).
import { expect } from '@esm-bundle/chai';
import {
  expectAccessible,
  restartServer,
  signToken,
  startServer,
  stopServer,
  uniqueId,
  waitFor,
} from '../../../test/browser/helpers.js';
import { joined, shadow, useLiveSessionRoom } from '../../../test/browser/element-fixtures.js';
import './define.js';
import type { LiveSessionElement } from './live-session.js';
import type { TokenExpiringDetail, TokenProvider } from '../shared/events.js';

/** The token provider the element gives its session (until the session's own option lands, read from its options). */
function providerOf(element: LiveSessionElement): TokenProvider {
  const provider = (element.session?.options as { tokenProvider?: TokenProvider } | undefined)?.tokenProvider;
  if (!provider) throw new Error('the session has no tokenProvider');
  return provider;
}

describe('<live-session> joining', function () {
  this.timeout(60_000);
  const fixture = useLiveSessionRoom();
  const mount = fixture.mount.bind(fixture);

  // ---------------------------------------------------------------- what shows while joining

  it('autojoin shows a status only until the room opens; a join from the pre-join step keeps its card, without the pickers', async () => {
    const auto = await mount({ 'user-role': 'tutor', name: 'Tess', 'user-id': uniqueId('t'), autojoin: true });
    expect(auto.phase).to.equal('joining');
    const section = shadow(auto).querySelector('[part="prejoin"]');
    expect(section?.getAttribute('aria-busy')).to.equal('true');
    expect(section?.querySelector('[part="joining-status"][role="status"]')?.textContent.trim()).to.equal('Joining…');
    expect(shadow(auto).querySelector('self-preview, session-controls, device-settings, [part="join-button"]'), 'no preview card').to.equal(null);
    await joined(auto);
    expect(shadow(auto).querySelector('[part="room"] self-preview')).to.exist;

    const manual = await mount({ 'user-role': 'student', name: 'Sam', 'user-id': uniqueId('s') });
    expect(manual.phase).to.equal('idle');
    expect(shadow(manual).querySelector('[part="prejoin"] device-settings')).to.exist;
    const joining = manual.join();
    await manual.updateComplete;
    expect(manual.phase).to.equal('joining');
    expect(shadow(manual).querySelector('[part="prejoin"] self-preview')).to.exist;
    expect(shadow(manual).querySelector('[part="prejoin"] device-settings'), 'the pickers step aside').to.equal(null);
    expect(shadow(manual).querySelector('[part="join-button"]')?.hasAttribute('disabled')).to.equal(true);
    await joining;
    await joined(manual);
    expect(shadow(manual).querySelector('[part="room"]')).to.exist;
  });

  // ---------------------------------------------------------------- settings set after connecting

  describe('autojoin with properties set after the element is connected', () => {
    it('joins with the properties set just after connecting (as @lit/react and Angular do), not the defaults', async () => {
      const element = document.createElement('live-session');
      element.setAttribute('autojoin', '');
      document.body.append(element);
      // Same task, after the connect: what a framework's bindings do.
      element.server = fixture.server.url;
      element.room = fixture.room;
      element.name = 'Tess';
      element.userRole = 'tutor';
      element.video = { width: 320, height: 240, frameRate: 15 };
      try {
        await joined(element);
        expect(element.session?.options.room).to.equal(fixture.room);
        const self = element.participants.find((p) => p.isLocal);
        expect([self?.name, self?.role]).to.deep.equal(['Tess', 'tutor']);
      } finally {
        element.remove();
      }
    });

    it('join() called right after setting properties, in the same task, joins with them', async () => {
      const element = await mount({ 'user-role': 'student', name: 'Sam', 'user-id': uniqueId('s') });
      const otherRoom = uniqueId('room');
      element.room = otherRoom;
      element.name = 'Samira';
      await element.join();
      expect(element.session?.options.room).to.equal(otherRoom);
      expect(element.participants.find((p) => p.isLocal)?.name).to.equal('Samira');
    });

    it('moved in the page after leaving, it neither joins again nor turns the camera back on', async () => {
      const element = await mount({ 'user-role': 'student', name: 'Sam', 'user-id': uniqueId('s'), autojoin: true });
      await joined(element);
      await element.leave();
      expect(element.phase).to.equal('left');
      const holder = document.createElement('div');
      document.body.append(holder);
      try {
        holder.append(element);
        await element.updateComplete;
        await new Promise((done) => setTimeout(done, 500));
        expect(element.phase).to.equal('left');
        expect(element.session?.isVideoOn).to.equal(false);
      } finally {
        holder.remove();
      }
    });

    it('joins when autojoin is turned on later, and not before', async () => {
      const element = await mount({ 'user-role': 'student', name: 'Sam', 'user-id': uniqueId('s') });
      await new Promise((done) => setTimeout(done, 300));
      expect(element.phase).to.equal('idle');
      element.autojoin = true;
      await joined(element);
      expect(element.participants.find((p) => p.isLocal)?.name).to.equal('Sam');
    });
  });

  // ---------------------------------------------------------------- the participant's role

  describe('user-role', () => {
    it('a plain embed with user-role has no axe violation on the host, and joins with that role', async () => {
      const element = await mount({ 'user-role': 'tutor', name: 'Tess', 'user-id': uniqueId('t') });
      expect(element.hasAttribute('role')).to.equal(false);
      // Measured once the preview's devices have started (toggles change colour when they do).
      await waitFor(() => element.session?.isVideoOn && element.session.isAudioOn, 'the preview devices are on');
      await element.updateComplete;
      await expectAccessible(element);
      await element.join();
      expect(element.userRole).to.equal('tutor');
      expect(element.participants[0]?.role).to.equal('tutor');
    });

    for (const [attribute, value] of [
      ['user-role', 'Tutor'],
      ['user-role', 'teacher'],
      ['role', 'tutor'],
    ] as const) {
      it(`${attribute}="${value}" fires ls-error (invalid-role) and does not join`, async () => {
        const element = await mount({ [attribute]: value, name: 'Tess', 'user-id': uniqueId('t') });
        const errors: CustomEvent[] = [];
        document.addEventListener('ls-error', (e) => errors.push(e), { once: true });
        let refusal: unknown;
        await element.join().catch((error: unknown) => (refusal = error));
        expect((refusal as { code?: string } | undefined)?.code).to.equal('invalid-role');
        expect(errors).to.have.length(1);
        expect(errors[0]?.detail).to.include({ code: 'invalid-role' });
        expect((errors[0]?.detail as { message: string }).message).to.contain(`${attribute}="${value}"`);
        expect([errors[0]?.bubbles, errors[0]?.composed]).to.deep.equal([true, true]);
        expect(element.phase).to.equal('idle');
        expect(element.session?.connectionState).to.equal('disconnected');
        await element.updateComplete;
        expect(shadow(element).querySelector('[part="notice"]')?.textContent).to.contain('user-role="tutor" or user-role="student"');
      });
    }

    it('autojoin with an invalid user-role stays in the pre-join step and says why', async () => {
      const errors: CustomEvent[] = [];
      const listener = (e: CustomEvent): void => void errors.push(e);
      document.addEventListener('ls-error', listener);
      try {
        const element = await mount({ 'user-role': 'admin', name: 'Eve', 'user-id': uniqueId('e'), autojoin: true });
        await waitFor(() => errors.length > 0, 'ls-error');
        expect(errors.map((e) => (e.detail as { code: string }).code)).to.deep.equal(['invalid-role']);
        await element.updateComplete;
        expect(element.phase).to.equal('idle');
        expect(shadow(element).querySelector('[part="prejoin"] [part="notice"]')).to.exist;
      } finally {
        document.removeEventListener('ls-error', listener);
      }
    });
  });

  describe('camera problems', () => {
    it("a missing camera is told in the page's strings, with what to do", async () => {
      const element = await mount({ 'user-role': 'student', name: 'Sam', 'user-id': uniqueId('u') });
      element.strings = {
        mediaProblem: (device, problem) => `Problème (${device}, ${problem}) : branchez-en une.`,
      };
      element.video = { deviceId: { exact: 'no-such-camera' } };
      await waitFor(
        () => shadow(element).querySelector('[part="prejoin"] [part="notice"]')?.textContent.includes('Problème (camera, missing) : branchez-en une.'),
        'the notice in the replaced strings',
      );
      // The default strings say it in English, with the fix.
      element.strings = {};
      element.video = { deviceId: { exact: 'another-missing-camera' } };
      await waitFor(
        () => shadow(element).querySelector('[part="prejoin"] [part="notice"]')?.textContent.includes('No camera was found. Connect one, then turn it on again.'),
        'the default notice',
      );
    });
  });

  // ---------------------------------------------------------------- fresh tokens

  describe('ls-token-expiring', () => {
    it('the session gets a token provider; the page answers with respondWith', async () => {
      const element = await mount({ 'user-role': 'student', token: 'old-token', 'user-id': uniqueId('u') });
      const seen: CustomEvent<TokenExpiringDetail>[] = [];
      const answer = (e: CustomEvent<TokenExpiringDetail>): void => {
        seen.push(e);
        e.detail.respondWith(Promise.resolve('fresh-token'));
      };
      document.addEventListener('ls-token-expiring', answer);
      try {
        expect(await providerOf(element)()).to.equal('fresh-token');
      } finally {
        document.removeEventListener('ls-token-expiring', answer);
      }
      expect(seen).to.have.length(1);
      const event = seen[0] as CustomEvent<TokenExpiringDetail>;
      expect([event.bubbles, event.composed, event.cancelable]).to.deep.equal([true, true, true]);
      expect(event.target).to.equal(element);
      expect(event.detail.token).to.equal('old-token');
      expect(element.token, 'the element keeps the fresh token').to.equal('fresh-token');
      expect(() => event.detail.respondWith('late'), 'only during the dispatch').to.throw();
    });

    it('preventDefault(), then the token attribute set later, answers too', async () => {
      const element = await mount({ 'user-role': 'student', token: 'old-token', 'user-id': uniqueId('u') });
      element.addEventListener('ls-token-expiring', (e) => e.preventDefault(), { once: true });
      const provided = providerOf(element)();
      element.setAttribute('token', 'from-attribute');
      expect(await provided).to.equal('from-attribute');
    });

    it('without an answer the current token is tried again; a failed answer is a refusal', async () => {
      const element = await mount({ 'user-role': 'student', token: 'current-token', 'user-id': uniqueId('u') });
      expect(await providerOf(element)()).to.equal('current-token');
      element.addEventListener('ls-token-expiring', (e) => e.detail.respondWith(Promise.reject(new Error('backend down'))), { once: true });
      let refusal: unknown;
      await providerOf(element)().catch((error: unknown) => (refusal = error));
      expect((refusal as Error | undefined)?.message).to.equal('backend down');
    });

    it("a page's own tokenProvider is used, and no event is dispatched", async () => {
      const element = await mount({ 'user-role': 'student', token: 'old-token', 'user-id': uniqueId('u') });
      let events = 0;
      element.addEventListener('ls-token-expiring', () => events++);
      element.tokenProvider = () => Promise.resolve('from-provider');
      expect(await providerOf(element)()).to.equal('from-provider');
      expect(events).to.equal(0);
    });

    it('an expired token refused at a re-join: the user is told plainly that the link expired', async () => {
      const secret = 'test-secret-for-expiry';
      const secured = await startServer({ kind: 'room', options: { secret, clockTolerance: 0 } });
      try {
        const token = await signToken({ room: fixture.room, sub: uniqueId('sam'), name: 'Sam', role: 'student' }, secret, { expiresIn: 3 });
        const exp = (JSON.parse(atob((token.split('.')[1] ?? '').replace(/-/g, '+').replace(/_/g, '/'))) as { exp: number }).exp;
        const element = document.createElement('live-session');
        element.setAttribute('server', secured.url);
        element.setAttribute('token', token);
        element.setAttribute('autojoin', '');
        const seen: string[] = [];
        for (const type of ['ls-connection-state', 'ls-error', 'ls-left', 'ls-token-expiring'] as const) {
          element.addEventListener(type, (e) => seen.push(`${type} ${JSON.stringify(e.detail)}`));
        }
        document.body.append(element);
        await joined(element);
        // Nobody answers ls-token-expiring: the held token is tried again once it has expired.
        await waitFor(() => Date.now() / 1000 > exp + 1, 'the token expired');
        await restartServer(secured);
        // Reconnecting backs off for a few seconds: the guard is longer than usual.
        await waitFor(() => element.phase === 'left', 'the session ended', 50_000).catch((error: unknown) => {
          throw new Error(`${String(error)}; events: ${seen.join(' | ')}`);
        });
        await element.updateComplete;
        const ended = shadow(element).querySelector('[part="ended"]');
        expect(ended?.querySelector('[role="status"]')?.textContent).to.contain('Your link to this session has expired');
      } finally {
        await stopServer(secured);
      }
    });
  });
});
