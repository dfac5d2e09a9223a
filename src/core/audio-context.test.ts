/**
 * A page holds one AudioContext however many sessions it runs: the silent
 * placeholders the first calls carry and the microphone level meters all use
 * it, and it is closed once every session is gone.
 */
import { expect } from '@esm-bundle/chai';
import { useClassroom } from '../../test/browser/element-fixtures.js';
import { waitFor } from '../../test/browser/helpers.js';
import type { Classroom } from '../../test/browser/session-helpers.js';
import { audioContextHolders, leaseAudioContext } from './audio-context.js';

describe('The page’s AudioContext', function () {
  this.timeout(60_000);
  let room: Classroom;
  useClassroom([], (r) => (room = r));
  const made: AudioContext[] = [];
  const Native = window.AudioContext;
  before(() => {
    window.AudioContext = class CountedAudioContext extends Native {
      constructor(options?: AudioContextOptions) {
        super(options);
        made.push(this);
      }
    };
  });
  after(() => {
    window.AudioContext = Native;
  });
  beforeEach(() => {
    made.length = 0;
  });

  it('is leased: the same one while anyone holds it, closed after the last release', async () => {
    const first = leaseAudioContext();
    const second = leaseAudioContext();
    expect(second.context).to.equal(first.context);
    expect(audioContextHolders()).to.equal(2);
    first.release();
    first.release();
    expect(audioContextHolders(), 'a second release of one lease changes nothing').to.equal(1);
    expect(first.context.state).not.to.equal('closed');
    second.release();
    await waitFor(() => second.context.state === 'closed', 'closed after the last release');
    expect(audioContextHolders()).to.equal(0);
    const third = leaseAudioContext();
    expect(third.context, 'a new one after the last was closed').not.to.equal(first.context);
    third.release();
    expect(made.length).to.equal(2);
  });

  it('is one for two joined sessions (placeholders and level meters), closed once both are gone', async () => {
    const tutor = await room.join('Tess', 'tutor');
    const sam = await room.join('Sam', 'student');
    await room.expectSees(sam, tutor);
    await room.expectSees(tutor, sam);
    expect(made.length, 'AudioContexts made by two sessions').to.equal(1);
    // Each session leases it for its placeholder (made while its join waited on
    // the server) and for its microphone meter.
    expect(audioContextHolders()).to.equal(4);
    const [context] = made;
    tutor.destroy();
    expect(context?.state).not.to.equal('closed');
    sam.destroy();
    await waitFor(() => context?.state === 'closed', 'closed once both sessions are gone');
    expect(audioContextHolders()).to.equal(0);
  });
});
