import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listFiles, StableFiles } from './stable-files.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'stable-files-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

// The mtime is set by hand: nothing here depends on the clock or the file system's time resolution.
const T1 = new Date('2026-01-01T10:00:00Z');
const T2 = new Date('2026-01-01T10:00:05Z');
async function put(path: string, content: string, mtime = T1) {
  await writeFile(path, content);
  await utimes(path, mtime, mtime);
}
let n = 0;
async function folder() {
  const dir = join(root, `d${++n}`);
  await mkdir(dir);
  return dir;
}

describe('stable files', () => {
  it('lists the files of a folder, sorted, without folders and without the names skip refuses', async () => {
    const dir = await folder();
    for (const name of ['b.csv', 'a.csv', 'c.csv.part', 'd.csv.tmp']) await put(join(dir, name), 'x');
    await mkdir(join(dir, 'sub'));
    expect(await listFiles(dir, (name) => /\.(tmp|part)$/.test(name))).toEqual(['a.csv', 'b.csv']);
    expect(await listFiles(dir, () => false)).toEqual(['a.csv', 'b.csv', 'c.csv.part', 'd.csv.tmp']);
    await expect(listFiles(join(dir, 'missing'), () => false)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('takes a file once its size and mtime stayed the same for the polls asked; a change starts the count again', async () => {
    const dir = await folder();
    const a = join(dir, 'a.xml');
    const stable = new StableFiles(2);
    await put(a, 'part');
    expect(await stable.ripe([a])).toEqual([]); // seen once
    await put(a, 'part and more'); // size changed
    expect(await stable.ripe([a])).toEqual([]);
    await put(a, 'part and mor3', T2); // same size, mtime changed
    expect(await stable.ripe([a])).toEqual([]);
    expect(await stable.ripe([a])).toEqual([a]);
    expect(await stable.ripe([a])).toEqual([a]); // still there, still complete
  });

  it('with one poll takes a file at first sight; at least one poll whatever is asked', async () => {
    const dir = await folder();
    const a = join(dir, 'a.xml');
    await put(a, 'whole');
    expect(await new StableFiles(1).ripe([a])).toEqual([a]);
    expect(await new StableFiles(0).ripe([a])).toEqual([a]);
  });

  it('keeps the order asked, skips a file gone meanwhile and forgets files no longer listed or taken', async () => {
    const dir = await folder();
    const [a, b, c] = ['a.xml', 'b.xml', 'c.xml'].map((name) => join(dir, name)) as [string, string, string];
    await put(a, 'a');
    await put(b, 'b');
    await put(c, 'c');
    const stable = new StableFiles(2);
    expect(await stable.ripe([c, a, b, join(dir, 'gone.xml')])).toEqual([]);
    expect(await stable.ripe([c, a, b, join(dir, 'gone.xml')])).toEqual([c, a, b]);
    // a not listed for one poll (renamed away and back, unchanged): counted again from the start.
    expect(await stable.ripe([c, b])).toEqual([c, b]);
    // b taken: a file under its name again is new.
    stable.forget(b);
    expect(await stable.ripe([a, b, c])).toEqual([c]);
    expect(await stable.ripe([a, b, c])).toEqual([a, b, c]);
  });
});
