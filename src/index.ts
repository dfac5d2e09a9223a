/**
 * live-session: Web Components for live tutoring over peer-to-peer WebRTC.
 * Importing this module registers `<live-session>`, `<video-grid>` and
 * `<self-preview>` (tags already defined are left alone) and exports the
 * classes and the framework-agnostic controller.
 */
export * from './core/index.js';
export * from './protocol/index.js';
