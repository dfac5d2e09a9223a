// Entry of the self-contained script-tag bundle (dist/live-session.bundle.js).
export * from './index.js';
