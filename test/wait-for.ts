/**
 * Polling for a condition, shared by the browser tests and the end-to-end
 * scenarios. The timeout only stops a broken test from hanging: it is a guard,
 * never a performance limit.
 */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves with the first truthy value of `condition`; rejects with `message` after `timeoutMs`. */
export async function waitFor<T>(
  condition: () => T | Promise<T>,
  message: string,
  timeoutMs = 20_000,
  intervalMs = 50,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const detail = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`Timed out waiting for: ${message}${detail}`);
    }
    await delay(intervalMs);
  }
}
