/**
 * Attendance as CSV (RFC 4180): one header line, one line per person, CRLF
 * line ends. Cells a spreadsheet would run as a formula are defused.
 */
import { connectedMsAt, type AttendanceRecord } from './attendance-rules.js';

/** The header line's cells, in column order. */
export const CSV_COLUMNS = [
  'room',
  'user id',
  'name',
  'role',
  'first join',
  'last leave',
  'connected seconds',
  'reconnects',
] as const;

/** Spreadsheets read a cell starting with one of these as a formula (tab and CR too, before such a sign). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One cell: a text that a spreadsheet would run as a formula gets a leading
 * apostrophe, and a cell with a quote, comma or line break is quoted (quotes
 * doubled). Numbers are written as they are.
 */
export function csvCell(value: string | number): string {
  if (typeof value === 'number') return String(value);
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function isoTime(ms: number | null): string {
  return ms === null ? '' : new Date(ms).toISOString();
}

/**
 * The CSV of one room session. `now` ends the stints still under way for the
 * connected seconds (rounded to whole seconds); their last leave stays empty.
 */
export function attendanceCsv(room: string, records: readonly AttendanceRecord[], now: number): string {
  const lines = [CSV_COLUMNS.map(csvCell).join(',')];
  for (const record of records) {
    lines.push(
      [
        room,
        record.userId,
        record.name,
        record.role,
        isoTime(record.firstJoin),
        isoTime(record.connectedSince === null ? record.lastLeave : null),
        Math.round(connectedMsAt(record, now) / 1000),
        record.reconnects,
      ]
        .map(csvCell)
        .join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}
