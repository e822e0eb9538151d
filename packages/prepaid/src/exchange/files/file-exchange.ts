import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rename } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { AppError, listFiles, Poller, StableFiles, type Database, type Logger } from '@app/kernel';
import { sql, type Kysely } from 'kysely';
import type { ReceiveOptions, Received, RegistryStatus } from '../../registries/registry.service.js';
import type { ExchangeDb, PrepaidDb } from '../../tables.js';
import { moveDurably, writeAtomic, writeTextAtomic } from './atomic.js';
import {
  claimedName,
  ensureLayout,
  errorReportName,
  isInProgressName,
  layoutOf,
  newClaimId,
  parseClaimedName,
  parseExchangeName,
  resultFileName,
  type ExchangeLayout,
} from './layout.js';
import { errorReport, writeResultCsv, type RegistryResults } from './results.js';

/**
 * File exchange with a partner system through a watched folder (DESIGN §2.10; docs/exchange.md).
 *
 * Each poll: files left in work/ by a crashed instance (their lease ran out) are processed again, then
 * new files in in/ that are complete (not *.tmp/*.part, size and mtime unchanged for `stablePolls`
 * polls) are taken one at a time:
 *
 *   1. a row in exchange_files with a lease is written, then the file is renamed in/ → work/<claim>_<name>;
 *      of two instances renaming the same file one gets ENOENT and drops its row: the rename is the lock;
 *   2. the registry service receives it (source 'file', receivedBy `file:<claim>`) and applies it;
 *   3. out/<stem>.result.csv is written atomically; the file moves to archive/;
 *      a file refused as a whole (unknown name, unreadable, duplicate) moves to error/ with a .error.txt.
 *
 * Exactly once does not depend on this class: the registry is known by its content hash and number, and
 * each credit line is a ledger operation under the key registry:<id>:<line_id>. Processing a file again
 * after a crash therefore finds its own registry (receivedBy names the claim) and applies only the lines
 * not yet applied; the result file is (re)written. A different file with the same content or number is
 * a duplicate and goes to error/, nothing of it applied.
 *
 * The lease is renewed while a file is processed; an instance stopped by the OS (SIGKILL, power) stops
 * renewing and another instance — or the same one restarted — takes the file over once it runs out.
 */
export interface RegistryPort extends RegistryResults {
  receive(input: Readable, o: ReceiveOptions): Promise<Received>;
  apply(id: string, o?: { appliedBy?: string }): Promise<RegistryStatus>;
}

/** The settlement service's renderer (packages/prepaid/src/settlement): writes registry `id` as CSV or xlsx. */
export interface SettlementRenderer {
  render(registryId: string, format: 'csv' | 'xlsx', out: Writable): Promise<unknown>;
}

export interface FileExchangeOptions {
  root: string;
  /** Interval between polls of in/ and work/. */
  pollMs?: number;
  /** How long a taken file is ours without a renewal (renewed every third of it while processing). */
  leaseMs?: number;
  /** Polls a file's size and mtime must stay the same before it is taken; 1 = take at first sight. */
  stablePolls?: number;
  /** After an infrastructure error (database down), wait this long before the file is tried again. */
  retryMs?: number;
  /** This instance's name in exchange_files.owner. */
  owner?: string;
  logger?: Logger;
  /** Called after each file taken (for metrics and tests). */
  onOutcome?: (outcome: FileOutcome) => void;
}

export interface FileOutcome {
  claimId: string;
  fileName: string;
  /** archived: applied, results in out/; error: refused or duplicate, in error/; retry: left in work/ for later. */
  status: 'archived' | 'error' | 'retry';
  registryId: string | null;
  code: string | null;
  resultFile: string | null;
  recovered: boolean;
}

/** Not a failure of the file: it is tried again after `retryMs`. */
class Retry extends AppError {
  constructor(message: string) {
    super('retry_later', 503, message);
  }
}

export class FileExchange {
  readonly layout: ExchangeLayout;
  private readonly db: Kysely<ExchangeDb>;
  private readonly owner: string;
  private readonly leaseMs: number;
  private readonly retryMs: number;
  private readonly stable: StableFiles;
  private readonly poller: Poller<FileOutcome[]>;
  private ready: Promise<unknown> | null = null;

  constructor(
    database: Database<PrepaidDb>,
    private readonly registries: RegistryPort,
    private readonly options: FileExchangeOptions,
  ) {
    this.db = database.db as unknown as Kysely<ExchangeDb>;
    this.layout = layoutOf(options.root);
    this.owner = options.owner ?? `files:${randomUUID().slice(0, 8)}`;
    this.leaseMs = options.leaseMs ?? 60_000;
    this.stable = new StableFiles(options.stablePolls ?? 2);
    this.retryMs = options.retryMs ?? 15_000;
    this.poller = new Poller({ name: 'file exchange', run: () => this.pollOnce(), intervalMs: options.pollMs ?? 2_000, logger: options.logger });
  }

  /** Starts polling (the first poll at once). */
  start(): void {
    this.poller.start();
  }

  /** Stops polling; waits for the file in hand to finish. */
  async stop(): Promise<void> {
    await this.poller.stop();
  }

  /** One poll: files abandoned in work/, then complete new files in in/. Returns what was done. */
  async pollOnce(): Promise<FileOutcome[]> {
    this.ready ??= ensureLayout(this.options.root);
    await this.ready;
    const outcomes: FileOutcome[] = [];
    for (const name of await listFiles(this.layout.work, isInProgressName)) {
      const outcome = await this.recover(name);
      if (outcome) outcomes.push(outcome);
    }
    for (const name of await this.ripe()) {
      const outcome = await this.take(name);
      if (outcome) outcomes.push(outcome);
    }
    return outcomes;
  }

  /**
   * Writes a settlement registry to out/ atomically (name.tmp, fsync, rename), through the settlement
   * service's renderer; the partner never sees a half-written file. Returns the file's path.
   */
  async exportSettlement(renderer: SettlementRenderer, registryId: string, o: { format: 'csv' | 'xlsx'; name: string }): Promise<string> {
    return writeSettlementFile(this.options.root, renderer, registryId, o);
  }

  /** Files in in/ whose size and mtime have not changed for `stablePolls` polls. */
  private async ripe(): Promise<string[]> {
    const names = await listFiles(this.layout.in, isInProgressName);
    return (await this.stable.ripe(names.map((name) => join(this.layout.in, name)))).map((path) => basename(path));
  }

  /** Takes a file from in/: lease row first, then the rename (which only one instance wins). */
  private async take(fileName: string): Promise<FileOutcome | null> {
    const claimId = newClaimId();
    const workName = claimedName(claimId, fileName);
    const parsed = parseExchangeName(fileName);
    await this.db
      .insertInto('exchange_files')
      .values({ claim_id: claimId, file_name: fileName, work_name: workName, kind: parsed?.kind ?? null, number: parsed?.number ?? null, owner: this.owner, lease_until: this.leaseEnd() })
      .execute();
    try {
      await rename(join(this.layout.in, fileName), join(this.layout.work, workName));
    } catch (error) {
      await this.db.deleteFrom('exchange_files').where('claim_id', '=', claimId).execute();
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null; // another instance took it
      throw error;
    }
    this.stable.forget(join(this.layout.in, fileName));
    return this.process({ claimId, fileName, workName }, false);
  }

  /** A file in work/ whose lease ran out (or that has no row): its instance died; it is processed again. */
  private async recover(workName: string): Promise<FileOutcome | null> {
    const named = parseClaimedName(workName);
    if (!named) {
      this.options.logger?.warn({ file: workName }, 'file exchange: a file in work/ not named by a claim is left alone');
      return null;
    }
    const parsed = parseExchangeName(named.fileName);
    await this.db
      .insertInto('exchange_files')
      .values({ claim_id: named.claimId, file_name: named.fileName, work_name: workName, kind: parsed?.kind ?? null, number: parsed?.number ?? null, owner: this.owner, lease_until: new Date(0) })
      .onConflict((oc) => oc.column('claim_id').doNothing())
      .execute();
    const taken = await this.db
      .updateTable('exchange_files')
      .set((eb) => ({ owner: this.owner, lease_until: this.leaseEnd(), attempts: eb('attempts', '+', 1), status: 'processing', error_code: null, error_message: null }))
      .where('claim_id', '=', named.claimId)
      .where('lease_until', '<', sql<Date>`now()`)
      .returning('claim_id')
      .executeTakeFirst();
    if (!taken) return null; // alive elsewhere, or waiting for its retry time
    this.options.logger?.info({ file: named.fileName, claim: named.claimId }, 'file exchange: resuming a file left in work/');
    return this.process({ claimId: named.claimId, fileName: named.fileName, workName }, true);
  }

  private leaseEnd(ms = this.leaseMs) {
    return new Date(Date.now() + ms);
  }

  private async process(claim: { claimId: string; fileName: string; workName: string }, recovered: boolean): Promise<FileOutcome> {
    const heartbeat = setInterval(() => {
      this.db
        .updateTable('exchange_files')
        .set({ lease_until: this.leaseEnd() })
        .where('claim_id', '=', claim.claimId)
        .where('owner', '=', this.owner)
        .execute()
        .catch((error: unknown) => this.options.logger?.warn({ err: error }, 'file exchange: lease renewal failed'));
    }, Math.max(50, Math.floor(this.leaseMs / 3)));
    const base = { claimId: claim.claimId, fileName: claim.fileName, recovered };
    try {
      const outcome = await this.handle(claim);
      const result = { ...base, ...outcome };
      this.options.onOutcome?.(result);
      return result;
    } catch (error) {
      this.options.logger?.error({ err: error, file: claim.fileName, claim: claim.claimId }, 'file exchange: processing stopped; the file stays in work/ and is tried again');
      await this.db
        .updateTable('exchange_files')
        .set({ lease_until: this.leaseEnd(this.retryMs) })
        .where('claim_id', '=', claim.claimId)
        .where('owner', '=', this.owner)
        .execute()
        .catch(() => {});
      const result: FileOutcome = { ...base, status: 'retry', registryId: null, code: error instanceof AppError ? error.code : 'internal_error', resultFile: null };
      this.options.onOutcome?.(result);
      return result;
    } finally {
      clearInterval(heartbeat);
    }
  }

  private async handle(claim: { claimId: string; fileName: string; workName: string }): Promise<Omit<FileOutcome, 'claimId' | 'fileName' | 'recovered'>> {
    const name = parseExchangeName(claim.fileName);
    if (!name) {
      return this.refuse(claim, null, {
        code: 'unknown_file_name',
        message: 'The file name follows no convention: clients_<number>.csv|xlsx, credits_<number>.csv|xlsx, or <kind>_<number>.cp1251.csv',
      });
    }
    const workPath = join(this.layout.work, claim.workName);
    const receivedBy = `file:${claim.claimId}`;
    let received: Received;
    try {
      received = await this.registries.receive(createReadStream(workPath), {
        kind: name.kind,
        format: name.format,
        fileName: claim.fileName,
        registryNumber: name.number,
        source: 'file',
        receivedBy,
        ...(name.encoding !== 'utf-8' ? { encoding: name.encoding } : {}),
      });
    } catch (error) {
      // A file unusable as a whole (4xx): reading it again would refuse it again.
      if (error instanceof AppError && error.status < 500) {
        const { registryId, ...details } = error.extra ?? {};
        return this.refuse(claim, typeof registryId === 'string' ? registryId : null, { code: error.code, message: error.message, details });
      }
      throw error;
    }
    let registry = received.registry;
    if (received.duplicate && registry.receivedBy !== receivedBy) {
      const how = received.duplicate === 'content' ? 'the same content as' : 'the same number as';
      return this.refuse(claim, registry.id, {
        code: 'duplicate',
        message: `Not applied: this file has ${how} registry ${registry.number} (${registry.fileName ?? 'no file name'}) received ${registry.receivedAt}, status ${registry.status}`,
        details: { duplicate: received.duplicate, registryNumber: registry.number, registryStatus: registry.status },
      });
    }
    await this.db.updateTable('exchange_files').set({ registry_id: registry.id }).where('claim_id', '=', claim.claimId).execute();
    // Ours — new, or taken over from a crashed run of this same claim (received.duplicate set).
    if (registry.status === 'received') throw new Retry('the registry is still being read by an interrupted run');
    if (registry.status !== 'applied') registry = await this.registries.apply(registry.id, { appliedBy: `file:${claim.fileName}` });
    const resultName = resultFileName(name.stem);
    await writeAtomic(this.layout.out, resultName, (out) => writeResultCsv(this.registries, registry, out));
    await this.finish(claim, this.layout.archive, { status: 'archived' });
    return { status: 'archived', registryId: registry.id, code: null, resultFile: resultName };
  }

  private async refuse(claim: { claimId: string; fileName: string; workName: string }, registryId: string | null, e: { code: string; message: string; details?: Record<string, unknown> }) {
    await writeTextAtomic(this.layout.error, errorReportName(claim.workName), errorReport({ fileName: claim.fileName, registryId, ...e }));
    await this.finish(claim, this.layout.error, { status: 'error', error_code: e.code, error_message: e.message, registry_id: registryId });
    return { status: 'error' as const, registryId, code: e.code, resultFile: null };
  }

  private async finish(
    claim: { claimId: string; workName: string },
    folder: string,
    row: { status: 'archived' | 'error'; error_code?: string; error_message?: string; registry_id?: string | null },
  ) {
    try {
      await moveDurably(join(this.layout.work, claim.workName), join(folder, claim.workName));
    } catch (error) {
      // Finished meanwhile by an instance that took the claim over while this one was stalled.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    await this.db
      .updateTable('exchange_files')
      .set({ ...row, finished_at: new Date(), lease_until: new Date() })
      .where('claim_id', '=', claim.claimId)
      .execute();
  }
}

/** Writes settlement registry `registryId` to <root>/out/<name>.<format> atomically; returns the path. */
export async function writeSettlementFile(root: string, renderer: SettlementRenderer, registryId: string, o: { format: 'csv' | 'xlsx'; name: string }): Promise<string> {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,150}$/.test(o.name)) throw new AppError('file_name_invalid', 400, 'A settlement file name is letters, digits, dots, dashes and underscores');
  const layout = await ensureLayout(root);
  return writeAtomic(layout.out, `${o.name}.${o.format}`, (out) => renderer.render(registryId, o.format, out));
}
