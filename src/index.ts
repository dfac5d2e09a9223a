/**
 * live-session: Web Components for live tutoring over peer-to-peer WebRTC.
 * Importing this module registers `<live-session>`, `<video-grid>` and
 * `<self-preview>` (tags already defined are left alone) and exports the
 * element classes and the framework-agnostic controller. To import the classes
 * without registering, use `live-session/elements`; for diagnostics, use
 * `live-session/core`. This entry exports the public API only.
 */
import './define.js';

export {
  LiveSession,
  DEFAULT_TIMINGS,
  tabUserId,
  observe,
  select,
  chooseGridLayout,
  pageGrid,
  featuredParticipant,
  nextActiveSpeaker,
  ACTIVE_SPEAKER_HOLD_MS,
  type ActiveSpeaker,
  type GridLayoutMode,
  type PagedGrid,
  isTopology,
  EXPIRED_LINK_MESSAGE,
  chatSegments,
  REACTIONS,
  REACTION_HOLD_MS,
  type ChatEntry,
  type ChatParty,
  type ChatSegment,
  type Reaction,
  type FloorInfo,
  type AdmissionInfo,
  type RecordingEntry,
  type RecordingFile,
  type RecordingInfo,
  type ScreenInfo,
  type WaitingInfo,
  type LiveSessionOptions,
  type Timings,
  type ConnectionState,
  type LeftDetail,
  type LiveSessionEventMap,
  type LiveSessionEventName,
  type Participant,
  type SessionErrorCode,
  type SessionErrorDetail,
  type SessionPhase,
  type MediaFailure,
  type MediaKind,
  type MediaProblem,
  type Observable,
  type ObserveOptions,
  type GridLayout,
  type Topology,
  type Logger,
} from './core/index.js';
export type { ErrorCode, LeaveReason, ParticipantInfo, Role } from './protocol/index.js';
export * from './elements.js';
