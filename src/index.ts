/**
 * live-session: Web Components for live tutoring over peer-to-peer WebRTC.
 * Importing this module registers `<live-session>`, `<video-grid>` and
 * `<self-preview>` (tags already defined are left alone) and exports the
 * element classes and the framework-agnostic controller. To import the classes
 * without registering, use `live-session/elements`.
 */
import './define.js';

export * from './core/index.js';
export * from './protocol/index.js';
export * from './elements.js';
