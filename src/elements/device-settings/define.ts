import { DeviceSettings } from './device-settings.js';

if (!customElements.get('device-settings')) customElements.define('device-settings', DeviceSettings);

declare global {
  interface HTMLElementTagNameMap {
    'device-settings': DeviceSettings;
  }
}

export { DeviceSettings };
