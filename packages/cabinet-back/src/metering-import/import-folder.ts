import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { AppError, listFiles, Poller, StableFiles, type Database, type Logger } from '@app/kernel';
import { sql, type ColumnType, type Kysely } from 'kysely';
import type { BillingAdapter } from '../billing/billing-adapter.js';
import type { CabinetBackDb } from '../tables.js';
import { import80020, type MeteringImportOptions, type MeteringImportResult } from './metering-import.js';

/**
 * The back's watched folder for 80020 files from billing or the grid company (issue 11, point 1;
 * METERING_IMPORT_DIR; docs/metering-formats.md):
 *
 *   incoming/<consumerRef>/<name>.xml   dropped here, one folder per billing consumer. Write the file
 *                                       as *.tmp or *.part and rename it when complete; a file is in any
 *                                       case taken only once its size and mtime stay the same for
 *                                       `stablePolls` polls.
 *   work/<claim>_<name>                 taken by one instance (the rename is the lock)
 *   processed/<claim>_<name>            imported (the per-point outcome, per-area refusals and problems in
 *                                       <claim>_<name>.result.json beside it)
 *   failed/<claim>_<name>               refused as a whole (not 80020, wrong encoding, unknown consumer,
 *                                       the same content imported before): nothing sent; the reason in
 *                                       <claim>_<name>.result.json
 *
 * Each poll first takes over files left in work/ by an instance that died (its lease ran out), then
 * takes complete new files: a row in metering_import_files with a lease, then the rename incoming/ →
 * work/ (of two instances renaming the same file one gets ENOENT and drops its row). The lease is renewed
 * while the file is read. A file cut short by a crash is read again from the start: billing stores a
 * point's day by replacing it (BillingAdapter.submitHourly), so the points sent before the crash end up
 * as they would have, and the file is counted once (one row, one result). A file whose whole content was
 * imported for the consumer before is a duplicate and goes to failed/. Billing away: the file stays in
 * work/ and is tried again after `retryMs`.
 */
export interface ImportFolderOptions {
  root: string;
  /** Today in the supplier's time zone (no day after it is taken). */
  today: () => string;
  import?: MeteringImportOptions;
  pollMs?: number;
  /** How long a taken file is ours without a renewal (renewed every third of it). Default 60 s. */
  leaseMs?: number;
  /** Polls a file's size and mtime must stay the same before it is taken; 1 = at first sight. Default 2. */
  stablePolls?: number;
  /** After billing was away, wait this long before the file is tried again. Default 15 s. */
  retryMs?: number;
  owner?: string;
  logger?: Logger;
}

export interface FolderOutcome {
  claimId: string;
  consumerRef: string;
  fileName: string;
  /** processed: sent to billing; failed: refused as a whole; retry: left in work/ for later. */
  status: 'processed' | 'failed' | 'retry';
  code: string | null;
  recovered: boolean;
  resultFile: string | null;
}

interface MeteringImportFilesTable {
  claim_id: string;
  consumer_ref: string;
  file_name: string;
  work_name: string;
  sha256: string | null;
  owner: string;
  lease_until: ColumnType<Date, Date, Date>;
  attempts: ColumnType<number, number | undefined, number>;
  status: ColumnType<'processing' | 'processed' | 'failed', 'processing' | undefined, 'processing' | 'processed' | 'failed'>;
  error_code: string | null;
  result: ColumnType<unknown, string | null, string | null>;
  created_at: ColumnType<Date, never, never>;
  finished_at: ColumnType<Date | null, Date | null, Date | null>;
}
type Db = CabinetBackDb & { metering_import_files: MeteringImportFilesTable };

export const IMPORT_FOLDERS = ['incoming', 'work', 'processed', 'failed'] as const;
const CONSUMER = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const CLAIMED = /^(\d{8}-\d{6}-[0-9a-f]{6})_(.+)$/;

/** Names still being written (or ours being written): never taken. */
export const isInProgressName = (name: string) => name.startsWith('.') || /\.(tmp|part|partial)$/i.test(name);

const newClaimId = (now = new Date()) => {
  const iso = now.toISOString();
  return `${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 19).replace(/:/g, '')}-${randomBytes(3).toString('hex')}`;
};

export class ImportFolder {
  private readonly db: Kysely<Db>;
  private readonly owner: string;
  private readonly leaseMs: number;
  private readonly retryMs: number;
  private readonly stable: StableFiles;
  private readonly poller: Poller<FolderOutcome[]>;
  private ready: Promise<unknown> | null = null;

  constructor(
    database: Database<CabinetBackDb>,
    private readonly adapter: BillingAdapter,
    private readonly options: ImportFolderOptions,
  ) {
    this.db = database.db as unknown as Kysely<Db>;
    this.owner = options.owner ?? `import:${randomUUID().slice(0, 8)}`;
    this.leaseMs = options.leaseMs ?? 60_000;
    this.stable = new StableFiles(options.stablePolls ?? 2);
    this.retryMs = options.retryMs ?? 15_000;
    this.poller = new Poller({ name: '80020 import folder', run: () => this.pollOnce(), intervalMs: options.pollMs ?? 5_000, logger: options.logger });
  }

  folder(name: (typeof IMPORT_FOLDERS)[number]) {
    return join(this.options.root, name);
  }

  /** Starts polling (the first poll at once). */
  start(): void {
    this.poller.start();
  }

  /** Stops polling; waits for the file in hand. */
  async stop(): Promise<void> {
    await this.poller.stop();
  }

  /** One poll: files abandoned in work/, then complete new files in incoming/<consumerRef>/. */
  async pollOnce(): Promise<FolderOutcome[]> {
    this.ready ??= Promise.all(IMPORT_FOLDERS.map((f) => mkdir(this.folder(f), { recursive: true })));
    await this.ready;
    const outcomes: FolderOutcome[] = [];
    const inWork = await files(this.folder('work'));
    for (const name of inWork) {
      const outcome = await this.recover(name);
      if (outcome) outcomes.push(outcome);
    }
    // Rows of claims whose instance died between writing the row and the rename: the file is still in
    // incoming/ (it is taken again under a new claim), nothing of it was read.
    let abandoned = this.db.deleteFrom('metering_import_files').where('status', '=', 'processing').where('lease_until', '<', sql<Date>`now()`);
    if (inWork.length) abandoned = abandoned.where('work_name', 'not in', inWork);
    await abandoned.execute();
    for (const { consumerRef, fileName } of await this.ripe()) {
      const outcome = await this.take(consumerRef, fileName);
      if (outcome) outcomes.push(outcome);
    }
    return outcomes;
  }

  /** Complete files: size and mtime unchanged for `stablePolls` polls. A file outside a consumer's folder is taken too (and refused). */
  private async ripe(): Promise<Array<{ consumerRef: string; fileName: string }>> {
    const incoming = this.folder('incoming');
    const found: Array<{ consumerRef: string; fileName: string; path: string }> = [];
    for (const entry of await readdir(incoming, { withFileTypes: true })) {
      if (entry.isDirectory()) for (const name of await files(join(incoming, entry.name))) found.push({ consumerRef: entry.name, fileName: name, path: join(incoming, entry.name, name) });
      else if (entry.isFile() && !isInProgressName(entry.name)) found.push({ consumerRef: '', fileName: entry.name, path: join(incoming, entry.name) });
    }
    const ripe = new Set(await this.stable.ripe(found.map((f) => f.path)));
    return found.filter((f) => ripe.has(f.path));
  }

  private source(consumerRef: string, fileName: string) {
    return consumerRef ? join(this.folder('incoming'), consumerRef, fileName) : join(this.folder('incoming'), fileName);
  }

  /** Lease row first, then the rename that only one instance wins. */
  private async take(consumerRef: string, fileName: string): Promise<FolderOutcome | null> {
    const claimId = newClaimId();
    const workName = `${claimId}_${fileName}`;
    await this.db.insertInto('metering_import_files').values({ claim_id: claimId, consumer_ref: consumerRef, file_name: fileName, work_name: workName, sha256: null, owner: this.owner, lease_until: this.leaseEnd(), error_code: null, result: null, finished_at: null }).execute();
    const from = this.source(consumerRef, fileName);
    try {
      await rename(from, join(this.folder('work'), workName));
    } catch (error) {
      await this.db.deleteFrom('metering_import_files').where('claim_id', '=', claimId).execute();
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null; // another instance took it
      throw error;
    }
    this.stable.forget(from);
    await fsyncDir(this.folder('work'));
    return this.process({ claimId, consumerRef, fileName, workName }, false);
  }

  /** A file in work/ whose lease ran out: its instance died (or billing was away); read again from the start. */
  private async recover(workName: string): Promise<FolderOutcome | null> {
    const named = CLAIMED.exec(workName);
    if (!named) {
      this.options.logger?.warn({ file: workName }, '80020 import folder: a file in work/ not named by a claim is left alone');
      return null;
    }
    const row = await this.db.selectFrom('metering_import_files').select(['status']).where('claim_id', '=', named[1]!).executeTakeFirst();
    if (row && row.status !== 'processing') {
      // Done, and its instance died before the file left work/: only the move is left to do.
      await this.move(workName, row.status);
      return null;
    }
    const taken = await this.db
      .updateTable('metering_import_files')
      .set((eb) => ({ owner: this.owner, lease_until: this.leaseEnd(), attempts: eb('attempts', '+', 1) }))
      .where('claim_id', '=', named[1]!)
      .where('status', '=', 'processing')
      .where('lease_until', '<', sql<Date>`now()`)
      .returning(['claim_id', 'consumer_ref', 'file_name'])
      .executeTakeFirst();
    if (!taken) return null; // alive elsewhere, or waiting for its retry time
    this.options.logger?.info({ file: taken.file_name, claim: taken.claim_id }, '80020 import folder: taking over a file left in work/');
    return this.process({ claimId: taken.claim_id, consumerRef: taken.consumer_ref, fileName: taken.file_name, workName }, true);
  }

  private leaseEnd(ms = this.leaseMs) {
    return new Date(Date.now() + ms);
  }

  private async process(claim: { claimId: string; consumerRef: string; fileName: string; workName: string }, recovered: boolean): Promise<FolderOutcome> {
    const heartbeat = setInterval(() => {
      this.db
        .updateTable('metering_import_files')
        .set({ lease_until: this.leaseEnd() })
        .where('claim_id', '=', claim.claimId)
        .where('owner', '=', this.owner)
        .execute()
        .catch((error: unknown) => this.options.logger?.warn({ err: error }, '80020 import folder: lease renewal failed'));
    }, Math.max(50, Math.floor(this.leaseMs / 3)));
    const base = { claimId: claim.claimId, consumerRef: claim.consumerRef, fileName: claim.fileName, recovered };
    try {
      return { ...base, ...(await this.handle(claim)) };
    } catch (error) {
      this.options.logger?.error({ err: error, file: claim.fileName, claim: claim.claimId }, '80020 import folder: stopped; the file stays in work/ and is tried again');
      await this.db
        .updateTable('metering_import_files')
        .set({ lease_until: this.leaseEnd(this.retryMs) })
        .where('claim_id', '=', claim.claimId)
        .where('owner', '=', this.owner)
        .execute()
        .catch(() => {});
      return { ...base, status: 'retry', code: error instanceof AppError ? error.code : 'internal_error', resultFile: null };
    } finally {
      clearInterval(heartbeat);
    }
  }

  private async handle(claim: { claimId: string; consumerRef: string; fileName: string; workName: string }): Promise<Pick<FolderOutcome, 'status' | 'code' | 'resultFile'>> {
    const path = join(this.folder('work'), claim.workName);
    if (!CONSUMER.test(claim.consumerRef)) {
      return this.finish(claim, 'failed', { code: 'consumer_not_named', message: 'Put the file in incoming/<consumer ref>/: the folder names the billing consumer the file is for' });
    }
    const sha256 = await hashFile(path);
    await this.db.updateTable('metering_import_files').set({ sha256 }).where('claim_id', '=', claim.claimId).execute();
    const before = await this.db
      .selectFrom('metering_import_files')
      .select(['claim_id', 'file_name', 'finished_at'])
      .where('consumer_ref', '=', claim.consumerRef)
      .where('sha256', '=', sha256)
      .where('status', '=', 'processed')
      .where('claim_id', '<>', claim.claimId)
      .executeTakeFirst();
    if (before) {
      return this.finish(claim, 'failed', { code: 'duplicate_file', message: `The same content was imported for consumer ${claim.consumerRef} as ${before.file_name} (claim ${before.claim_id}) at ${before.finished_at?.toISOString()}: nothing sent`, sha256 });
    }
    let result: MeteringImportResult;
    try {
      result = await import80020(this.adapter, claim.consumerRef, createReadStream(path, { highWaterMark: 64 * 1024 }), this.options.today(), this.options.import);
    } catch (error) {
      // Refused as a whole (4xx): reading it again would refuse it again. Anything else is tried again.
      if (error instanceof AppError && error.status < 500) return this.finish(claim, 'failed', { code: error.code, message: error.message, sha256 });
      throw error;
    }
    return this.finish(claim, 'processed', { code: null, sha256, ...result });
  }

  /** The result file (written whole, beside where the file goes), the row, then the move out of work/ (a crash before it: recover() moves it). */
  private async finish(claim: { claimId: string; consumerRef: string; fileName: string; workName: string }, status: 'processed' | 'failed', result: { code: string | null; message?: string; sha256?: string } & Partial<MeteringImportResult>) {
    const folder = this.folder(status);
    const resultFile = `${claim.workName}.result.json`;
    const body = { file: claim.fileName, consumerRef: claim.consumerRef, claimId: claim.claimId, status, at: new Date().toISOString(), ...result };
    await writeAtomic(join(folder, resultFile), `${JSON.stringify(body, null, 2)}\n`);
    await this.db
      .updateTable('metering_import_files')
      .set({ status, error_code: result.code, result: JSON.stringify(body), finished_at: new Date(), lease_until: new Date() })
      .where('claim_id', '=', claim.claimId)
      .execute();
    await this.move(claim.workName, status);
    this.options.logger?.info({ file: claim.fileName, consumerRef: claim.consumerRef, status, code: result.code }, '80020 import folder: file done');
    return { status, code: result.code, resultFile };
  }

  private async move(workName: string, status: 'processed' | 'failed') {
    const folder = this.folder(status);
    try {
      await rename(join(this.folder('work'), workName), join(folder, workName));
      await fsyncDir(folder);
      await fsyncDir(this.folder('work'));
    } catch (error) {
      // Moved meanwhile by an instance that took the claim over while this one was stalled.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
}

/** A folder gone meanwhile (a consumer's folder removed) has no files. */
const files = (dir: string) => listFiles(dir, isInProgressName).catch((): string[] => []);

async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 256 * 1024 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** `<path>.tmp`, flushed, renamed into place, the folder flushed: a reader never sees half a result. */
async function writeAtomic(path: string, text: string) {
  const temp = `${path}.tmp`;
  try {
    await writeFile(temp, text);
    const handle = await open(temp, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  await fsyncDir(dirname(path));
}

/** Some file systems cannot fsync a folder; the rename is still atomic there. */
async function fsyncDir(dir: string) {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // best effort
  }
}
