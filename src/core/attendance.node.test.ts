// The file name of an attendance download, from the server's Content-Disposition: pure, table-driven.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { attachmentFileName } from './attendance.js';

describe('attachmentFileName', () => {
  const table: [header: string | null, expected: string][] = [
    ['attachment; filename="attendance-maths-2026-03-02.csv"', 'attendance-maths-2026-03-02.csv'],
    ['attachment; filename=attendance-maths.csv', 'attendance-maths.csv'],
    ['attachment; FILENAME="a b.csv"', 'a b.csv'],
    // Paths are not file names: the fallback is used.
    ['attachment; filename="../../etc/passwd"', 'fallback.csv'],
    ['attachment; filename="dir\\name.csv"', 'fallback.csv'],
    ['attachment', 'fallback.csv'],
    ['', 'fallback.csv'],
    [null, 'fallback.csv'],
  ];
  for (const [header, expected] of table) {
    it(`${JSON.stringify(header)} → ${expected}`, () => {
      assert.equal(attachmentFileName(header, 'fallback.csv'), expected);
    });
  }
});
