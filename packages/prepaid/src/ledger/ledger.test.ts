import { createTestDatabase, type TestDatabase } from '@app/kernel/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAccount, setAccountBlocked } from '../accounts/accounts.service.js';
import { createClient, createProduct } from '../directories/directories.repo.js';
import { prepaidMigrations } from '../migrations.js';
import type { PrepaidDb } from '../tables.js';
import { createProgramme, key, newAccount } from './fixture.js';
import { Ledger, type LedgerResult } from './ledger.service.js';
import { verifyLedger } from './verify.js';

let database: TestDatabase<PrepaidDb>;
let ledger: Ledger;
let canteen: string;
let shop: string;

beforeAll(async () => {
  database = await createTestDatabase<PrepaidDb>({ migrations: prepaidMigrations });
  ledger = new Ledger(database);
  ({ canteen, shop } = await createProgramme(database.db));
});
afterAll(() => database.close());

const balances = async (accountId: string) =>
  Object.fromEntries(
    (await database.db.selectFrom('wallets').select(['product_code', 'balance']).where('account_id', '=', accountId).execute()).map((w) => [w.product_code, w.balance]),
  );
const operationCount = async () => Number((await sql<{ n: number }>`select count(*)::int as n from operations`.execute(database.db)).rows[0]!.n);
const approved = (r: LedgerResult) => {
  if (r.status !== 'approved') throw new Error(`expected approval, got ${JSON.stringify(r.decline)}`);
  return r;
};

async function funded(meals = 100_000n, own = 50_000n) {
  const account = await newAccount(database.db);
  if (meals) approved(await ledger.credit({ key: key(), accountId: account.id, product: 'meals', amount: meals }));
  if (own) approved(await ledger.credit({ key: key(), accountId: account.id, product: 'own', amount: own }));
  return account;
}

describe('ledger', () => {
  it('credits, then takes a basket split by product and returns the new balances', async () => {
    const account = await funded();
    const result = approved(await ledger.purchase({ key: key(), accountId: account.id, merchantId: canteen, basket: [{ product: 'meals', amount: 25_000 }, { product: 'own', amount: 1_250 }] }));
    expect(result.amount).toBe(26_250n);
    expect(result.balances).toEqual(expect.arrayContaining([{ product: 'meals', balance: 75_000n }, { product: 'own', balance: 48_750n }]));
    expect(await balances(account.id)).toEqual({ meals: 75_000n, own: 48_750n });
    expect((await verifyLedger(database.db)).ok).toBe(true);
  });

  it.each([
    ['insufficient funds', { basket: [{ product: 'own', amount: 50_001 }] }, { code: 'insufficient_funds', product: 'own', available: 50_000n }],
    ['over the per-purchase limit', { basket: [{ product: 'meals', amount: 30_001 }] }, { code: 'limit_exceeded', limit: 'per_operation' }],
    ['a product the merchant does not accept', { merchant: 'shop', basket: [{ product: 'meals', amount: 100 }] }, { code: 'product_not_accepted', product: 'meals' }],
    ['one line of the basket failing (all or nothing)', { basket: [{ product: 'meals', amount: 100 }, { product: 'own', amount: 60_000 }] }, { code: 'insufficient_funds', product: 'own' }],
  ])('declines %s and changes nothing', async (_name, input, decline) => {
    const account = await funded();
    const before = { balances: await balances(account.id), operations: await operationCount() };
    const result = await ledger.purchase({ key: key(), accountId: account.id, merchantId: 'merchant' in input && input.merchant === 'shop' ? shop : canteen, basket: input.basket });
    expect(result).toMatchObject({ status: 'declined', decline });
    expect({ balances: await balances(account.id), operations: await operationCount() }).toEqual(before);
  });

  it('declines past the daily limit, and a reversal gives the day its allowance back', async () => {
    const account = await funded();
    const first = approved(await ledger.purchase({ key: key(), accountId: account.id, merchantId: canteen, basket: [{ product: 'meals', amount: 30_000 }] }));
    approved(await ledger.purchase({ key: key(), accountId: account.id, merchantId: canteen, basket: [{ product: 'meals', amount: 20_000 }] }));
    const third = await ledger.purchase({ key: key(), accountId: account.id, merchantId: canteen, basket: [{ product: 'meals', amount: 1 }] });
    expect(third).toMatchObject({ status: 'declined', decline: { code: 'limit_exceeded', limit: 'daily', remaining: 0n } });
    approved(await ledger.reverse({ key: key(), operationId: first.operationId }));
    approved(await ledger.purchase({ key: key(), accountId: account.id, merchantId: canteen, basket: [{ product: 'meals', amount: 30_000 }] }));
  });

  it('declines debits of a blocked account but still accepts credits', async () => {
    const account = await funded();
    await setAccountBlocked(database.db, account.id, true);
    expect(await ledger.purchase({ key: key(), accountId: account.id, merchantId: canteen, basket: [{ product: 'own', amount: 1 }] })).toMatchObject({ decline: { code: 'account_blocked' } });
    approved(await ledger.credit({ key: key(), accountId: account.id, product: 'own', amount: 100 }));
    await setAccountBlocked(database.db, account.id, false);
    approved(await ledger.purchase({ key: key(), accountId: account.id, merchantId: canteen, basket: [{ product: 'own', amount: 1 }] }));
  });

  describe('idempotency', () => {
    it('answers a replay with the first answer and applies it once', async () => {
      const account = await funded();
      const k = key();
      const request = { key: k, accountId: account.id, merchantId: canteen, basket: [{ product: 'own', amount: 700 }] };
      const first = await ledger.purchase(request);
      const again = await ledger.purchase({ ...request, basket: [{ product: 'own', amount: 700n }] });
      expect(again).toEqual(first);
      expect((await balances(account.id)).own).toBe(49_300n);
    });

    it('refuses a different request under a used key', async () => {
      const account = await funded();
      const k = key();
      await ledger.purchase({ key: k, accountId: account.id, merchantId: canteen, basket: [{ product: 'own', amount: 700 }] });
      await expect(ledger.purchase({ key: k, accountId: account.id, merchantId: canteen, basket: [{ product: 'own', amount: 701 }] })).rejects.toMatchObject({ code: 'idempotency_conflict', status: 409 });
      expect((await balances(account.id)).own).toBe(49_300n);
    });

    it('answers a replayed decline with the same decline even after the funds arrived', async () => {
      const account = await funded(0n, 0n);
      const request = { key: key(), accountId: account.id, merchantId: canteen, basket: [{ product: 'own', amount: 500 }] };
      const first = await ledger.purchase(request);
      expect(first.status).toBe('declined');
      approved(await ledger.credit({ key: key(), accountId: account.id, product: 'own', amount: 1_000 }));
      expect(await ledger.purchase(request)).toEqual(first);
    });

    it('applies concurrent duplicates once', async () => {
      const account = await funded();
      const request = { key: key(), accountId: account.id, merchantId: canteen, basket: [{ product: 'own', amount: 100 }] };
      const results = await Promise.all(Array.from({ length: 8 }, () => ledger.purchase(request)));
      expect(new Set(results.map((r) => (r.status === 'approved' ? r.operationId : 'declined'))).size).toBe(1);
      expect((await balances(account.id)).own).toBe(49_900n);
    });
  });

  describe('reversal and refunds', () => {
    it('reverses a purchase once', async () => {
      const account = await funded();
      const p = approved(await ledger.purchase({ key: key(), accountId: account.id, merchantId: canteen, basket: [{ product: 'meals', amount: 10_000 }, { product: 'own', amount: 500 }] }));
      approved(await ledger.reverse({ key: key(), operationId: p.operationId }));
      expect(await balances(account.id)).toEqual({ meals: 100_000n, own: 50_000n });
      expect(await ledger.reverse({ key: key(), operationId: p.operationId })).toMatchObject({ decline: { code: 'already_reversed' } });
    });

    it('refunds in parts, never more than was taken', async () => {
      const account = await funded();
      const p = approved(await ledger.purchase({ key: key(), accountId: account.id, merchantId: canteen, basket: [{ product: 'own', amount: 1_000 }] }));
      approved(await ledger.refund({ key: key(), operationId: p.operationId, items: [{ product: 'own', amount: 400 }] }));
      approved(await ledger.refund({ key: key(), operationId: p.operationId, items: [{ product: 'own', amount: 600 }] }));
      expect(await ledger.refund({ key: key(), operationId: p.operationId, items: [{ product: 'own', amount: 1 }] })).toMatchObject({ decline: { code: 'refund_exceeds_purchase' } });
      expect(await ledger.reverse({ key: key(), operationId: p.operationId })).toMatchObject({ decline: { code: 'refund_exceeds_purchase' } });
      expect((await balances(account.id)).own).toBe(50_000n);
    });

    it('refuses a refund that names a product twice (each line would be checked against the same remainder)', async () => {
      const account = await funded();
      const p = approved(await ledger.purchase({ key: key(), accountId: account.id, merchantId: canteen, basket: [{ product: 'own', amount: 600 }] }));
      await expect(
        ledger.refund({ key: key(), operationId: p.operationId, items: [{ product: 'own', amount: 400 }, { product: 'own', amount: 400 }] }),
      ).rejects.toMatchObject({ code: 'items_duplicate_product', status: 400 });
      expect((await balances(account.id)).own).toBe(49_400n);
    });

    it('lets only one of two concurrent reversals through', async () => {
      const account = await funded();
      const p = approved(await ledger.purchase({ key: key(), accountId: account.id, merchantId: canteen, basket: [{ product: 'own', amount: 1_000 }] }));
      const results = await Promise.all([ledger.reverse({ key: key(), operationId: p.operationId }), ledger.reverse({ key: key(), operationId: p.operationId })]);
      expect(results.map((r) => r.status).sort()).toEqual(['approved', 'declined']);
      expect((await balances(account.id)).own).toBe(50_000n);
    });
  });

  it('corrects by a new operation, never below the minimum', async () => {
    const account = await funded(0n, 1_000n);
    approved(await ledger.correct({ key: key(), accountId: account.id, product: 'own', amount: -300, reason: 'double credit', createdBy: 'operator' }));
    expect(await ledger.correct({ key: key(), accountId: account.id, product: 'own', amount: -701, reason: 'x', createdBy: 'operator' })).toMatchObject({ decline: { code: 'insufficient_funds' } });
    expect((await balances(account.id)).own).toBe(700n);
  });

  it('transfers within one product and closes an account, returning the remainder', async () => {
    const from = await funded();
    const to = await funded(0n, 0n);
    approved(await ledger.transfer({ key: key(), fromAccountId: from.id, toAccountId: to.id, product: 'own', amount: 20_000 }));
    expect((await balances(to.id)).own).toBe(20_000n);
    const closed = approved(await ledger.close({ key: key(), accountId: from.id, disposition: 'returned', createdBy: 'manager' }));
    expect(closed.amount).toBe(130_000n);
    expect(await balances(from.id)).toEqual({ meals: 0n, own: 0n });
    expect(await ledger.credit({ key: key(), accountId: from.id, product: 'own', amount: 1 })).toMatchObject({ decline: { code: 'account_closed' } });
    expect((await verifyLedger(database.db)).ok).toBe(true);
  });

  it('refuses bad input with the field named and changes nothing', async () => {
    const account = await funded();
    const before = await operationCount();
    await expect(ledger.purchase({ key: key(), accountId: account.id, merchantId: canteen, basket: [{ product: 'own', amount: -5 }] })).rejects.toMatchObject({ code: 'amount_invalid', extra: { field: 'basket/0/amount' } });
    await expect(ledger.purchase({ key: key(), accountId: account.id, merchantId: canteen, basket: [{ product: 'own', amount: 10.5 }] })).rejects.toMatchObject({ code: 'amount_invalid' });
    await expect(ledger.purchase({ key: key(), accountId: account.id, merchantId: canteen, basket: Array.from({ length: 21 }, (_, i) => ({ product: `p${i}`, amount: 1 })) })).rejects.toMatchObject({ code: 'basket_too_large' });
    await expect(ledger.purchase({ key: '', accountId: account.id, merchantId: canteen, basket: [{ product: 'own', amount: 1 }] })).rejects.toMatchObject({ code: 'idempotency_key_invalid' });
    expect(await ledger.purchase({ key: key(), accountId: account.id, merchantId: canteen, basket: [{ product: 'gold', amount: 1 }] })).toMatchObject({ decline: { code: 'product_not_accepted' } });
    expect(await operationCount()).toBe(before);
  });

  it('keeps the journal immutable, and verify names a wallet whose balance was edited behind its back', async () => {
    await expect(sql`update postings set amount = amount + 1`.execute(database.db)).rejects.toThrow(/immutable/);
    await expect(sql`delete from operations`.execute(database.db)).rejects.toThrow(/immutable/);
    await expect(sql`truncate postings, operations cascade`.execute(database.db)).rejects.toThrow(/immutable/);
    const account = await funded();
    const wallet = await database.db.selectFrom('wallets').select('id').where('account_id', '=', account.id).where('product_code', '=', 'own').executeTakeFirstOrThrow();
    await sql`update wallets set balance = balance + 1 where id = ${wallet.id}`.execute(database.db);
    const report = await verifyLedger(database.db);
    expect(report.ok).toBe(false);
    expect(report.problems).toContain(`wallet ${wallet.id}: balance 50001 but postings sum to 50000`);
    await sql`update wallets set balance = balance - 1 where id = ${wallet.id}`.execute(database.db);
    expect((await verifyLedger(database.db)).ok).toBe(true);
  });

  it('refuses postings that do not sum to zero, or that name a wallet of another product', async () => {
    const account = await funded();
    const [meals, own] = await database.db.selectFrom('wallets').select('id').where('account_id', '=', account.id).orderBy('product_code').execute();
    const inOneTransaction = (postings: (op: string) => Array<{ wallet_id: bigint; product_code: string; amount: bigint }>) =>
      database.db.transaction().execute(async (trx) => {
        const op = await trx.insertInto('operations').values({ type: 'correction', account_id: account.id, amount: 1n }).returning('id').executeTakeFirstOrThrow();
        await trx.insertInto('postings').values(postings(op.id).map((p) => ({ ...p, operation_id: op.id, ledger_account_id: null }))).execute();
      });
    await expect(inOneTransaction(() => [{ wallet_id: own!.id, product_code: 'own', amount: 1n }])).rejects.toThrow(/sum to 1, not 0/);
    await expect(
      inOneTransaction(() => [
        { wallet_id: meals!.id, product_code: 'own', amount: 1n },
        { wallet_id: own!.id, product_code: 'own', amount: -1n },
      ]),
    ).rejects.toThrow(/names product own/);
    expect((await verifyLedger(database.db)).ok).toBe(true);
  });

  it('verify names an amount that disagrees with the postings, an over-refund and a funding account in credit', async () => {
    const account = await funded();
    const p = approved(await ledger.purchase({ key: key(), accountId: account.id, merchantId: canteen, basket: [{ product: 'own', amount: 100 }] }));
    const rollback = new Error('rollback');
    let report: Awaited<ReturnType<typeof verifyLedger>> | undefined;
    // Written behind the ledger's back (what a bad restore or a hand-made fix could leave), then rolled back.
    await database.db
      .transaction()
      .execute(async (trx) => {
        const wallet = (await trx.selectFrom('wallets').select('id').where('account_id', '=', account.id).where('product_code', '=', 'own').executeTakeFirstOrThrow()).id;
        const merchant = (await trx.selectFrom('ledger_accounts').select('id').where('merchant_id', '=', canteen).where('product_code', '=', 'own').executeTakeFirstOrThrow()).id;
        const funding = (await trx.selectFrom('ledger_accounts').select('id').where('kind', '=', 'funding').where('product_code', '=', 'own').executeTakeFirstOrThrow()).id;
        const refund = await trx.insertInto('operations').values({ type: 'refund', account_id: account.id, original_operation_id: p.operationId, amount: 999n }).returning('id').executeTakeFirstOrThrow();
        await trx.insertInto('postings').values([
          { operation_id: refund.id, wallet_id: wallet, ledger_account_id: null, product_code: 'own', amount: 150n },
          { operation_id: refund.id, wallet_id: null, ledger_account_id: merchant, product_code: 'own', amount: -150n },
        ]).execute();
        await sql`update wallets set balance = balance + 150 where id = ${wallet}`.execute(trx);
        const gift = await trx.insertInto('operations').values({ type: 'correction', amount: 10_000_000n }).returning('id').executeTakeFirstOrThrow();
        await trx.insertInto('postings').values([
          { operation_id: gift.id, wallet_id: null, ledger_account_id: funding, product_code: 'own', amount: 10_000_000n },
          { operation_id: gift.id, wallet_id: wallet, ledger_account_id: null, product_code: 'own', amount: -10_000_000n },
        ]).execute();
        await sql`update wallets set min_balance = -100000000, balance = balance - 10000000 where id = ${wallet}`.execute(trx);
        report = await verifyLedger(trx);
        throw rollback;
      })
      .catch((error: unknown) => {
        if (error !== rollback) throw error;
      });
    expect(report!.ok).toBe(false);
    expect(report!.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^operation .* \(refund\): amount 999 but its positive postings sum to 150$/),
        `purchase ${p.operationId}: wallet ${(await database.db.selectFrom('wallets').select('id').where('account_id', '=', account.id).where('product_code', '=', 'own').executeTakeFirstOrThrow()).id} got back 150, more than the 100 it paid`,
        expect.stringMatching(/^ledger account \d+ \(funding, own\): balance \d+ has the wrong sign$/),
      ]),
    );
    expect((await verifyLedger(database.db)).ok).toBe(true);
  });

  it('takes nothing into or out of a closed account, and the database refuses to fill a closed wallet', async () => {
    const account = await funded();
    approved(await ledger.close({ key: key(), accountId: account.id, disposition: 'writeoff', createdBy: 'manager' }));
    expect(await ledger.purchase({ key: key(), accountId: account.id, merchantId: canteen, basket: [{ product: 'own', amount: 1 }] })).toMatchObject({ decline: { code: 'account_closed' } });
    expect(await ledger.correct({ key: key(), accountId: account.id, product: 'own', amount: 5, reason: 'x', createdBy: 'operator' })).toMatchObject({ decline: { code: 'account_closed' } });
    expect(await ledger.close({ key: key(), accountId: account.id, disposition: 'writeoff', createdBy: 'manager' })).toMatchObject({ decline: { code: 'account_closed' } });
    await expect(sql`update wallets set balance = 1 where account_id = ${account.id}`.execute(database.db)).rejects.toThrow(/closed_wallet_is_empty/);
    expect((await verifyLedger(database.db)).problems).toEqual([]);
  });

  it('applies credit limits to credits and to transfers in, the wallet\'s own limit being the stricter', async () => {
    await createProduct(database.db, { code: 'bonus', name: 'Подарочный', creditPerOperationLimit: 6_000n, dailyCreditLimit: 10_000n, monthlyCreditLimit: 100_000n });
    const open = async (limits?: Parameters<typeof openAccount>[1]['limits']) =>
      openAccount(database.db, { clientId: await createClient(database.db, { fullName: 'Сидорова Анна' }), products: ['bonus'], limits });
    const account = await open();
    const credit = (amount: number, to = account.id) => ledger.credit({ key: key(), accountId: to, product: 'bonus', amount });
    expect(await credit(6_001)).toMatchObject({ decline: { code: 'limit_exceeded', limit: 'credit_per_operation', remaining: 6_000n } });
    approved(await credit(6_000));
    approved(await credit(4_000));
    expect(await credit(1)).toMatchObject({ decline: { code: 'limit_exceeded', limit: 'daily_credit', remaining: 0n } });

    const strict = await open({ bonus: { dailyCreditLimit: 3_000n } });
    expect(await ledger.transfer({ key: key(), fromAccountId: account.id, toAccountId: strict.id, product: 'bonus', amount: 3_001 })).toMatchObject({
      decline: { code: 'limit_exceeded', limit: 'daily_credit', remaining: 3_000n },
    });
    approved(await ledger.transfer({ key: key(), fromAccountId: account.id, toAccountId: strict.id, product: 'bonus', amount: 3_000 }));
    expect(await credit(1, strict.id)).toMatchObject({ decline: { code: 'limit_exceeded', limit: 'daily_credit' } });
    expect(await balances(strict.id)).toEqual({ bonus: 3_000n });
  });
});
