// What a browser offers for calls, from its global scope: table-driven.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { browserSupport, callProblem, describeCallProblem } from './support.js';

class FakePeerConnection {
  close(): void {
    // nothing to close
  }
}
const getUserMedia = (): Promise<never> => Promise.reject(new Error('none'));

describe('browserSupport and callProblem', () => {
  const table: [what: string, scope: object, calls: boolean, media: boolean, problem: ReturnType<typeof callProblem>][] = [
    ['a current browser on HTTPS', { RTCPeerConnection: FakePeerConnection, isSecureContext: true, navigator: { mediaDevices: { getUserMedia } } }, true, true, null],
    ['a browser without WebRTC whose devices work (WebKitGTK)', { isSecureContext: true, navigator: { mediaDevices: { getUserMedia } } }, false, true, 'webrtc-unsupported'],
    ['WebRTC turned off by policy, no devices', { isSecureContext: true, navigator: {} }, false, false, 'webrtc-unsupported'],
    ['plain HTTP: calls but no devices (watch only)', { RTCPeerConnection: FakePeerConnection, isSecureContext: false, navigator: {} }, true, false, null],
    ['plain HTTP in a browser that hides WebRTC there', { isSecureContext: false, navigator: {} }, false, false, 'insecure-context'],
    ['Node (no window)', {}, false, false, 'webrtc-unsupported'],
  ];
  for (const [what, scope, calls, media, problem] of table) {
    it(what, () => {
      const support = browserSupport(scope);
      assert.equal(support.calls, calls);
      assert.equal(support.media, media);
      assert.equal(callProblem(support), problem);
    });
  }
  it('explains each problem with what to do', () => {
    assert.match(describeCallProblem('insecure-context'), /https:\/\//);
    assert.match(describeCallProblem('webrtc-unsupported'), /Chrome, Edge, Firefox or Safari/);
  });
});
