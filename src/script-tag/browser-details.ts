/**
 * Stands in for `webrtc-adapter` in the script-tag bundle, and in an app's
 * own bundle through an alias (`live-session/webrtc-adapter-lite`, see
 * docs/frameworks.md). PeerJS reads
 * nothing of it but `browserDetails` (name and version, for its support
 * report); the shims it also installs are for browsers older than any this
 * SDK supports (it needs Lit's baseline: evergreen Chromium, Firefox, Safari).
 * Leaving them out saves about a quarter of the bundle.
 */
export interface BrowserDetails {
  browser: string;
  version: number | null;
}

export function detectBrowser(userAgent: string): BrowserDetails {
  const firefox = /Firefox\/(\d+)/.exec(userAgent);
  if (firefox?.[1]) return { browser: 'firefox', version: Number(firefox[1]) };
  const chrome = /Chrom(?:e|ium)\/(\d+)/.exec(userAgent);
  if (chrome?.[1]) return { browser: 'chrome', version: Number(chrome[1]) };
  // Like webrtc-adapter, Safari's version is its AppleWebKit build (605 and up).
  const safari = /AppleWebKit\/(\d+)/.exec(userAgent);
  if (safari?.[1] && /Safari\//.test(userAgent)) return { browser: 'safari', version: Number(safari[1]) };
  return { browser: 'Not a supported browser.', version: null };
}

const browserDetails = detectBrowser(typeof navigator === 'undefined' ? '' : navigator.userAgent);

export default { browserDetails };
