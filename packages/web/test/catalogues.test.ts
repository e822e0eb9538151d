import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The message catalogues are the only place UI texts live. For every SPA (each folder of src/ with an
// index.html and an i18n/ catalogue): both languages have the same keys, no key is defined by two
// catalogue files of the app (an app may keep `<area>/i18n/ru.json` beside its screens), and every key
// the app's code — and the shared code it uses — names literally exists.
const src = fileURLToPath(new URL('../src', import.meta.url));
type Tree = Record<string, unknown>;
const flat = (o: Tree, prefix = ''): string[] =>
  Object.entries(o).flatMap(([k, v]) => (typeof v === 'object' && v !== null ? flat(v as Tree, `${prefix}${k}.`) : [`${prefix}${k}`]));
const walk = (dir: string): string[] => readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? walk(join(dir, n)) : [join(dir, n)]));
const code = (dir: string) => walk(dir).filter((f) => /\.tsx?$/.test(f) && !f.endsWith('.d.ts'));
// i18next plural forms: `home.contracts` is used as `home.contracts_one`, `_few`, …
const base = (key: string) => key.replace(/_(zero|one|two|few|many|other)$/, '');

const apps = readdirSync(src).filter((name) => existsSync(join(src, name, 'index.html')) && existsSync(join(src, name, 'i18n', 'ru.json')));

function catalogue(app: string, lang: string) {
  const files = walk(join(src, app)).filter((f) => f.endsWith(join('i18n', `${lang}.json`)));
  const keys: string[] = [];
  for (const file of files) keys.push(...flat(JSON.parse(readFileSync(file, 'utf8')) as Tree));
  return { keys, files };
}

describe.each(apps)('%s message catalogues', (app) => {
  const ru = catalogue(app, 'ru');
  const en = catalogue(app, 'en');
  const ruSet = new Set(ru.keys);
  const enSet = new Set(en.keys);

  it('have the same keys in Russian and English', () => {
    expect([...ruSet].filter((k) => !enSet.has(k))).toEqual([]);
    expect([...enSet].filter((k) => !ruSet.has(k))).toEqual([]);
  });

  it('define each key in one catalogue file only', () => {
    const twice = (keys: string[]) => keys.filter((k, i) => keys.indexOf(k) !== i);
    expect(twice(ru.keys)).toEqual([]);
    expect(twice(en.keys)).toEqual([]);
  });

  it('hold every key the screens name', () => {
    const used = new Set<string>();
    for (const file of [...code(join(src, app)), ...code(join(src, 'shared'))]) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/\bt\('([a-zA-Z]+(?:\.[a-zA-Z_]+)+)'/g)) used.add(m[1]!);
      for (const m of text.matchAll(/title: '([a-zA-Z]+\.[a-zA-Z_.]+)'/g)) used.add(m[1]!);
    }
    const defined = new Set([...ruSet].map(base));
    expect(used.size).toBeGreaterThan(20);
    expect([...used].filter((k) => !ruSet.has(k) && !defined.has(k))).toEqual([]);
  });
});

it('every SPA with screens has catalogues', () => {
  expect(apps).toContain('workplace');
  expect(apps).toContain('cabinet');
  expect(apps).toContain('back-office');
});
