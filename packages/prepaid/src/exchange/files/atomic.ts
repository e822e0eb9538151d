import { createWriteStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';

/**
 * A file appears in a folder whole or not at all: it is written as `<name>.tmp` beside its final name,
 * flushed to disk (fsync), renamed (atomic within one file system), and the folder is flushed too so
 * the rename survives a power cut. A reader that skips `*.tmp` never sees half a file; a crash leaves
 * at most a stale `.tmp`, which the next write of the same name replaces.
 */
export async function writeAtomic(dir: string, name: string, write: (out: Writable) => Promise<unknown>): Promise<string> {
  const target = join(dir, name);
  const temp = join(dir, `${name}.tmp`);
  const stream = createWriteStream(temp);
  try {
    const done = finished(stream);
    await write(stream);
    if (!stream.writableEnded) stream.end();
    await done;
    await fsyncPath(temp, 'r+');
    await rename(temp, target);
  } catch (error) {
    stream.destroy();
    await rm(temp, { force: true });
    throw error;
  }
  await fsyncDir(dir);
  return target;
}

export async function writeTextAtomic(dir: string, name: string, text: string | Buffer): Promise<string> {
  return writeAtomic(dir, name, async (out) => {
    out.end(text);
  });
}

/** Moves a file (same file system: one atomic rename) and makes both folders' entries durable. */
export async function moveDurably(from: string, to: string): Promise<void> {
  await rename(from, to);
  await fsyncDir(dirname(to));
  if (dirname(from) !== dirname(to)) await fsyncDir(dirname(from));
}

async function fsyncPath(path: string, flags: string) {
  const handle = await open(path, flags);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Some platforms (Windows, some network shares) cannot fsync a folder; the rename is still atomic there. */
export async function fsyncDir(dir: string): Promise<void> {
  try {
    await fsyncPath(dir, 'r');
  } catch {
    // best effort
  }
}
