export * from './messages.js';
export { serverMessageProblem } from './server-checks.js';
