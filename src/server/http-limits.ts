/**
 * Limits for the HTTP side of a room server: how long a client may take to
 * send a request, how large its headers and body may be. Without them a
 * client that sends a huge `Content-Length` and then one byte every few
 * seconds holds a connection (and a file descriptor) for minutes.
 *
 * The standalone server and the demo apply these themselves; an operator who
 * mounts the room server in their own HTTP server calls {@link applyHttpLimits}
 * on it before `listen()`, and puts {@link requestBodyLimit} in front of the
 * routes that take no body.
 */
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { Server as HttpsServer } from 'node:https';

/** HTTP limits; every field optional, see {@link HTTP_LIMIT_DEFAULTS}. */
export interface HttpLimits {
  /**
   * Milliseconds a client has to send a whole request, headers and body; then
   * the connection is closed (408 when nothing was answered yet). Default 20 000.
   */
  requestTimeout?: number;
  /** Milliseconds a client has to send the request headers (at most `requestTimeout`). Default 10 000. */
  headersTimeout?: number;
  /** Milliseconds an idle keep-alive connection stays open between requests. Default 5 000. */
  keepAliveTimeout?: number;
  /**
   * Largest request body, in bytes, on the routes that use {@link requestBodyLimit}
   * (every route of the standalone server: none of them takes a body). Default 16 384.
   */
  maxBodyBytes?: number;
  /**
   * Largest request header block, in bytes (Node's `maxHeaderSize`); only
   * applies to servers created with it (see {@link httpServerOptions}). Default 16 384.
   */
  maxHeaderBytes?: number;
}

export type ResolvedHttpLimits = Required<HttpLimits>;

export const HTTP_LIMIT_DEFAULTS: Readonly<ResolvedHttpLimits> = Object.freeze({
  requestTimeout: 20_000,
  headersTimeout: 10_000,
  keepAliveTimeout: 5_000,
  maxBodyBytes: 16 * 1024,
  maxHeaderBytes: 16 * 1024,
});

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a whole number greater than 0, got ${String(value)}`);
  }
  return value;
}

/** Fills in defaults and checks the values; throws a `RangeError` naming the bad one. */
export function resolveHttpLimits(limits: HttpLimits = {}): ResolvedHttpLimits {
  const resolved: ResolvedHttpLimits = {
    requestTimeout: positiveInteger('requestTimeout', limits.requestTimeout ?? HTTP_LIMIT_DEFAULTS.requestTimeout),
    headersTimeout: positiveInteger('headersTimeout', limits.headersTimeout ?? HTTP_LIMIT_DEFAULTS.headersTimeout),
    keepAliveTimeout: positiveInteger('keepAliveTimeout', limits.keepAliveTimeout ?? HTTP_LIMIT_DEFAULTS.keepAliveTimeout),
    maxBodyBytes: limits.maxBodyBytes ?? HTTP_LIMIT_DEFAULTS.maxBodyBytes,
    maxHeaderBytes: positiveInteger('maxHeaderBytes', limits.maxHeaderBytes ?? HTTP_LIMIT_DEFAULTS.maxHeaderBytes),
  };
  if (!Number.isInteger(resolved.maxBodyBytes) || resolved.maxBodyBytes < 0) {
    throw new RangeError(`maxBodyBytes must be a whole number, got ${String(resolved.maxBodyBytes)}`);
  }
  // Only the headers timeout defaults lower than a short request timeout; an explicit one must fit.
  if (resolved.headersTimeout > resolved.requestTimeout) {
    if (limits.headersTimeout !== undefined) {
      throw new RangeError(
        `headersTimeout (${String(resolved.headersTimeout)}) must not exceed requestTimeout (${String(resolved.requestTimeout)})`,
      );
    }
    resolved.headersTimeout = resolved.requestTimeout;
  }
  return resolved;
}

/**
 * How often Node looks for connections past their headers or request timeout.
 * Node's default (30 s) would let a connection outlive a 20 s timeout by up to
 * 30 s; a fraction of the shortest timeout, at most one second, keeps the cut
 * close to the configured value. The check walks only unfinished HTTP requests
 * (upgraded websockets are not in that list), so it stays cheap.
 */
function checkingInterval(limits: ResolvedHttpLimits): number {
  return Math.max(100, Math.min(1000, Math.floor(Math.min(limits.headersTimeout, limits.requestTimeout) / 4)));
}

/**
 * Options for `http.createServer(options, app)` (or `https.createServer`)
 * carrying the limits that Node reads only at creation (`maxHeaderSize`),
 * plus the timeouts.
 */
export function httpServerOptions(limits: HttpLimits = {}): {
  maxHeaderSize: number;
  requestTimeout: number;
  headersTimeout: number;
  keepAliveTimeout: number;
  connectionsCheckingInterval: number;
} {
  const resolved = resolveHttpLimits(limits);
  return {
    maxHeaderSize: resolved.maxHeaderBytes,
    requestTimeout: resolved.requestTimeout,
    headersTimeout: resolved.headersTimeout,
    keepAliveTimeout: resolved.keepAliveTimeout,
    connectionsCheckingInterval: checkingInterval(resolved),
  };
}

/**
 * Applies the timeouts to an existing HTTP(S) server: `requestTimeout`,
 * `headersTimeout`, `keepAliveTimeout`, and how often Node checks them. Call
 * it before `listen()`: Node starts its timeout checks when the server starts
 * listening (on a server already listening the new timeouts still apply, but
 * are only checked every 30 s until the next `listen()`). The header size
 * limit cannot be changed after creation: create the server with
 * {@link httpServerOptions}, or start Node with `--max-http-header-size`.
 * Websocket connections are not affected once upgraded.
 *
 * @example
 * const httpServer = http.createServer(app);
 * applyHttpLimits(httpServer, { requestTimeout: 20_000 });
 * const roomServer = createRoomServer(httpServer, { secret });
 * httpServer.listen(9000);
 */
export function applyHttpLimits(server: HttpServer | HttpsServer, limits: HttpLimits = {}): ResolvedHttpLimits {
  const resolved = resolveHttpLimits(limits);
  server.requestTimeout = resolved.requestTimeout;
  server.headersTimeout = resolved.headersTimeout;
  server.keepAliveTimeout = resolved.keepAliveTimeout;
  // Read by Node when the server starts listening.
  (server as HttpServer & { connectionsCheckingInterval: number }).connectionsCheckingInterval = checkingInterval(resolved);
  return resolved;
}

type Next = (error?: unknown) => void;

/** Answers with `status` and closes the connection once the answer is written. */
function refuse(response: ServerResponse, status: number, message: string): void {
  const body = JSON.stringify({ error: message });
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'X-Content-Type-Options': 'nosniff',
    // Not keep-alive: Node would otherwise go on reading (and discarding) the
    // rest of the body for as long as the client keeps sending it.
    Connection: 'close',
  });
  response.end(body);
}

/**
 * Express/Connect middleware for routes that take no (or a small) request
 * body: a declared `Content-Length` over `maxBodyBytes` gets 413, a body of
 * unknown length (`Transfer-Encoding: chunked`) gets 411 Length Required; in
 * both cases the connection is closed after the answer, without reading the
 * body. Every route of the room server takes no body.
 */
export function requestBodyLimit(maxBodyBytes: number = HTTP_LIMIT_DEFAULTS.maxBodyBytes) {
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes < 0) {
    throw new RangeError(`maxBodyBytes must be a whole number, got ${String(maxBodyBytes)}`);
  }
  return (request: IncomingMessage, response: ServerResponse, next: Next): void => {
    const declared = request.headers['content-length'];
    if (declared !== undefined) {
      const length = Number(declared);
      if (!Number.isSafeInteger(length) || length > maxBodyBytes) {
        refuse(response, 413, `Request bodies are limited to ${String(maxBodyBytes)} bytes.`);
        return;
      }
    } else if (request.headers['transfer-encoding'] !== undefined) {
      refuse(response, 411, 'A request body needs a Content-Length.');
      return;
    }
    next();
  };
}
