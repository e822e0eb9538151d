import { createTestDatabase, type TestDatabase } from '@app/kernel/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Identifiers } from '../identifiers/identifiers.service.js';
import { createProgramme, key, newAccount } from '../ledger/fixture.js';
import { Ledger } from '../ledger/ledger.service.js';
import { verifyLedger } from '../ledger/verify.js';
import { prepaidMigrations } from '../migrations.js';
import type { PrepaidDb } from '../tables.js';
import { purchaseInOneStatement } from './purchase.fast-path.js';

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

async function card(own = 10_000n) {
  const account = await newAccount(database.db);
  await ledger.credit({ key: key(), accountId: account.id, product: 'own', amount: own });
  await ledger.credit({ key: key(), accountId: account.id, product: 'meals', amount: 40_000n });
  const value = key().replace(/-/g, '').slice(0, 8).toUpperCase();
  await new Identifiers(database).bind({ accountId: account.id, kind: 'card_uid', value });
  return { account, value };
}

const attempt = (value: string, merchantId: string, lines: Array<[string, bigint]>, k = key()) =>
  purchaseInOneStatement(database, { key: k, fingerprint: 'f', kind: 'card_uid', value, merchantId, terminalId: 't', products: lines.map((l) => l[0]), amounts: lines.map((l) => l[1]) });

const state = async (accountId: string) => ({
  wallets: await database.db.selectFrom('wallets').select(['product_code', 'balance', 'day_debit']).where('account_id', '=', accountId).orderBy('product_code').execute(),
  operations: (await sql<{ n: number }>`select count(*)::int as n from operations`.execute(database.db)).rows[0]!.n,
  keys: (await sql<{ n: number }>`select count(*)::int as n from idempotency_keys`.execute(database.db)).rows[0]!.n,
});

describe('one-statement purchase', () => {
  it('approves a basket in one statement, journaled exactly like the step-by-step path', async () => {
    const { account, value } = await card();
    const approval = await attempt(value, canteen, [['meals', 25_000n], ['own', 300n]]);
    expect(approval).not.toBeNull();
    expect(approval!.accountId).toBe(account.id);
    expect(approval!.balances).toEqual(expect.arrayContaining([{ product: 'meals', balance: 15_000n }, { product: 'own', balance: 9_700n }]));
    const postings = await database.db.selectFrom('postings').select(['amount']).where('operation_id', '=', approval!.operationId).execute();
    expect(postings.map((p) => p.amount).sort()).toEqual([-25_000n, -300n, 300n, 25_000n].sort());
    expect((await verifyLedger(database.db)).problems).toEqual([]);
  });

  it.each([
    ['more than the balance', 'canteen', [['own', 10_001n]]],
    ['past the per-purchase limit', 'canteen', [['meals', 30_001n]]],
    ['a product the merchant does not take', 'shop', [['meals', 1n]]],
    ['one good line and one bad', 'canteen', [['meals', 100n], ['own', 99_999n]]],
  ] as const)('changes nothing and hands over to the explaining path for %s', async (_name, merchant, lines) => {
    const { account, value } = await card();
    const before = await state(account.id);
    expect(await attempt(value, merchant === 'shop' ? shop : canteen, lines.map(([p, a]) => [p, a]))).toBeNull();
    expect(await state(account.id)).toEqual(before);
  });

  it('hands over for an unknown or stop-listed identifier and for a used key', async () => {
    const { account, value } = await card();
    expect(await attempt('0BADCAFE', canteen, [['own', 1n]])).toBeNull();
    const k = key();
    expect(await attempt(value, canteen, [['own', 1n]], k)).not.toBeNull();
    const before = await state(account.id);
    expect(await attempt(value, canteen, [['own', 1n]], k)).toBeNull();
    await database.db.insertInto('stop_list').values({ kind: 'card_uid', value, reason: 'lost' }).execute();
    expect(await attempt(value, canteen, [['own', 1n]])).toBeNull();
    expect(await state(account.id)).toEqual(before);
  });
});
