/**
 * The example apps (examples/*) as an app developer installs them: the package
 * is packed (`npm pack`) from the current build, and the apps install that
 * tarball with their framework's own tools, from examples/package-lock.json.
 *
 * The install is kept in examples/node_modules and redone only when the lock
 * file or the packed tarball changes, so a second run costs seconds.
 *
 *   node --import tsx e2e/examples.ts   installs, type-checks and builds them all
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
export const EXAMPLES = join(ROOT, 'examples');
const PACK_DIR = join(ROOT, '.tmp/pack');
const TARBALL = join(PACK_DIR, 'live-session.tgz');
const STAMP = join(EXAMPLES, 'node_modules/.live-session-install');

export const APPS = ['react', 'vue', 'svelte', 'angular', 'plain-html'] as const;
export type App = (typeof APPS)[number];

export interface CommandResult {
  ok: boolean;
  output: string;
}

const NPM_ENV = { ...process.env, npm_config_fund: 'false', npm_config_audit: 'false', npm_config_update_notifier: 'false', NG_CLI_ANALYTICS: 'false' };

function npm(args: string[], cwd: string, timeoutMs = 600_000): CommandResult {
  const result = spawnSync('npm', args, { cwd, encoding: 'utf8', timeout: timeoutMs, env: NPM_ENV });
  const output = `${result.stdout}${result.stderr}${result.error ? String(result.error) : ''}`;
  return { ok: result.status === 0, output };
}

/** `npm` without blocking: several apps' checks can share the machine's cores. */
function npmAsync(args: string[], cwd: string, timeoutMs = 600_000): Promise<CommandResult> {
  return new Promise((done) => {
    const child = spawn('npm', args, { cwd, env: NPM_ENV, stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', (error) => done({ ok: false, output: `${output}${String(error)}` }));
    child.on('close', (code, signal) => done({ ok: code === 0, output: signal ? `${output}\n(stopped by ${signal})` : output }));
  });
}

function fingerprint(): string {
  const hash = createHash('sha256');
  hash.update(readFileSync(join(EXAMPLES, 'package-lock.json')));
  hash.update(readFileSync(TARBALL));
  return hash.digest('hex');
}

/**
 * The tarball's lock entry carries no integrity (it changes with every build),
 * so npm takes the file as it is now instead of a cached older copy.
 */
function forgetTarballIntegrity(): void {
  const lockFile = join(EXAMPLES, 'package-lock.json');
  const lock = JSON.parse(readFileSync(lockFile, 'utf8')) as { packages: Record<string, { integrity?: string }> };
  const entry = lock.packages['node_modules/live-session'];
  if (entry?.integrity === undefined) return;
  delete entry.integrity;
  writeFileSync(lockFile, `${JSON.stringify(lock, null, 2)}\n`);
}

/** Packs dist/ as the registry would ship it (run the build first). */
export function pack(): void {
  if (!existsSync(join(ROOT, 'dist/index.js'))) throw new Error('dist/ is missing: run `npm run build` first');
  rmSync(PACK_DIR, { recursive: true, force: true });
  mkdirSync(PACK_DIR, { recursive: true });
  const result = npm(['pack', '--pack-destination', PACK_DIR, '--silent'], ROOT);
  if (!result.ok) throw new Error(`npm pack failed:\n${result.output}`);
  const packed = readdirSync(PACK_DIR).find((file) => file.endsWith('.tgz'));
  if (!packed) throw new Error(`npm pack wrote no tarball:\n${result.output}`);
  renameSync(join(PACK_DIR, packed), TARBALL);
}

/** Installs the example apps (all frameworks, one workspace) unless the same install is in place. */
export function install(): { installed: boolean; seconds: number } {
  const started = Date.now();
  forgetTarballIntegrity();
  const wanted = fingerprint();
  if (existsSync(STAMP) && readFileSync(STAMP, 'utf8') === wanted) return { installed: false, seconds: 0 };
  // A changed tarball keeps its name: drop the old copy so npm unpacks the new one.
  rmSync(join(EXAMPLES, 'node_modules/live-session'), { recursive: true, force: true });
  const result = existsSync(join(EXAMPLES, 'node_modules'))
    ? npm(['install', '--no-save', '--prefer-offline'], EXAMPLES)
    : npm(['ci', '--prefer-offline'], EXAMPLES);
  if (!result.ok) throw new Error(`installing the examples failed:\n${result.output}`);
  writeFileSync(STAMP, wanted);
  return { installed: true, seconds: (Date.now() - started) / 1000 };
}

/** `npm run <script>` in one app (typecheck or build). */
export function runScript(app: App, script: 'typecheck' | 'build'): CommandResult {
  return npm(['run', '--silent', script], join(EXAMPLES, app));
}

/**
 * Every app's type-check then build, two apps at a time (each app's two steps
 * in order: they share its caches). Resolves each step's result by
 * `<app>:<script>` as it finishes.
 */
export function checkAndBuildAll(lanes = 2): Map<string, Promise<CommandResult>> {
  const results = new Map<string, Promise<CommandResult>>();
  const settle = new Map<string, (result: CommandResult) => void>();
  for (const app of APPS) {
    for (const script of ['typecheck', 'build'] as const) {
      results.set(`${app}:${script}`, new Promise((done) => settle.set(`${app}:${script}`, done)));
    }
  }
  const queue = [...APPS];
  const lane = async (): Promise<void> => {
    for (let app = queue.shift(); app !== undefined; app = queue.shift()) {
      for (const script of ['typecheck', 'build'] as const) {
        settle.get(`${app}:${script}`)?.(await npmAsync(['run', '--silent', script], join(EXAMPLES, app)));
      }
    }
  };
  for (let i = 0; i < lanes; i++) void lane();
  return results;
}

/** svelte-check on the Svelte example's deliberate mistakes: the errors it reports, by line. */
export function svelteMistakes(): { lines: number[]; output: string } {
  const result = spawnSync('npx', ['svelte-check', '--workspace', 'type-checks', '--tsconfig', 'tsconfig.json', '--output', 'machine'], {
    cwd: join(EXAMPLES, 'svelte'),
    encoding: 'utf8',
    timeout: 300_000,
  });
  const output = `${result.stdout}${result.stderr}`;
  const lines = [...output.matchAll(/ERROR "[^"]*TypeChecks\.svelte" (\d+):\d+/g)].map((m) => Number(m[1]));
  return { lines, output };
}

/** Where each app's build lands. */
export function builtDir(app: App): string {
  return join(EXAMPLES, app, 'dist');
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  pack();
  const { installed, seconds } = install();
  console.log(installed ? `examples installed (${seconds.toFixed(0)} s)` : 'examples: install up to date');
  let failed = false;
  for (const app of APPS) {
    for (const script of ['typecheck', 'build'] as const) {
      const result = runScript(app, script);
      console.log(`${app} ${script}: ${result.ok ? 'ok' : 'FAILED'}`);
      if (!result.ok) {
        failed = true;
        console.log(result.output);
      }
    }
  }
  process.exitCode = failed ? 1 : 0;
}
