// npm test: the whole suite, in order — lint, type check, build, Node tests,
// browser tests (Chromium and Firefox ESR), end-to-end scenarios — then one
// closing line "N passed, N failed" over all of them. Run some steps only with
// `node scripts/test.mjs node browser` (names: lint, types, build, node, browser, e2e).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const ALL = ['lint', 'types', 'build', 'node', 'browser', 'e2e'];
const wanted = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ALL;
const results = [];

function run(command, args, env = {}) {
  const started = Date.now();
  const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  return { ok: result.status === 0, seconds: (Date.now() - started) / 1000 };
}

function findFiles(dir, suffix) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith(suffix))
    .map((f) => join(dir, f))
    .sort();
}

function tapCounts(file) {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const count = (name) => Number(text.match(new RegExp(`^# ${name} (\\d+)$`, 'm'))?.[1] ?? 0);
  return { passed: count('pass'), failed: count('fail'), skipped: count('skipped') };
}

function nodeTests(label, files, tapFile) {
  if (files.length === 0) return { label, passed: 0, failed: 0, note: 'no files' };
  rmSync(tapFile, { force: true });
  const { ok, seconds } = run(process.execPath, [
    '--import', 'tsx',
    '--test',
    '--test-concurrency=1',
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=tap', `--test-reporter-destination=${tapFile}`,
    ...files,
  ]);
  const counts = tapCounts(tapFile);
  // A crash that reported no failing test still fails the step.
  if (!ok && counts.failed === 0) counts.failed = 1;
  return { label, ...counts, seconds };
}

mkdirSync('.tmp', { recursive: true });

for (const step of ALL.filter((s) => wanted.includes(s))) {
  console.log(`\n=== ${step} ===`);
  if (step === 'lint' || step === 'types' || step === 'build') {
    const command = {
      lint: ['npx', ['eslint', '--max-warnings', '0', '.']],
      types: ['npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']],
      build: [process.execPath, ['scripts/build.mjs']],
    }[step];
    const { ok, seconds } = run(command[0], command[1]);
    results.push({ label: step, passed: ok ? 1 : 0, failed: ok ? 0 : 1, seconds });
    if (step === 'build' && !ok) break; // Everything after needs the build.
  } else if (step === 'node') {
    results.push(nodeTests('node tests', findFiles('src', '.node.test.ts'), '.tmp/node.tap'));
  } else if (step === 'e2e') {
    results.push(nodeTests('end-to-end', findFiles('e2e', '.e2e.ts'), '.tmp/e2e.tap'));
  } else if (step === 'browser') {
    rmSync('.tmp/browser-results.json', { force: true });
    const { ok, seconds } = run('npx', ['web-test-runner']);
    let counts = {};
    try {
      counts = JSON.parse(readFileSync('.tmp/browser-results.json', 'utf8'));
    } catch {
      counts = {};
    }
    let any = false;
    for (const [browser, c] of Object.entries(counts)) {
      any = true;
      results.push({ label: `browser tests (${browser})`, passed: c.passed, failed: c.failed + c.errors, skipped: c.skipped, seconds });
    }
    if (!any || (!ok && Object.values(counts).every((c) => c.failed + c.errors === 0))) {
      results.push({ label: 'browser tests (runner)', passed: 0, failed: 1, seconds });
    }
  }
}

console.log('\n=== summary ===');
let passed = 0;
let failed = 0;
for (const r of results) {
  passed += r.passed;
  failed += r.failed;
  const time = r.seconds === undefined ? '' : ` (${r.seconds.toFixed(0)} s)`;
  console.log(`  ${r.label.padEnd(30)} ${String(r.passed).padStart(4)} passed ${String(r.failed).padStart(3)} failed${r.skipped ? `, ${r.skipped} skipped` : ''}${time}${r.note ? ` — ${r.note}` : ''}`);
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && results.length > 0 ? 0 : 1);
