// The element classes and their helpers, without registering any tag.
export { LiveSessionElement } from './elements/live-session/live-session.js';
export { toParticipantSummary, type ParticipantSummary } from './elements/live-session/participant-summary.js';
export { VideoGrid } from './elements/video-grid/video-grid.js';
export { SelfPreview } from './elements/self-preview/self-preview.js';
export { ParticipantTile } from './elements/participant-tile/participant-tile.js';
export { ParticipantList } from './elements/participant-list/participant-list.js';
export { SessionControls } from './elements/session-controls/session-controls.js';
export { SessionChat } from './elements/session-chat/session-chat.js';
export { DeviceSettings, rememberedDevices, type RememberedDevices } from './elements/device-settings/device-settings.js';
export { SessionSubscriber, type SpeakingChange } from './controllers/session-subscriber.js';
export { SessionListeners, type SessionListenerMap } from './controllers/session-listeners.js';
export { sessionContext } from './controllers/session-context.js';
export { defaultStrings, mergeStrings, type LiveSessionStrings } from './elements/shared/strings.js';
export {
  FORWARDED_EVENTS,
  type ElementErrorCode,
  type ElementErrorDetail,
  type ElementEventDetail,
  type LiveSessionElementEventMap,
  type ParticipantTileEventMap,
  type SessionEventDetail,
  type TokenExpiringDetail,
  type TokenProvider,
} from './elements/shared/events.js';
export type { SessionElement } from './elements/shared/session-element.js';
