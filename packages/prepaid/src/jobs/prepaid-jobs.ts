import {
  addDays,
  AppError,
  deleteExpiredSessions,
  localDate,
  pruneInbox,
  pruneJobRuns,
  prunePublished,
  Scheduler,
  startOfLocalDay,
  type Clock,
  type Database,
  type JobContext,
  type JobDefinition,
  type Logger,
} from '@app/kernel';
import { sql, type Kysely } from 'kysely';
import { exportSettlementRegistry, type SettlementFormat } from '../exchange/files/settlement-export.js';
import { Ledger } from '../ledger/ledger.service.js';
import { rollUpLedgerAccounts } from '../ledger/rollup.js';
import { snapshotSigner } from '../offline/signing.js';
import { SnapshotService } from '../offline/snapshot.service.js';
import { SettlementService } from '../settlement/settlement.service.js';
import type { OfflineDb, PrepaidDb, SettlementDb } from '../tables.js';

/**
 * The prepaid service's scheduled jobs, run by the kernel's Scheduler on every instance (each period
 * once across them all; history in job_runs):
 *
 *   settlement.daily   02:00 local: yesterday's settlement registries for every merchant (active or with
 *                      operations that day) and every service provider with merchants, written to the
 *                      file exchange's out/ when there is one. Idempotent per party and day, so a retried
 *                      or retaken run only makes (and writes) what is missing.
 *   balances.snapshot  00:05 local: every wallet's balance at the end of yesterday, for the balances reports.
 *   cleanup            hourly: expired staff sessions, published outbox messages and inbox ids past their
 *                      retention, job history past its retention.
 *
 *   offline.snapshot   every 15 minutes: the signed terminal snapshot (full + deltas from recent versions),
 *                      a new version only when anything changed (docs/offline.md).
 *   holds.expire       every minute: releases the holds past their expiry (two-phase purchases), oldest first,
 *                      each once (a terminal meeting an expired hold releases it at once too).
 *   ledger.rollup      every minute: sums the new postings of merchants, funding sources and the other system
 *                      accounts into their rolled-up balances (ledger/rollup.ts), which verify checks.
 *
 * A manual run (staff route, manager) may name `params.day` ('YYYY-MM-DD') to settle or snapshot that day.
 */
export interface PrepaidJobsOptions {
  /** The zone whose days settlement and snapshots follow. Default Europe/Moscow. */
  timeZone?: string;
  settlementAt?: string;
  snapshotAt?: string;
  cleanupEvery?: `${number}${'s' | 'm' | 'h'}`;
  /** Days of job history kept. Default 90. */
  jobRunRetentionDays?: number;
  /** Days a published outbox message and an inbox id are kept. Default 7. */
  messageRetentionDays?: number;
  /** Catch-up: days settlement and snapshots still make after every instance was down. Default 3. */
  catchUpDays?: number;
  settlement?: SettlementService;
  /**
   * The file exchange (EXCHANGE_DIR): settlement.daily also writes each party's registry of the day to its
   * out/ folder, in these formats (default CSV), once per registry and format.
   */
  exportTo?: { root: string; formats?: readonly SettlementFormat[] };
  logger?: Logger;
  /** Builds the terminal snapshots; made from offlineSigningKey when not given. */
  snapshots?: SnapshotService;
  offlineSigningKey?: string;
  nodeEnv?: string;
  offlineSnapshotEvery?: `${number}${'s' | 'm' | 'h'}`;
  holdsExpireEvery?: `${number}${'s' | 'm' | 'h'}`;
  rollupEvery?: `${number}${'s' | 'm' | 'h'}`;
  /** The scheduler's clock, which settlement then also uses to tell whether a day is over. */
  clock?: Clock;
}

const DAY_MS = 86_400_000;

export function prepaidJobs(database: Database<unknown>, options: PrepaidJobsOptions = {}): JobDefinition[] {
  const db = database.db as Kysely<SettlementDb>;
  const timeZone = options.timeZone ?? 'Europe/Moscow';
  const settlement = options.settlement ?? new SettlementService(database, { timeZone, logger: options.logger, ...(options.clock ? { now: () => options.clock!.now() } : {}) });
  const catchUp = options.catchUpDays ?? 3;

  /** The day a run is about: the one named on request, else the day before the one it is due on. */
  const dayOf = (ctx: JobContext) => {
    const asked = ctx.params.day;
    if (typeof asked === 'string') {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(asked)) throw new AppError('day_invalid', 400, 'day must be YYYY-MM-DD');
      return asked;
    }
    const due = ctx.trigger === 'schedule' ? ctx.periodKey : localDate(ctx.now(), timeZone);
    return addDays(due, -1);
  };

  return [
    {
      name: 'settlement.daily',
      description: "Yesterday's settlement registries for every merchant and service provider",
      schedule: { daily: options.settlementAt ?? '02:00', timeZone },
      catchUp,
      maxAttempts: 5,
      run: async (ctx) => {
        const day = dayOf(ctx);
        const from = startOfLocalDay(day, timeZone);
        const to = startOfLocalDay(addDays(day, 1), timeZone);
        const counts = { day, merchants: 0, providers: 0, created: 0, existing: 0, lines: 0, files: 0, failed: [] as string[] };
        for (const party of await settlement.partiesFor(from, to)) {
          if (ctx.signal.aborted) throw ctx.signal.reason as Error;
          try {
            const { registry, created } = await settlement.generate({ kind: party.kind, partyId: party.id, from, to, createdBy: `job:${ctx.job}`, jobRunId: ctx.runId });
            counts[party.kind === 'merchant' ? 'merchants' : 'providers']++;
            counts[created ? 'created' : 'existing']++;
            counts.lines += registry.lineCount;
            if (options.exportTo) {
              counts.files += (await exportSettlementRegistry(db, options.exportTo.root, settlement, registry, options.exportTo.formats ?? ['csv'])).length;
            }
          } catch (error) {
            // One party's problem (a registry that does not reconcile) does not hold up the others' money.
            ctx.logger.error({ err: error, party }, 'settlement registry not made');
            counts.failed.push(`${party.kind} ${party.code}: ${error instanceof Error ? error.message : String(error)}`);
          }
        }
        if (counts.failed.length) throw new Error(`${counts.failed.length} registries of ${day} not made: ${counts.failed.join('; ')}`);
        return counts;
      },
    },
    {
      name: 'balances.snapshot',
      description: "Every wallet's balance at the end of yesterday",
      schedule: { daily: options.snapshotAt ?? '00:05', timeZone },
      catchUp,
      run: async (ctx) => {
        const day = dayOf(ctx);
        return { day, ...(await snapshotBalances(db, day, startOfLocalDay(addDays(day, 1), timeZone))) };
      },
    },
    {
      name: 'offline.snapshot',
      description: 'The signed terminal snapshot (full and deltas), when anything changed',
      schedule: { every: options.offlineSnapshotEvery ?? '15m' },
      run: async (ctx) => {
        const snapshots = options.snapshots ?? new SnapshotService(database as Database<OfflineDb>, snapshotSigner(options.offlineSigningKey, options.nodeEnv ?? process.env.NODE_ENV));
        const info = await snapshots.build(`job:${ctx.job}`);
        return { version: info.version, created: info.created, identifiers: info.identifiers, bytes: info.bytes, buildMs: info.buildMs };
      },
    },
    {
      name: 'holds.expire',
      description: 'Releases the holds past their expiry',
      schedule: { every: options.holdsExpireEvery ?? '1m' },
      run: async () => {
        const ledger = new Ledger(database as Database<PrepaidDb>);
        let released = 0;
        // In rounds of 500, so a backlog after downtime is worked off in one run without one huge list.
        for (let round = await ledger.expireDue(); round > 0; round = await ledger.expireDue()) released += round;
        return { released };
      },
    },
    {
      name: 'ledger.rollup',
      description: "Rolls the system accounts' new postings up into their balances",
      schedule: { every: options.rollupEvery ?? '1m' },
      run: async () => {
        const r = await rollUpLedgerAccounts(database.db as Kysely<PrepaidDb>);
        return { rolledUpTo: String(r.rolledUpTo), accounts: r.accounts, postings: r.postings, advanced: r.advanced };
      },
    },
    {
      name: 'cleanup',
      description: 'Expired sessions, old outbox and inbox rows, old job history',
      schedule: { every: options.cleanupEvery ?? '1h' },
      run: async (ctx) => {
        const now = ctx.now().getTime();
        const messages = new Date(now - (options.messageRetentionDays ?? 7) * DAY_MS);
        return {
          sessions: await deleteExpiredSessions(db),
          outbox: Number(await prunePublished(db, messages)),
          inbox: Number(await pruneInbox(db, messages)),
          jobRuns: await pruneJobRuns(db, new Date(now - (options.jobRunRetentionDays ?? 90) * DAY_MS)),
          // Ledger idempotency keys are kept: they are the proof that a money request was applied once,
          // and partners may retry late. A retention for them is a business decision, not a cleanup.
        };
      },
    },
  ];
}

/**
 * Writes each wallet's balance as of `cutoff` (the end of `day`) once: the current balance minus what was
 * posted since, in one statement (one snapshot of the data), so a concurrent purchase is either in both
 * terms or in neither. Wallets of accounts opened after the cutoff are left out.
 */
export async function snapshotBalances(db: Kysely<SettlementDb>, day: string, cutoff: Date): Promise<{ wallets: number; totals: Record<string, string> }> {
  const { rows } = await sql<{ product_code: string; wallets: number; balance: bigint }>`
    with later as (
      select p.wallet_id, sum(p.amount) as amount
      from operations o join postings p on p.operation_id = o.id
      where o.created_at >= ${cutoff}::timestamptz and p.wallet_id is not null
      group by p.wallet_id
    ), inserted as (
      insert into wallet_balance_snapshots (day, wallet_id, account_id, product_code, balance)
      select ${day}::date, w.id, w.account_id, w.product_code, w.balance - coalesce(later.amount, 0)
      from wallets w join accounts a on a.id = w.account_id left join later on later.wallet_id = w.id
      where a.created_at < ${cutoff}::timestamptz
      on conflict (day, wallet_id) do nothing
      returning product_code, balance
    )
    select product_code, count(*)::int as wallets, sum(balance)::bigint as balance from inserted group by product_code order by product_code`.execute(db);
  return { wallets: rows.reduce((s, r) => s + r.wallets, 0), totals: Object.fromEntries(rows.map((r) => [r.product_code, String(r.balance)])) };
}

/** The prepaid Scheduler with its jobs; `start()` it where the service runs its workers. */
export function createPrepaidScheduler(
  runtime: { database: Database<unknown>; logger: Logger },
  options: PrepaidJobsOptions & { pollIntervalMs?: number; instanceId?: string } = {},
): Scheduler {
  const logger = options.logger ?? runtime.logger;
  const scheduler = new Scheduler({ database: runtime.database, logger, clock: options.clock, pollIntervalMs: options.pollIntervalMs, instanceId: options.instanceId });
  for (const job of prepaidJobs(runtime.database, { ...options, logger })) scheduler.register(job);
  return scheduler;
}

/** SETTLEMENT_FORMATS ('csv', 'xlsx' or 'csv,xlsx', checked by the config schema) as a list. */
export const settlementFormats = (setting: string) => [...new Set(setting.split(','))] as SettlementFormat[];
