/**
 * The room server's HTTP routes next to the PeerJS ones: `GET <path>health`,
 * `GET <path>ice`, and the origin check they share with the websocket.
 */
import express from 'express';
import type { ResolvedRoomServerOptions } from './options.js';

/** Whether a browser origin may use the server (every origin when none are configured). */
export function originAllowed(allowedOrigins: readonly string[] | undefined, origin: string | undefined): boolean {
  if (!allowedOrigins || origin === undefined || origin === '') return true;
  return allowedOrigins.includes(origin.replace(/\/+$/, ''));
}

function corsHeaders(options: ResolvedRoomServerOptions): express.RequestHandler {
  return (request, response, next) => {
    const origin = request.headers.origin;
    if (origin !== undefined && originAllowed(options.allowedOrigins, origin)) {
      response.set('Access-Control-Allow-Origin', options.allowedOrigins ? origin : '*');
      if (options.allowedOrigins) response.vary('Origin');
    }
    next();
  };
}

/** Adds the health and ICE routes under `options.path`. */
export function addRoomRoutes(app: express.Express, options: ResolvedRoomServerOptions, isClosing: () => boolean): void {
  const cors = corsHeaders(options);
  app.get(`${options.path}health`, cors, (_request, response) => {
    if (isClosing()) response.status(503).json({ status: 'closing' });
    else response.status(200).json({ status: 'ok' });
  });
  app.get(`${options.path}ice`, cors, (_request, response) => {
    response.set('Cache-Control', 'no-store').json({ iceServers: options.iceServers });
  });
}
