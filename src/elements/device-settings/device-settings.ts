import { html, nothing } from 'lit';
import { state } from 'lit/decorators.js';
import { webStorage } from '../../core/identity.js';
import type { LiveSession } from '../../core/live-session.js';
import type { MediaKind } from '../../core/media.js';
import { themeStyles } from '../shared/base.styles.js';
import { SessionElement } from '../shared/session-element.js';
import { deviceSettingsStyles } from './device-settings.styles.js';

const STORAGE_KEY = 'live-session.devices';

/** The camera and microphone chosen on this origin, as remembered by `<device-settings>`. */
export interface RememberedDevices {
  camera?: string;
  microphone?: string;
}

/** Absent outside secure contexts, though typed as always there. */
function mediaDevices(): MediaDevices | undefined {
  return (navigator as { mediaDevices?: MediaDevices }).mediaDevices;
}

/** The devices chosen last time on this origin (none when storage is unavailable or holds something else). */
export function rememberedDevices(storage: Storage | null = webStorage('localStorage')): RememberedDevices {
  try {
    const value: unknown = JSON.parse(storage?.getItem(STORAGE_KEY) ?? '{}');
    if (typeof value !== 'object' || value === null) return {};
    const { camera, microphone } = value as Record<string, unknown>;
    return {
      ...(typeof camera === 'string' && camera.length <= 256 ? { camera } : {}),
      ...(typeof microphone === 'string' && microphone.length <= 256 ? { microphone } : {}),
    };
  } catch {
    return {};
  }
}

function remember(kind: MediaKind, deviceId: string, storage: Storage | null = webStorage('localStorage')): void {
  try {
    storage?.setItem(STORAGE_KEY, JSON.stringify({ ...rememberedDevices(storage), [kind]: deviceId }));
  } catch {
    // Storage full or blocked: the choice holds for this page only.
  }
}

/** The meter's scale: speech (an RMS of about 0.02–0.3) fills most of it. */
function meterValue(level: number): number {
  return Math.min(1, Math.sqrt(level) * 1.8);
}

/**
 * @customElement device-settings
 * @summary Camera and microphone pickers with a live microphone level meter:
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
 */
export class DeviceSettings extends SessionElement {
  static override styles = [themeStyles, deviceSettingsStyles];

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
    const current = session.currentDevice(kind);
    const label = kind === 'camera' ? s.cameraDevice : s.microphoneDevice;
    return html`<label part="field">
      <span>${label}</span>
      <select
        part=${`select ${kind}-select`}
        @change=${(e: Event) => void this.#choose(session, kind, (e.target as HTMLSelectElement).value)}
      >
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
      <meter part="mic-level" min="0" max="1" low="0.25" high="0.9" optimum="0.6" .value=${this.level} aria-label=${s.microphoneLevel}></meter>`;
  }
}
