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

