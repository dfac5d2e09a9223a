// The documentation checks: every relative link in README.md and docs/*.md
// resolves (file and #anchor), and docs/api.md is what the build generates from
// custom-elements.json. `npm test` builds before the Node tests run.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface LinkProblem {
  file: string;
  line: number;
  target: string;
  problem: string;
}

interface CheckDocs {
  checkLinks: (root?: string, files?: string[]) => LinkProblem[];
  checkApiDocs: (paths?: { manifest?: string; apiDocs?: string }) => { ok: boolean; problem?: string; expected: string; actual: string };
  anchorsOf: (markdown: string) => Set<string>;
  slugify: (text: string) => string;
}

interface ApiDocs {
  renderApiDocs: (manifest: unknown) => string;
}

// Plain ESM scripts without type declarations: imported by a relative path held
// in a variable, and typed by the interfaces above.
const checkDocsPath = '../scripts/check-docs.mjs';
const apiDocsPath = '../scripts/api-docs.mjs';
const { checkLinks, checkApiDocs, anchorsOf, slugify } = (await import(checkDocsPath)) as CheckDocs;
const { renderApiDocs } = (await import(apiDocsPath)) as ApiDocs;

interface StringsDocs {
  renderStringsDocs: () => Promise<string>;
  stringsDocsPath: string;
}
const stringsDocsModule = '../scripts/strings-docs.mjs';
const builtStringsModule = '../dist/elements/shared/strings.js';

function format(problems: LinkProblem[]): string {
  return problems.map((p) => `${p.file}:${p.line}: ${p.target} — ${p.problem}`).join('\n');
}

/** A throwaway project with a README and docs/, removed after the test. */
function fixture(files: Record<string, string>): { root: string; remove(): void } {
  const root = mkdtempSync(join(tmpdir(), 'live-session-docs-'));
  mkdirSync(join(root, 'docs'));
  for (const [path, text] of Object.entries(files)) writeFileSync(join(root, path), text);
  return { root, remove: () => rmSync(root, { recursive: true, force: true }) };
}

void describe('documentation', () => {
  void test('every relative link in README.md and docs/*.md resolves', () => {
    const problems = checkLinks();
    assert.equal(problems.length, 0, `broken links:\n${format(problems)}`);
  });

  void test('docs/api.md is what the build generates from custom-elements.json', () => {
    const result = checkApiDocs();
    assert.ok(result.ok, result.problem);
  });

  void test('docs/strings.md lists every LiveSessionStrings key, as the build generates it', async () => {
    const { renderStringsDocs, stringsDocsPath } = (await import(stringsDocsModule)) as StringsDocs;
    const expected = await renderStringsDocs();
    assert.equal(readFileSync(stringsDocsPath, 'utf8'), expected, 'docs/strings.md is stale: run the build and commit it');
    const { defaultStrings } = (await import(builtStringsModule)) as { defaultStrings: Record<string, unknown> };
    for (const key of Object.keys(defaultStrings)) assert.ok(expected.includes(`| \`${key}\` |`), `${key} is not listed`);
  });
});

void describe('link checker', () => {
  void test('reports a missing file, a missing anchor and an absolute path, with their lines', () => {
    const project = fixture({
      'README.md': '# Project\n\nSee [the guide](docs/guide.md) and [nothing](docs/missing.md).\n',
      'docs/guide.md': [
        '# Guide',
        '',
        '## Join tokens (HS256)',
        '',
        '[ok](#join-tokens-hs256) [broken anchor](#no-such-heading)',
        '[back](../README.md#project) [absolute](/docs/guide.md)',
        '',
        '```md',
        '[inside a code block](not-checked.md)',
        '```',
        '',
        'In code: `[not a link](nope.md)`.',
      ].join('\n'),
    });
    try {
      const problems = checkLinks(project.root);
      assert.deepEqual(
        problems.map((p) => [p.file, p.line, p.target]),
        [
          ['README.md', 3, 'docs/missing.md'],
          ['docs/guide.md', 5, '#no-such-heading'],
          ['docs/guide.md', 6, '/docs/guide.md'],
        ],
        format(problems),
      );
    } finally {
      project.remove();
    }
  });

  void test('accepts a project whose links all resolve', () => {
    const project = fixture({
      'README.md': '# Project\n\n[Guide](docs/guide.md#the-live-session-element) [ref][r]\n\n[r]: docs/guide.md\n',
      'docs/guide.md': '# Guide\n\n## The `<live-session>` element\n\n[External](https://example.com/x.md)\n',
    });
    try {
      assert.deepEqual(checkLinks(project.root), []);
    } finally {
      project.remove();
    }
  });

  void test('heading anchors follow GitHub: punctuation dropped, spaces to dashes, repeats numbered', () => {
    assert.equal(slugify('`<live-session>`'.replace(/`/g, '')), 'live-session');
    assert.equal(slugify('Join tokens (HS256)'), 'join-tokens-hs256');
    assert.equal(slugify('What `npm start` serves'.replace(/`/g, '')), 'what-npm-start-serves');
    assert.deepEqual(
      [...anchorsOf('# API\n\n### Events\n\n### Events\n\nTitle\n---\n\n```\n# not a heading\n```\n')],
      ['api', 'events', 'events-1', 'title'],
    );
  });
});

void describe('api.md generator', () => {
  const manifest = {
    schemaVersion: '1.0.0',
    modules: [
      {
        kind: 'javascript-module',
        path: 'src/elements/demo-card/demo-card.ts',
        declarations: [
          {
            kind: 'class',
            name: 'DemoCard',
            customElement: true,
            summary: 'A card.\nOn two lines.',
            attributes: [{ name: 'size', fieldName: 'size', type: { text: "'s' | 'l'" }, default: "'s'", description: 'Size.' }],
            members: [
              { kind: 'field', name: 'size', type: { text: "'s' | 'l'" }, default: "'s'", attribute: 'size' },
              { kind: 'field', name: 'hidden', privacy: 'private' },
              { kind: 'field', name: '#secret' },
              { kind: 'field', name: 'registry', static: true },
              { kind: 'method', name: 'open', parameters: [{ name: 'id', type: { text: 'string' } }], return: { type: { text: 'void' } } },
            ],
            events: [{ name: 'to', type: { text: 'CustomEvent' } }, { name: 'card-open', description: 'Opened.' }],
            cssParts: [{ name: 'body', description: 'The body.' }],
            cssProperties: [{ name: '--demo-card-color', description: 'Colour.' }],
          },
        ],
      },
    ],
  };

  void test('documents the public API only, with a generated-file notice, the same way every time', () => {
    const text = renderApiDocs(manifest);
    assert.equal(text, renderApiDocs(structuredClone(manifest)));
    assert.match(text, /^<!-- Generated by the build .* Do not edit by hand\. -->\n/);
    assert.match(text, /## `<demo-card>`/);
    assert.match(text, /A card\. On two lines\./);
    assert.match(text, /\| `size` \| `size` \| `'s' \\\| 'l'` \| `'s'` \| Size\. \|/);
    assert.match(text, /`open\(id: string\): void`/);
    assert.match(text, /`card-open` \| Opened\./);
    assert.match(text, /`--demo-card-color`/);
    assert.match(text, /\[controller\.md\]\(controller\.md\)/);
    for (const hidden of ['`hidden`', '`#secret`', '`registry`', '`to`']) assert.ok(!text.includes(hidden), `${hidden} is not public API`);
  });

  void test('a stale api.md is reported', () => {
    const project = fixture({ 'custom-elements.json': JSON.stringify(manifest), 'docs/api.md': '# Edited by hand\n' });
    try {
      const result = checkApiDocs({ manifest: join(project.root, 'custom-elements.json'), apiDocs: join(project.root, 'docs/api.md') });
      assert.equal(result.ok, false);
      assert.match(result.problem ?? '', /differs from what scripts\/api-docs\.mjs generates \(first at line 1\)/);
    } finally {
      project.remove();
    }
  });
});
