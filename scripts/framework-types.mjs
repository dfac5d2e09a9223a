// Type declarations for the frameworks that type custom elements in their own
// templates, generated from custom-elements.json by maintained generators:
//   dist/types/jsx.d.ts     `CustomElements` props for JSX (React 19, Preact, Solid)
//   dist/types/react.d.ts   the bare tags in React's JSX.IntrinsicElements
//   dist/types/vue.d.ts     Vue's GlobalComponents (templates and TSX)
//   dist/types/svelte.d.ts  Svelte's svelteHTML.IntrinsicElements
// Apps reference one of them (tsconfig "types", or a triple-slash reference).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import ts from 'typescript';
import { generateJsxTypes } from '@wc-toolkit/jsx-types';
import { generateSvelteTypes } from 'custom-element-svelte-integration';
import { generateVuejsTypes } from 'custom-element-vuejs-integration';

const OUT = 'dist/types';
const manifest = () => JSON.parse(readFileSync('custom-elements.json', 'utf8'));
mkdirSync(OUT, { recursive: true });

// Each generator annotates the manifest it is given, so each gets its own copy.
const quiet = { hideLogs: true };

/**
 * The manifest types each event as the event object (`CustomEvent<Detail>`, as
 * the schema says); the Vue and Svelte generators wrap the type they read in a
 * CustomEvent themselves, so they get the detail type alone.
 */
/** `Detail` of exactly `CustomEvent<Detail>` (one event type, brackets balanced); null for anything else, e.g. a union. */
function customEventDetail(text) {
  const trimmed = text.trim();
  if (!trimmed.startsWith('CustomEvent<')) return null;
  let depth = 0;
  for (let at = 'CustomEvent'.length; at < trimmed.length; at += 1) {
    const char = trimmed[at];
    if (char === '<') depth += 1;
    else if (char === '>' && trimmed[at - 1] !== '=') {
      depth -= 1;
      if (depth === 0) return at === trimmed.length - 1 ? trimmed.slice('CustomEvent<'.length, at).trim() : null;
    }
  }
  return null;
}

function detailTyped(data) {
  for (const module of data.modules ?? []) {
    for (const declaration of module.declarations ?? []) {
      for (const event of declaration.events ?? []) {
        const inner = typeof event.type?.text === 'string' ? customEventDetail(event.type.text) : null;
        if (inner !== null) event.type = { ...event.type, text: inner };
      }
    }
  }
  return data;
}

generateJsxTypes(manifest(), { outdir: OUT, fileName: 'jsx.d.ts', globalTypePath: '../index.js', stronglyTypedEvents: true, ...quiet });
generateVuejsTypes(detailTyped(manifest()), { outdir: OUT, fileName: 'vue.d.ts', globalTypePath: '../index.js', ...quiet });
generateSvelteTypes(detailTyped(manifest()), { outdir: OUT, fileName: 'svelte.d.ts', globalTypePath: '../index.js', ...quiet });

/** Names the package's main entry exports (types and values), read from its declarations. */
function entryExports() {
  const program = ts.createProgram(['dist/index.d.ts'], { skipLibCheck: true, noEmit: true });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile('dist/index.d.ts');
  const symbol = source && checker.getSymbolAtLocation(source);
  return new Set(symbol ? checker.getExportsOfModule(symbol).map((s) => s.getName()) : []);
}

/**
 * The generators import the element classes and some detail types, but not
 * every type an event or property names (Participant, FloorInfo…): each file
 * gets one more import of those it uses, from the same entry.
 */
function completeImports(file, exported) {
  const text = readFileSync(file, 'utf8');
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
  const imported = new Set();
  for (const block of code.matchAll(/import type \{([^}]*)\}/g)) {
    for (const name of block[1].split(',')) imported.add(name.trim());
  }
  const declared = new Set([...code.matchAll(/\b(?:type|interface)\s+([A-Za-z0-9_]+)/g)].map((m) => m[1]));
  const missing = [...exported].filter((name) => !imported.has(name) && !declared.has(name) && new RegExp(`\\b${name}\\b`).test(code)).sort();
  if (missing.length === 0) return;
  writeFileSync(file, `import type { ${missing.join(', ')} } from '../index.js';\n${text}`);
}

/** `ls-participant-joined` → `LsParticipantJoined`. */
const pascal = (name) => name.split('-').map((word) => word.charAt(0).toUpperCase() + word.slice(1)).join('');

/**
 * vue-tsc camel-cases what a template writes before checking it (`user-role`
 * is checked as `userRole`, `@ls-joined` as `onLsJoined`); the generator keys
 * the props as written, so they are camel-cased here too.
 */
function camelCaseVueProps(file) {
  const text = readFileSync(file, 'utf8').replace(/^(\s*)"([a-z][a-z0-9]*(?:-[a-z0-9]+)+)"\?:/gm, (_, indent, key) => {
    // Event props are `onls-…` (every event of the package is named ls-*); an attribute such as `online-only` is not one.
    const camel = key.startsWith('onls-') ? `on${pascal(key.slice(2))}` : key.replace(/-([a-z0-9])/g, (_m, c) => c.toUpperCase());
    return `${indent}${camel}?:`;
  });
  writeFileSync(file, text);
}

/**
 * Svelte 5 listens with event attributes (`onls-joined={…}`); the generator
 * declares only the older `on:ls-joined` directive, so each gets its twin.
 */
function svelteEventAttributes(file) {
  const text = readFileSync(file, 'utf8');
  let out = '';
  let at = 0;
  for (const match of text.matchAll(/"on:(ls-[a-z-]+)"\?:/g)) {
    // The declaration runs to the first semicolon outside brackets (types may span lines).
    let depth = 0;
    let end = match.index + match[0].length;
    for (; end < text.length; end += 1) {
      const char = text[end];
      if ('([{<'.includes(char)) depth += 1;
      else if (')]}>'.includes(char) && text[end - 1] !== '=') depth -= 1;
      else if (char === ';' && depth === 0) break;
    }
    const declaration = text.slice(match.index, end + 1);
    out += text.slice(at, end + 1) + `\n  ${declaration.replace('"on:', '"on')}`;
    at = end + 1;
  }
  writeFileSync(file, out + text.slice(at));
}

/**
 * Svelte 5 types elements in the 'svelte/elements' module: the generator's
 * base props (written for JSX) become Svelte's own HTML attributes, and its
 * svelteHTML namespace (not global in a file with imports) becomes an
 * augmentation of SvelteHTMLElements.
 */
function svelteModuleAugmentation(file) {
  let text = readFileSync(file, 'utf8');
  const base = /type BaseProps = \{[\s\S]*?\n\};\n/;
  const namespace = /declare namespace svelteHTML \{[\s\S]*?\n\}\n?/;
  if (!base.test(text) || !namespace.test(text)) throw new Error(`${file}: the Svelte generator's output changed shape`);
  text = text.replace(base, "type BaseProps = import('svelte/elements').HTMLAttributes<HTMLElement>;\n");
  text = text.replace(namespace, "declare module 'svelte/elements' {\n  interface SvelteHTMLElements extends CustomElements {}\n}\n");
  writeFileSync(file, text);
}

/**
 * Svelte sets a property whenever the element has one (`video={…}`), but the
 * generator types attributes only: each element's settable property-only
 * members (objects and functions such as video, strings, session) are added.
 */
function svelteProperties(file, data) {
  let text = readFileSync(file, 'utf8');
  for (const module of data.modules ?? []) {
    for (const element of module.declarations ?? []) {
      if (!element.tagName) continue;
      const props = `type ${element.name}Props = {\n`;
      const at = text.indexOf(props);
      if (at < 0) throw new Error(`${file}: no ${element.name}Props`);
      const block = text.slice(at, text.indexOf('\n};', at));
      const added = (element.members ?? [])
        .filter((m) => m.kind === 'field' && !m.static && !m.readonly && !m.attribute && (m.privacy ?? 'public') === 'public')
        .filter((m) => !new RegExp(`^\\s*"?${m.name}"?\\?:`, 'm').test(block))
        .map((m) => `  /** ${(m.description ?? '').replace(/\*\//g, '*\\/')} */\n  ${m.name}?: ${element.name}["${m.name}"];\n`)
        .join('');
      text = text.slice(0, at + props.length) + added + text.slice(at + props.length);
    }
  }
  writeFileSync(file, text);
}

const exported = entryExports();
for (const name of ['jsx', 'vue', 'svelte']) completeImports(`${OUT}/${name}.d.ts`, exported);
camelCaseVueProps(`${OUT}/vue.d.ts`);
svelteEventAttributes(`${OUT}/svelte.d.ts`);
svelteModuleAugmentation(`${OUT}/svelte.d.ts`);
svelteProperties(`${OUT}/svelte.d.ts`, manifest());

writeFileSync(
  `${OUT}/react.d.ts`,
  `// The bare tags (<live-session user-role="tutor">) in React's JSX, typed from custom-elements.json.
// Reference it once: "types": ["live-session/types/react"] in tsconfig.json.
import type { CustomElements, CustomCssProperties } from './jsx.js';

declare module 'react' {
  namespace JSX {
    interface IntrinsicElements extends CustomElements {}
  }
  interface CSSProperties extends CustomCssProperties {}
}
`,
);
