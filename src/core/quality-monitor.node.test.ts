// The quality monitor's watch for the end of an outage: a connection that
// received packets and then none for a whole measure is read every 250 ms
// until packets come again. Node, a manual clock, connections that only
// answer getStats() (the decisions are what is tested; the browser side is
// measured by the network benchmark).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { QualityMonitor, STALL_WATCH_LIMIT_MS, STALL_WATCH_MS } from './quality-monitor.js';
import { ManualTimers, Scheduler } from './scheduler.js';

/** A connection whose inbound packet count the test sets; counts its getStats() calls. */
class CountingConnection {
  connectionState: RTCPeerConnectionState = 'connected';
  packets = 0;
  reads = 0;
  getStats(): Promise<RTCStatsReport> {
    this.reads += 1;
    const report = new Map<string, Record<string, unknown>>([
      ['in', { type: 'inbound-rtp', kind: 'video', packetsReceived: this.packets, packetsLost: 0, framesDecoded: this.packets }],
    ]);
    return Promise.resolve(report as unknown as RTCStatsReport);
  }
}

function setup(): { clock: ManualTimers; pc: CountingConnection; resumed: string[]; monitor: QualityMonitor; step: (ms: number) => Promise<void> } {
  const clock = new ManualTimers();
  const pc = new CountingConnection();
  const resumed: string[] = [];
  const connections = new Map([['far', pc as unknown as RTCPeerConnection]]);
  const monitor = new QualityMonitor(
    {
      connections: () => connections,
      expectsVideo: () => true,
      changed: () => undefined,
      ownChanged: () => undefined,
      reduce: () => undefined,
      resumed: (id) => resumed.push(id),
    },
    new Scheduler(clock),
  );
  const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
  const step = async (ms: number): Promise<void> => {
    for (let t = 0; t < ms; t += 50) {
      clock.advance(50);
      await settle();
    }
  };
  return { clock, pc, resumed, monitor, step };
}

describe('QualityMonitor: the end of an outage', () => {
  it('a connection gone silent after packets is read every 250 ms, and the host told as soon as packets come again', async () => {
    const { pc, resumed, monitor, step } = setup();
    pc.packets = 100;
    await monitor.measure();
    pc.packets = 200;
    await monitor.measure();
    // The outage: nothing for a whole measure.
    await monitor.measure();
    const before = pc.reads;
    await step(1000);
    assert.equal(pc.reads - before, Math.floor(1000 / STALL_WATCH_MS), 'read every 250 ms while silent');
    assert.deepEqual(resumed, []);
    pc.packets = 230; // The network is back.
    await step(STALL_WATCH_MS);
    assert.deepEqual(resumed, ['far'], 'told once, within one read');
    const after = pc.reads;
    await step(5 * STALL_WATCH_MS);
    assert.equal(pc.reads, after, 'no more fast reads');
    monitor.stop();
  });

  it('a connection that never received is not watched; a far side that stopped sending is watched once, for a bounded time', async () => {
    const { pc, resumed, monitor, step } = setup();
    await monitor.measure();
    await monitor.measure();
    await monitor.measure();
    let reads = pc.reads;
    await step(1000);
    assert.equal(pc.reads, reads, 'nothing received yet: no watch');

    pc.packets = 50;
    await monitor.measure();
    await monitor.measure(); // Silent from now on (a far side that sends nothing).
    await step(STALL_WATCH_LIMIT_MS + 2 * STALL_WATCH_MS);
    reads = pc.reads;
    await step(1000);
    assert.equal(pc.reads, reads, 'the watch ends after its limit');
    for (let i = 0; i < 3; i++) await monitor.measure();
    await step(1000);
    assert.equal(pc.reads, reads + 3, 'later silent measures do not watch again (one read each)');
    assert.deepEqual(resumed, []);
    monitor.stop();
  });

  it('packets before the first measure count: an outage in the first seconds of a call is watched', async () => {
    const { pc, resumed, monitor, step } = setup();
    pc.packets = 40;
    await monitor.measure();
    await monitor.measure(); // Already silent.
    pc.packets = 41;
    await step(STALL_WATCH_MS);
    assert.deepEqual(resumed, ['far']);
    monitor.stop();
  });
});
