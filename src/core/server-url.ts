/** Where the PeerJS client connects, from the `server` base URL. Pure. */
export interface ParsedServer {
  host: string;
  port: number;
  path: string;
  secure: boolean;
  base: string;
}

export function parseServerUrl(server: string, base?: string): ParsedServer {
  const url = new URL(server, base ?? (typeof location === 'undefined' ? undefined : location.href));
  const secure = url.protocol === 'https:' || url.protocol === 'wss:';
  const port = url.port ? Number(url.port) : secure ? 443 : 80;
  const path = url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`;
  const origin = `${secure ? 'https' : 'http'}://${url.host}`;
  return { host: url.hostname, port, path, secure, base: `${origin}${path}` };
}

/**
 * The absolute URL of a recording file's `path` (as the server lists it,
 * relative to its `base`), or null unless it names a file under the server's
 * own `recordings/`: another origin, `javascript:`, `data:`, a query or a
 * fragment get no link.
 */
export function recordingFileUrl(path: string, base: string): string | null {
  let url: URL;
  let root: URL;
  try {
    url = new URL(path, base);
    root = new URL('recordings/', base);
  } catch {
    return null;
  }
  const ok = url.origin === root.origin && url.pathname.startsWith(root.pathname) && url.pathname.length > root.pathname.length && url.search === '' && url.hash === '';
  return ok ? url.toString() : null;
}
