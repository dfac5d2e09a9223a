// Connection quality: figures from two stats snapshots, the three-level
// verdict, the local participant's own verdict and when a sender sends less.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { linkFigures, nextReduced, ownQuality, qualityOf, sendingQualityOf, smoothQuality, type ConnectionQuality, type LinkFigures, type QualitySnapshot } from './link-quality.js';

const snapshot = (overrides: Partial<QualitySnapshot> = {}): QualitySnapshot => ({
  at: 0,
  packetsReceived: 0,
  packetsLost: 0,
  framesDecoded: 0,
  freezeCount: 0,
  rttMs: 20,
  availableOutgoingBitrate: 2_000_000,
  remoteFractionLost: 0,
  ...overrides,
});

const healthy: LinkFigures = { rttMs: 20, lossPercent: 0, outgoingLossPercent: 0, outgoingKbps: 2000, framesPerSecond: 15, freezes: 0, silent: false };

describe('linkFigures', () => {
  it('loss, frame rate and freezes over the interval; capacity in kbit/s', () => {
    const figures = linkFigures(
      snapshot({ at: 0, packetsReceived: 1000, packetsLost: 10, framesDecoded: 100, freezeCount: 1 }),
      snapshot({ at: 2000, packetsReceived: 1180, packetsLost: 30, framesDecoded: 130, freezeCount: 2, rttMs: 120, availableOutgoingBitrate: 500_000, remoteFractionLost: 0.05 }),
      true,
    );
    assert.deepEqual(figures, { rttMs: 120, lossPercent: 10, outgoingLossPercent: 5, outgoingKbps: 500, framesPerSecond: 15, freezes: 1, silent: false });
  });
  it('no packet at all is silent; no video expected gives no frame rate; counters that went back count nothing', () => {
    const figures = linkFigures(snapshot({ at: 0, packetsReceived: 500 }), snapshot({ at: 2000, packetsReceived: 500 }), false);
    assert.equal(figures.silent, true);
    assert.equal(figures.lossPercent, null);
    assert.equal(figures.framesPerSecond, null);
    const reset = linkFigures(snapshot({ at: 0, packetsReceived: 500, framesDecoded: 90 }), snapshot({ at: 2000, packetsReceived: 40, framesDecoded: 2 }), true);
    assert.equal(reset.silent, true);
    assert.equal(reset.framesPerSecond, 0);
  });
});

describe('qualityOf', () => {
  const table: [string, Partial<LinkFigures>, string][] = [
    ['healthy', {}, 'good'],
    ['round trip 350 ms', { rttMs: 350 }, 'fair'],
    ['round trip 700 ms', { rttMs: 700 }, 'poor'],
    ['5 % incoming loss', { lossPercent: 5 }, 'fair'],
    ['12 % incoming loss', { lossPercent: 12 }, 'poor'],
    ['12 % loss reported by the far end', { outgoingLossPercent: 12 }, 'poor'],
    ['6 frames a second', { framesPerSecond: 6 }, 'fair'],
    ['2 frames a second', { framesPerSecond: 2 }, 'poor'],
    ['no video expected', { framesPerSecond: null }, 'good'],
    ['80 kbit/s to send with: shown, not judged (the estimate starts low)', { outgoingKbps: 80 }, 'good'],
    ['a freeze', { freezes: 1 }, 'fair'],
    ['nothing received', { silent: true }, 'poor'],
    ['unknown figures', { rttMs: null, lossPercent: null, outgoingLossPercent: null, outgoingKbps: null, framesPerSecond: null }, 'good'],
    ['the worst one wins', { rttMs: 350, lossPercent: 12 }, 'poor'],
  ];
  for (const [name, overrides, expected] of table) {
    it(`${name} → ${expected}`, () => {
      assert.equal(qualityOf({ ...healthy, ...overrides }), expected);
    });
  }
});

describe('ownQuality', () => {
  it('the level at least half of the connections reach: one poor student does not make the tutor poor', () => {
    assert.equal(ownQuality([]), null);
    assert.equal(ownQuality(['poor']), 'poor');
    assert.equal(ownQuality(['good', 'good', 'poor']), 'good');
    assert.equal(ownQuality(['good', 'poor', 'poor']), 'poor');
    assert.equal(ownQuality(['good', 'fair', 'poor', 'poor']), 'poor');
    assert.equal(ownQuality(['good', 'good', 'fair', 'poor']), 'fair');
  });
});

describe('nextReduced', () => {
  it('sends less from the first poor verdict until two good ones in a row', () => {
    assert.equal(nextReduced(false, ['good', 'poor']), true);
    assert.equal(nextReduced(true, ['poor', 'fair']), true);
    assert.equal(nextReduced(true, ['poor', 'good']), true);
    assert.equal(nextReduced(true, ['good', 'good']), false);
    assert.equal(nextReduced(false, ['fair']), false);
  });
});

describe('sendingQualityOf', () => {
  const table: [string, Partial<LinkFigures>, ConnectionQuality][] = [
    ['healthy', {}, 'good'],
    ['12 % of what we send lost', { outgoingLossPercent: 12 }, 'poor'],
    ['5 % of what we send lost', { outgoingLossPercent: 5 }, 'fair'],
    ['round trip 700 ms', { rttMs: 700 }, 'poor'],
    ['incoming loss, frame rate and silence are not ours to fix by sending less', { lossPercent: 40, framesPerSecond: 0, silent: true }, 'good'],
  ];
  for (const [name, overrides, expected] of table) {
    it(`${name} → ${expected}`, () => assert.equal(sendingQualityOf({ ...healthy, ...overrides }), expected));
  }
});

describe('smoothQuality', () => {
  const table: [string, ConnectionQuality | null, ConnectionQuality[], ConnectionQuality | null][] = [
    ['nothing measured', null, [], null],
    ['the first measure is shown at once', null, ['poor'], 'poor'],
    ['one bad interval does not flip it', 'good', ['good', 'poor'], 'good'],
    ['two bad ones do, to the milder of the two', 'good', ['fair', 'poor'], 'fair'],
    ['two poor ones: poor', 'good', ['poor', 'poor'], 'poor'],
    ['one good interval after poor does not flip it back', 'poor', ['poor', 'good'], 'poor'],
    ['two better ones do, to the worse of the two', 'poor', ['fair', 'good'], 'fair'],
    ['a single new measure keeps what is shown', 'fair', ['poor'], 'fair'],
  ];
  for (const [name, shown, recent, expected] of table) {
    it(name, () => assert.equal(smoothQuality(shown, recent), expected));
  }
});
