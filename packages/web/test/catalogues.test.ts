import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The message catalogues are the only place UI texts live: both languages have the same keys, and every
// key the code names literally exists.
const src = fileURLToPath(new URL('../src', import.meta.url));
const load = (lang: string) => JSON.parse(readFileSync(join(src, 'workplace/i18n', `${lang}.json`), 'utf8')) as Record<string, unknown>;
const flat = (o: Record<string, unknown>, prefix = ''): string[] =>
  Object.entries(o).flatMap(([k, v]) => (typeof v === 'object' && v !== null ? flat(v as Record<string, unknown>, `${prefix}${k}.`) : [`${prefix}${k}`]));
const files = (dir: string): string[] => readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : /\.tsx?$/.test(n) ? [join(dir, n)] : []));

describe('workplace message catalogues', () => {
  const ru = new Set(flat(load('ru')));
  const en = new Set(flat(load('en')));

  it('have the same keys in Russian and English', () => {
    expect([...ru].filter((k) => !en.has(k))).toEqual([]);
    expect([...en].filter((k) => !ru.has(k))).toEqual([]);
  });

  it('hold every key the screens name', () => {
    const used = new Set<string>();
    for (const file of files(src)) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/\bt\('([a-zA-Z]+(?:\.[a-zA-Z]+)+)'/g)) used.add(m[1]!);
      for (const m of text.matchAll(/title: '([a-z]+\.[a-zA-Z.]+)'/g)) used.add(m[1]!);
    }
    expect(used.size).toBeGreaterThan(100);
    expect([...used].filter((k) => !ru.has(k))).toEqual([]);
  });
});
