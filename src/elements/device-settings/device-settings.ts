import { html, nothing } from 'lit';
import { state } from 'lit/decorators.js';
import { webStorage } from '../../core/identity.js';
import { applyAudioOutput } from '../../core/attach-stream.js';
import type { LiveSession } from '../../core/live-session.js';
import type { MediaKind } from '../../core/media.js';
import { buttonStyles, themeStyles } from '../shared/base.styles.js';
import { SessionElement } from '../shared/session-element.js';
import { deviceSettingsStyles } from './device-settings.styles.js';

const STORAGE_KEY = 'live-session.devices';

/** The camera and microphone chosen on this origin, as remembered by `<device-settings>`. */
export interface RememberedDevices {
  camera?: string;
  microphone?: string;
  speaker?: string;
}

/** What a picker chooses: a camera, a microphone, or the speaker others are heard on. */
type DeviceChoice = MediaKind | 'speaker';

/** Absent outside secure contexts, though typed as always there. */
function mediaDevices(): MediaDevices | undefined {
  return (navigator as { mediaDevices?: MediaDevices }).mediaDevices;
}

/** The devices chosen last time on this origin (none when storage is unavailable or holds something else). */
export function rememberedDevices(storage: Storage | null = webStorage('localStorage')): RememberedDevices {
  try {
    const value: unknown = JSON.parse(storage?.getItem(STORAGE_KEY) ?? '{}');
    if (typeof value !== 'object' || value === null) return {};
    const { camera, microphone, speaker } = value as Record<string, unknown>;
    return {
      ...(typeof camera === 'string' && camera.length <= 256 ? { camera } : {}),
      ...(typeof microphone === 'string' && microphone.length <= 256 ? { microphone } : {}),
      ...(typeof speaker === 'string' && speaker.length <= 256 ? { speaker } : {}),
    };
  } catch {
    return {};
  }
}

function remember(kind: DeviceChoice, deviceId: string, storage: Storage | null = webStorage('localStorage')): void {
  try {
    storage?.setItem(STORAGE_KEY, JSON.stringify({ ...rememberedDevices(storage), [kind]: deviceId }));
  } catch {
    // Storage full or blocked: the choice holds for this page only.
  }
}

let testTone: string | undefined;

/** A short, soft two-note chime as a WAV file (generated once): the speaker test. */
function testToneUrl(): string {
  if (testTone) return testTone;
  const rate = 16_000;
  const samples = Math.round(rate * 0.8);
  const buffer = new ArrayBuffer(44 + samples * 2);
  const view = new DataView(buffer);
  const text = (offset: number, value: string): void => {
    for (let i = 0; i < value.length; i++) view.setUint8(offset + i, value.charCodeAt(i));
  };
  text(0, 'RIFF');
  view.setUint32(4, 36 + samples * 2, true);
  text(8, 'WAVEfmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, rate, true);
  view.setUint32(28, rate * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  text(36, 'data');
  view.setUint32(40, samples * 2, true);
  for (let i = 0; i < samples; i++) {
    const t = i / rate;
    const frequency = t < 0.4 ? 660 : 880;
    const envelope = Math.min(1, (t % 0.4) * 50) * Math.max(0, 1 - (t % 0.4) / 0.4);
    view.setInt16(44 + i * 2, Math.round(Math.sin(2 * Math.PI * frequency * t) * envelope * 0.3 * 32767), true);
  }
  testTone = URL.createObjectURL(new Blob([buffer], { type: 'audio/wav' }));
  return testTone;
}

/** The meter's scale: speech (an RMS of about 0.02–0.3) fills most of it. */
function meterValue(level: number): number {
  return Math.min(1, Math.sqrt(level) * 1.8);
}

/**
 * @customElement device-settings
 * @summary Camera and microphone pickers with a live microphone level meter,
 * and a speaker picker with a test sound where the browser can choose one:
 * the pre-join device check of `<live-session>`, usable on its own.
 *
 * A choice switches the device at once (in a call, on every connection,
 * without renegotiating) and is remembered for this origin (localStorage);
 * `<live-session>` starts with the remembered devices next time, and falls back
 * to another when one is gone. The lists follow devices being plugged in and
 * out. Inside `<live-session>` it follows the session from context; on its own,
 * set the `session` property to a `LiveSession`.
 *
 * @csspart field - The label and picker of each device.
 * @csspart select - Each picker (also `camera-select`, `microphone-select`).
 * @csspart mic-level - The microphone level meter (a `meter`).
 * @csspart speaker - The speaker picker and its test button (only where the browser can choose a speaker and lists some).
 * @csspart test-speaker - The button that plays a test chime on the chosen speaker.
 * @csspart test-sound - The (hidden) audio element of the test chime.
 */
export class DeviceSettings extends SessionElement {
  static override styles = [themeStyles, buttonStyles, deviceSettingsStyles];

  @state()
  private devices: readonly MediaDeviceInfo[] = [];

  @state()
  private level = 0;

  #meter: ReturnType<typeof setInterval> | undefined;
  #listedFor: MediaStream | null | undefined;
  #listing = 0;

  readonly #onDeviceChange = (): void => void this.#list();

  override connectedCallback(): void {
    super.connectedCallback();
    mediaDevices()?.addEventListener('devicechange', this.#onDeviceChange);
    this.#meter = setInterval(() => {
      const level = Math.round(meterValue(this.currentSession?.microphoneLevel ?? 0) * 20) / 20;
      if (level !== this.level) this.level = level;
    }, 100);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    mediaDevices()?.removeEventListener('devicechange', this.#onDeviceChange);
    clearInterval(this.#meter);
  }

  protected override sessionChanged(): void {
    this.#listedFor = undefined;
  }

  protected override updated(): void {
    // Labels come with the permission: list again once the session's devices start or change.
    const stream = this.currentSession?.localStream ?? null;
    if (stream !== this.#listedFor) {
      this.#listedFor = stream;
      void this.#list();
    }
  }

  async #list(): Promise<void> {
    const session = this.currentSession;
    if (!session) return;
    const listing = ++this.#listing;
    const devices = await session.listDevices().catch(() => []);
    if (listing === this.#listing) this.devices = devices;
  }

  #chooseSpeaker(session: LiveSession, deviceId: string): void {
    remember('speaker', deviceId);
    session.setAudioOutput(deviceId);
    this.requestUpdate();
  }

  /** Plays the test chime on the chosen speaker. */
  async #testSpeaker(session: LiveSession): Promise<void> {
    const audio = this.renderRoot.querySelector<HTMLAudioElement>('[part="test-sound"]');
    if (!audio) return;
    audio.src = testToneUrl();
    applyAudioOutput(audio, session.audioOutput);
    audio.currentTime = 0;
    await audio.play().catch(() => undefined);
  }

  #speakerPicker(session: LiveSession) {
    const s = this.text;
    const list = this.devices.filter((d) => d.kind === 'audiooutput' && d.deviceId !== '');
    // Hidden where the browser cannot choose, or lists no speaker (Firefox lists them only after asking).
    if (!session.canChooseAudioOutput || list.length === 0) return nothing;
    return html`<div part="speaker">
      ${this.#select('speaker', s.speakerDevice, list, session.audioOutput ?? 'default', (deviceId) => this.#chooseSpeaker(session, deviceId))}
      <button part="test-speaker" type="button" @click=${() => void this.#testSpeaker(session)}>${s.testSpeaker}</button>
      <audio part="test-sound" hidden></audio>
    </div>`;
  }

  async #choose(session: LiveSession, kind: MediaKind, deviceId: string): Promise<void> {
    // The user's choice is kept even if the device fails now: a device that is gone later falls back by itself.
    remember(kind, deviceId);
    await session.switchDevice(kind, deviceId);
    this.requestUpdate();
  }

  #picker(session: LiveSession, kind: MediaKind) {
    const s = this.text;
    const list = this.devices.filter((d) => d.kind === (kind === 'camera' ? 'videoinput' : 'audioinput') && d.deviceId !== '');
    if (list.length === 0) return nothing;
    const label = kind === 'camera' ? s.cameraDevice : s.microphoneDevice;
    return this.#select(kind, label, list, session.currentDevice(kind), (deviceId) => void this.#choose(session, kind, deviceId));
  }

  /** A labelled picker over `list` with `current` selected; `kind` names its part (`camera-select`, ...). */
  #select(kind: DeviceChoice, label: string, list: readonly MediaDeviceInfo[], current: string | null, onChoose: (deviceId: string) => void) {
    return html`<label part="field">
      <span>${label}</span>
      <select part=${`select ${kind}-select`} @change=${(e: Event) => onChoose((e.target as HTMLSelectElement).value)}>
        ${list.map(
          (d, i) => html`<option value=${d.deviceId} ?selected=${d.deviceId === current}>${d.label || `${label} ${String(i + 1)}`}</option>`,
        )}
      </select>
    </label>`;
  }


  protected override render() {
    const session = this.currentSession;
    if (!session) return nothing;
    const s = this.text;
    return html`${this.#picker(session, 'camera')}${this.#picker(session, 'microphone')}
      <meter part="mic-level" min="0" max="1" low="0.25" high="0.9" optimum="0.6" .value=${this.level} aria-label=${s.microphoneLevel}></meter>
      ${this.#speakerPicker(session)}`;
  }
}
