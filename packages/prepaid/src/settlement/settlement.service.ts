import type { Writable } from 'node:stream';
import { AppError, localDate, notFound, unprocessable, type Database, type Logger } from '@app/kernel';
import { settlementFileName } from '../exchange/files/layout.js';
import type { PrepaidDb, SettlementDb, SettlementKind } from '../tables.js';
import { Totals, type ProductTotal, type SettlementLine } from './format.js';
import { CsvSink, XlsxSink, type LineSink, type RegistryHeading } from './render.js';
import * as repo from './settlement.repo.js';

/**
 * Settlement registries (seed 004, point 7): the purchase operations of a merchant or a service provider
 * for a period, with totals per product that reconcile with the ledger to the kopeck.
 *
 * Rules:
 *   - a registry covers [from, to) by the operations' journal time, and only a period that is over
 *     (`to` at least `settleMs` in the past, so no transaction of the period is still in flight);
 *   - the journal is append-only, so such a period's registry can never change: it is generated once per
 *     party and period (UNIQUE), and asking again answers the stored one;
 *   - before it is stored, its totals are compared with two other views of the same money: the party's
 *     ledger accounts (the other side of the postings) and the operations' own amounts. Any difference
 *     and nothing is stored: `settlement_unreconciled`, with the figures;
 *   - the files are rendered from the journal when asked for and checked against the stored CSV checksum
 *     each time, so what a partner receives is provably what was reconciled.
 */
export interface SettlementRegistry {
  id: string;
  kind: SettlementKind;
  partyId: string;
  partyCode: string;
  partyName: string;
  from: Date;
  to: Date;
  lineCount: number;
  operationCount: number;
  purchases: bigint;
  returns: bigint;
  net: bigint;
  totals: ProductTotal[];
  reconciliation: Reconciliation;
  csvSha256: string;
  createdBy: string;
  jobRunId: string | null;
  createdAt: Date;
  /** `settlement_<kind>_<party code>_<first day>_<last day>` (local dates), for files written to partners. */
  fileStem: string;
}

export interface Reconciliation {
  ok: boolean;
  products: Array<{ product: string; registry: string; ledger: string }>;
  registryNet: string;
  ledgerNet: string;
  operationsNet: string;
  registryOperations: number;
  ledgerOperations: number;
}

export interface GenerateRequest {
  kind: SettlementKind;
  partyId: string;
  from: Date;
  to: Date;
  /** 'staff:<login>' or 'job:<name>'; 'system' when absent. */
  createdBy?: string;
  jobRunId?: string | null;
}

export interface SettlementOptions {
  /** Zone of the dates shown in files and file names. Default Europe/Moscow. */
  timeZone?: string;
  /** How long after its end a period may be settled. Default one minute. */
  settleMs?: number;
  /** Lines read per query. */
  pageSize?: number;
  maxPeriodDays?: number;
  now?: () => Date;
  logger?: Logger;
}

export class SettlementService {
  private readonly db: repo.Db;
  private readonly timeZone: string;
  private readonly settleMs: number;
  private readonly pageSize: number;
  private readonly maxPeriodMs: number;
  private readonly now: () => Date;

  constructor(
    database: Database<SettlementDb> | Database<PrepaidDb> | Database<unknown>,
    private readonly options: SettlementOptions = {},
  ) {
    this.db = database.db as repo.Db;
    this.timeZone = options.timeZone ?? 'Europe/Moscow';
    this.settleMs = options.settleMs ?? 60_000;
    this.pageSize = options.pageSize ?? 5_000;
    this.maxPeriodMs = (options.maxPeriodDays ?? 366) * 86_400_000;
    this.now = options.now ?? (() => new Date());
  }

  /**
   * The registry of a party for [from, to): the stored one if it exists (`created: false`), else made,
   * reconciled and stored now. Safe to call concurrently and again after a crash.
   */
  async generate(req: GenerateRequest): Promise<{ registry: SettlementRegistry; created: boolean }> {
    const period = this.checkPeriod(req.from, req.to);
    const party = await repo.findParty(this.db, req.kind, req.partyId);
    if (!party) throw notFound(`${req.kind}_not_found`, `No ${req.kind === 'merchant' ? 'merchant' : 'service provider'} ${req.partyId}`);
    const existing = await repo.findByPeriod(this.db, party, period);
    if (existing) return { registry: this.view(existing), created: false };

    const csv = new CsvSink();
    const totals = await this.pump(party, period, [csv], () => {});
    const reconciliation = await this.reconcile(party, period, totals);
    if (!reconciliation.ok) {
      this.options.logger?.error({ party, from: period.from, to: period.to, reconciliation }, 'settlement registry does not reconcile with the ledger');
      throw new AppError('settlement_unreconciled', 500, `The registry of ${party.kind} ${party.code} for the period does not reconcile with the ledger; nothing was stored`, {
        reconciliation,
      });
    }
    const inserted = await repo.insertRegistry(this.db, {
      kind: party.kind,
      party_id: party.id,
      party_code: party.code,
      party_name: party.name,
      period_from: period.from,
      period_to: period.to,
      line_count: totals.lineCount,
      operation_count: totals.operationCount,
      purchases: totals.purchases,
      returns: totals.returns,
      net: totals.net,
      totals: JSON.stringify(totals.products().map((t) => ({ product: t.product, lines: t.lines, purchases: String(t.purchases), returns: String(t.returns), net: String(t.net) }))),
      reconciliation: JSON.stringify(reconciliation),
      csv_sha256: csv.sha256!,
      created_by: req.createdBy ?? 'system',
      job_run_id: req.jobRunId ? BigInt(req.jobRunId) : null,
    });
    if (inserted) return { registry: this.view(inserted), created: true };
    // Another instance stored the same registry meanwhile: the same content, theirs is the one.
    return { registry: this.view((await repo.findByPeriod(this.db, party, period))!), created: false };
  }

  /**
   * Writes registry `id` as CSV or xlsx to `out` and ends it. The lines are read from the journal again
   * and must give the stored checksum; otherwise it throws before the file is complete (a writer to a
   * temporary file then removes it) — a changed journal is never sent as a registry.
   */
  async render(id: string, format: 'csv' | 'xlsx', out: Writable): Promise<SettlementRegistry> {
    const registry = await this.find(id);
    const party: repo.Party = { kind: registry.kind, id: registry.partyId, code: registry.partyCode, name: registry.partyName };
    const csv = new CsvSink(format === 'csv' ? out : undefined);
    const sinks: LineSink[] = [csv];
    if (format === 'xlsx') sinks.push(await XlsxSink.open(out, this.heading(registry)));
    await this.pump(party, { from: registry.from, to: registry.to }, sinks, (totals) => {
      if (csv.sha256 !== registry.csvSha256 || totals.net !== registry.net || totals.lineCount !== registry.lineCount) {
        this.options.logger?.error({ registryId: id, stored: registry.csvSha256, now: csv.sha256 }, 'settlement registry no longer matches the journal');
        throw new AppError('settlement_registry_changed', 500, `Registry ${id} no longer matches the journal it was made from; it is not rendered`);
      }
    });
    return registry;
  }

  async find(id: string): Promise<SettlementRegistry> {
    const row = /^[0-9a-f-]{36}$/i.test(id) ? await repo.findRegistry(this.db, id) : undefined;
    if (!row) throw notFound('settlement_registry_not_found', 'No such settlement registry');
    return this.view(row);
  }

  async list(query: repo.RegistryQuery): Promise<{ items: SettlementRegistry[]; total: number }> {
    const { rows, total } = await repo.listRegistries(this.db, query);
    return { items: rows.map((r) => this.view(r)), total };
  }

  /** Merchants (active, or with operations in the period) and providers (with merchants) to settle for a period. */
  partiesFor(from: Date, to: Date) {
    return repo.partiesFor(this.db, { from, to });
  }

  private checkPeriod(from: Date, to: Date): repo.Period {
    if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()) || from >= to) throw unprocessable('period_invalid', 'The period must end after it starts', { field: 'to' });
    if (to.getTime() - from.getTime() > this.maxPeriodMs) throw unprocessable('period_too_long', `A registry covers at most ${this.maxPeriodMs / 86_400_000} days`, { field: 'to' });
    if (to.getTime() > this.now().getTime() - this.settleMs) {
      throw unprocessable('period_not_over', 'A registry is made for a period that is over (its end at least a minute ago)', { field: 'to' });
    }
    return { from, to };
  }

  /** Reads the lines page by page into every sink, totalling them; `verify` sees the totals before anything final is written. */
  private async pump(party: repo.Party, period: repo.Period, sinks: LineSink[], verify: (totals: Totals) => void): Promise<Totals> {
    const totals = new Totals();
    let after: { seq: bigint; product: string } | null = null;
    for (;;) {
      const page = await repo.linesPage(this.db, party, period, after, this.pageSize);
      if (page.length === 0) break;
      const first = totals.lineCount + 1;
      page.forEach((l) => totals.add(l));
      for (const sink of sinks) await sink.lines(page, first);
      const last: SettlementLine = page[page.length - 1]!;
      after = { seq: last.seq, product: last.product };
      if (page.length < this.pageSize) break;
    }
    for (const sink of sinks) await sink.end(totals, () => verify(totals));
    return totals;
  }

  private async reconcile(party: repo.Party, period: repo.Period, totals: Totals): Promise<Reconciliation> {
    const [ledger, operations] = await Promise.all([repo.ledgerSums(this.db, party, period), repo.operationSums(this.db, party, period)]);
    const registry = new Map(totals.products().map((t) => [t.product, t.net]));
    const products = [...new Set([...registry.keys(), ...ledger.keys()])].sort().map((product) => ({
      product,
      registry: String(registry.get(product) ?? 0n),
      ledger: String(ledger.get(product) ?? 0n),
    }));
    const ledgerNet = [...ledger.values()].reduce((s, v) => s + v, 0n);
    return {
      ok: products.every((p) => p.registry === p.ledger) && totals.net === ledgerNet && totals.net === operations.net && totals.operationCount === operations.count,
      products,
      registryNet: String(totals.net),
      ledgerNet: String(ledgerNet),
      operationsNet: String(operations.net),
      registryOperations: totals.operationCount,
      ledgerOperations: operations.count,
    };
  }

  private heading(r: SettlementRegistry): RegistryHeading {
    return { id: r.id, kind: r.kind, partyCode: r.partyCode, partyName: r.partyName, from: r.from, to: r.to, timeZone: this.timeZone };
  }

  private view(r: repo.RegistryRow): SettlementRegistry {
    return {
      id: r.id,
      kind: r.kind,
      partyId: r.party_id,
      partyCode: r.party_code,
      partyName: r.party_name,
      from: r.period_from,
      to: r.period_to,
      lineCount: r.line_count,
      operationCount: r.operation_count,
      purchases: BigInt(r.purchases),
      returns: BigInt(r.returns),
      net: BigInt(r.net),
      totals: r.totals.map((t) => ({ product: t.product, lines: t.lines, purchases: BigInt(t.purchases), returns: BigInt(t.returns), net: BigInt(t.net) })),
      reconciliation: r.reconciliation as unknown as Reconciliation,
      csvSha256: r.csv_sha256,
      createdBy: r.created_by,
      jobRunId: r.job_run_id === null ? null : String(r.job_run_id),
      createdAt: r.created_at,
      fileStem: settlementFileName({ kind: r.kind, partyCode: r.party_code, from: localDate(r.period_from, this.timeZone), to: localDate(new Date(r.period_to.getTime() - 1), this.timeZone) }),
    };
  }
}
