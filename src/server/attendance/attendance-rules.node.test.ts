/** The pure parts of attendance: counting rules, CSV cells, and the option checks. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { resolveAttendanceOptions, type AttendanceOptions } from './attendance-options.js';
import { connectedMsAt, recordJoin, recordLeave, type AttendanceJoin, type AttendanceRecord } from './attendance-rules.js';
import { attendanceCsv, csvCell } from './csv.js';

const join = (at: number, extra: Partial<AttendanceJoin> = {}): AttendanceJoin => ({
  userId: 'u1',
  name: 'Ada',
  role: 'student',
  at,
  resumed: false,
  ...extra,
});

type Step = { join: number; resumed?: boolean; name?: string } | { leave: number };

function replay(steps: Step[]): AttendanceRecord {
  let record: AttendanceRecord | undefined;
  for (const step of steps) {
    if ('join' in step) {
      record = recordJoin(record, join(step.join, { resumed: step.resumed ?? false, ...(step.name ? { name: step.name } : {}) }));
    } else {
      assert.ok(record, 'a leave before any join');
      record = recordLeave(record, step.leave);
    }
  }
  assert.ok(record);
  return record;
}

void describe('attendance counting rules', () => {
  const cases: {
    what: string;
    steps: Step[];
    expect: Pick<AttendanceRecord, 'firstJoin' | 'lastLeave' | 'connectedMs' | 'connectedSince' | 'reconnects'>;
  }[] = [
    {
      what: 'one join, still in the room',
      steps: [{ join: 1000 }],
      expect: { firstJoin: 1000, lastLeave: null, connectedMs: 0, connectedSince: 1000, reconnects: 0 },
    },
    {
      what: 'join and leave',
      steps: [{ join: 1000 }, { leave: 4000 }],
      expect: { firstJoin: 1000, lastLeave: 4000, connectedMs: 3000, connectedSince: null, reconnects: 0 },
    },
    {
      what: 'a refresh: leave, join again, leave',
      steps: [{ join: 1000 }, { leave: 4000 }, { join: 6000 }, { leave: 9000 }],
      expect: { firstJoin: 1000, lastLeave: 9000, connectedMs: 6000, connectedSince: null, reconnects: 1 },
    },
    {
      what: 'a refresh, back in the room: the last leave is empty again',
      steps: [{ join: 1000 }, { leave: 4000 }, { join: 6000 }],
      expect: { firstJoin: 1000, lastLeave: null, connectedMs: 3000, connectedSince: 6000, reconnects: 1 },
    },
    {
      what: 'a resume after a blip keeps the stint going and counts as a reconnect',
      steps: [{ join: 1000 }, { join: 3000, resumed: true }, { leave: 5000 }],
      expect: { firstJoin: 1000, lastLeave: 5000, connectedMs: 4000, connectedSince: null, reconnects: 1 },
    },
    {
      what: 'a join whose leave never came ends the open stint there',
      steps: [{ join: 1000 }, { join: 2500 }, { leave: 3000 }],
      expect: { firstJoin: 1000, lastLeave: 3000, connectedMs: 2000, connectedSince: null, reconnects: 1 },
    },
    {
      what: 'a second leave changes nothing',
      steps: [{ join: 1000 }, { leave: 2000 }, { leave: 7000 }],
      expect: { firstJoin: 1000, lastLeave: 2000, connectedMs: 1000, connectedSince: null, reconnects: 0 },
    },
    {
      what: 'a leave stamped before its join (clock step) counts nothing',
      steps: [{ join: 5000 }, { leave: 4000 }],
      expect: { firstJoin: 5000, lastLeave: 5000, connectedMs: 0, connectedSince: null, reconnects: 0 },
    },
  ];
  for (const { what, steps, expect } of cases) {
    void test(what, () => {
      const record = replay(steps);
      assert.deepEqual(
        {
          firstJoin: record.firstJoin,
          lastLeave: record.lastLeave,
          connectedMs: record.connectedMs,
          connectedSince: record.connectedSince,
          reconnects: record.reconnects,
        },
        expect,
      );
    });
  }

  void test('the latest join sets name and role', () => {
    let record = recordJoin(undefined, join(1000));
    record = recordLeave(record, 2000);
    record = recordJoin(record, join(3000, { name: 'Ada L.', role: 'tutor' }));
    assert.equal(record.name, 'Ada L.');
    assert.equal(record.role, 'tutor');
  });

  void test('connected time up to now counts the stint under way', () => {
    const record = replay([{ join: 1000 }, { leave: 3000 }, { join: 10_000 }]);
    assert.equal(connectedMsAt(record, 10_000), 2000);
    assert.equal(connectedMsAt(record, 15_500), 7500);
    assert.equal(connectedMsAt(recordLeave(record, 12_000), 99_000), 4000);
  });
});

void describe('CSV', () => {
  const cells: [string | number, string][] = [
    ['plain', 'plain'],
    [42, '42'],
    ['', ''],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['cr\rhere', '"cr\rhere"'],
    ['=1+2', "'=1+2"],
    ['+49 30', "'+49 30"],
    ['-2', "'-2"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tindent', "'\tindent"],
    ['=HYPERLINK("x","y")', '"\'=HYPERLINK(""x"",""y"")"'],
    ['mid=dle', 'mid=dle'],
  ];
  for (const [value, expected] of cells) {
    void test(`cell ${JSON.stringify(value)} → ${JSON.stringify(expected)}`, () => {
      assert.equal(csvCell(value), expected);
    });
  }

  void test('a session as CSV: header, ISO times, empty last leave while in the room, seconds up to now', () => {
    const records: AttendanceRecord[] = [
      { ...replay([{ join: Date.UTC(2026, 0, 5, 9, 0, 0) }, { leave: Date.UTC(2026, 0, 5, 9, 30, 0) }]), userId: 'u1', name: 'Ada, "the first"' },
      { ...replay([{ join: Date.UTC(2026, 0, 5, 9, 1, 0) }]), userId: 'u2', name: '=cmd', role: 'tutor' },
    ];
    const csv = attendanceCsv('maths-1', records, Date.UTC(2026, 0, 5, 9, 11, 0, 400));
    assert.equal(
      csv,
      [
        'room,user id,name,role,first join,last leave,connected seconds,reconnects',
        'maths-1,u1,"Ada, ""the first""",student,2026-01-05T09:00:00.000Z,2026-01-05T09:30:00.000Z,1800,0',
        "maths-1,u2,'=cmd,tutor,2026-01-05T09:01:00.000Z,,600,0",
        '',
      ].join('\r\n'),
    );
  });
});

void describe('attendance options', () => {
  const good: [string, AttendanceOptions | undefined, unknown][] = [
    ['absent: off', undefined, undefined],
    ['empty: on, in memory', {}, { file: undefined, webhook: undefined, emptyRoomGraceMs: 60_000, retentionDays: undefined }],
    [
      'file and webhook',
      { file: 'a.sqlite', webhookUrl: 'https://lms.example.edu/hook', webhookSecret: '0123456789abcdef', emptyRoomGraceMs: 0, retentionDays: 30 },
      {
        file: 'a.sqlite',
        webhook: { url: 'https://lms.example.edu/hook', secret: '0123456789abcdef' },
        emptyRoomGraceMs: 0,
        retentionDays: 30,
      },
    ],
  ];
  for (const [what, options, expected] of good) {
    void test(what, () => {
      assert.deepEqual(resolveAttendanceOptions(options), expected);
    });
  }

  const bad: [string, AttendanceOptions, RegExp][] = [
    ['a webhook without secret', { webhookUrl: 'https://x.example/hook' }, /webhookSecret must be given/],
    ['a short secret', { webhookUrl: 'https://x.example/hook', webhookSecret: 'short' }, /at least 16/],
    ['a secret without webhook', { webhookSecret: '0123456789abcdef' }, /webhookUrl is not/],
    ['another scheme', { webhookUrl: 'ftp://x.example/hook', webhookSecret: '0123456789abcdef' }, /http: or https:/],
    ['not a URL', { webhookUrl: 'hook', webhookSecret: '0123456789abcdef' }, /http: or https:/],
    ['credentials in the URL', { webhookUrl: 'https://u:p@x.example/hook', webhookSecret: '0123456789abcdef' }, /user name or password/],
    ['an empty file name', { file: ' ' }, /file path/],
    ['a negative grace', { emptyRoomGraceMs: -1 }, /emptyRoomGraceMs/],
    ['no retention', { retentionDays: 0 }, /retentionDays/],
  ];
  for (const [what, options, message] of bad) {
    void test(`refused: ${what}`, () => {
      assert.throws(() => resolveAttendanceOptions(options), message);
    });
  }
});
