/**
 * `GET <path>attendance/<room>.csv`: a room's latest session as CSV, for a
 * tutor of that room. The caller shows a join token of its own
 * (`Authorization: Bearer <token>`) whose claims name that room and the tutor
 * role; the server checks it like a join (signature, expiry, lifetime).
 */
import type express from 'express';
import { LIMITS } from '../../protocol/index.js';
import { resolveTokenIdentity } from '../join-identity.js';
import { verifyJoinToken } from '../join-token.js';
import type { ResolvedRoomServerOptions } from '../options.js';
import type { AttendanceRecords } from './attendance-recorder.js';
import { attendanceCsv } from './csv.js';

/** The route's folder under the server's path: `<path>attendance/`. */
export const ATTENDANCE_ROUTE = 'attendance/';

function refuse(response: express.Response, status: number, message: string): void {
  response.status(status).set('Cache-Control', 'no-store').json({ error: message });
}

/** `attendance-<room>-<YYYY-MM-DD>.csv`, the day the session started (UTC). */
export function attendanceFileName(room: string, startedAt: number): string {
  return `attendance-${room}-${new Date(startedAt).toISOString().slice(0, 10)}.csv`;
}

async function answer(
  request: express.Request,
  response: express.Response,
  options: ResolvedRoomServerOptions,
  records: AttendanceRecords | undefined,
): Promise<void> {
  const file = request.params['file'] ?? '';
  const room = file.endsWith('.csv') ? file.slice(0, -'.csv'.length) : '';
  if (!LIMITS.roomPattern.test(room)) {
    refuse(response, 404, 'Ask for <room>.csv, with a valid room name.');
    return;
  }
  if (!records) {
    refuse(response, 404, 'This server does not record attendance.');
    return;
  }
  if (options.secret === undefined) {
    refuse(response, 403, 'Attendance downloads need join tokens, and this server runs in open development mode (no secret).');
    return;
  }
  const bearer = /^Bearer +([^\s]+) *$/i.exec(request.headers.authorization ?? '');
  if (!bearer?.[1]) {
    response.set('WWW-Authenticate', 'Bearer');
    refuse(response, 401, 'Send your join token as "Authorization: Bearer <token>".');
    return;
  }
  const verdict = await verifyJoinToken(bearer[1], options.secret, { clockTolerance: options.clockTolerance });
  const checked = resolveTokenIdentity(verdict, room, {
    nowSeconds: Date.now() / 1000,
    maxLifetime: options.maxTokenLifetime,
    clockTolerance: options.clockTolerance,
  });
  if (!checked.ok) {
    if (checked.code === 'token-wrong-room') {
      refuse(response, 403, 'The join token is for another room.');
    } else {
      response.set('WWW-Authenticate', 'Bearer error="invalid_token"');
      refuse(response, 401, checked.message);
    }
    return;
  }
  if (checked.identity.role !== 'tutor') {
    refuse(response, 403, "Only the room's tutor may download its attendance.");
    return;
  }
  let session;
  try {
    session = await records.latestSession(room);
  } catch {
    refuse(response, 503, 'The attendance records are not available (see the server log).');
    return;
  }
  if (!session) {
    refuse(response, 404, `No attendance is recorded for room "${room}".`);
    return;
  }
  response
    .status(200)
    .set({
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="${attendanceFileName(room, session.startedAt)}"`,
      'Cache-Control': 'no-store',
    })
    .send(attendanceCsv(room, session.records, Date.now()));
}

/** The route's handler; failures answer 500 and are logged by `onError`. */
export function attendanceCsvHandler(
  options: ResolvedRoomServerOptions,
  records: AttendanceRecords | undefined,
  onError: (error: unknown) => void,
): express.RequestHandler {
  return (request, response) => {
    answer(request, response, options, records).catch((error: unknown) => {
      onError(error);
      if (!response.headersSent) refuse(response, 500, 'The attendance could not be read.');
    });
  };
}
