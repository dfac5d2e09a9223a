export * from './live-session.js';
export * from './server-url.js';
export * from './events.js';
export * from './media.js';
export * from './grid-layout.js';
export * from './send-limits.js';
export * from './topology.js';
export { createLogger, type Logger } from './logger.js';
