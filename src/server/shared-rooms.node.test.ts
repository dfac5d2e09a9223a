/**
 * The room suites again, against the Redis backend: every test server is two
 * servers sharing rooms through a real Redis, and clients reach them in turn
 * (see `startTestServer`), so members of one room sit on different processes.
 */
import { after } from 'node:test';
import { startRedis } from '../../test/redis.js';

const redis = await startRedis();
process.env['LIVE_SESSION_TEST_REDIS'] = redis.url;
after(async () => {
  await redis.stop();
});

await import('./rooms.node.test.js');
await import('./chat.node.test.js');
await import('./floor.node.test.js');
await import('./waiting-room.node.test.js');
await import('./tutor-actions.node.test.js');
await import('./names.node.test.js');
await import('./tokens.node.test.js');
await import('./membership-events.node.test.js');
