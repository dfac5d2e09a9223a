import { expect } from '@esm-bundle/chai';
import { mountElement } from '../../../test/browser/element-fixtures.js';
import { LiveSession } from '../../core/live-session.js';
import { expectAccessible, expectLiveVideo, waitFor } from '../../../test/browser/helpers.js';
import { SMALL_VIDEO } from '../../../test/browser/session-helpers.js';
import './define.js';
import type { SelfPreview } from './self-preview.js';

function previewSession(options: { video?: MediaTrackConstraints | false } = {}): LiveSession {
  // Only the local preview is used here: no server is contacted.
  return new LiveSession({ server: 'http://127.0.0.1:9/', storage: null, video: options.video ?? SMALL_VIDEO, audio: {} });
}

const mount = (session: LiveSession): Promise<SelfPreview> => mountElement('self-preview', { session });

describe('<self-preview>', function () {
  this.timeout(30_000);
  const sessions: LiveSession[] = [];
  afterEach(() => {
    for (const element of document.querySelectorAll('self-preview')) element.remove();
    for (const session of sessions.splice(0)) session.destroy();
  });
  const create = (options?: { video?: MediaTrackConstraints | false }): LiveSession => {
    const session = previewSession(options);
    sessions.push(session);
    return session;
  };

  describe('rendering', () => {
    it('shows the local camera, mirrored, with live frames', async () => {
      const session = create();
      const element = await mount(session);
      await session.startPreview();
      await element.updateComplete;
      const video = element.shadowRoot?.querySelector<HTMLVideoElement>('[part="video"]');
      expect(video).to.exist;
      expect(video?.muted).to.equal(true);
      expect(getComputedStyle(video as Element).transform).to.not.equal('none');
      await expectLiveVideo(video as HTMLVideoElement, 'preview');
      expect(element.hasAttribute('camera-off')).to.equal(false);
    });

    it('shows a "Camera off" placeholder with initials when the camera is off', async () => {
      const session = create();
      session.setName('Ada Lovelace');
      const element = await mount(session);
      await session.startPreview();
      await session.setCameraEnabled(false);
      await element.updateComplete;
      expect(element.shadowRoot?.querySelector('[part="video"]')).to.equal(null);
      const placeholder = element.shadowRoot?.querySelector('[part="placeholder"]');
      expect(placeholder?.getAttribute('aria-label')).to.equal('Camera off');
      expect(element.shadowRoot?.querySelector('[part="initials"]')?.textContent).to.equal('AL');
      expect(element.hasAttribute('camera-off')).to.equal(true);
    });

    it('reflects the microphone state', async () => {
      const session = create();
      const element = await mount(session);
      await session.startPreview();
      await element.updateComplete;
      expect(element.hasAttribute('muted')).to.equal(false);
      await session.setMicrophoneEnabled(false);
      await element.updateComplete;
      expect(element.hasAttribute('muted')).to.equal(true);
      expect(element.shadowRoot?.querySelector('[part="mic-indicator"]')?.getAttribute('aria-label')).to.equal('Microphone off');
    });

    it('unmirrored shows the camera as it is', async () => {
      const session = create();
      const element = await mount(session);
      element.unmirrored = true;
      await session.startPreview();
      await element.updateComplete;
      const video = element.shadowRoot?.querySelector('[part="video"]');
      expect(getComputedStyle(video as Element).transform).to.equal('none');
    });
  });

  describe('accessibility', () => {
    it('has no axe violations with camera on and off', async () => {
      const session = create();
      const element = await mount(session);
      await session.startPreview();
      await element.updateComplete;
      await expectAccessible(element);
      await session.setCameraEnabled(false);
      await element.updateComplete;
      await expectAccessible(element);
    });
  });

  describe('styling', () => {
    it('applies --self-preview-width and exposes parts', async () => {
      const session = create();
      const element = await mount(session);
      element.style.setProperty('--self-preview-width', '123px');
      await element.updateComplete;
      expect(element.getBoundingClientRect().width).to.be.closeTo(123, 1);
      expect(element.shadowRoot?.querySelector('[part="label"]')).to.exist;
    });

    it('replaces strings', async () => {
      const session = create({ video: false });
      const element = await mount(session);
      element.strings = { cameraOff: 'Kamera aus', you: 'Du' };
      await element.updateComplete;
      expect(element.shadowRoot?.textContent).to.contain('Kamera aus');
      expect(element.shadowRoot?.textContent).to.contain('Du');
    });
  });

  describe('lifecycle', () => {
    it('mounting and unmounting leaves no listener on the session', async () => {
      const session = create();
      let listeners = 0;
      const add = session.addEventListener.bind(session);
      const remove = session.removeEventListener.bind(session);
      session.addEventListener = ((type: string, listener: EventListener, options?: boolean | AddEventListenerOptions) => {
        listeners++;
        add(type, listener, options);
      });
      session.removeEventListener = ((type: string, listener: EventListener, options?: boolean | EventListenerOptions) => {
        listeners--;
        remove(type, listener, options);
      });
      for (let i = 0; i < 20; i++) {
        const element = await mount(session);
        element.remove();
      }
      expect(listeners).to.equal(0);
      const kept = await mount(session);
      // While mounted: the change subscription and the speaking listener.
      await waitFor(() => listeners === 2, 'two listeners while mounted');
      kept.remove();
      expect(listeners).to.equal(0);
    });
  });
});
