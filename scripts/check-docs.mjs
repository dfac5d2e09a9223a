// Checks the documentation: every relative link in README.md and docs/*.md
// points at a file that exists (and, with a #fragment, at a heading of that
// file), and docs/api.md is exactly what scripts/api-docs.mjs generates from
// custom-elements.json. `node scripts/check-docs.mjs` prints the problems and
// exits 1 when there are any; src/docs.node.test.ts runs the same checks.
import { existsSync, readFileSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { apiDocsPath, manifestPath, readManifest, renderApiDocs, root as projectRoot, slugify } from './api-docs.mjs';

export { slugify };

/** README.md and every docs/*.md under `root`, sorted, as absolute paths. */
export function markdownFiles(root = projectRoot) {
  const files = [];
  if (existsSync(join(root, 'README.md'))) files.push(join(root, 'README.md'));
  const docs = join(root, 'docs');
  if (existsSync(docs)) {
    for (const name of readdirSync(docs).sort()) {
      if (name.endsWith('.md')) files.push(join(docs, name));
    }
  }
  return files;
}

/**
 * The lines of a markdown text with fenced code blocks blanked and inline code
 * spans removed, so that neither is mistaken for links or headings. Line
 * numbers are kept.
 */
function proseLines(markdown) {
  const lines = markdown.split(/\r?\n/);
  let fence = null;
  return lines.map((line) => {
    const opening = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (fence) {
      const closing = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(line);
      if (closing && closing[1][0] === fence[0] && closing[1].length >= fence.length) fence = null;
      return '';
    }
    if (opening) {
      fence = opening[1];
      return '';
    }
    return line;
  });
}

function withoutCodeSpans(line) {
  return line.replace(/(`+)[\s\S]*?\1/g, (span) => ' '.repeat(span.length));
}

/** Every link target in a markdown text: inline links, images and reference definitions. */
export function extractLinks(markdown) {
  const links = [];
  proseLines(markdown).forEach((raw, index) => {
    const line = withoutCodeSpans(raw);
    const definition = /^ {0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)/.exec(line);
    if (definition) links.push({ target: definition[1].replace(/^<|>$/g, ''), line: index + 1 });
    const inline = /!?\[(?:[^\]\\]|\\.)*\]\(\s*(<[^>]*>|[^\s)]+)(?:\s+(?:"[^"]*"|'[^']*'|\([^)]*\)))?\s*\)/g;
    for (const match of line.matchAll(inline)) {
      links.push({ target: match[1].replace(/^<|>$/g, ''), line: index + 1 });
    }
    for (const match of line.matchAll(/<a\s[^>]*href="([^"]+)"/gi)) {
      links.push({ target: match[1], line: index + 1 });
    }
  });
  return links;
}

/** Text of a heading as GitHub renders it: code spans, emphasis and links reduced to their text. */
function headingText(heading) {
  return heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/`+/g, '')
    .replace(/(\*\*|__|\*)/g, '')
    .trim();
}

/** The anchors a markdown text has: GitHub slugs of its headings (with -1, -2 for repeats) and explicit ids. */
export function anchorsOf(markdown) {
  const anchors = new Set();
  const seen = new Map();
  const add = (text) => {
    const base = slugify(headingText(text));
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  };
  const lines = proseLines(markdown);
  lines.forEach((line, index) => {
    const atx = /^ {0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(line);
    if (atx) {
      add(atx[1]);
      return;
    }
    const previous = lines[index - 1];
    if (/^ {0,3}(=+|-+)\s*$/.test(line) && previous && previous.trim() !== '' && !/^ {0,3}(#|[-*+] |\d+[.)] |>|\|)/.test(previous)) {
      add(previous.trim());
    }
    for (const match of withoutCodeSpans(line).matchAll(/<a\s[^>]*(?:id|name)="([^"]+)"/gi)) anchors.add(match[1]);
  });
  return anchors;
}

function isExternal(target) {
  return /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//');
}

/**
 * Broken relative links in the given markdown files (default: README.md and
 * docs/*.md under `root`). Each problem: `{ file, line, target, problem }`,
 * `file` relative to `root`.
 */
export function checkLinks(root = projectRoot, files = markdownFiles(root)) {
  const problems = [];
  const anchorCache = new Map();
  const anchorsIn = (path) => {
    if (!anchorCache.has(path)) anchorCache.set(path, anchorsOf(readFileSync(path, 'utf8')));
    return anchorCache.get(path);
  };
  for (const file of files) {
    const shown = relative(root, file).split(sep).join('/');
    for (const { target, line } of extractLinks(readFileSync(file, 'utf8'))) {
      if (target === '' || isExternal(target)) continue;
      const hashAt = target.indexOf('#');
      const pathPart = (hashAt === -1 ? target : target.slice(0, hashAt)).replace(/\?.*$/, '');
      const fragment = hashAt === -1 ? '' : target.slice(hashAt + 1);
      let decodedPath;
      try {
        decodedPath = decodeURIComponent(pathPart);
      } catch {
        problems.push({ file: shown, line, target, problem: 'malformed URL escape' });
        continue;
      }
      if (decodedPath.startsWith('/')) {
        problems.push({ file: shown, line, target, problem: 'absolute path: use a path relative to this file' });
        continue;
      }
      const resolved = decodedPath === '' ? file : resolve(dirname(file), decodedPath);
      if (!existsSync(resolved)) {
        problems.push({ file: shown, line, target, problem: 'no such file' });
        continue;
      }
      if (fragment === '') continue;
      if (statSync(resolved).isDirectory() || !resolved.endsWith('.md')) {
        problems.push({ file: shown, line, target, problem: 'an anchor into something that is not a markdown file' });
        continue;
      }
      const anchor = decodeURIComponent(fragment).toLowerCase();
      if (!anchorsIn(resolved).has(anchor)) {
        problems.push({ file: shown, line, target, problem: `no heading with the anchor #${anchor}` });
      }
    }
  }
  return problems;
}

/**
 * Whether docs/api.md is what the build would write now. Returns
 * `{ ok, problem?, expected, actual }`; needs custom-elements.json (the build).
 */
export function checkApiDocs({ manifest = manifestPath, apiDocs = apiDocsPath } = {}) {
  if (!existsSync(manifest)) {
    return { ok: false, problem: `${relative(projectRoot, manifest)} is missing: run the build first`, expected: '', actual: '' };
  }
  const expected = renderApiDocs(readManifest(manifest));
  const actual = existsSync(apiDocs) ? readFileSync(apiDocs, 'utf8') : '';
  if (expected === actual) return { ok: true, expected, actual };
  const expectedLines = expected.split('\n');
  const actualLines = actual.split('\n');
  let first = 0;
  while (first < expectedLines.length && expectedLines[first] === actualLines[first]) first++;
  return {
    ok: false,
    problem:
      `${relative(projectRoot, apiDocs)} differs from what scripts/api-docs.mjs generates (first at line ${first + 1}); ` +
      'run the build and commit the result',
    expected,
    actual,
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === realpathSync(process.argv[1])) {
  let failed = false;
  for (const p of checkLinks()) {
    failed = true;
    console.error(`${p.file}:${p.line}: ${p.target} — ${p.problem}`);
  }
  const api = checkApiDocs();
  if (!api.ok) {
    failed = true;
    console.error(api.problem);
  }
  if (failed) process.exit(1);
  console.log('docs: links resolve and docs/api.md is up to date');
}
