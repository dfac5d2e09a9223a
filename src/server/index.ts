/**
 * `live-session/server`: the room server (a PeerJS server with room
 * membership), its standalone runner and the join-token helpers. Node only.
 */
export { createRoomServer } from './room-server.js';
export type { RoomServer, RoomServerEvents, RoomsView } from './room-server.js';
export { startRoomServer } from './standalone.js';
export type { RunningRoomServer, StartRoomServerOptions, StaticMount } from './standalone.js';
export { HTTP_LIMIT_DEFAULTS, applyHttpLimits, httpServerOptions, requestBodyLimit } from './http-limits.js';
export type { HttpLimits, ResolvedHttpLimits } from './http-limits.js';
export { signJoinToken, verifyJoinToken } from './join-token.js';
export { peerIdTag } from './join-identity.js';
export type { JoinTokenClaims, JoinTokenVerdict, SignJoinTokenOptions } from './join-token.js';
export { ROOM_SERVER_DEFAULTS } from './options.js';
export type { IceServerConfig, RateLimitOptions, RoomServerOptions } from './options.js';
export type { TurnOptions } from './relay-credentials.js';
export type { LogEntry, LogLevel, RoomServerLogger } from './logger.js';
export type { RoomSnapshot } from './room-registry.js';
export type { MemberJoinEvent, MemberLeaveEvent, RoomEndEvent } from './room-actions.js';
export { verifyWebhookSignature } from './attendance/webhook.js';
export type { SignedWebhook } from './attendance/webhook.js';
export type { AttendanceOptions } from './attendance/attendance-options.js';
export type { AttendanceRecords, AttendanceWebhookPayload } from './attendance/attendance-recorder.js';
export type { AttendanceSession } from './attendance/attendance-store.js';
export type { AttendanceRecord } from './attendance/attendance-rules.js';
