/**
 * The setting of the page benchmarks: a room server on loopback serving a
 * throwaway directory of pages beside the built bundle (`/dist`), and one
 * Chromium with fake devices. `close()` ends all three.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { startRoomServer, type RunningRoomServer } from '../../src/server/index.js';
import { chromiumArgs, chromiumPath } from '../../scripts/browsers.mjs';

const ROOT = resolve(import.meta.dirname, '../..');

export interface BenchSite {
  room: RunningRoomServer;
  browser: Browser;
  close: () => Promise<void>;
}

/** Serves `pages` (file name → HTML) at `/` of a fresh room server, and launches Chromium. */
export async function startBenchSite(name: string, pages: Record<string, string>): Promise<BenchSite> {
  const site = mkdtempSync(join(tmpdir(), `live-session-${name}-`));
  for (const [file, html] of Object.entries(pages)) writeFileSync(join(site, file), html);
  const room = await startRoomServer({
    port: 0,
    host: '127.0.0.1',
    quiet: true,
    static: [
      { urlPath: '/', dir: site },
      { urlPath: '/dist', dir: join(ROOT, 'dist') },
    ],
  });
  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
  return {
    room,
    browser,
    close: async () => {
      await browser.close().catch(() => undefined);
      await room.close();
      rmSync(site, { recursive: true, force: true });
    },
  };
}
