import { readdir, stat } from 'node:fs/promises';

/**
 * When a file dropped into a watched folder is complete. A writer that follows the folder's convention
 * uploads under a name the watcher skips (`*.tmp`, `*.part`: the caller's `skip`) and renames it when
 * done; for one that does not, a file is taken only once its size and mtime have stayed the same for
 * `polls` polls in a row.
 */

/** The files directly in `dir` (no folders), names `skip` says are still being written left out, sorted. */
export async function listFiles(dir: string, skip: (name: string) => boolean): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && !skip(e.name))
    .map((e) => e.name)
    .sort();
}

/** Size and mtime of each file seen, per poll; one instance per watched folder, kept across polls. */
export class StableFiles {
  private readonly polls: number;
  private readonly seen = new Map<string, { size: number; mtimeMs: number; polls: number }>();

  /** `polls`: how many polls in a row a file must look the same; 1 = complete at first sight. */
  constructor(polls: number) {
    this.polls = Math.max(1, polls);
  }

  /**
   * One poll: `paths` are the files there now. Returns those (in their order) whose size and mtime have
   * not changed for `polls` polls; a file gone since the last poll is forgotten, one gone meanwhile skipped.
   */
  async ripe(paths: readonly string[]): Promise<string[]> {
    const present = new Set(paths);
    for (const path of this.seen.keys()) if (!present.has(path)) this.seen.delete(path);
    const ripe: string[] = [];
    for (const path of paths) {
      const s = await stat(path).catch(() => null);
      if (!s) continue;
      const before = this.seen.get(path);
      const polls = before && before.size === s.size && before.mtimeMs === s.mtimeMs ? before.polls + 1 : 1;
      this.seen.set(path, { size: s.size, mtimeMs: s.mtimeMs, polls });
      if (polls >= this.polls) ripe.push(path);
    }
    return ripe;
  }

  /** The file was taken (renamed away): a new file under its name starts from scratch. */
  forget(path: string): void {
    this.seen.delete(path);
  }
}
