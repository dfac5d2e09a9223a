/**
 * The SFU media path, loaded only when a room's topology is `sfu` (a dynamic
 * import: its own chunk, which peer-to-peer rooms never download).
 */
export { SfuMedia, DEFAULT_MAX_CLASSMATES, type SfuMediaHost, type SfuMediaOptions, type SfuView } from './sfu-media.js';
export { JanusSession, JanusHandle, JanusError, type JanusClientOptions } from './janus-client.js';
export { pickSubstream, SIMULCAST_ENCODINGS, type Substream } from './simulcast.js';
export type { RoomAccess } from './requests.js';
