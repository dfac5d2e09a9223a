import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { httpServerOptions, requestBodyLimit, resolveHttpLimits, type HttpLimits } from './http-limits.js';
import type { RoomServerOptions } from './options.js';
import { createRoomServer, type RoomServer } from './room-server.js';
import { securityHeaders } from './routes.js';
import { createLtiTool, type LtiTool } from './lti/lti-tool.js';
import type { LtiOptions } from './lti/lti-config.js';

/** Largest LTI launch form (the platform's id_token), whatever the general body limit. */
const LTI_LAUNCH_MAX_BODY = 65_536;

/** A directory served as static files at `urlPath` (e.g. a demo page, or the package's `dist/`). */
export interface StaticMount {
  urlPath: string;
  dir: string;
}

/** Options of {@link startRoomServer}: the room server's options plus where to listen. */
export interface StartRoomServerOptions extends RoomServerOptions {
  /** TCP port; 0 picks a free one. Default 9000. */
  port?: number;
  /** Interface to listen on. Default `127.0.0.1` (use `0.0.0.0` to accept other machines). */
  host?: string;
  /** Static directories, served after the room server's own routes. */
  static?: StaticMount[];
  /**
   * Request timeouts and size limits of the HTTP server (see `HTTP_LIMIT_DEFAULTS`):
   * a request must arrive whole within `requestTimeout`, no route accepts a body
   * over `maxBodyBytes`.
   */
  http?: HttpLimits;
  /**
   * An LTI 1.3 tool on this server (needs `secret`): LMS launches open rooms
   * with the launching user's role. See docs/lti.md.
   */
  lti?: LtiOptions;
}

/** A listening standalone room server. */
export interface RunningRoomServer {
  /** Base URL of the server, e.g. `http://127.0.0.1:9000/` (includes `path`). */
  url: string;
  port: number;
  host: string;
  httpServer: HttpServer;
  roomServer: RoomServer;
  /** Graceful stop: clients get LS-SHUTDOWN, sockets close, the HTTP server stops. */
  close(): Promise<void>;
}

function urlHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/**
 * Starts a standalone room server (its own HTTP server, optional static
 * files). Resolves once it is listening and `GET <path>health` answers 200.
 *
 * @example
 * const server = await startRoomServer({ port: 0, secret: 'long random secret' });
 * console.log(server.url);
 * await server.close();
 */
export async function startRoomServer(options: StartRoomServerOptions = {}): Promise<RunningRoomServer> {
  const { port = 9000, host = '127.0.0.1', static: staticMounts = [], http: httpLimits, lti, ...roomOptions } = options;
  if (lti && (roomOptions.secret === undefined || roomOptions.secret === '')) {
    throw new TypeError('lti needs a secret: launches mint join tokens');
  }
  const ltiTokenLifetime = lti?.joinTokenLifetime ?? 14_400;
  if (lti && ltiTokenLifetime > (roomOptions.maxTokenLifetime ?? 86_400)) {
    throw new RangeError(
      `lti.joinTokenLifetime (${String(ltiTokenLifetime)} s) is longer than maxTokenLifetime (${String(roomOptions.maxTokenLifetime)} s): every launch's token would be refused`,
    );
  }
  // The tool's own pages open the websocket from its public origin.
  if (lti && roomOptions.allowedOrigins) {
    const origin = new URL(lti.publicUrl).origin;
    if (!roomOptions.allowedOrigins.includes(origin)) roomOptions.allowedOrigins = [...roomOptions.allowedOrigins, origin];
  }
  // Checked before anything is created, so a bad limit throws without side effects.
  const limits = resolveHttpLimits(httpLimits);
  const app = express();
  app.disable('x-powered-by');
  // First: no route of this server takes a request body.
  const bodyLimit = requestBodyLimit(limits.maxBodyBytes);
  if (lti) {
    // An LMS's id_token form can outgrow the general limit (roles, custom fields): the launch alone gets 64 KiB.
    const launchLimit = requestBodyLimit(Math.max(limits.maxBodyBytes, LTI_LAUNCH_MAX_BODY));
    app.use((request, response, next) => {
      (request.method === 'POST' && request.path.endsWith('/lti/launch') ? launchLimit : bodyLimit)(request, response, next);
    });
  } else {
    app.use(bodyLimit);
  }
  const httpServer = createServer(httpServerOptions(limits), app);
  const roomServer = createRoomServer(httpServer, roomOptions);
  // An attendance file that cannot be read or written stops the start.
  await roomServer.attendance?.ready.catch(async (error: unknown) => {
    await roomServer.close();
    throw error;
  });
  // A Redis that does not answer stops the start (the process would take joins it cannot route).
  await roomServer.ready.catch(async (error: unknown) => {
    await roomServer.close();
    throw error;
  });
  let ltiTool: LtiTool | undefined;
  if (lti) {
    try {
      ltiTool = await createLtiTool({
        roomServer,
        secret: roomOptions.secret ?? '',
        lti,
        ...(roomOptions.logger ? { logger: roomOptions.logger } : {}),
        ...(roomOptions.quiet === undefined ? {} : { quiet: roomOptions.quiet }),
      });
    } catch (error) {
      await roomServer.close();
      throw error;
    }
  }
  app.use(securityHeaders);
  if (ltiTool) app.use(ltiTool.router);
  // Static files first (they fall through when absent), so a page served at `/`
  // is not shadowed by the PeerJS server's own `GET /` answer.
  for (const mount of staticMounts) {
    app.use(mount.urlPath, express.static(mount.dir, { fallthrough: true }));
  }
  app.use(roomServer.app);

  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void => {
      reject(error);
    };
    httpServer.once('error', onError);
    httpServer.listen(port, host, () => {
      httpServer.off('error', onError);
      resolve();
    });
  }).catch(async (error: unknown) => {
    await roomServer.close();
    throw error;
  });

  const address = httpServer.address() as AddressInfo;
  const url = `http://${urlHost(host)}:${address.port}${roomServer.path}`;
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      ltiTool?.close();
      await roomServer.close();
      await new Promise<void>((resolve) => {
        httpServer.close(() => {
          resolve();
        });
        httpServer.closeAllConnections();
      });
    })();
    return closing;
  };
  return { url, port: address.port, host, httpServer, roomServer, close };
}
