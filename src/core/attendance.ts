/**
 * The tutor's attendance download: `GET <server>attendance/<room>.csv` with
 * the join token as a bearer token, and the browser's "save file" for the
 * answer. The server records attendance only when its operator turned it on,
 * and hands it out only in token mode (see docs/attendance.md).
 */
import { SessionError } from './events.js';

/** A downloaded attendance file. */
export interface AttendanceFile {
  /** `attendance-<room>-<date>.csv`, as the server names it. */
  fileName: string;
  /** The CSV (`text/csv; charset=utf-8`). */
  blob: Blob;
}

/** The file name from a `Content-Disposition` header, when it gives a plain one (no path); else `fallback`. Pure. */
export function attachmentFileName(contentDisposition: string | null, fallback: string): string {
  const match = /filename=(?:"([^"]*)"|([^;\s]*))/i.exec(contentDisposition ?? '');
  const name = (match?.[1] ?? match?.[2] ?? '').trim();
  return name === '' || /[/\\]/.test(name) ? fallback : name;
}

/** What each refusal of the server means for the page: the code, and the server's own words. */
function refusal(status: number, message: string): SessionError {
  if (status === 401) return new SessionError('token-invalid', message);
  if (status === 403 && /open development mode/.test(message)) return new SessionError('attendance-unavailable', message);
  if (status === 403) return new SessionError('forbidden', message);
  if (status === 404) return new SessionError('attendance-unavailable', message);
  return new SessionError('connection-failed', message);
}

/**
 * Fetches a room's attendance CSV from the server at `base` (the server URL,
 * ending in `/`). Rejects with a `SessionError`: `attendance-unavailable` (the
 * server records none, runs without tokens, or has nothing for the room),
 * `forbidden` (not a tutor of the room), `token-invalid` (no token, or one the
 * server refused), `connection-failed` (no answer).
 */
export async function fetchAttendance(base: string, room: string, token: string | undefined): Promise<AttendanceFile> {
  if (!token) {
    throw new SessionError('token-invalid', 'Attendance downloads need a join token: the session joined without one.');
  }
  let response: Response;
  try {
    response = await fetch(`${base}attendance/${encodeURIComponent(room)}.csv`, {
      headers: { Authorization: `Bearer ${token}` },
      cache: 'no-store',
    });
  } catch (error) {
    throw new SessionError('connection-failed', `The server at ${base} could not be reached for the attendance.`, { cause: error });
  }
  if (!response.ok) {
    let message = `The server answered ${response.status} for the attendance.`;
    try {
      const body = (await response.json()) as { error?: unknown };
      if (typeof body.error === 'string') message = body.error;
    } catch {
      // Not the server's JSON (a proxy's page, say): the status says enough.
    }
    throw refusal(response.status, message);
  }
  const fallback = `attendance-${room}.csv`;
  return { fileName: attachmentFileName(response.headers.get('Content-Disposition'), fallback), blob: await response.blob() };
}

/** How long an object URL handed to a download stays valid: the browser reads it when the save starts. */
const OBJECT_URL_LIFETIME_MS = 60_000;

/** Saves a file through a temporary `<a download>`, as the browser's downloads do. */
export function saveFile(file: AttendanceFile, doc: Document = document): void {
  const url = URL.createObjectURL(file.blob);
  const link = doc.createElement('a');
  link.href = url;
  link.download = file.fileName;
  link.hidden = true;
  doc.body.append(link);
  try {
    link.click();
  } finally {
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), OBJECT_URL_LIFETIME_MS);
  }
}
