// The element classes and their helpers, without registering any tag.
export { LiveSessionElement, type ParticipantSummary } from './elements/live-session/live-session.js';
export { VideoGrid } from './elements/video-grid/video-grid.js';
export { SelfPreview } from './elements/self-preview/self-preview.js';
export { SessionController } from './controllers/session-controller.js';
export { sessionContext } from './controllers/session-context.js';
export { defaultStrings, mergeStrings, type LiveSessionStrings } from './elements/shared/strings.js';
export { FORWARDED_EVENTS, type LiveSessionElementEventMap } from './elements/shared/events.js';
