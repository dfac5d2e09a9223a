import { expect } from '@esm-bundle/chai';
import { expectAccessible, waitFor } from '../../../test/browser/helpers.js';
import type { Classroom } from '../../../test/browser/session-helpers.js';
import { joined, mountElement, useClassroom, useLiveSessionRoom } from '../../../test/browser/element-fixtures.js';
import { deepButtonNamed } from '../../../test/browser/shadow-query.js';
import { peerConnectionsOf } from '../../core/diagnostics.js';
import type { LiveSession } from '../../core/live-session.js';
import './define.js';
import '../live-session/define.js';
import '../participant-tile/define.js';
import { rememberedDevices, type DeviceSettings } from './device-settings.js';

/** Chromium's fake devices include several microphones; Firefox's one of each. */
const microphones = (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === 'audioinput').length;

/** Chromium's fake devices include speakers; Firefox lists none until a page asks (selectAudioOutput). */
const speakers = (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === 'audiooutput' && d.deviceId !== '').length;

const mount = (session: LiveSession): Promise<DeviceSettings> => mountElement('device-settings', { session });

function select(element: Element, kind: 'camera' | 'microphone'): HTMLSelectElement | null {
  return element.shadowRoot?.querySelector<HTMLSelectElement>(`[part~="${kind}-select"]`) ?? null;
}

describe('<device-settings>', function () {
  this.timeout(60_000);
  let room: Classroom;
  useClassroom('device-settings', (r) => (room = r));
  beforeEach(() => localStorage.removeItem('live-session.devices'));
  after(() => localStorage.removeItem('live-session.devices'));

  it('lists the cameras and microphones by name once the preview runs, the one in use selected, without axe violations', async () => {
    const session = room.create('Sam', 'student');
    await session.startPreview();
    const settings = await mount(session);
    const camera = await waitFor(() => select(settings, 'camera'), 'the camera picker');
    const microphone = await waitFor(() => select(settings, 'microphone'), 'the microphone picker');
    expect(camera.options.length).to.be.greaterThan(0);
    expect(microphone.options.length).to.be.greaterThan(0);
    expect(camera.value).to.equal(session.currentDevice('camera'));
    expect(microphone.value).to.equal(session.currentDevice('microphone'));
    for (const option of [...camera.options, ...microphone.options]) expect(option.textContent.trim()).to.not.equal('');
    // Named fields: "Camera" and "Microphone" labels wrap their pickers.
    expect(camera.closest('label')?.textContent).to.contain('Camera');
    expect(microphone.closest('label')?.textContent).to.contain('Microphone');
    await expectAccessible(settings);
  });

  // Chromium's fake microphone beeps; Firefox's gives an AnalyserNode no level
  // here (it reads 0 throughout), so there the meter is checked muted only.
  const beeps = !navigator.userAgent.includes('Firefox');
  it(beeps ? 'the microphone level meter moves with the fake, beeping microphone and drops to 0 when muted' : 'the microphone level meter is named and reads 0 when muted', async () => {
    const session = room.create('Sam', 'student');
    await session.startPreview();
    const settings = await mount(session);
    const meter = await waitFor(() => settings.shadowRoot?.querySelector('meter'), 'the meter');
    expect(meter.getAttribute('aria-label')).to.equal('Microphone level');
    if (beeps) await waitFor(() => meter.value > 0.1, 'the meter moves');
    await session.setMicrophoneEnabled(false);
    await waitFor(() => meter.value === 0, 'silent while muted');
  });

  const choose = microphones > 1 ? 'another microphone' : 'the microphone (the only one here)';
  it(`choosing ${choose} switches the track and is remembered for the next session`, async () => {
    const session = room.create('Sam', 'student');
    await session.startPreview();
    const settings = await mount(session);
    const microphone = await waitFor(() => select(settings, 'microphone'), 'the microphone picker');
    const other = [...microphone.options].find((o) => microphones === 1 || o.value !== microphone.value);
    if (!other) throw new Error('no microphone to choose');
    microphone.value = other.value;
    microphone.dispatchEvent(new Event('change'));
    await waitFor(() => session.currentDevice('microphone') === other.value, 'the new microphone is in use');
    expect(rememberedDevices().microphone).to.equal(other.value);
    const next = room.create('Sam', 'student', { devices: rememberedDevices() });
    await next.startPreview();
    expect(next.currentDevice('microphone')).to.equal(other.value, 'the next session starts with it');
  });

  it(
    speakers > 1
      ? "choosing a speaker plays the others' tiles and the test chime on it, and is remembered"
      : 'without a speaker listed there is no speaker picker',
    async () => {
      const tess = await room.join('Tess', 'tutor');
      const sam = await room.join('Sam', 'student');
      await waitFor(() => tess.participants.find((p) => p.id === sam.peerId)?.stream, 'Sam reaches Tess');
      const settings = await mount(tess);
      await waitFor(() => select(settings, 'microphone'), 'the pickers');
      const picker = settings.shadowRoot?.querySelector<HTMLSelectElement>('[part~="speaker-select"]') ?? null;
      if (speakers <= 1) {
        expect(picker).to.equal(null);
        return;
      }
      if (!picker) throw new Error('no speaker picker');
      expect(picker.closest('label')?.textContent).to.contain('Speaker');
      const samTile = await mountElement('participant-tile', { session: tess, participant: tess.participants.find((p) => p.id === sam.peerId) });
      const video = await waitFor(() => samTile.shadowRoot?.querySelector('video'), "Sam's tile video");
      const other = [...picker.options].find((o) => o.value !== 'default');
      if (!other) throw new Error('no other speaker');
      picker.value = other.value;
      picker.dispatchEvent(new Event('change'));
      expect(tess.audioOutput).to.equal(other.value);
      await waitFor(() => (video as HTMLVideoElement & { sinkId: string }).sinkId === other.value, "Sam's tile plays on the chosen speaker");
      expect(rememberedDevices().speaker).to.equal(other.value);
      // The test chime plays on it too.
      const test = deepButtonNamed(settings.shadowRoot as ShadowRoot, 'Play a test sound');
      if (!test) throw new Error('no test button');
      test.click();
      const audio = settings.shadowRoot?.querySelector<HTMLAudioElement & { sinkId: string }>('[part="test-sound"]');
      await waitFor(() => audio && audio.sinkId === other.value && audio.currentTime > 0.1, 'the chime plays on the chosen speaker');
      await expectAccessible(settings);
      // A new session starts with the remembered speaker.
      expect(room.create('Tess', 'tutor', { devices: rememberedDevices() }).audioOutput).to.equal(other.value);
    },
  );

  it('a remembered device that is gone falls back to another instead of failing', async () => {
    const session = room.create('Sam', 'student', { devices: { camera: 'unplugged-camera', microphone: 'unplugged-mic' } });
    await session.startPreview();
    expect(session.isVideoOn).to.equal(true);
    expect(session.isAudioOn).to.equal(true);
  });

  it('remembered devices ignore what is not theirs in storage', () => {
    localStorage.setItem('live-session.devices', '{"camera": 42, "microphone": "m", "speaker": {"x": 1}}');
    expect(rememberedDevices()).to.deep.equal({ microphone: 'm' });
    localStorage.setItem('live-session.devices', '{"speaker": "s"}');
    expect(rememberedDevices()).to.deep.equal({ speaker: 's' });
    localStorage.setItem('live-session.devices', 'not json');
    expect(rememberedDevices()).to.deep.equal({});
  });
});

describe('<live-session> pre-join device check', function () {
  this.timeout(60_000);
  const fixture = useLiveSessionRoom();

  it('shows the camera and microphone pickers and the level meter before the join, and not in the room', async () => {
    const element = await fixture.mount({ name: 'Sam', 'user-role': 'student' });
    const settings = await waitFor(() => element.shadowRoot?.querySelector('device-settings'), 'the device check');
    await waitFor(() => select(settings, 'microphone'), 'the microphone picker');
    expect(settings.shadowRoot?.querySelector('meter')).to.not.equal(null);
    await element.join();
    await waitFor(() => element.shadowRoot?.querySelector('device-settings') === null, 'gone once in the room');
  });

  it('in the room, Settings opens the pickers; switching the microphone mid-call keeps the call and the sound', async () => {
    const tutor = await fixture.mount({ name: 'Tess', 'user-role': 'tutor', 'user-id': 'settings-tess', autojoin: true });
    const sam = await fixture.mount({ name: 'Sam', 'user-role': 'student', 'user-id': 'settings-sam', autojoin: true });
    await Promise.all([joined(tutor), joined(sam)]);
    const tutorSession = await waitFor(() => tutor.session, 'the tutor session');
    const samSession = await waitFor(() => sam.session, 'the student session');
    await waitFor(() => tutorSession.participants.some((p) => p.name === 'Sam' && p.stream?.getAudioTracks().length), 'the tutor hears Sam');
    const button = await waitFor(() => deepButtonNamed(sam, 'Settings'), 'the Settings button');
    expect(button.getAttribute('aria-expanded')).to.equal('false');
    button.click();
    const settings = await waitFor(() => sam.shadowRoot?.querySelector('[part~="settings"] device-settings'), 'the settings panel');
    expect(button.getAttribute('aria-expanded')).to.equal('true');
    const microphone = await waitFor(() => select(settings, 'microphone'), 'the microphone picker');
    await expectAccessible(sam);
    const connections = peerConnectionsOf(tutorSession);
    const received = async (): Promise<number> => {
      let bytes = 0;
      for (const pc of peerConnectionsOf(tutorSession)) {
        (await pc.getStats()).forEach((r: { type: string; kind?: string; bytesReceived?: number }) => {
          if (r.type === 'inbound-rtp' && r.kind === 'audio') bytes += r.bytesReceived ?? 0;
        });
      }
      return bytes;
    };
    const other = [...microphone.options].find((o) => microphones === 1 || o.value !== microphone.value);
    if (!other) throw new Error('no microphone to choose');
    microphone.value = other.value;
    microphone.dispatchEvent(new Event('change'));
    await waitFor(() => samSession.currentDevice('microphone') === other.value, 'the new microphone is in use');
    const before = await received();
    await waitFor(async () => (await received()) > before + 1000, 'the tutor keeps receiving sound');
    expect(peerConnectionsOf(tutorSession)).to.deep.equal(connections, 'the same connection: no new call');
  });
});
