import { after } from 'node:test';
import { startRedis } from '../../test/redis.js';
const redis = await startRedis();
process.env['LIVE_SESSION_TEST_REDIS'] = redis.url;
after(async () => { await redis.stop(); });
await import('./rooms.node.test.js');
