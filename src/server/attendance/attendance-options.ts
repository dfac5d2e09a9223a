/** The `attendance` option of the room server, and its checks. */

/**
 * Attendance records: who was in which room, when, and for how long. Without
 * this option the server records nothing. See docs/attendance.md.
 */
export interface AttendanceOptions {
  /**
   * SQLite file the records are kept in (created if missing, read at start,
   * written a moment after each change and at close). Without it the records
   * live in memory only and are gone when the process stops.
   */
  file?: string;
  /**
   * `http:` or `https:` URL that receives each room session's attendance as a
   * signed JSON POST when the session ends. Redirects are not followed.
   */
  webhookUrl?: string;
  /** HMAC-SHA256 key for the webhook's signature; required with `webhookUrl`, at least 16 characters. */
  webhookSecret?: string;
  /**
   * How long a room may stay empty and still keep its session: someone alone in
   * the room who reloads the page, or whose network drops for a moment, does not
   * start a new session (and no webhook is sent in between). Default 60000 ms;
   * 0 ends the session as the last person leaves.
   */
  emptyRoomGraceMs?: number;
  /**
   * Sessions that ended more than this many days ago are deleted, at start and
   * once a day. Default: kept until you delete them.
   */
  retentionDays?: number;
}

export interface ResolvedAttendanceOptions {
  file: string | undefined;
  webhook: { url: string; secret: string } | undefined;
  emptyRoomGraceMs: number;
  retentionDays: number | undefined;
}

export const ATTENDANCE_DEFAULTS = { emptyRoomGraceMs: 60_000 } as const;

/** Shortest accepted webhook secret, in characters. */
export const MIN_WEBHOOK_SECRET_LENGTH = 16;

function fail(message: string): never {
  throw new RangeError(`live-session server: ${message}`);
}

/** Checks the `attendance` option; undefined when attendance is off. */
export function resolveAttendanceOptions(options: AttendanceOptions | undefined): ResolvedAttendanceOptions | undefined {
  if (options === undefined) return undefined;
  if (typeof options !== 'object') fail('option attendance must be an object');
  const { file, webhookUrl, webhookSecret, emptyRoomGraceMs, retentionDays } = options;
  if (file !== undefined && (typeof file !== 'string' || file.trim() === '')) fail('attendance.file must be a file path');
  let webhook: ResolvedAttendanceOptions['webhook'];
  if (webhookUrl !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(webhookUrl);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      fail(`attendance.webhookUrl must be an http: or https: URL, got ${JSON.stringify(webhookUrl)}`);
    }
    if (url.username !== '' || url.password !== '') fail('attendance.webhookUrl must not carry a user name or password');
    if (typeof webhookSecret !== 'string' || webhookSecret.length < MIN_WEBHOOK_SECRET_LENGTH) {
      fail(`attendance.webhookSecret must be given with webhookUrl, at least ${MIN_WEBHOOK_SECRET_LENGTH} characters`);
    }
    webhook = { url: url.href, secret: webhookSecret };
  } else if (webhookSecret !== undefined) {
    fail('attendance.webhookSecret is set but attendance.webhookUrl is not');
  }
  const grace = emptyRoomGraceMs ?? ATTENDANCE_DEFAULTS.emptyRoomGraceMs;
  if (!Number.isInteger(grace) || grace < 0) fail(`attendance.emptyRoomGraceMs must be a whole number >= 0, got ${String(emptyRoomGraceMs)}`);
  if (retentionDays !== undefined && (!Number.isFinite(retentionDays) || retentionDays <= 0)) {
    fail(`attendance.retentionDays must be a number of days > 0, got ${String(retentionDays)}`);
  }
  return { file, webhook, emptyRoomGraceMs: grace, retentionDays };
}
