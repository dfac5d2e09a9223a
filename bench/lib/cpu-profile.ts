/**
 * A V8 CPU profile of one page, for the benchmarks' profiling switches: started
 * when `file` is given (nothing otherwise), written there as a `.cpuprofile`
 * (DevTools' Performance panel reads it) when stopped.
 */
import { writeFileSync } from 'node:fs';
import type { Page } from 'playwright-core';

export interface CpuProfile {
  /** Stops the profile and writes it; `file` may be decided only now (a name with a time in it). */
  stop(file?: string): Promise<void>;
}

/** Samples `page` every 200 µs until `stop()`; a no-op when `file` is undefined. */
export async function startCpuProfile(page: Page, file: string | undefined): Promise<CpuProfile> {
  if (file === undefined) return { stop: () => Promise.resolve() };
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
  return {
    stop: async (at = file) => {
      const { profile } = await cdp.send('Profiler.stop');
      writeFileSync(at, JSON.stringify(profile));
      await cdp.detach().catch(() => undefined);
    },
  };
}
