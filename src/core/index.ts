// The public API of the core (`live-session/core`): the controller, its
// options, events and observable state, and the pure helpers a custom UI uses.
// Internals (the units behind the facade) are imported from their modules.
export { LiveSession, DEFAULT_TIMINGS, tabUserId, type LiveSessionOptions } from './live-session.js';
export type { Timings } from './options.js';
export { SessionError } from './events.js';
export { applyAudioOutput, attachStream } from './attach-stream.js';
export { browserSupport, callProblem, type BrowserSupport, type CallProblem } from './support.js';
export { chatSegments, type ChatSegment } from './chat.js';
export { REACTIONS, type AdmissionInfo, type ChatParty, type FloorInfo, type Reaction, type RecordingEntry, type RecordingFile, type RecordingInfo, type ScreenInfo, type WaitingInfo } from '../protocol/index.js';
export type { ScreenShareOptions } from './screen-share.js';
export type { AttendanceFile } from './attendance.js';
export { REACTION_HOLD_MS } from './reactions.js';
export type {
  ChatEntry,
  ConnectionState,
  LeftDetail,
  LiveSessionEventMap,
  LiveSessionEventName,
  Participant,
  SessionErrorCode,
  SessionErrorDetail,
  SessionPhase,
} from './events.js';
export type { MediaFailure, MediaKind, MediaProblem, BrowserFamily } from './media.js';
export { describeMediaFailure, browserFamily } from './media.js';
export { observe, select, type Observable, type ObserveOptions } from './observe.js';
export { chooseGridLayout, pageGrid, type GridLayout, type PagedGrid } from './grid-layout.js';
export { featuredParticipant, nextActiveSpeaker, ACTIVE_SPEAKER_HOLD_MS, type ActiveSpeaker, type GridLayoutMode } from './stage.js';
export { isTopology, type Topology } from './topology.js';
export { QUALITY_LIMITS, type ConnectionQuality, type LinkFigures } from './link-quality.js';
export type { Logger } from './logger.js';
export { EXPIRED_LINK_MESSAGE } from './token-refresh.js';
export { diagnose, peerConnectionsOf, type SessionDiagnostics } from './diagnostics.js';
