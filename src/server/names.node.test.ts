/**
 * Display names: whatever a client or a token sends, every participant must
 * see a readable name — never a blank one made of invisible characters, never
 * text reversed or towering over the page.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SignJWT } from 'jose';
import { LIMITS } from '../protocol/index.js';
import { NAME_MAX_MARKS_PER_CHARACTER, checkDisplayName, readableName } from './frames.js';
import { signJoinToken, verifyJoinToken } from './join-token.js';
import { TestClient, startTestServer, type TestServer } from './test-client.node.test.js';

/** Names that show nothing: each must be refused. */
const INVISIBLE_NAMES: [string, string][] = [
  ['Hangul filler U+3164', '\u3164'],
  ['three Hangul fillers', '\u3164\u3164\u3164'],
  ['Hangul choseong/jungseong fillers, halfwidth filler', '\u115f\u1160\uffa0'],
  ['word joiner and invisible operators U+2060–U+2064', '\u2060\u2061\u2062\u2063\u2064'],
  ['tag characters U+E0000–U+E007F', '\u{E0001}\u{E0041}\u{E0061}\u{E007F}'],
  ['lone high surrogate', '\ud800'],
  ['lone low surrogate', '\udfff'],
  ['combining marks with nothing to sit on', '\u0301\u0302\u0303'],
  ['bidi overrides and isolates', '\u202e\u202d\u2066\u2067\u2068\u2069\u200e\u200f\u061c'],
  ['zero-width space, joiner, non-joiner, BOM', '\u200b\u200c\u200d\ufeff'],
  ['soft hyphen, grapheme joiner, Mongolian vowel separator', '\u00ad\u034f\u180e'],
  ['variation selectors alone', '\ufe0f\ufe00\u{E0100}'],
  ['spaces of every kind', ' \u00a0\u2003\u3000\u205f\u202f'],
  ['blank Braille pattern', '\u2800\u2800'],
  ['controls', '\u0000\u0007\u001b\u007f\u0085\n\t'],
  ['private use', '\ue000\u{F0000}'],
  ['line and paragraph separators', '\u2028\u2029'],
  ['a mix of all of them', ' \u3164\u200b\u2060\u{E0020}\u202e\u0301 '],
];

/** Names that are cleaned: [description, raw, what everyone sees]. */
const CLEANED_NAMES: [string, string, string][] = [
  ['plain', 'Ada Lovelace', 'Ada Lovelace'],
  ['trimmed', '  Ada  ', 'Ada'],
  ['Hangul filler around a name', '\u3164Ada\u3164', 'Ada'],
  ['bidi override inside a name', 'evil\u202eexe.txt', 'evilexe.txt'],
  ['word joiners inside a name', 'A\u2060d\u2063a', 'Ada'],
  ['tag characters after a name', 'Ada\u{E0041}\u{E0042}', 'Ada'],
  ['lone surrogate inside a name', 'A\ud800da', 'Ada'],
  ['runs of odd spaces become one space', 'Jo\u00a0\u3000\u2800 Ann', 'Jo Ann'],
  ['newline and tab separate words', 'Jo\n\tAnn', 'Jo Ann'],
  ['other controls are dropped', 'A\u0000d\u001ba\u007f', 'Ada'],
  [
    'heavy combining marks are cut to a few per character',
    `Z${'\u0300\u0301\u0302\u0303\u0304\u0305\u0306\u0307'.repeat(4)}oe`,
    'Z\u0300\u0301\u0302\u0303oe',
  ],
  ['a combining mark after a space is dropped', 'Ada \u0301Bo', 'Ada Bo'],
  ['decomposed accents are composed (NFC)', 'Jose\u0301', 'Jos\u00e9'],
  ['Vietnamese', 'Nguy\u1ec5n Th\u1ecb', 'Nguy\u1ec5n Th\u1ecb'],
  ['Devanagari with virama', '\u0915\u094d\u0937\u0924\u094d\u0930\u093f\u092f', '\u0915\u094d\u0937\u0924\u094d\u0930\u093f\u092f'],
  ['Tibetan stack', '\u0f56\u0f66\u0f92\u0fb2\u0f74\u0f56\u0f66', '\u0f56\u0f66\u0f92\u0fb2\u0f74\u0f56\u0f66'],
  ['Hangul syllables stay', '\ud55c\uae00', '\ud55c\uae00'],
  ['emoji ZWJ sequence stays whole', '\u{1F469}\u200d\u{1F4BB} Dev', '\u{1F469}\u200d\u{1F4BB} Dev'],
  ['emoji with skin tone and ZWJ', '\u{1F469}\u{1F3FD}\u200d\u{1F52C}', '\u{1F469}\u{1F3FD}\u200d\u{1F52C}'],
  ['emoji presentation selector stays', '\u2764\ufe0f', '\u2764\ufe0f'],
  ['keycap stays', '1\ufe0f\u20e3', '1\ufe0f\u20e3'],
  [
    'subdivision flag (tags inside a flag) stays',
    '\u{1F3F4}\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F}',
    '\u{1F3F4}\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F}',
  ],
  ['ZWJ between letters is dropped', 'A\u200dB', 'AB'],
  ['a single symbol is readable', '\u{1F642}', '\u{1F642}'],
  ['punctuation is readable', '.', '.'],
  ['cut at the length limit', 'x'.repeat(100), 'x'.repeat(LIMITS.nameMaxLength)],
  [
    'cut between whole emoji, not inside one',
    '\u{1F469}\u200d\u{1F469}\u200d\u{1F467}\u200d\u{1F466}'.repeat(10),
    '\u{1F469}\u200d\u{1F469}\u200d\u{1F467}\u200d\u{1F466}'.repeat(9),
  ],
];

void describe('display names: refused when nothing readable is left', () => {
  for (const [description, raw] of INVISIBLE_NAMES) {
    void test(description, () => {
      const checked = checkDisplayName(raw);
      if (checked.ok) assert.fail(`accepted as ${JSON.stringify(checked.name)}`);
      assert.match(checked.message, /nothing readable/);
    });
  }
  void test('markup and absurd lengths are still refused', () => {
    assert.equal(checkDisplayName('<b>Bo</b>').ok, false);
    assert.equal(checkDisplayName('a'.repeat(LIMITS.nameMaxInputLength + 1)).ok, false);
  });
});

void describe('display names: cleaned so that something readable shows', () => {
  for (const [description, raw, expected] of CLEANED_NAMES) {
    void test(description, () => {
      assert.deepEqual(checkDisplayName(raw), { ok: true, name: expected });
    });
  }

  void test('every accepted name is well formed, visible, short, and stable when cleaned again', () => {
    const samples = [...CLEANED_NAMES.map(([, raw]) => raw), ...INVISIBLE_NAMES.map(([, raw]) => `Ada${raw}Bo`)];
    for (const raw of samples) {
      const checked = checkDisplayName(raw);
      assert.ok(checked.ok, JSON.stringify(raw));
      const { name } = checked;
      assert.doesNotMatch(name, /\p{Cs}/u, `well formed (no lone surrogate): ${JSON.stringify(name)}`);
      assert.ok(Array.from(name).length <= LIMITS.nameMaxLength);
      assert.doesNotMatch(name, /[\p{Cc}\p{Zl}\p{Zp}\u3164\u115f\u1160\uffa0\u2060-\u2064\u202a-\u202e\u2066-\u2069]/u);
      assert.doesNotMatch(name, new RegExp(`\\p{M}{${String(NAME_MAX_MARKS_PER_CHARACTER + 1)}}`, 'u'));
      assert.equal(readableName(name), name, `idempotent: ${JSON.stringify(name)}`);
    }
  });
});

const SECRET = 'a-test-secret-for-names-long-enough-for-hs256';
const key = new TextEncoder().encode(SECRET);

/** A token signed by hand (not by signJoinToken), as another backend might. */
function handSigned(name: string): Promise<string> {
  return new SignJWT({ room: 'names', name, role: 'student' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('user-names')
    .setExpirationTime('10m')
    .sign(key);
}

void describe('display names in join tokens', () => {
  void test('signJoinToken refuses a name with nothing readable', async () => {
    for (const [description, raw] of INVISIBLE_NAMES) {
      await assert.rejects(signJoinToken({ room: 'names', sub: 'user-names', name: raw, role: 'student' }, SECRET), /name/, description);
    }
  });

  void test('verifyJoinToken refuses an invisible name and cleans a dirty one', async () => {
    for (const [description, raw] of INVISIBLE_NAMES) {
      const verdict = await verifyJoinToken(await handSigned(raw), SECRET);
      assert.deepEqual(verdict.ok ? verdict.claims.name : verdict.code, 'token-invalid', description);
    }
    for (const [description, raw, expected] of CLEANED_NAMES) {
      const verdict = await verifyJoinToken(await handSigned(raw), SECRET);
      assert.equal(verdict.ok ? verdict.claims.name : verdict.message, expected, description);
    }
  });
});

void describe('display names through a real server', () => {
  let open: TestServer;
  let signed: TestServer;
  const opened: TestClient[] = [];
  const connect = async (server: TestServer): Promise<TestClient> => {
    const client = await TestClient.connect(server.webSocketUrl);
    opened.push(client);
    return client;
  };
  before(async () => {
    open = await startTestServer();
    signed = await startTestServer({ secret: SECRET });
  });
  after(async () => {
    await Promise.all(opened.map((client) => client.close()));
    await Promise.all([open.close(), signed.close()]);
  });

  void test('open mode: a blank name is refused, a dirty one reaches the others cleaned', async () => {
    const tutor = await connect(open);
    await tutor.join({ room: 'names', userId: 'u-tutor', name: 'Tutor', role: 'tutor' });
    for (const [description, raw] of INVISIBLE_NAMES) {
      const client = await connect(open);
      const error = await client.joinRefused({ room: 'names', userId: 'u-blank', name: raw, role: 'student' });
      assert.equal(error.code, 'bad-payload', description);
      assert.match(error.message, /name/, description);
    }
    const student = await connect(open);
    const joined = await student.join({ room: 'names', userId: 'u-zalgo', name: '\u3164Z\u0300\u0301\u0302\u0303\u0304\u0305\u202eoe', role: 'student' });
    assert.equal(joined.self.name, 'Z\u0300\u0301\u0302\u0303oe');
    const seen = await tutor.next('LS-PARTICIPANT-JOINED');
    assert.equal(seen.payload.participant.name, 'Z\u0300\u0301\u0302\u0303oe');
    assert.deepEqual(tutor.drain('LS-PARTICIPANT-JOINED'), [], 'no blank participant ever joined');
  });

  void test('token mode: a token with an invisible name is refused, a dirty one joins cleaned', async () => {
    const blank = await connect(signed);
    const error = await blank.joinRefused({ token: await handSigned('\u2060\u3164\u{E0041}') });
    assert.equal(error.code, 'token-invalid');
    const dirty = await connect(signed);
    const joined = await dirty.join({ token: await handSigned('\u202eAda\u200b\u3164') });
    assert.equal(joined.self.name, 'Ada');
  });
});
