import { mkdtemp, readdir, readFile, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addDays, createDatabase, createLogger, localDate, startOfLocalDay, zonedInstant, type Database, type Scheduler } from '@app/kernel';
import { createTestDatabase, type TestDatabase } from '@app/kernel/testing';
import { parse } from 'csv-parse/sync';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { key } from '../ledger/fixture.js';
import { Ledger } from '../ledger/ledger.service.js';
import { prepaidMigrations } from '../migrations.js';
import { approved, fundedAccount, settlementProgramme } from '../settlement/settlement.fixture.js';
import type { PrepaidDb, SettlementDb } from '../tables.js';
import { createPrepaidScheduler } from './prepaid-jobs.js';

const logger = createLogger({ service: 'prepaid-jobs-test', level: 'silent' });
const zone = 'Europe/Moscow';
const MINUTE = 60_000;

/**
 * The prepaid jobs on two instances (two connection pools on one database; on PGlite the same one), both
 * polling at the same moments of a clock the test moves: every job runs once per period, settlement makes
 * each party's registry of the day once and writes its files to the exchange's out/ once.
 */
describe('prepaid scheduled jobs on two instances', () => {
  let database: TestDatabase<PrepaidDb>;
  let other: Database<PrepaidDb>;
  let root: string;
  const schedulers: Scheduler[] = [];
  const db = () => database.db as unknown as Kysely<SettlementDb>;

  beforeAll(async () => {
    database = await createTestDatabase<PrepaidDb>({ migrations: prepaidMigrations });
    other = database.url ? await createDatabase<PrepaidDb>({ url: database.url, poolSize: 3 }) : database;
    root = await mkdtemp(join(tmpdir(), 'prepaid-jobs-'));
  });
  afterAll(async () => {
    await Promise.all(schedulers.map((s) => s.stop()));
    if (other && other !== database) await other.close();
    await database?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('settles each day once per party, writes each file once, snapshots balances once', async () => {
    const ledger = new Ledger(database);
    const p = await settlementProgramme(database.db);
    const a1 = await fundedAccount(database.db, ledger);
    const a2 = await fundedAccount(database.db, ledger);
    const buy = await ledger.purchase({ key: key(), accountId: a1.id, merchantId: p.canteen, terminalId: p.terminal.id, basket: [{ product: 'meals', amount: 25_000 }, { product: 'own', amount: 1_250 }] });
    approved(buy);
    approved(await ledger.purchase({ key: key(), accountId: a2.id, merchantId: p.shop, basket: [{ product: 'own', amount: 3_333 }] }));
    approved(await ledger.refund({ key: key(), operationId: approved(buy).operationId, items: [{ product: 'meals', amount: 5_000 }], createdBy: 'settlement' }));

    // The day of these operations, and a clock that starts at 23:50 local that day and walks two days on
    // in 10-minute steps (the last poll at 23:40 of the day after tomorrow).
    const today = localDate(new Date(), zone);
    let t = zonedInstant(today, '23:50', zone).getTime();
    const clock = { now: () => new Date(t) };
    for (const [id, pool] of [['a', database], ['b', other]] as const) {
      schedulers.push(createPrepaidScheduler({ database: pool as Database<unknown>, logger }, { clock, instanceId: id, catchUpDays: 0, exportTo: { root, formats: ['csv', 'xlsx'] } }));
    }
    for (let step = 0; step < (2 * 24 * 60) / 10; step++) {
      await Promise.all(schedulers.map((s) => s.poll()));
      await Promise.all(schedulers.map((s) => s.settled()));
      t += 10 * MINUTE;
    }

    const runs = await db().selectFrom('job_runs').select(['job', 'period_key', 'status', 'attempts']).orderBy('id').execute();
    const tomorrow = addDays(today, 1);
    const dayAfter = addDays(today, 2);
    const of = (job: string) => runs.filter((r) => r.job === job);
    // The run due today (for yesterday) is the latest due period at the start, then one each night.
    expect(of('settlement.daily').map((r) => r.period_key)).toEqual([today, tomorrow, dayAfter]);
    expect(of('balances.snapshot').map((r) => r.period_key)).toEqual([today, tomorrow, dayAfter]);
    expect(of('cleanup')).toHaveLength(1 + 24 + 24);
    expect(runs.every((r) => r.status === 'succeeded' && r.attempts === 1)).toBe(true);

    // Today's registries: the canteen, the shop, their provider, and the kiosk (active, nothing sold: an empty registry).
    const registries = await db().selectFrom('settlement_registries').select(['id', 'kind', 'party_code', 'purchases', 'returns', 'net', 'created_by']).where('party_code', 'like', `%${p.tag}`).where('period_from', '=', startOfLocalDay(today, zone)).orderBy('party_code').execute();
    expect(registries).toHaveLength(4);
    const byCode = Object.fromEntries(registries.map((r) => [r.party_code, r]));
    expect(byCode[`canteen-${p.tag}`]).toMatchObject({ kind: 'merchant', purchases: 26_250n, returns: 5_000n, net: 21_250n, created_by: 'job:settlement.daily' });
    expect(byCode[`shop-${p.tag}`]).toMatchObject({ kind: 'merchant', purchases: 3_333n, returns: 0n, net: 3_333n });
    expect(byCode[`food-${p.tag}`]).toMatchObject({ kind: 'provider', purchases: 29_583n, returns: 5_000n, net: 24_583n });
    expect(byCode[`kiosk-${p.tag}`]).toMatchObject({ purchases: 0n, net: 0n });

    // Each registry once in out/, in both formats; the CSV's lines add up to its registry.
    const stamp = today.replace(/-/g, '');
    const out = (await readdir(join(root, 'out'))).filter((n) => n.includes(`${p.tag}_${stamp}_`));
    expect(out.sort()).toEqual(
      [`canteen-${p.tag}`, `food-${p.tag}`, `kiosk-${p.tag}`, `shop-${p.tag}`].flatMap((code) => {
        const kind = code.startsWith('food') ? 'provider' : 'merchant';
        return [`settlement_${kind}_${code}_${stamp}_${stamp}.csv`, `settlement_${kind}_${code}_${stamp}_${stamp}.xlsx`];
      }).sort(),
    );
    const csv = await readFile(join(root, 'out', `settlement_merchant_canteen-${p.tag}_${stamp}_${stamp}.csv`), 'utf8');
    expect(csv).toContain('21250');
    expect(parse(csv, { delimiter: ';', relax_column_count: true }).length).toBeGreaterThan(3);
    expect(await db().selectFrom('settlement_exports').select(sql<number>`count(*)::int`.as('n')).where('registry_id', 'in', registries.map((r) => r.id)).executeTakeFirstOrThrow()).toEqual({ n: 8 });

    // Balances at the end of today: every wallet of both accounts once.
    const snapshot = await db().selectFrom('wallet_balance_snapshots').select(['account_id', 'product_code', 'balance']).where('day', '=', today as unknown as Date).where('account_id', 'in', [a1.id, a2.id]).orderBy('account_id').orderBy('product_code').execute();
    const expected = [
      { account_id: a1.id, product_code: 'meals', balance: 100_000n - 25_000n + 5_000n },
      { account_id: a1.id, product_code: 'own', balance: 100_000n - 1_250n },
      { account_id: a2.id, product_code: 'meals', balance: 100_000n },
      { account_id: a2.id, product_code: 'own', balance: 100_000n - 3_333n },
    ].sort((x, y) => (x.account_id + x.product_code).localeCompare(y.account_id + y.product_code));
    expect(snapshot.sort((x, y) => (x.account_id + x.product_code).localeCompare(y.account_id + y.product_code))).toEqual(expected);
    // Two days of polls by two schedulers, every job (holds.expire and ledger.rollup each minute too): slow on a busy machine.
  }, 120_000);

  it('re-running a settled day on request makes nothing new and does not send a taken file again', async () => {
    const today = localDate(new Date(), zone);
    const canteenFile = (await readdir(join(root, 'out'))).find((n) => n.startsWith('settlement_merchant_canteen-') && n.endsWith('.csv'))!;
    await unlink(join(root, 'out', canteenFile)); // the partner took it away
    const run = await schedulers[0]!.runNow('settlement.daily', { requestedBy: 'manager', params: { day: today }, wait: true });
    expect(run).toMatchObject({ status: 'succeeded', trigger: 'manual' });
    expect(run.result).toMatchObject({ day: today, created: 0, files: 0 });
    expect(await readdir(join(root, 'out'))).not.toContain(canteenFile);
  });
});
