export * from './messages.js';
export { serverMessageProblem } from './server-checks.js';
export { CAMERA_DESCRIPTIONS, SCREEN_DESCRIPTIONS, type MidDescription, type StreamDescription } from './sfu-streams.js';
