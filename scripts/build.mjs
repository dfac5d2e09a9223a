// npm run build: ESM per module with types (tsc), the script-tag bundle and its
// lazily loaded SFU chunk (rollup),
// custom-elements.json (analyzer), the generated API reference, and a size report.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';

const require = createRequire(import.meta.url);
const bin = (pkg, file) => require.resolve(`${pkg}/${file}`);

function run(label, script, args) {
  const started = Date.now();
  execFileSync(process.execPath, [script, ...args], { stdio: 'inherit' });
  console.log(`build: ${label} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

rmSync('dist', { recursive: true, force: true });
run('tsc → dist/', bin('typescript', 'bin/tsc'), ['-p', 'tsconfig.build.json']);
for (const bin of ['dist/server/bin.js', 'dist/server/cli.js']) if (existsSync(bin)) chmodSync(bin, 0o755);
run('rollup → dist/live-session.bundle.js', bin('rollup', 'dist/bin/rollup'), ['-c', '--silent']);
run('custom-elements.json', bin('@custom-elements-manifest/analyzer', 'cem.js'), ['analyze', '--quiet']);
run('dist/types (JSX, React, Vue, Svelte)', 'scripts/framework-types.mjs', []);
run('docs/strings.md', 'scripts/strings-docs.mjs', []);
if (existsSync('scripts/api-docs.mjs')) run('docs/api.md', 'scripts/api-docs.mjs', []);

function sizeLine(label, file) {
  const raw = statSync(file).size;
  const gzipped = gzipSync(readFileSync(file), { level: 9 }).length;
  return `  ${label.padEnd(34)} ${(raw / 1024).toFixed(1).padStart(7)} KB raw ${(gzipped / 1024).toFixed(1).padStart(6)} KB gzipped`;
}
console.log('build: bundle size');
console.log(sizeLine('dist/live-session.bundle.js', 'dist/live-session.bundle.js'));
// The SFU path's chunk, loaded by the bundle only in SFU rooms. It must stand alone: an import of the
// bundle from it would load the bundle a second time wherever the bundle is served under another name.
if (existsSync('dist/live-session.sfu.js')) {
  console.log(sizeLine('dist/live-session.sfu.js (SFU rooms only)', 'dist/live-session.sfu.js'));
  const chunk = readFileSync('dist/live-session.sfu.js', 'utf8');
  if (/(^|[;}\s])import\s*["'{*]/m.test(chunk) || /\bfrom\s*["']\.\.?\//.test(chunk)) {
    console.error('build: dist/live-session.sfu.js imports another file; the SFU chunk must be self-contained');
    process.exit(1);
  }
}
console.log(sizeLine('baseline: peerjs.min.js (PeerJS only)', require.resolve('peerjs/dist/peerjs.min.js')));
