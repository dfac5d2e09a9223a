/**
 * The room server's HTTP routes next to the PeerJS ones: `GET <path>health`,
 * `GET <path>ice`, `GET <path>attendance/<room>.csv`, and the origin check
 * they share with the websocket.
 */
import express from 'express';
import type { AttendanceRecords } from './attendance/attendance-recorder.js';
import { ATTENDANCE_ROUTE, attendanceCsvHandler } from './attendance/attendance-route.js';
import type { ResolvedRoomServerOptions } from './options.js';
import type { RecordingStore } from './janus/recordings.js';

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

/** HTTP methods of every route the server answers (health, ICE, PeerJS's id and page). */
export const HTTP_METHODS = ['GET', 'HEAD'] as const;

/** `X-Content-Type-Options: nosniff` on every response; no `X-Powered-By`. */
export const securityHeaders: express.RequestHandler = (_request, response, next) => {
  response.set('X-Content-Type-Options', 'nosniff');
  response.removeHeader('X-Powered-By');
  next();
};

/**
 * CORS preflight for every route: only the methods the server uses, only for
 * allowed origins (`*` in open mode, never a reflected origin), no request
 * headers beyond the simple ones — except `Authorization` on the attendance
 * route, which is how a tutor's page shows its join token.
 */
function preflight(options: ResolvedRoomServerOptions): express.RequestHandler {
  const attendancePath = `${options.path}${ATTENDANCE_ROUTE}`;
  return (request, response, next) => {
    if (request.method !== 'OPTIONS') {
      next();
      return;
    }
    const origin = request.headers.origin;
    if (origin !== undefined && originAllowed(options.allowedOrigins, origin)) {
      response.set('Access-Control-Allow-Origin', options.allowedOrigins ? origin : '*');
      response.set('Access-Control-Allow-Methods', HTTP_METHODS.join(', '));
      if (request.path.startsWith(attendancePath)) response.set('Access-Control-Allow-Headers', 'Authorization');
      response.set('Access-Control-Max-Age', '600');
    }
    if (options.allowedOrigins) response.vary('Origin');
    response.set('Allow', [...HTTP_METHODS, 'OPTIONS'].join(', '));
    response.status(204).end();
  };
}

/** The attendance route's records (undefined when attendance is off) and where its failures go. */
export interface AttendanceRoute {
  records: AttendanceRecords | undefined;
  onError: (error: unknown) => void;
}

/**
 * Adds the response headers, the preflight answer and the health, ICE and
 * attendance routes under `options.path`. Call before mounting the PeerJS app.
 */
/** Where lesson recordings are served, under the server's path. */
export const RECORDINGS_ROUTE = 'recordings/';

export function addRoomRoutes(
  app: express.Express,
  options: ResolvedRoomServerOptions,
  isClosing: () => boolean,
  attendance: AttendanceRoute,
  /** The SFU's state for the health answer: `up` or `down`; undefined when the server has no SFU (`off`). */
  janusState: () => string | undefined = () => undefined,
  /** Lesson recordings, served by name (the random id in the name is the key). */
  recordings?: RecordingStore,
): void {
  app.use(securityHeaders);
  app.use(preflight(options));
  const cors = corsHeaders(options);
  app.get(`${options.path}health`, cors, (_request, response) => {
    const janus = janusState() ?? 'off';
    if (isClosing()) response.status(503).json({ status: 'closing', janus });
    else response.status(200).json({ status: 'ok', janus });
  });
  app.get(`${options.path}ice`, cors, (_request, response) => {
    response.set('Cache-Control', 'no-store').json({ iceServers: options.iceServers });
  });
  // The page reads the file name from Content-Disposition.
  const exposeFileName: express.RequestHandler = (_request, response, next) => {
    response.set('Access-Control-Expose-Headers', 'Content-Disposition');
    next();
  };
  app.get(`${options.path}${ATTENDANCE_ROUTE}:file`, cors, exposeFileName, attendanceCsvHandler(options, attendance.records, attendance.onError));
  if (recordings) {
    app.get(`${options.path}${RECORDINGS_ROUTE}:file`, cors, (request, response) => {
      const name = request.params['file'] ?? '';
      const path = recordings.filePath(name);
      if (!path) {
        response.status(404).json({ error: 'no such recording' });
        return;
      }
      response.set('Cache-Control', 'private, no-store');
      response.set('Content-Type', name.endsWith('.opus') ? 'audio/ogg' : 'video/webm');
      response.set('Content-Disposition', `attachment; filename="${name}"`);
      response.sendFile(path, (error: Error | undefined) => {
        if (error !== undefined && !response.headersSent) response.status(404).end();
      });
    });
  }
}
