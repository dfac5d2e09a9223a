/**
 * `npm run demo:lti`: the room server with its LTI 1.3 tool, and a small test
 * LMS to launch it from. Open the LMS's course page, launch as an instructor in
 * one window and as a learner in another.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRoomServer } from '../src/server/index.js';
import { freePort } from '../test/free-port.js';
import { startTestPlatform } from '../test/lti-platform.js';

const platform = await startTestPlatform();
const port = await freePort(Number(process.env['PORT'] ?? 8090));
const publicUrl = `http://127.0.0.1:${String(port)}/`;
const keyDir = mkdtempSync(join(tmpdir(), 'live-session-lti-demo-'));
writeFileSync(join(keyDir, 'lti.json'), JSON.stringify({ publicUrl, platforms: [platform.registration] }, null, 2));
const server = await startRoomServer({
  port,
  host: '127.0.0.1',
  secret: randomBytes(32).toString('base64url'),
  lti: { publicUrl, keyFile: join(keyDir, 'tool-key.json'), platforms: [platform.registration] },
});
platform.useTool(publicUrl);

process.stdout.write(`live-session LTI demo
  test LMS (open this): ${platform.issuer}/
  tool:                 ${server.url}  (login ${server.url}lti/login, launch ${server.url}lti/launch, keys ${server.url}lti/jwks)
Ctrl-C stops both.
`);

const stop = (): void => {
  void Promise.all([server.close(), platform.close()]).finally(() => {
    rmSync(keyDir, { recursive: true, force: true });
    process.exit(0);
  });
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
