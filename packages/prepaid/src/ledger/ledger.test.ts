import { createTestDatabase, type TestDatabase } from '@app/kernel/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setAccountBlocked } from '../accounts/accounts.service.js';
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
    const account = await funded();
    const wallet = await database.db.selectFrom('wallets').select('id').where('account_id', '=', account.id).where('product_code', '=', 'own').executeTakeFirstOrThrow();
    await sql`update wallets set balance = balance + 1 where id = ${wallet.id}`.execute(database.db);
    const report = await verifyLedger(database.db);
    expect(report.ok).toBe(false);
    expect(report.problems).toContain(`wallet ${wallet.id}: balance 50001 but postings sum to 50000`);
    await sql`update wallets set balance = balance - 1 where id = ${wallet.id}`.execute(database.db);
    expect((await verifyLedger(database.db)).ok).toBe(true);
  });
});
