// What <live-session>'s notices say: network-blocked in the page's strings.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultStrings } from '../shared/strings.js';
import { networkBlockedText } from './notices.js';

describe('networkBlockedText', () => {
  const french = {
    networkBlocked: (name: string) => `La vidéo n'atteint pas ${name} : votre réseau bloque les appels.`,
    networkBlockedRelay: (name: string) => `La vidéo n'atteint pas ${name} par le relais (ports 3478, 5349).`,
  };
  it('names the participant in the default strings, with the ports in relay-only mode', () => {
    assert.match(networkBlockedText({ message: 'x', participant: { name: 'Sam' } }, defaultStrings), /Sam: your network seems to block video calls/);
    const relay = networkBlockedText({ message: 'x', participant: { name: 'Sam' }, relayOnly: true }, defaultStrings);
    assert.match(relay, /Sam through the relay/);
    assert.match(relay, /3478/);
  });
  it("uses the page's replacements", () => {
    assert.equal(networkBlockedText({ message: 'x', participant: { name: 'Sam' } }, french), "La vidéo n'atteint pas Sam : votre réseau bloque les appels.");
    assert.equal(networkBlockedText({ message: 'x', participant: { name: 'Sam' }, relayOnly: true }, french), "La vidéo n'atteint pas Sam par le relais (ports 3478, 5349).");
  });
  it("falls back to the session's message when it names nobody", () => {
    assert.equal(networkBlockedText({ message: 'the session says so' }, french), 'the session says so');
  });
});
