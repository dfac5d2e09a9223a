// Writes docs/api.md from custom-elements.json (which the build generates from
// the JSDoc in src/elements). Run by scripts/build.mjs after the analyzer; also
// `node scripts/api-docs.mjs`. The output is deterministic: the same manifest
// always gives the same file, so scripts/check-docs.mjs can compare it.
import { readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const manifestPath = join(root, 'custom-elements.json');
export const apiDocsPath = join(root, 'docs', 'api.md');

/** One line of table cell text: no newlines, pipes escaped. */
function cell(text) {
  if (text === undefined || text === null || text === '') return '';
  return String(text).replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|').trim();
}

/** Inline code for a table cell; empty when there is nothing. */
function code(text) {
  if (text === undefined || text === null || text === '') return '';
  const value = cell(text);
  return value.includes('`') ? `\`\` ${value} \`\`` : `\`${value}\``;
}

/** Paragraph text: lines of one paragraph joined, paragraphs kept apart. */
function paragraphs(text) {
  if (!text) return '';
  return text
    .trim()
    .split(/\n\s*\n/)
    .map((paragraph) => paragraph.replace(/\s*\n\s*/g, ' ').trim())
    .join('\n\n');
}

function table(headers, rows) {
  if (rows.length === 0) return '';
  const lines = [`| ${headers.join(' | ')} |`, `|${headers.map(() => '---').join('|')}|`];
  for (const row of rows) lines.push(`| ${row.join(' | ')} |`);
  return lines.join('\n');
}

function isPublic(member) {
  return (
    !member.static &&
    member.privacy !== 'private' &&
    member.privacy !== 'protected' &&
    !member.name.startsWith('#') &&
    !member.name.startsWith('_') &&
    // Members inherited from a package (LitElement, HTMLElement) are not this API.
    !member.inheritedFrom?.package
  );
}

/**
 * The tag of a declaration: the manifest's `tagName`, else its
 * `custom-element-definition` export, else the folder convention
 * `src/elements/<tag>/<tag>.ts` (the define files that call
 * `customElements.define` are kept out of the analysis).
 */
function tagOf(declaration, modules, modulePath) {
  if (declaration.tagName) return declaration.tagName;
  for (const module of modules) {
    for (const exported of module.exports ?? []) {
      if (exported.kind === 'custom-element-definition' && exported.declaration?.name === declaration.name) {
        return exported.name;
      }
    }
  }
  const match = /(?:^|\/)([a-z][a-z0-9]*-[a-z0-9-]*)\/\1\.[jt]s$/.exec(modulePath);
  return match ? match[1] : undefined;
}

/** Every custom element in the manifest, sorted by tag. */
export function elementsOf(manifest) {
  const modules = manifest.modules ?? [];
  const elements = [];
  for (const module of modules) {
    for (const declaration of module.declarations ?? []) {
      if (!declaration.customElement) continue;
      const tag = tagOf(declaration, modules, module.path);
      // A base class of elements (no tag of its own) is documented through them.
      if (tag === undefined) continue;
      elements.push({ tag: tag ?? declaration.name, hasTag: tag !== undefined, module: module.path, declaration });
    }
  }
  return elements.sort((a, b) => (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0));
}

function signature(method) {
  const params = (method.parameters ?? [])
    .map((p) => `${p.rest ? '...' : ''}${p.name}${p.optional ? '?' : ''}${p.type?.text ? `: ${p.type.text}` : ''}`)
    .join(', ');
  const returns = method.return?.type?.text ? `: ${method.return.type.text}` : '';
  return `${method.name}(${params})${returns}`;
}

function renderElement({ tag, hasTag, module, declaration: d }) {
  const out = [];
  out.push(hasTag ? `## \`<${tag}>\`` : `## ${tag}`);
  out.push(`Class \`${d.name}\`, from \`${module}\`.`);
  const summary = paragraphs(d.summary);
  if (summary) out.push(summary);
  const description = paragraphs(d.description);
  if (description) out.push(description);

  const attributes = d.attributes ?? [];
  if (attributes.length > 0) {
    out.push('### Attributes');
    out.push(
      table(
        ['Attribute', 'Property', 'Type', 'Default', 'Description'],
        attributes.map((a) => [code(a.name), code(a.fieldName), code(a.type?.text), code(a.default), cell(a.description)]),
      ),
    );
  }

  const members = (d.members ?? []).filter(isPublic);
  const fields = members.filter((m) => m.kind === 'field');
  if (fields.length > 0) {
    out.push('### Properties');
    out.push(
      table(
        ['Property', 'Attribute', 'Type', 'Default', 'Description'],
        fields.map((f) => [
          code(f.name) + (f.readonly ? ' (read-only)' : ''),
          code(f.attribute) + (f.reflects ? ' (reflected)' : ''),
          code(f.type?.text),
          code(f.default),
          cell(f.description),
        ]),
      ),
    );
  }

  const methods = members.filter((m) => m.kind === 'method');
  if (methods.length > 0) {
    out.push('### Methods');
    out.push(table(['Method', 'Description'], methods.map((m) => [code(signature(m)), cell(m.description)])));
  }

  // Events named in @fires carry a description; entries the analyzer infers from
  // `dispatchEvent(new CustomEvent(variable))` carry the variable's name instead
  // of an event name, and no description: they are left out.
  const events = (d.events ?? []).filter((e) => e.name && e.description);
  if (events.length > 0) {
    out.push('### Events');
    out.push(
      'Each is a `CustomEvent` that bubbles and is composed (it crosses shadow roots); `event.detail` is as described.',
    );
    out.push(table(['Event', 'Description'], events.map((e) => [code(e.name), cell(e.description)])));
  }

  const slots = d.slots ?? [];
  if (slots.length > 0) {
    out.push('### Slots');
    out.push(table(['Slot', 'Description'], slots.map((s) => [s.name ? code(s.name) : '(default)', cell(s.description)])));
  }

  const parts = d.cssParts ?? [];
  if (parts.length > 0) {
    out.push('### CSS parts');
    out.push(table(['Part', 'Description'], parts.map((p) => [code(p.name), cell(p.description)])));
  }

  const properties = d.cssProperties ?? [];
  if (properties.length > 0) {
    out.push('### CSS custom properties');
    // A default column only when the JSDoc gives defaults (`@cssprop [--x=value]`).
    const withDefaults = properties.some((p) => p.default);
    out.push(
      table(
        withDefaults ? ['Property', 'Default', 'Description'] : ['Property', 'Description'],
        properties.map((p) =>
          withDefaults ? [code(p.name), code(p.default), cell(p.description)] : [code(p.name), cell(p.description)],
        ),
      ),
    );
  }
  return out.join('\n\n');
}

/** The whole of docs/api.md for a manifest, as a string. */
export function renderApiDocs(manifest) {
  const elements = elementsOf(manifest);
  const out = [
    '<!-- Generated by the build (scripts/api-docs.mjs) from custom-elements.json. Do not edit by hand. -->',
    '# API reference',
    '> This file is generated by the build from `custom-elements.json` (itself generated from the JSDoc in ' +
      '`src/elements`). Do not edit it by hand: change the JSDoc and run `npm run build`.',
    'Importing `live-session` (or loading `dist/live-session.bundle.js`) registers every element below; ' +
      '`live-session/elements` exports the classes without registering them. ' +
      'How to use them from frameworks: [frameworks.md](frameworks.md).',
    '## Elements',
    [
      ...elements.map((e) => `- [${e.hasTag ? `\`<${e.tag}>\`` : e.tag}](#${slugify(e.hasTag ? `<${e.tag}>` : e.tag)})`),
      '- [The `LiveSession` controller](#the-livesession-controller)',
    ].join('\n'),
    ...elements.map(renderElement),
    '## The `LiveSession` controller',
    'Every element renders the state of one `LiveSession` (exported by `live-session` and `live-session/core`): ' +
      'the framework-agnostic session controller that owns the server connection, the room membership and the ' +
      'media connections. `<live-session>` creates it and exposes it as its `session` property; `<video-grid>` ' +
      'and `<self-preview>` take it from an enclosing `<live-session>` or from their own `session` property. ' +
      'Each `ls-*` event of `<live-session>` re-dispatches the controller event of the same name without the ' +
      'prefix, with the same `detail`.',
    'Its options, properties, methods, events and recovery behaviour are documented in [controller.md](controller.md).',
  ];
  return `${out.filter((block) => block !== '').join('\n\n')}\n`;
}

/** GitHub's heading anchors (github-slugger), for the table of contents. */
export function slugify(text) {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

export function readManifest(path = manifestPath) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === realpathSync(process.argv[1])) {
  writeFileSync(apiDocsPath, renderApiDocs(readManifest()));
}
