import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { AppError, conflict, notFound, type Database } from '@app/kernel';
import { sql } from 'kysely';
import { Ledger, type LedgerResult } from '../ledger/ledger.service.js';
import { SystemAccounts } from '../ledger/ledger.repo.js';
import type { PrepaidDb, RegistryKind, RegistryLineStatus, RegistryStatusName } from '../tables.js';
import { applyClientLine, LineFailure } from './clients.apply.js';
import { applyCreditRound, correctionReason, ledgerKey, type CreditWork } from './credits.apply.js';
import { mapHeader, rowRecord } from './header.js';
import { parseLine, type ClientLine } from './line.js';
import { previewChanges } from './preview.js';
import { csvRows, defaultLimits, fileError, prepareXlsx, spool, xlsxRows, type ReadLimits, type RegistryEncoding, type RegistryFormat, type Row } from './reader.js';
import * as repo from './registry.repo.js';

/**
 * Registries from the customer's systems, independent of how they arrive (staff upload, watched
 * folder, partner API): a Readable and what it is. The pipeline:
 *
 *   receive  — spool the file to disk while hashing it; an earlier registry with the same content or the
 *              same (kind, number) is answered instead (never applied twice); otherwise read the rows as a
 *              stream, parse each line, store lines in batches, then check every line against the
 *              database set-based → `validated` (or `rejected` when the file as a whole is unusable);
 *   preview  — per line: what applying it would change, or why it cannot be applied; changes nothing;
 *   apply    — line by line, each wholly or not at all, in batches; every line ends applied, failed
 *              (with its code) or skipped (was invalid); resumable after a crash without double effects.
 *
 * Progress: the registry row's status and counters are updated every batch (`status(id)`), and the
 * optional onProgress callback is called with the same numbers.
 */
export type RegistrySource = 'staff' | 'file' | 'partner';

export interface ReceiveOptions {
  kind: RegistryKind;
  format: RegistryFormat;
  /** The file's name as sent; its stem is the registry number when none is given. */
  fileName?: string;
  registryNumber?: string;
  source: RegistrySource;
  /** CSV only; UTF-8 by default. */
  encoding?: RegistryEncoding;
  /** Who sent it, for the record: a staff login, `file:<folder>`, `partner:<code>`. */
  receivedBy?: string;
  onProgress?: (progress: RegistryProgress) => void;
}

export interface RegistryProgress {
  registryId: string;
  status: RegistryStatusName;
  lines: LineCounters;
}

export interface LineCounters {
  total: number;
  invalid: number;
  applied: number;
  failed: number;
  skipped: number;
  deferred: number;
}

export interface RegistryStatus {
  id: string;
  kind: RegistryKind;
  number: string;
  format: RegistryFormat;
  fileName: string | null;
  bytes: number;
  sha256: string;
  source: RegistrySource;
  status: RegistryStatusName;
  error: { code: string; message: string; details: Record<string, unknown> | null } | null;
  lines: LineCounters;
  receivedBy: string | null;
  appliedBy: string | null;
  receivedAt: string;
  validatedAt: string | null;
  applyStartedAt: string | null;
  appliedAt: string | null;
}

export interface Received {
  registry: RegistryStatus;
  /** Set when the file repeats an earlier registry: that one is answered, nothing new is stored or applied. */
  duplicate: null | 'content' | 'number';
}

export interface RegistryLineView {
  lineNo: number;
  key: string | null;
  action: string | null;
  status: RegistryLineStatus;
  error: { code: string; message: string } | null;
  /** The line as parsed (or as sent, when it could not be parsed). */
  data: Record<string, unknown>;
  /** Preview of a line still to apply: what it would change now. */
  change: Record<string, unknown> | null;
  /** What applying it did. */
  result: Record<string, unknown> | null;
  operationId: string | null;
}

export interface LinesPage {
  items: RegistryLineView[];
  total: number;
  offset: number;
  limit: number;
}

export interface RegistryServiceOptions {
  limits?: Partial<ReadLimits>;
  /** Where uploads are spooled while read; the system's temporary folder by default. */
  tempDir?: string;
  /** Lines stored per INSERT while reading. */
  readBatch?: number;
  /** Credit lines per transaction while applying (500: fewer round trips than smaller, less heap held per batch than larger). */
  creditBatch?: number;
  /** Client lines per transaction (a savepoint each) while applying. */
  clientBatch?: number;
  /** How long an applier's claim lasts without a renewal (each batch renews it). */
  leaseSeconds?: number;
}

const RECEIVE_STALL_MS = 2 * 60_000;

export class RegistryService {
  private readonly db: repo.Db;
  private readonly limits: ReadLimits;
  private readonly ledger: Ledger;
  private readonly system: SystemAccounts;

  constructor(
    private readonly database: Database<PrepaidDb>,
    private readonly options: RegistryServiceOptions = {},
  ) {
    this.db = database.db as unknown as repo.Db;
    this.limits = { ...defaultLimits, ...options.limits };
    this.ledger = new Ledger(database);
    this.system = new SystemAccounts(database.db);
  }

  async receive(input: Readable, o: ReceiveOptions): Promise<Received> {
    const number = registryNumber(o);
    if (o.encoding && o.encoding !== 'utf-8' && o.format !== 'csv') throw fileError('bad_encoding', 'An encoding is given only for CSV files', {}, 400);
    const dir = await mkdtemp(join(this.options.tempDir ?? tmpdir(), 'registry-'));
    const path = join(dir, 'upload');
    try {
      const { bytes, sha256 } = await spool(input, path, this.limits.maxFileBytes);
      const earlier = await this.earlier(o.kind, number, sha256);
      if (earlier) return earlier;
      let id: string;
      try {
        id = (
          await this.db
            .insertInto('registries')
            .values({ kind: o.kind, number, format: o.format, file_name: o.fileName ?? null, file_bytes: BigInt(bytes), content_sha256: sha256, source: o.source, received_by: o.receivedBy ?? null })
            .returning('id')
            .executeTakeFirstOrThrow()
        ).id;
      } catch (error) {
        // The same file arriving twice at once: the other one won, and is the answer.
        if ((error as { code?: string }).code === '23505') {
          const other = await this.earlier(o.kind, number, sha256);
          if (other) return other;
        }
        throw error;
      }
      try {
        await this.read(id, o, path);
        await this.validate(id, o.kind);
      } catch (error) {
        await this.reject(id, error);
        if (error instanceof AppError) throw new AppError(error.code, error.status, error.message, { ...error.extra, registryId: id });
        throw error;
      }
      const registry = await this.status(id);
      o.onProgress?.(progressOf(registry));
      return { registry, duplicate: null };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  private async earlier(kind: RegistryKind, number: string, sha256: string): Promise<Received | null> {
    const found = await repo.findEarlier(this.db, kind, number, sha256);
    if (!found) return null;
    // A receive that died half-way (process killed) must not hold the number for ever.
    if (found.status === 'received' && Date.now() - found.updated_at.getTime() > RECEIVE_STALL_MS) {
      await this.reject(found.id, fileError('receive_interrupted', 'Reading this file was interrupted; it was received again'));
      return this.earlier(kind, number, sha256);
    }
    return { registry: await this.status(found.id), duplicate: found.content_sha256 === sha256 ? 'content' : 'number' };
  }

  /** A file unusable as a whole keeps its row (status rejected, the error) but no lines, number or hash claim. */
  private async reject(id: string, error: unknown) {
    const e = error instanceof AppError ? error : null;
    const { registryId: _r, ...details } = e?.extra ?? {};
    await this.db.deleteFrom('registry_lines').where('registry_id', '=', id).execute();
    await this.db
      .updateTable('registries')
      .set({
        status: 'rejected',
        error_code: e?.code ?? 'receive_failed',
        error_message: e?.message ?? 'The file could not be read because of an internal error; send it again',
        error_details: JSON.stringify(details),
        lines_total: 0,
        lines_invalid: 0,
        updated_at: new Date(),
      })
      .where('id', '=', id)
      .execute();
  }

  private async read(id: string, o: ReceiveOptions, path: string) {
    let rows: AsyncIterable<Row>;
    if (o.format === 'xlsx') {
      await prepareXlsx(path, this.limits);
      rows = xlsxRows(path);
    } else {
      rows = csvRows(path, o.encoding ?? 'utf-8');
    }
    let header: string[] | null = null;
    let batch: repo.NewLine[] = [];
    let total = 0;
    let invalid = 0;
    const flush = async () => {
      await repo.insertLines(this.db, id, batch);
      total += batch.length;
      invalid += batch.filter((l) => l.status === 'invalid').length;
      batch = [];
      await this.db.updateTable('registries').set({ lines_total: total, lines_invalid: invalid, updated_at: new Date() }).where('id', '=', id).execute();
      o.onProgress?.({ registryId: id, status: 'received', lines: { total, invalid, applied: 0, failed: 0, skipped: 0, deferred: 0 } });
    };
    let lastLine = 1;
    for await (const row of rows) {
      if (!header) {
        header = mapHeader(o.kind, row.cells);
        lastLine = row.lineNo;
        continue;
      }
      // csv-parse counts the line a record ends on; a record is never numbered at or above the header's.
      const lineNo = Math.max(row.lineNo, lastLine + 1);
      lastLine = lineNo;
      batch.push(toNewLine(o.kind, lineNo, rowRecord(header, row.cells, o.format === 'csv')));
      if (batch.length >= (this.options.readBatch ?? 1000)) await flush();
    }
    if (!header) throw fileError('empty_file', 'The file has no header line');
    await flush();
    if (total === 0) throw fileError('no_lines', 'The file has a header but no lines');
    // The lines were just bulk-loaded: without fresh statistics the planner takes the table for empty
    // and the set-based checks and apply statements scan it once per line.
    await sql`analyze registry_lines`.execute(this.db);
  }

  private async validate(id: string, kind: RegistryKind) {
    await this.database.transaction(async (trx) => {
      const t = trx as unknown as repo.Tx;
      if (kind === 'credits') await repo.validateCredits(t, id);
      else await repo.validateClients(t, id);
      await repo.recount(t, id);
      await t.updateTable('registries').set({ status: 'validated', validated_at: new Date(), updated_at: new Date() }).where('id', '=', id).execute();
    });
  }

  async status(id: string): Promise<RegistryStatus> {
    const r = await this.db.selectFrom('registries').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r) throw notFound('registry_not_found', 'No such registry');
    return {
      id: r.id,
      kind: r.kind,
      number: r.number,
      format: r.format,
      fileName: r.file_name,
      bytes: Number(r.file_bytes),
      sha256: r.content_sha256,
      source: r.source,
      status: r.status,
      error: r.error_code ? { code: r.error_code, message: r.error_message ?? '', details: r.error_details } : null,
      lines: { total: r.lines_total, invalid: r.lines_invalid, applied: r.lines_applied, failed: r.lines_failed, skipped: r.lines_skipped, deferred: r.lines_deferred },
      receivedBy: r.received_by,
      appliedBy: r.applied_by,
      receivedAt: r.received_at.toISOString(),
      validatedAt: r.validated_at?.toISOString() ?? null,
      applyStartedAt: r.apply_started_at?.toISOString() ?? null,
      appliedAt: r.applied_at?.toISOString() ?? null,
    };
  }

  /** Newest first. */
  async list(filter: { kind?: RegistryKind; status?: RegistryStatusName; offset?: number; limit?: number } = {}): Promise<{ items: RegistryStatus[]; total: number }> {
    let query = this.db.selectFrom('registries');
    if (filter.kind) query = query.where('kind', '=', filter.kind);
    if (filter.status) query = query.where('status', '=', filter.status);
    const ids = await query.select('id').orderBy('received_at', 'desc').orderBy('id').limit(filter.limit ?? 50).offset(filter.offset ?? 0).execute();
    const { n } = await query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return { items: await Promise.all(ids.map((r) => this.status(r.id))), total: Number(n) };
  }

  /** The lines with, for those still to apply, what they would change; read-only. */
  async preview(id: string, page: { offset?: number; limit?: number; status?: RegistryLineStatus } = {}): Promise<LinesPage> {
    return this.lines(id, page);
  }

  /** The lines with their results (the same page as preview, named for after apply). */
  async results(id: string, page: { offset?: number; limit?: number; status?: RegistryLineStatus } = {}): Promise<LinesPage> {
    return this.lines(id, page);
  }

  private async lines(id: string, page: { offset?: number; limit?: number; status?: RegistryLineStatus }): Promise<LinesPage> {
    const registry = await this.status(id);
    const offset = page.offset ?? 0;
    const limit = Math.min(page.limit ?? 50, 500);
    let query = this.db.selectFrom('registry_lines').where('registry_id', '=', id);
    if (page.status) query = query.where('status', '=', page.status);
    const rows = await query
      .select(['line_no', 'line_key', 'action', 'status', 'error_code', 'error_message', 'data', 'result', 'operation_id', 'client_id', 'account_id', 'product_code', 'amount'])
      .select(sql<string | null>`planned_date::text`.as('planned'))
      .orderBy('line_no')
      .limit(limit)
      .offset(offset)
      .execute();
    const { n } = await query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const changes = await previewChanges(this.db, registry.kind, rows.filter((r) => r.status === 'valid' || r.status === 'deferred'));
    return {
      items: rows.map((r) => ({
        lineNo: r.line_no,
        key: r.line_key,
        action: r.action,
        status: r.status,
        error: r.error_code ? { code: r.error_code, message: r.error_message ?? '' } : null,
        data: r.data,
        change: changes.get(r.line_no) ?? null,
        result: r.result,
        operationId: r.operation_id,
      })),
      total: Number(n),
      offset,
      limit,
    };
  }

  /**
   * Applies every line that is valid (and due, for planned credits). Once applied, calling it again
   * answers the same status; while another applier holds the registry, `registry_applying`. `force`
   * takes over a claim at once (after a crash, when waiting for the lease to run out is not wanted).
   * `onStarted` is called once the registry is claimed, before the first line: an HTTP route answers
   * then and lets the work go on.
   */
  async apply(id: string, o: { appliedBy?: string; force?: boolean; onProgress?: (p: RegistryProgress) => void; onStarted?: () => void } = {}): Promise<RegistryStatus> {
    const owner = randomUUID();
    const lease = this.options.leaseSeconds ?? 60;
    const claimed = await this.database.transaction(async (trx) => {
      const t = trx as unknown as repo.Tx;
      const row = await t
        .updateTable('registries')
        .set({
          status: 'applying',
          apply_owner: owner,
          apply_lease_until: sql<Date>`now() + make_interval(secs => ${lease})`,
          applied_by: sql<string>`coalesce(applied_by, ${o.appliedBy ?? null}::text)`,
          apply_started_at: sql<Date>`coalesce(apply_started_at, now())`,
          error_code: null,
          error_message: null,
          error_details: null,
          updated_at: new Date(),
        })
        .where('id', '=', id)
        .where((eb) =>
          eb.or([
            eb('status', 'in', ['validated', 'scheduled', 'failed']),
            eb.and([eb('status', '=', 'applying'), o.force ? sql<boolean>`true` : sql<boolean>`apply_lease_until < now()`]),
          ]),
        )
        .returning(['id', 'kind', 'number'])
        .executeTakeFirst();
      if (row) await t.updateTable('registry_lines').set({ status: 'skipped' }).where('registry_id', '=', id).where('status', '=', 'invalid').execute();
      return row;
    });
    if (!claimed) {
      const current = await this.status(id);
      if (current.status === 'applied') return current;
      if (current.status === 'applying') throw conflict('registry_applying', 'The registry is being applied; watch its progress');
      if (current.status === 'rejected') throw conflict('registry_rejected', `The file was rejected (${current.error?.code}); nothing to apply`);
      throw conflict('registry_not_ready', 'The registry is still being read');
    }
    const registry = { id, kind: claimed.kind, number: claimed.number };
    o.onStarted?.();
    try {
      await sql`update registry_lines set status = 'valid' where registry_id = ${id} and status = 'deferred' and planned_date <= current_date`.execute(this.db);
      await sql`update registry_lines set status = 'deferred' where registry_id = ${id} and status = 'valid' and planned_date > current_date`.execute(this.db);
      const report = async () => o.onProgress?.(progressOf(await this.status(id)));
      if (registry.kind === 'credits') await this.applyCredits(registry, owner, lease, report);
      else await this.applyClients(registry, owner, lease, report);
      const counters = await repo.recount(this.db, id);
      await this.db
        .updateTable('registries')
        .set({ status: counters.lines_deferred > 0 ? 'scheduled' : 'applied', applied_at: new Date(), apply_owner: null, apply_lease_until: null, updated_at: new Date() })
        .where('id', '=', id)
        .where('apply_owner', '=', owner)
        .execute();
    } catch (error) {
      if (!(error instanceof LostClaim)) {
        await this.db
          .updateTable('registries')
          .set({ status: 'failed', error_code: 'apply_interrupted', error_message: `Applying stopped: ${(error as Error).message}; apply again to continue`, apply_owner: null, updated_at: new Date() })
          .where('id', '=', id)
          .where('apply_owner', '=', owner)
          .execute()
          .catch(() => {});
      }
      throw error;
    }
    const done = await this.status(id);
    o.onProgress?.(progressOf(done));
    return done;
  }

  /** Applies the due lines of every registry waiting for planned dates; for a daily job. */
  async applyDue(appliedBy = 'scheduler'): Promise<RegistryStatus[]> {
    const due = await sql<{ id: string }>`
      select r.id from registries r where r.status = 'scheduled'
        and exists (select 1 from registry_lines l where l.registry_id = r.id and l.status = 'deferred' and l.planned_date <= current_date)
      order by r.received_at`.execute(this.db);
    const done: RegistryStatus[] = [];
    for (const { id } of due.rows) done.push(await this.apply(id, { appliedBy }));
    return done;
  }

  /** Renews the claim inside the batch's transaction; a lost claim stops this applier before it writes. */
  private async renew(t: repo.Tx, id: string, owner: string, lease: number) {
    const held = await t
      .updateTable('registries')
      .set({ apply_lease_until: sql<Date>`now() + make_interval(secs => ${lease})`, updated_at: new Date() })
      .where('id', '=', id)
      .where('apply_owner', '=', owner)
      .returning('id')
      .executeTakeFirst();
    if (!held) throw new LostClaim();
  }

  private async applyCredits(registry: { id: string; number: string }, owner: string, lease: number, report: () => Promise<void>) {
    const createdBy = `registry:${registry.number}`;
    const products = await this.db.selectFrom('registry_lines').select(['product_code', 'action']).distinct().where('registry_id', '=', registry.id).where('status', 'in', ['valid', 'deferred']).execute();
    for (const p of products) await this.system.ensure(p.action === 'correction' ? 'correction' : 'funding', p.product_code!);
    // Keyset: each batch starts after the last line taken, never re-reading the index entries the
    // earlier batches left behind when they changed their lines' status.
    let after = 0;
    for (;;) {
      let leftover: CreditWork[] = [];
      const found = await this.withRetry(() =>
        this.database.transaction(async (trx) => {
          const t = trx as unknown as repo.Tx;
          await this.renew(t, registry.id, owner, lease);
          const lines = await t
            .selectFrom('registry_lines')
            .select(['line_no', 'line_key', 'action', 'account_id', 'product_code', 'amount'])
            .select([sql<string | null>`planned_date::text`.as('planned'), sql<string | null>`data->>'comment'`.as('comment')])
            .where('registry_id', '=', registry.id)
            .where('line_no', '>', after)
            .where('status', '=', 'valid')
            .orderBy('line_no')
            .limit(this.options.creditBatch ?? 500)
            .forUpdate()
            .execute();
          if (lines.length === 0) return null;
          // A credit to a product the account has no wallet for opens that wallet (product defaults).
          await sql`
            insert into wallets (account_id, product_code, min_balance)
            select distinct x.account_id, x.product, p.min_balance
            from unnest(${lines.map((l) => l.account_id)}::uuid[], ${lines.map((l) => l.product_code)}::text[]) as x(account_id, product)
            join products p on p.code = x.product join accounts a on a.id = x.account_id and a.status <> 'closed'
            on conflict (account_id, product_code) do nothing`.execute(t);
          const wallets = await sql<{ id: bigint; account_id: string; product_code: string }>`
            select w.id, w.account_id, w.product_code from wallets w
            join unnest(${lines.map((l) => l.account_id)}::uuid[], ${lines.map((l) => l.product_code)}::text[]) as x(account_id, product)
              on w.account_id = x.account_id and w.product_code = x.product
            order by w.id for no key update of w`.execute(t);
          const walletOf = new Map(wallets.rows.map((w) => [`${w.account_id}/${w.product_code}`, BigInt(w.id)]));
          const work: CreditWork[] = lines.map((l) => ({
            lineNo: l.line_no,
            lineId: l.line_key!,
            action: l.action as CreditWork['action'],
            accountId: l.account_id!,
            product: l.product_code!,
            amount: BigInt(l.amount!),
            walletId: walletOf.get(`${l.account_id}/${l.product_code}`) ?? -1n,
            comment: l.comment,
            plannedDate: l.planned,
          }));
          // Rounds of distinct wallets, in line order: a wallet's second line waits for its first.
          const pending = work.filter((w) => w.walletId > 0n);
          leftover = work.filter((w) => w.walletId <= 0n);
          while (pending.length) {
            const seen = new Set<bigint>();
            const round: CreditWork[] = [];
            for (let i = 0; i < pending.length; ) {
              if (seen.has(pending[i]!.walletId)) i++;
              else {
                seen.add(pending[i]!.walletId);
                round.push(pending.splice(i, 1)[0]!);
              }
            }
            const applied = await applyCreditRound(t, registry, createdBy, round);
            leftover.push(...round.filter((w) => !applied.has(w.lineNo)));
            await t.updateTable('registries').set((eb) => ({ lines_applied: eb('lines_applied', '+', applied.size) })).where('id', '=', registry.id).execute();
          }
          return lines[lines.length - 1]!.line_no;
        }),
      );
      if (found === null) break;
      after = found;
      // What one statement did not apply is asked of the ledger line by line: it declines with the
      // reason (limits, closed account), or replays what an earlier run already applied under the key.
      for (const w of leftover.sort((a, b) => a.lineNo - b.lineNo)) await this.creditOnLedger(registry, createdBy, w);
      await report();
    }
  }

  private async creditOnLedger(registry: { id: string; number: string }, createdBy: string, w: CreditWork) {
    const key = ledgerKey(registry.id, w.lineId);
    let outcome: LedgerResult;
    try {
      outcome =
        w.action === 'credit'
          ? await this.ledger.credit({ key, accountId: w.accountId, product: w.product, amount: w.amount, createdBy })
          : await this.ledger.correct({ key, accountId: w.accountId, product: w.product, amount: w.amount, reason: correctionReason(registry.number, w), createdBy });
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      await this.finishLine(registry.id, w.lineNo, { status: 'failed', code: error.code, message: error.message });
      return;
    }
    if (outcome.status === 'approved') {
      await this.finishLine(registry.id, w.lineNo, { status: 'applied', operationId: outcome.operationId, result: { operationId: outcome.operationId, balance: outcome.balances[0]?.balance.toString() } });
    } else {
      const { code, ...rest } = outcome.decline as { code: string } & Record<string, unknown>;
      await this.finishLine(registry.id, w.lineNo, { status: 'failed', code, message: declineMessage(code, rest) });
    }
  }

  private async finishLine(
    registryId: string,
    lineNo: number,
    r: { status: 'applied'; operationId?: string; result: Record<string, unknown> } | { status: 'failed'; code: string; message: string },
    t: repo.Tx = this.db,
  ) {
    const updated = await t
      .updateTable('registry_lines')
      .set(
        r.status === 'applied'
          ? { status: 'applied', operation_id: r.operationId ?? null, result: JSON.stringify(r.result), error_code: null, error_message: null }
          : { status: 'failed', error_code: r.code, error_message: r.message },
      )
      .where('registry_id', '=', registryId)
      .where('line_no', '=', lineNo)
      .where('status', 'in', ['valid', 'deferred'])
      .executeTakeFirst();
    if (updated.numUpdatedRows > 0n) {
      await t
        .updateTable('registries')
        .set((eb) => (r.status === 'applied' ? { lines_applied: eb('lines_applied', '+', 1) } : { lines_failed: eb('lines_failed', '+', 1) }))
        .where('id', '=', registryId)
        .execute();
    }
  }

  private async applyClients(registry: { id: string; number: string }, owner: string, lease: number, report: () => Promise<void>) {
    let after = 0;
    for (;;) {
      const found = await this.withRetry(() =>
        this.database.transaction(async (trx) => {
          const t = trx as unknown as repo.Tx;
          await this.renew(t, registry.id, owner, lease);
          const lines = await t
            .selectFrom('registry_lines')
            .select(['line_no', 'action', 'line_key', 'data'])
            .where('registry_id', '=', registry.id)
            .where('line_no', '>', after)
            .where('status', '=', 'valid')
            .orderBy('line_no')
            .limit(this.options.clientBatch ?? 200)
            .forUpdate()
            .execute();
          for (const l of lines) {
            const line = { ...(l.data as unknown as ClientLine), action: l.action as ClientLine['action'], lineNo: l.line_no };
            await sql`savepoint registry_line`.execute(t);
            try {
              const result = await applyClientLine(t, line, { registryId: registry.id, registryNumber: registry.number });
              await sql`release savepoint registry_line`.execute(t);
              await this.finishLine(registry.id, l.line_no, { status: 'applied', result: { ...result } }, t);
            } catch (error) {
              await sql`rollback to savepoint registry_line`.execute(t);
              if (!(error instanceof LineFailure)) throw error;
              await this.finishLine(registry.id, l.line_no, { status: 'failed', code: error.code, message: error.message }, t);
            }
          }
          return lines.at(-1)?.line_no ?? null;
        }),
      );
      if (found === null) break;
      after = found;
      await report();
    }
  }

  /** A deadlock with a concurrent purchase or transfer rolls the whole batch back; it is simply run again. */
  private async withRetry<T>(work: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (attempt < 5 && (code === '40P01' || code === '40001')) continue;
        throw error;
      }
    }
  }
}

class LostClaim extends AppError {
  constructor() {
    super('registry_applying', 409, 'Another applier took the registry over');
  }
}

function registryNumber(o: ReceiveOptions): string {
  const raw = (o.registryNumber ?? (o.fileName ? basename(o.fileName, extname(o.fileName)) : '')).trim();
  if (!raw) throw new AppError('registry_number_required', 400, 'Give the registry number, or a file name to take it from', { field: 'number' });
  if (raw.length > 100 || !/^[\p{L}\p{N}][\p{L}\p{N} ._#()-]*$/u.test(raw)) {
    throw new AppError('registry_number_invalid', 400, 'A registry number is 1–100 letters, digits, spaces and . _ - # ( )', { field: 'number' });
  }
  return raw;
}

function toNewLine(kind: RegistryKind, lineNo: number, shaped: ReturnType<typeof rowRecord>): repo.NewLine {
  const invalid = (key: string | null, code: string, message: string): repo.NewLine => ({
    lineNo,
    key,
    action: null,
    data: shaped.record,
    product: null,
    amount: null,
    plannedDate: null,
    status: 'invalid',
    errorCode: code,
    errorMessage: message,
  });
  const keyOf = (r: Record<string, string>) => ((kind === 'clients' ? r.client_id : r.line_id) ?? '').trim().slice(0, 100) || null;
  if ('error' in shaped) return invalid(keyOf(shaped.record), shaped.error.code, shaped.error.message);
  const parsed = parseLine(kind, shaped.record);
  if (!parsed.ok) return invalid(parsed.key, parsed.error.code, parsed.error.field ? `${parsed.error.field}: ${parsed.error.message}` : parsed.error.message);
  const line = parsed.line;
  if ('amount' in line) {
    return {
      lineNo,
      key: line.key,
      action: line.action,
      data: { clientId: line.clientId, accountNumber: line.accountNumber, comment: line.comment },
      product: line.product,
      amount: line.amount,
      plannedDate: line.plannedDate,
      status: 'valid',
      errorCode: null,
      errorMessage: null,
    };
  }
  const { action: _a, key: _k, ...data } = line;
  return { lineNo, key: line.key, action: line.action, data, product: null, amount: null, plannedDate: null, status: 'valid', errorCode: null, errorMessage: null };
}

function progressOf(s: RegistryStatus): RegistryProgress {
  return { registryId: s.id, status: s.status, lines: s.lines };
}

function declineMessage(code: string, details: Record<string, unknown>): string {
  const extra = Object.entries(details)
    .map(([k, v]) => `${k} ${String(v)}`)
    .join(', ');
  const text: Record<string, string> = {
    limit_exceeded: 'a limit of the wallet refuses this amount',
    insufficient_funds: 'the correction would take the wallet below its minimum balance',
    account_closed: 'the account is closed',
    wallet_not_found: 'the account has no wallet of this product',
  };
  return `${text[code] ?? code}${extra ? ` (${extra})` : ''}`;
}
