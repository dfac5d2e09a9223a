/**
 * When media cannot get through (here: relay-only with no TURN relay on the
 * server, so no candidate at all), each side is told once that the network
 * blocks calls, with what to ask the administrator, and whom (the element
 * says it in the page's strings).
 */
import { expect } from '@esm-bundle/chai';
import { useClassroom } from '../../test/browser/element-fixtures.js';
import { waitFor } from '../../test/browser/helpers.js';
import type { Classroom } from '../../test/browser/session-helpers.js';
import type { SessionErrorDetail } from './events.js';

describe('a network that blocks calls', function () {
  this.timeout(60_000);
  let room: Classroom;
  useClassroom([], (r) => (room = r));

  it('relay only without a relay: no media, and a network-blocked error naming the ports, once', async () => {
    const fast = { iceTransportPolicy: 'relay' as const, connectTimeoutMs: 2000, recallDelayMs: 100, mediaRecoveryDelayMs: 500 };
    const tutor = await room.join('Tess', 'tutor', fast);
    const errors: SessionErrorDetail[] = [];
    tutor.addEventListener('error', (e) => errors.push(e.detail));
    const sam = await room.join('Sam', 'student', fast);
    await waitFor(() => errors.some((e) => e.code === 'network-blocked'), 'the tutor is told', 20_000);
    const told = errors.filter((e) => e.code === 'network-blocked');
    expect(told[0]?.message).to.contain('Sam');
    expect(told[0]?.message).to.contain('3478');
    // Whom, and in which mode, so the element can say it in the page's language.
    expect(told[0]?.participant).to.deep.equal({ id: sam.peerId, name: 'Sam' });
    expect(told[0]?.relayOnly).to.equal(true);
    // Re-calls keep failing; the message is not repeated.
    await new Promise((resolve) => setTimeout(resolve, 5000));
    expect(errors.filter((e) => e.code === 'network-blocked')).to.have.length(1);
    expect(tutor.participants.find((p) => p.id === sam.peerId)?.stream ?? null).to.equal(null);
  });
});
