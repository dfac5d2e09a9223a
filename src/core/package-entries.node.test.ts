/**
 * The built package as an app loads it outside a browser: the core in Node
 * (server-side rendering, unit tests under jsdom) and the server through
 * `require` as well as `import`. Runs on `dist/`, so after the build.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SERVER_PACKAGES = ['express', 'peer', 'ws', 'jose'];

/** Every bare module a built file loads, following relative imports through dist/. */
function bareImportsOf(entry: string): Set<string> {
  const bare = new Set<string>();
  const seen = new Set<string>();
  const pending = [resolve(ROOT, entry)];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)['"]([^'"]+)['"]/g)) {
      const specifier = match[1] ?? '';
      if (specifier.startsWith('.')) pending.push(resolve(dirname(file), specifier));
      else bare.add(specifier);
    }
  }
  return bare;
}

/** The package's own package.json, the fields these tests read. */
const PACKAGE = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  peerDependenciesMeta: Record<string, { optional?: boolean }>;
  exports: Record<string, Record<string, string> | string>;
  typesVersions: Record<string, Record<string, string[]>>;
};

const built = existsSync(new URL('../../dist/core/index.js', import.meta.url));
// The package's own entry points resolve to dist/, which exists only after the build step; the
// type check runs before it, so the specifiers are held in variables it does not resolve.
const CORE_ENTRY: string = 'live-session/core';
const SERVER_ENTRY: string = 'live-session/server';
const REACT_ENTRY: string = 'live-session/react';

void describe('package entry points outside the browser', () => {
  void test('the build is there (run the build step first)', () => {
    assert.ok(built, 'dist/core/index.js is missing: run `node scripts/build.mjs` before the Node tests');
  });

  void test('live-session/core imports in Node, PeerJS included', async () => {
    const core = (await import(CORE_ENTRY)) as Record<string, unknown>;
    assert.equal(typeof core['LiveSession'], 'function');
    assert.equal(typeof core['observe'], 'function');
  });

  void test('live-session/server can be required as well as imported', async () => {
    const require = createRequire(import.meta.url);
    const required = require(SERVER_ENTRY) as Record<string, unknown>;
    const imported = (await import(SERVER_ENTRY)) as Record<string, unknown>;
    assert.equal(typeof required['startRoomServer'], 'function');
    assert.equal(typeof imported['startRoomServer'], 'function');
  });

  void test('the browser entry points load no server package (they are optional peer dependencies)', () => {
    for (const name of SERVER_PACKAGES) {
      assert.equal(PACKAGE.dependencies[name], undefined, `${name} is a dependency`);
      assert.ok(PACKAGE.peerDependencies[name], `${name} is not a peer dependency`);
      assert.equal(PACKAGE.peerDependenciesMeta[name]?.optional, true, `${name} is not optional`);
    }
    for (const entry of ['dist/index.js', 'dist/elements.js', 'dist/core/index.js']) {
      const loaded = [...bareImportsOf(entry)];
      const server = loaded.filter((name) => SERVER_PACKAGES.some((p) => name === p || name.startsWith(`${p}/`)));
      assert.deepEqual(server, [], `${entry} loads ${server.join(', ')}`);
      assert.ok(loaded.includes('peerjs'), `${entry}: the walk found its imports`);
      assert.equal(loaded.some((name) => name.startsWith('lit')), entry !== 'dist/core/index.js', `${entry}: Lit only with the elements`);
    }
  });

  void test('live-session/react loads React and @lit/react (optional peers) beside the elements, and no server package', () => {
    const loaded = [...bareImportsOf('dist/react.js')];
    assert.ok(loaded.includes('react') && loaded.includes('@lit/react'), loaded.join(', '));
    assert.deepEqual(loaded.filter((name) => SERVER_PACKAGES.includes(name)), []);
    for (const name of ['react', '@lit/react']) {
      assert.equal(PACKAGE.dependencies[name], undefined, `${name} is a dependency`);
      assert.equal(PACKAGE.peerDependenciesMeta[name]?.optional, true, `${name} is not an optional peer`);
    }
  });

  void test('live-session/react renders on a server (SSR) as the bare tag, for the browser to upgrade', async () => {
    const wrappers = (await import(REACT_ENTRY)) as Record<string, unknown>;
    const React = await import('react');
    const { renderToString } = await import('react-dom/server');
    const component = wrappers['LiveSession'] as React.FunctionComponent<{ room: string; autojoin: boolean }>;
    const html = renderToString(React.createElement(component, { room: 'r1', autojoin: true }));
    // The properties are set in the browser, after hydration: the server writes the bare tag.
    assert.equal(html, '<live-session></live-session>');
  });

  void test('typesVersions gives every typed subpath the same declarations, for TypeScript\'s older "node" resolution', () => {
    const map = PACKAGE.typesVersions['*'] ?? {};
    for (const [subpath, target] of Object.entries(PACKAGE.exports)) {
      if (subpath === '.' || typeof target === 'string' || target['types'] === undefined) continue;
      const key = subpath.slice(2);
      const wildcard = Object.keys(map).find((pattern) => pattern.endsWith('/*') && key.startsWith(pattern.slice(0, -1)));
      const mapped = map[key]?.[0] ?? (wildcard ? map[wildcard]?.[0]?.replace('*', key.slice(wildcard.length - 1)) : undefined);
      assert.equal(mapped && `./${mapped}`, target['types'], `${subpath}: typesVersions and exports disagree`);
    }
  });

  void test('every types-only entry (live-session/types/*) and the adapter stand-in exist in the build', () => {
    const entries = Object.entries(PACKAGE.exports).filter(([name]) => name.startsWith('./types/') || name === './webrtc-adapter-lite');
    assert.equal(entries.length, 5);
    for (const [name, target] of entries) {
      for (const file of Object.values(typeof target === 'string' ? { default: target } : target)) {
        assert.ok(existsSync(join(ROOT, file)), `${name}: ${file} is missing`);
      }
    }
  });

  void test('live-session-server without the server packages says what to install', () => {
    const app = mkdtempSync(join(tmpdir(), 'live-session-no-server-deps-'));
    try {
      cpSync(join(ROOT, 'dist/server'), join(app, 'dist/server'), { recursive: true });
      cpSync(join(ROOT, 'dist/protocol'), join(app, 'dist/protocol'), { recursive: true });
      writeFileSync(join(app, 'package.json'), JSON.stringify({ type: 'module' }));
      const run = spawnSync(process.execPath, [join(app, 'dist/server/bin.js'), '--help'], { encoding: 'utf8', cwd: app });
      assert.equal(run.status, 1);
      assert.match(run.stderr, /needs packages that are not installed/);
      assert.match(run.stderr, /npm install express peer ws jose/);
    } finally {
      rmSync(app, { recursive: true, force: true });
    }
    // With them installed, the command itself runs.
    const help = spawnSync(process.execPath, [join(ROOT, 'dist/server/bin.js'), '--help'], { encoding: 'utf8' });
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /live-session-server/);
  });
});
