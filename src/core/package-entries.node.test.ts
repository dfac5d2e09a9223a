/**
 * The built package as an app loads it outside a browser: the core in Node
 * (server-side rendering, unit tests under jsdom) and the server through
 * `require` as well as `import`. Runs on `dist/`, so after the build.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, test } from 'node:test';

const built = existsSync(new URL('../../dist/core/index.js', import.meta.url));

void describe('package entry points outside the browser', () => {
  void test('the build is there (run the build step first)', () => {
    assert.ok(built, 'dist/core/index.js is missing: run `node scripts/build.mjs` before the Node tests');
  });

  void test('live-session/core imports in Node, PeerJS included', async () => {
    const core = (await import('live-session/core')) as Record<string, unknown>;
    assert.equal(typeof core['LiveSession'], 'function');
    assert.equal(typeof core['observe'], 'function');
  });

  void test('live-session/server can be required as well as imported', async () => {
    const require = createRequire(import.meta.url);
    const required = require('live-session/server') as Record<string, unknown>;
    const imported = (await import('live-session/server')) as Record<string, unknown>;
    assert.equal(typeof required['startRoomServer'], 'function');
    assert.equal(typeof imported['startRoomServer'], 'function');
  });
});
