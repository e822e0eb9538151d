import { createTestDatabase, type TestDatabase } from '@app/kernel/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Identifiers } from '../identifiers/identifiers.service.js';
import { createProgramme, key, newAccount } from '../ledger/fixture.js';
import { Ledger } from '../ledger/ledger.service.js';
import { verifyLedger } from '../ledger/verify.js';
import { prepaidMigrations } from '../migrations.js';
import type { PrepaidDb } from '../tables.js';
import { PurchaseBatcher, type BatchedPurchase } from './purchase.batch.js';

let database: TestDatabase<PrepaidDb>;
let ledger: Ledger;
let canteen: string;
let shop: string;

beforeAll(async () => {
  database = await createTestDatabase<PrepaidDb>({ migrations: prepaidMigrations });
  ledger = new Ledger(database);
  ({ canteen, shop } = await createProgramme(database.db));
  await ledger.prepareMerchant(canteen, ['meals', 'own']);
  await ledger.prepareMerchant(shop, ['own']);
});
afterAll(() => database.close());

async function card(own: bigint) {
  const account = await newAccount(database.db);
  await ledger.credit({ key: key(), accountId: account.id, product: 'own', amount: own });
  const value = key().replace(/-/g, '').slice(0, 8).toUpperCase();
  await new Identifiers(database).bind({ accountId: account.id, kind: 'card_uid', value });
  return { account, value };
}

const purchase = (value: string, amount: bigint, over: Partial<BatchedPurchase> = {}): BatchedPurchase => ({
  key: key(),
  fingerprint: 'f',
  kind: 'card_uid',
  value,
  product: 'own',
  amount,
  merchantId: canteen,
  terminalId: 't',
  ...over,
});

describe('group commit of one-line purchases', () => {
  it('approves each row on its own in one statement and hands the rest to the explaining path', async () => {
    const sizes: number[] = [];
    const batcher = new PurchaseBatcher(database, { maxInFlight: 1, onBatch: (n) => sizes.push(n) });
    const a = await card(1_000n);
    const b = await card(1_000n);
    const c = await card(100n);
    const d = await card(1_000n);
    const duplicate = purchase(d.value, 10n);
    const results = await Promise.all([
      batcher.submit(purchase(a.value, 300n)), // approved
      batcher.submit(purchase(a.value, 200n)), // same wallet again in the batch: explaining path
      batcher.submit(purchase(b.value, 1_000n)), // approved, to zero
      batcher.submit(purchase(c.value, 101n)), // insufficient: explaining path
      batcher.submit(purchase('0BADCAFE', 1n)), // unknown card
      batcher.submit(purchase(b.value, 1n, { merchantId: shop, product: 'meals' })), // not accepted there
      batcher.submit(duplicate),
      batcher.submit(duplicate), // same key twice in one batch
    ]);
    expect(results.map((r) => (r ? r.balances[0]!.balance : null))).toEqual([700n, null, 0n, null, null, null, 990n, null]);
    expect(sizes.reduce((s, n) => s + n, 0)).toBe(7);
    expect(sizes.length).toBeLessThanOrEqual(2);
    expect((await verifyLedger(database.db)).problems).toEqual([]);
  });
});
