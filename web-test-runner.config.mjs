// Browser tests: real Chromium and Firefox ESR (system packages), real fake-media
// getUserMedia, real WebRTC over loopback, real PeerServers started on demand by
// the tests through server commands (see test/server-commands.mjs).
import { mkdirSync, writeFileSync } from 'node:fs';
import { defaultReporter, summaryReporter } from '@web/test-runner';
import { chromeLauncher } from '@web/test-runner-chrome';
import { puppeteerLauncher } from '@web/test-runner-puppeteer';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { transform } from 'esbuild';
import { chromiumArgs, chromiumPath, firefoxPath, firefoxPrefs } from './scripts/browsers.mjs';
import { serverCommandsPlugin, stopAllServers } from './test/server-commands.mjs';

const only = process.env.BROWSERS ? process.env.BROWSERS.split(',') : ['chromium', 'firefox'];

const browsers = [];
if (only.includes('chromium')) {
  browsers.push(
    chromeLauncher({
      launchOptions: { executablePath: chromiumPath, headless: true, args: chromiumArgs },
    }),
  );
}
if (only.includes('firefox')) {
  browsers.push(
    puppeteerLauncher({
      launchOptions: {
        browser: 'firefox',
        executablePath: firefoxPath,
        headless: true,
        extraPrefsFirefox: firefoxPrefs,
      },
    }),
  );
}

/** Writes `{ passed, failed, skipped }` per browser to .tmp/ for the test script's total. */
function countingReporter() {
  return {
    stop({ sessions }) {
      const counts = {};
      const walk = (suite, name) => {
        for (const t of suite.tests) {
          const c = (counts[name] ??= { passed: 0, failed: 0, skipped: 0, errors: 0 });
          if (t.skipped) c.skipped++;
          else if (t.passed) c.passed++;
          else c.failed++;
        }
        for (const s of suite.suites) walk(s, name);
      };
      for (const session of sessions) {
        const name = session.browser.name;
        counts[name] ??= { passed: 0, failed: 0, skipped: 0, errors: 0 };
        if (session.testResults) walk(session.testResults, name);
        // A file that failed to load or threw outside a test counts as one failure.
        if (session.errors.length > 0 || (!session.passed && !session.testResults)) counts[name].errors++;
      }
      mkdirSync('.tmp', { recursive: true });
      writeFileSync('.tmp/browser-results.json', JSON.stringify(counts, null, 2));
      stopAllServers();
    },
  };
}

/**
 * peerjs pulls in webrtc-adapter, which imports the CommonJS `sdp` package as a
 * default import. Browsers need ES modules: esbuild wraps it as one.
 */
function commonjsAsEsm(packages) {
  return {
    name: 'commonjs-as-esm',
    async transform(context) {
      if (!packages.some((name) => context.path.includes(`/node_modules/${name}/`))) return undefined;
      const { code } = await transform(String(context.body), { format: 'esm', loader: 'js' });
      return { body: code };
    },
  };
}

export default {
  files: ['src/**/*.test.ts', 'test/browser/**/*.test.ts', '!src/**/*.node.test.ts'],
  nodeResolve: { exportConditions: ['browser', 'production'] },
  rootDir: '.',
  browsers,
  concurrentBrowsers: 1,
  concurrency: 1,
  browserStartTimeout: 60_000,
  testsStartTimeout: 60_000,
  testsFinishTimeout: 300_000,
  testFramework: { config: { timeout: 30_000 } },
  plugins: [
    esbuildPlugin({ ts: true, target: 'es2022', tsconfig: 'tsconfig.json' }),
    commonjsAsEsm(['sdp']),
    serverCommandsPlugin(),
  ],
  reporters: [defaultReporter(), summaryReporter({ flatten: false }), countingReporter()],
};
