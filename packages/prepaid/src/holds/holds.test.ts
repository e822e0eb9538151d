import { createDatabase, type Database } from '@app/kernel';
import { createTestDatabase, type TestDatabase } from '@app/kernel/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProgramme, key, newAccount } from '../ledger/fixture.js';
import { Ledger, type LedgerResult } from '../ledger/ledger.service.js';
import { verifyLedger } from '../ledger/verify.js';
import { prepaidMigrations } from '../migrations.js';
import type { PrepaidDb } from '../tables.js';
import { findHold } from './holds.repo.js';

/** Two-phase purchases (migration 0013): hold, complete (fully or partly), void, expire; one winner under races. */
let database: TestDatabase<PrepaidDb>;
let second: Database<PrepaidDb>;
let ledger: Ledger;
let canteen: string;
let shop: string;

beforeAll(async () => {
  database = await createTestDatabase<PrepaidDb>({ migrations: prepaidMigrations });
  second = database.url ? await createDatabase<PrepaidDb>({ url: database.url, poolSize: 10 }) : database;
  ledger = new Ledger(database);
  ({ canteen, shop } = await createProgramme(database.db));
});
afterAll(async () => {
  if (second !== database) await second.close();
  await database.close();
});

const approved = (r: LedgerResult) => {
  if (r.status !== 'approved') throw new Error(`declined: ${JSON.stringify(r.decline, (_k, v) => (typeof v === 'bigint' ? String(v) : v))}`);
  return r;
};
async function funded(own = 50_000, meals = 100_000) {
  const account = await newAccount(database.db);
  await ledger.credit({ key: key(), accountId: account.id, product: 'own', amount: own });
  await ledger.credit({ key: key(), accountId: account.id, product: 'meals', amount: meals });
  return account;
}
const wallet = (accountId: string, product: string) =>
  database.db.selectFrom('wallets').select(['id', 'balance', 'day_debit']).where('account_id', '=', accountId).where('product_code', '=', product).executeTakeFirstOrThrow();
/** The held total per product as the holds ledger accounts show it. */
const heldPosted = async (product: string) =>
  BigInt(
    (
      await sql<{ s: bigint | null }>`select sum(p.amount) as s from postings p join ledger_accounts la on la.id = p.ledger_account_id where la.kind = 'holds' and la.product_code = ${product}`.execute(
        database.db,
      )
    ).rows[0]!.s ?? 0,
  );
const hold = (accountId: string, amount: number, over: Partial<Parameters<Ledger['hold']>[0]> = {}) =>
  ledger.hold({ key: key(), accountId, merchantId: canteen, terminalId: 'T1', product: 'meals', amount, ttlSeconds: 600, ...over });

describe('holds', () => {
  it('take the amount out of the wallet into the holds account, against the balance and the daily limit', async () => {
    const account = await funded();
    const before = await heldPosted('meals');
    const h = approved(await hold(account.id, 30_000));
    expect(h).toMatchObject({ type: 'hold', amount: 30_000n, balances: [{ product: 'meals', balance: 70_000n }], hold: { id: h.operationId, status: 'active', amount: '30000' } });
    expect(await wallet(account.id, 'meals')).toMatchObject({ balance: 70_000n, day_debit: 30_000n });
    expect(await heldPosted('meals')).toBe(before + 30_000n);
    // Meals allow 500 ₽ a day: 300 held leaves 200.
    expect(await ledger.purchase({ key: key(), accountId: account.id, merchantId: canteen, basket: [{ product: 'meals', amount: 25_000 }] })).toMatchObject({
      decline: { code: 'limit_exceeded', limit: 'daily', remaining: 20_000n },
    });
    expect(await hold(account.id, 25_000)).toMatchObject({ decline: { code: 'limit_exceeded', limit: 'daily' } });
    expect(await hold(account.id, 1_000, { merchantId: shop })).toMatchObject({ decline: { code: 'product_not_accepted', product: 'meals' } });
    expect(await hold(account.id, 60_000, { product: 'own' })).toMatchObject({ decline: { code: 'insufficient_funds', product: 'own', available: 50_000n } });
    expect((await verifyLedger(database.db)).problems).toEqual([]);
  });

  it('complete partly: the rest goes back, the completed amount becomes a refundable purchase', async () => {
    const account = await funded();
    const h = approved(await hold(account.id, 30_000));
    const done = approved(await ledger.completeHold({ key: key(), holdId: h.operationId, amount: 18_000, terminalId: 'T1' }));
    expect(done).toMatchObject({ type: 'purchase', amount: 18_000n, balances: [{ product: 'meals', balance: 82_000n }], hold: { id: h.operationId, status: 'completed' } });
    expect(await wallet(account.id, 'meals')).toMatchObject({ balance: 82_000n, day_debit: 18_000n });
    expect(await findHold(database.db, h.operationId)).toMatchObject({ status: 'completed', completedAmount: 18_000n, purchaseOperationId: done.operationId });
    const purchase = await database.db.selectFrom('operations').select(['type', 'merchant_id', 'amount', 'details']).where('id', '=', done.operationId).executeTakeFirstOrThrow();
    expect(purchase).toMatchObject({ type: 'purchase', merchant_id: canteen, amount: 18_000n, details: { holdId: h.operationId } });
    approved(await ledger.refund({ key: key(), operationId: done.operationId, items: [{ product: 'meals', amount: 8_000 }] }));
    expect(await wallet(account.id, 'meals')).toMatchObject({ balance: 90_000n });
    expect((await verifyLedger(database.db)).problems).toEqual([]);
  });

  it('complete fully by default, never above the hold, and only once', async () => {
    const account = await funded();
    const h = approved(await hold(account.id, 12_345));
    expect(await ledger.completeHold({ key: key(), holdId: h.operationId, amount: 12_346 })).toMatchObject({ decline: { code: 'completion_exceeds_hold', remaining: 12_345n } });
    const completionKey = key();
    const done = approved(await ledger.completeHold({ key: completionKey, holdId: h.operationId }));
    expect(done.amount).toBe(12_345n);
    expect(await ledger.completeHold({ key: completionKey, holdId: h.operationId })).toEqual(done);
    expect(await ledger.completeHold({ key: key(), holdId: h.operationId })).toMatchObject({ decline: { code: 'hold_not_active', holdStatus: 'completed' } });
    expect(await ledger.voidHold({ key: key(), holdId: h.operationId })).toMatchObject({ decline: { code: 'hold_not_active', holdStatus: 'completed' } });
    expect(await ledger.completeHold({ key: key(), holdId: '00000000-0000-4000-8000-000000000000' })).toMatchObject({ decline: { code: 'hold_not_found' } });
    expect(await wallet(account.id, 'meals')).toMatchObject({ balance: 100_000n - 12_345n, day_debit: 12_345n });
  });

  it('void gives the whole amount back, to the balance and to the day\'s debit total', async () => {
    const account = await funded();
    const h = approved(await hold(account.id, 30_000));
    const voided = approved(await ledger.voidHold({ key: key(), holdId: h.operationId }));
    expect(voided).toMatchObject({ type: 'hold_release', amount: 30_000n, balances: [{ product: 'meals', balance: 100_000n }], hold: { status: 'voided' } });
    expect(await wallet(account.id, 'meals')).toMatchObject({ balance: 100_000n, day_debit: 0n });
    approved(await ledger.purchase({ key: key(), accountId: account.id, merchantId: canteen, basket: [{ product: 'meals', amount: 30_000 }] }));
    expect(await ledger.completeHold({ key: key(), holdId: h.operationId })).toMatchObject({ decline: { code: 'hold_not_active', holdStatus: 'voided' } });
  });

  it('expire after their time: the job gives the money back, and a terminal meeting one releases it at once', async () => {
    const account = await funded();
    const byJob = approved(await hold(account.id, 10_000));
    const byTerminal = approved(await hold(account.id, 5_000, { product: 'own' }));
    const live = approved(await hold(account.id, 1_000));
    await sql`update holds set expires_at = now() - interval '1 second' where id in (${byJob.operationId}, ${byTerminal.operationId})`.execute(database.db);

    expect(await ledger.completeHold({ key: key(), holdId: byTerminal.operationId })).toMatchObject({ decline: { code: 'hold_expired' } });
    expect(await findHold(database.db, byTerminal.operationId)).toMatchObject({ status: 'expired' });
    expect(await wallet(account.id, 'own')).toMatchObject({ balance: 50_000n });

    expect(await ledger.expireDue()).toBeGreaterThanOrEqual(1);
    expect(await findHold(database.db, byJob.operationId)).toMatchObject({ status: 'expired' });
    expect(await findHold(database.db, live.operationId)).toMatchObject({ status: 'active' });
    expect(await wallet(account.id, 'meals')).toMatchObject({ balance: 99_000n, day_debit: 1_000n });
    expect(await ledger.expireDue()).toBe(0);
    expect(await ledger.expireHold(byJob.operationId)).toMatchObject({ status: 'approved', hold: { status: 'expired' } }); // replay of the same release
    expect((await verifyLedger(database.db)).problems).toEqual([]);
  });

  it('of concurrent completions of one hold, from two instances, exactly one wins', async () => {
    const account = await funded();
    const h = approved(await hold(account.id, 20_000));
    const instances = [new Ledger(database), new Ledger(second)];
    const results = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        i % 6 === 5
          ? instances[i % 2]!.voidHold({ key: key(), holdId: h.operationId })
          : instances[i % 2]!.completeHold({ key: key(), holdId: h.operationId, amount: 10_000 + i }),
      ),
    );
    const winners = results.filter((r) => r.status === 'approved');
    expect(winners).toHaveLength(1);
    for (const r of results.filter((x) => x.status === 'declined')) expect(r).toMatchObject({ decline: { code: 'hold_not_active' } });
    const final = (await findHold(database.db, h.operationId))!;
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from operations where original_operation_id = ${h.operationId} and type = 'hold_release'`.execute(database.db);
    expect(rows[0]!.n).toBe(1);
    const balance = (await wallet(account.id, 'meals')).balance;
    expect(balance).toBe(final.status === 'voided' ? 100_000n : 100_000n - final.completedAmount!);
    expect((await verifyLedger(database.db)).problems).toEqual([]);
  });

  it('closing an account gives its active holds back before the remainders go out', async () => {
    const account = await funded();
    const h = approved(await hold(account.id, 7_000));
    approved(await ledger.close({ key: key(), accountId: account.id, disposition: 'returned', createdBy: 'manager' }));
    expect(await findHold(database.db, h.operationId)).toMatchObject({ status: 'voided' });
    expect(await wallet(account.id, 'meals')).toMatchObject({ balance: 0n });
    expect(await ledger.completeHold({ key: key(), holdId: h.operationId })).toMatchObject({ decline: { code: 'hold_not_active', holdStatus: 'voided' } });
    expect((await verifyLedger(database.db)).problems).toEqual([]);
  });

  it('refuses a hold time out of range, naming the field, and changes nothing', async () => {
    const account = await funded();
    await expect(hold(account.id, 100, { ttlSeconds: 0 })).rejects.toMatchObject({ code: 'ttl_invalid' });
    await expect(hold(account.id, 100, { ttlSeconds: 8 * 86_400 })).rejects.toMatchObject({ code: 'ttl_invalid' });
    expect(await wallet(account.id, 'meals')).toMatchObject({ balance: 100_000n });
  });
});
