/**
 * Who this tab is: a random id generator and the stable user id kept for the
 * tab, so a refresh is the same person.
 */
export const USER_ID_KEY = 'live-session.user-id';

export function randomId(prefix: string): string {
  const cryptoObject = globalThis.crypto as Crypto | undefined;
  const random =
    typeof cryptoObject?.randomUUID === 'function'
      ? cryptoObject.randomUUID().replace(/-/g, '')
      : `${Date.now().toString(36)}${Math.random().toString(36).slice(2)}`;
  return `${prefix}${random}`;
}

/** sessionStorage where it exists and may be read; null otherwise. */
export function defaultStorage(): Storage | null {
  try {
    return typeof sessionStorage === 'undefined' ? null : sessionStorage;
  } catch {
    return null;
  }
}

/** Reads the stable user id for this tab, generating and keeping one when absent. */
export function tabUserId(storage: Storage | null = defaultStorage()): string {
  try {
    const existing = storage?.getItem(USER_ID_KEY);
    if (existing) return existing;
  } catch {
    // Storage can throw (privacy modes); fall through to a fresh id.
  }
  const id = randomId('u-');
  try {
    storage?.setItem(USER_ID_KEY, id);
  } catch {
    // Not kept: a refresh will be a new person, which is the best we can do.
  }
  return id;
}
