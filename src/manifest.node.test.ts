// custom-elements.json, as the build generates it: every element has its tag,
// its definition export, shipped module paths, typed events, and a description
// on every public member an app or a framework's typings would show.
// `npm test` builds before the Node tests run.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { Ajv } from 'ajv';

interface Described {
  name: string;
  description?: string;
  privacy?: string;
  static?: boolean;
  kind?: string;
  type?: { text?: string };
  inheritedFrom?: { name: string; package?: string; module?: string };
}

interface Declaration extends Described {
  customElement?: boolean;
  tagName?: string;
  attributes?: Described[];
  members?: Described[];
  events?: Described[];
  cssProperties?: Described[];
  cssParts?: Described[];
  slots?: Described[];
}

interface Manifest {
  schemaVersion: string;
  modules: { path: string; declarations?: Declaration[]; exports?: { kind: string; name: string; declaration: { name: string; module?: string } }[] }[];
}

const manifest = JSON.parse(readFileSync(resolve(import.meta.dirname, '../custom-elements.json'), 'utf8')) as Manifest;
const TAGS = ['device-settings', 'live-session', 'participant-list', 'participant-tile', 'self-preview', 'session-chat', 'session-controls', 'video-grid'];

const elements = manifest.modules.flatMap((module) =>
  (module.declarations ?? []).filter((d) => d.customElement === true && d.tagName !== undefined).map((declaration) => ({ module, declaration })),
);

void describe('custom-elements.json', () => {
  void test('validates against the Custom Elements Manifest schema', () => {
    const schema = createRequire(import.meta.url)('custom-elements-manifest/schema.json') as object;
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    const valid = validate(manifest);
    assert.ok(valid, JSON.stringify(validate.errors?.slice(0, 5), null, 2));
    assert.equal(manifest.schemaVersion, '1.0.0');
  });

  void test('has every element, by tag name', () => {
    assert.deepEqual(elements.map((e) => e.declaration.tagName).sort(), TAGS);
  });

  void test('module paths name shipped files (dist/*.js), never the sources', () => {
    const text = JSON.stringify(manifest);
    assert.equal(/"(?:path|module)":"\/?src\//.test(text), false, 'a path into src/');
    for (const module of manifest.modules) assert.match(module.path, /^dist\/.+\.js$/);
  });

  void test('every event is typed and named ls-*', () => {
    for (const { declaration } of elements) {
      for (const event of declaration.events ?? []) {
        assert.match(event.name, /^ls-[a-z-]+$/, `${String(declaration.tagName)}: event ${event.name}`);
        assert.match(event.type?.text ?? '', /^CustomEvent<.+>$/, `${String(declaration.tagName)}: ${event.name} has no CustomEvent type`);
      }
    }
  });

  void test('no public member without a description', () => {
    const missing: string[] = [];
    for (const { declaration } of elements) {
      const tag = String(declaration.tagName);
      if (!declaration.description?.trim()) missing.push(`${tag}: the element itself`);
      const groups: [string, Described[] | undefined][] = [
        ['attribute', declaration.attributes],
        ['member', declaration.members?.filter((m) => (m.privacy ?? 'public') === 'public' && !m.static && !m.name.startsWith('#') && !m.inheritedFrom?.package)],
        ['event', declaration.events],
        ['CSS property', declaration.cssProperties],
        ['part', declaration.cssParts],
        ['slot', declaration.slots],
      ];
      for (const [kind, items] of groups) {
        for (const item of items ?? []) {
          if (!item.description?.trim()) missing.push(`${tag}: ${kind} ${item.name || '(default)'}`);
        }
      }
    }
    assert.deepEqual(missing, [], `undescribed public members:\n${missing.join('\n')}`);
  });
});
