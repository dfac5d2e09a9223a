/**
 * A real browser without WebRTC: WebKitGTK's MiniBrowser (no RTCPeerConnection
 * in Debian's build) with its mock camera. The plain embed page, set to join
 * at once, shows why no call can start and what to do, in place of a broken
 * room; the camera preview still works as a device check; nothing joins the
 * room (a Chromium tutor there sees nobody); the page's strings replace the
 * text. Also checks the Safari-class rules the elements rely on: inline,
 * muted autoplay of the preview.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ChromiumDriver, delay, embedUrl, startCliServer, startXvfb, uniqueRoom, waitFor, type CliServer } from './harness.js';
import { WebKitDriver } from './webkit.js';

interface UnsupportedView {
  problem: string | null;
  heading: string;
  reason: string;
  joinButton: boolean;
  previewWidth: number;
  previewTime: number;
  previewPlaysInline: boolean;
  previewMuted: boolean;
  devices: boolean;
  hasPeerConnection: boolean;
  events: { type: string; code?: string }[];
  phase: string | null;
}

const READ_VIEW = `
  const host = document.querySelector('live-session');
  const root = host && host.shadowRoot;
  const view = root && root.querySelector('[part="unsupported"]');
  const preview = root && root.querySelector('self-preview');
  const video = preview && preview.shadowRoot && preview.shadowRoot.querySelector('video');
  return {
    problem: view ? view.getAttribute('data-problem') : null,
    heading: view ? view.querySelector('[part="unsupported-heading"]').textContent.trim() : '',
    reason: view ? view.querySelector('[part="unsupported-reason"]').textContent.trim() : '',
    joinButton: !!(root && root.querySelector('[part="join-button"]')),
    previewWidth: video ? video.videoWidth : 0,
    previewTime: video ? video.currentTime : 0,
    previewPlaysInline: !!(video && video.hasAttribute('playsinline')),
    previewMuted: !!(video && video.muted),
    devices: !!(root && root.querySelector('device-settings')),
    hasPeerConnection: typeof window.RTCPeerConnection === 'function',
    events: (window.lsEvents || []).map((e) => ({ type: e.type, code: e.code })),
    phase: host ? host.getAttribute('phase') : null,
  };
`;

void describe('end to end, a browser without WebRTC (WebKit)', { timeout: 240_000 }, () => {
  let server: CliServer | undefined;
  let xvfb: Awaited<ReturnType<typeof startXvfb>> | undefined;
  let webkit: WebKitDriver | undefined;
  const driver = (): WebKitDriver => {
    if (!webkit) throw new Error('WebKit did not start');
    return webkit;
  };
  const cli = (): CliServer => {
    if (!server) throw new Error('the server did not start');
    return server;
  };

  before(async () => {
    server = await startCliServer();
    xvfb = await startXvfb();
    webkit = await WebKitDriver.launch(xvfb.display);
  });
  after(async () => {
    await webkit?.close();
    await xvfb?.stop();
    await server?.stop();
  });

  void test('18. the embed explains why no call can start, keeps the preview as a device check, and joins nobody', { timeout: 180_000 }, async () => {
    const room = uniqueRoom('s18');
    await driver().goto(embedUrl(cli(), { room, name: 'Walt', role: 'student' }));
    const view = await waitFor(async () => {
      const v = await driver().evaluate<UnsupportedView>(READ_VIEW);
      return v.problem !== null && v.previewWidth > 0 ? v : null;
    }, 'the explanation and a live preview in WebKit', 60_000);
    assert.equal(view.hasPeerConnection, false, 'this WebKit build has no RTCPeerConnection');
    assert.equal(view.problem, 'webrtc-unsupported');
    assert.equal(view.heading, 'Video calls cannot start in this browser');
    assert.match(view.reason, /no WebRTC/);
    assert.match(view.reason, /Chrome, Edge, Firefox or Safari/);
    assert.equal(view.joinButton, false, 'no Join button that could only fail');
    assert.equal(view.devices, true, 'the device pickers are there');
    assert.equal(view.phase, 'idle');
    // The page (autojoin) is told why, once, and nothing joined.
    assert.deepEqual(view.events.filter((e) => e.type === 'ls-error'), [{ type: 'ls-error', code: 'webrtc-unsupported' }]);
    assert.equal(view.events.some((e) => e.type === 'ls-joined'), false);
    // Safari-class rules: the preview plays inline and muted, without a gesture.
    assert.equal(view.previewPlaysInline, true);
    assert.equal(view.previewMuted, true);
    const started = view.previewTime;
    await waitFor(async () => (await driver().evaluate<UnsupportedView>(READ_VIEW)).previewTime > started + 0.5, 'the WebKit preview plays');

    // A tutor in the same room (Chromium) sees nobody else: the WebKit page never joined.
    const chromium = await ChromiumDriver.launch();
    try {
      const tutor = await chromium.open(cli(), { room, name: 'Tess', role: 'tutor', microphone: false });
      await tutor.joined();
      await delay(2000);
      assert.deepEqual(await tutor.names(), ['Tess']);
      await tutor.close();
    } finally {
      await chromium.close();
    }

    // The page's strings replace the explanation.
    await driver().evaluate(`
      document.querySelector('live-session').strings = {
        callsUnsupported: 'Les appels vidéo ne peuvent pas démarrer dans ce navigateur',
        webrtcUnsupported: 'Ce navigateur ne prend pas en charge WebRTC.',
      };
    `);
    await waitFor(async () => {
      const v = await driver().evaluate<UnsupportedView>(READ_VIEW);
      return v.heading === 'Les appels vidéo ne peuvent pas démarrer dans ce navigateur' && v.reason === 'Ce navigateur ne prend pas en charge WebRTC.';
    }, 'the replaced strings show');
  });
});
