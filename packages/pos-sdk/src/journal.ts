import { closeSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { OfflineTransaction, UploadResult } from './wire.js';

/**
 * The durable local queue: an append-only journal file of JSON lines, fsync'd before an offline approval
 * is given to the POS (so an approved purchase survives a crash or a power cut), re-read on open. Chosen
 * over SQLite: no native module to build for each POS platform, and a journal is all a queue needs.
 *
 *   {"t":"txn", ...}      an offline purchase, approved at the terminal       (fsync)
 *   {"t":"res", ...}      what the server made of it: posted or failed         (fsync per uploaded batch)
 *   {"t":"online", ...}   the server answered for this account: the consecutive offline counters restart
 *                         (not fsync'd — losing one only makes the terminal stricter)
 *
 * A crash mid-write leaves at most a torn last line; open() cuts it off before appending.
 */
export type JournalRecord =
  | ({ t: 'txn'; account: string } & OfflineTransaction)
  | { t: 'res'; result: UploadResult }
  | { t: 'online'; account: string; at: string };

export class Journal {
  private readonly fd: number;
  readonly records: JournalRecord[] = [];

  constructor(dir: string) {
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'offline-journal.jsonl');
    this.fd = openSync(file, 'a+');
    const text = readFileSync(file, 'utf8');
    let good = 0;
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      const terminated = i < lines.length - 1;
      if (!terminated) break; // the remainder after the last newline: empty, or a torn write
      if (line.length === 0) {
        good += 1;
        continue;
      }
      try {
        this.records.push(JSON.parse(line) as JournalRecord);
      } catch {
        throw new Error(`offline journal ${file}: line ${i + 1} is corrupt (not a torn tail); refusing to guess`);
      }
      good += Buffer.byteLength(line) + 1;
    }
    if (good < Buffer.byteLength(text)) {
      ftruncateSync(this.fd, good);
      fsyncSync(this.fd);
    }
  }

  append(records: JournalRecord[], durable: boolean) {
    if (records.length === 0) return;
    writeSync(this.fd, records.map((r) => JSON.stringify(r) + '\n').join(''));
    if (durable) fsyncSync(this.fd);
    this.records.push(...records);
  }

  close() {
    closeSync(this.fd);
  }
}
