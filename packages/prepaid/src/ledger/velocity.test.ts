import { createDatabase, type Database } from '@app/kernel';
import { createTestDatabase, type TestDatabase } from '@app/kernel/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAccount } from '../accounts/accounts.service.js';
import { createClient, createMerchant, createProduct } from '../directories/directories.repo.js';
import { Identifiers } from '../identifiers/identifiers.service.js';
import { prepaidMigrations } from '../migrations.js';
import { PosService } from '../pos/pos.service.js';
import type { PrepaidDb } from '../tables.js';
import type { Terminal } from '../terminals/terminals.service.js';
import { key } from './fixture.js';
import { Ledger } from './ledger.service.js';
import { verifyLedger } from './verify.js';

/** Velocity limits (migration 0014): count and amount per rolling window, per wallet and per identifier, under concurrency. */
let database: TestDatabase<PrepaidDb>;
let second: Database<PrepaidDb>;
let ledger: Ledger;
let kiosk: string;

beforeAll(async () => {
  database = await createTestDatabase<PrepaidDb>({ migrations: prepaidMigrations });
  second = database.url ? await createDatabase<PrepaidDb>({ url: database.url, poolSize: 10 }) : database;
  ledger = new Ledger(database);
  // fuel: at most 3 purchases or 10 000 kopecks per wallet an hour; one card at most 2 purchases in 10 minutes.
  await createProduct(database.db, { code: 'fuel', name: 'Топливо' });
  await sql`update products set velocity_window_seconds = 3600, velocity_count = 3, velocity_amount = 10000,
            identifier_velocity_window_seconds = 600, identifier_velocity_count = 2 where code = 'fuel'`.execute(database.db);
  await createProduct(database.db, { code: 'snacks', name: 'Перекус' });
  kiosk = await createMerchant(database.db, { code: `kiosk-${key().slice(0, 8)}`, name: 'АЗС', products: ['fuel', 'snacks'] });
  await ledger.prepareMerchant(kiosk, ['fuel', 'snacks']);
});
afterAll(async () => {
  if (second !== database) await second.close();
  await database.close();
});

async function holder(products = ['fuel']) {
  const account = await openAccount(database.db, { clientId: await createClient(database.db, { fullName: 'Иванов Иван' }), products });
  for (const product of products) await ledger.credit({ key: key(), accountId: account.id, product, amount: 1_000_000 });
  const cards = [];
  for (let i = 0; i < 2; i++) {
    const value = key().replace(/-/g, '').slice(0, 14).toUpperCase();
    const bound = await new Identifiers(database).bind({ accountId: account.id, kind: 'card_uid', value });
    cards.push({ value, id: (bound as { id: string }).id });
  }
  return { account, cards };
}
const buy = (accountId: string, amount: number, identifierId: string | null, product = 'fuel') =>
  ledger.purchase({ key: key(), accountId, merchantId: kiosk, basket: [{ product, amount }], identifierId });

describe('velocity limits', () => {
  it('decline the purchase past a count or amount in the window, per card and per wallet, naming the limit', async () => {
    const { account, cards } = await holder();
    const one = cards[0]!;
    const two = cards[1]!;
    expect((await buy(account.id, 1_000, one.id)).status).toBe('approved');
    expect((await buy(account.id, 1_000, one.id)).status).toBe('approved');
    expect(await buy(account.id, 1_000, one.id)).toMatchObject({ decline: { code: 'velocity_exceeded', product: 'fuel', limit: 'identifier_velocity_count', windowSeconds: 600, remaining: 0n } });
    // Another card of the same account still may — until the wallet's amount rule.
    expect(await buy(account.id, 9_000, two.id)).toMatchObject({ decline: { code: 'velocity_exceeded', limit: 'velocity_amount', windowSeconds: 3600, remaining: 8_000n } });
    expect((await buy(account.id, 8_000, two.id)).status).toBe('approved');
    expect(await buy(account.id, 1, two.id)).toMatchObject({ decline: { code: 'velocity_exceeded', limit: 'velocity_count', remaining: 0n } });
    // A hold is a use at the till like a purchase.
    expect(await ledger.hold({ key: key(), accountId: account.id, merchantId: kiosk, product: 'fuel', amount: 1, ttlSeconds: 60, identifierId: two.id })).toMatchObject({
      decline: { code: 'velocity_exceeded', limit: 'velocity_count' },
    });
    const wallet = await database.db.selectFrom('wallets').select('balance').where('account_id', '=', account.id).executeTakeFirstOrThrow();
    expect(wallet.balance).toBe(1_000_000n - 10_000n);
  });

  it("apply a wallet's own rule besides its product's, and forget debits once they leave the window", async () => {
    const { account, cards } = await holder(['snacks']);
    await sql`update wallets set velocity_window_seconds = 60, velocity_count = 1 where account_id = ${account.id}`.execute(database.db);
    expect((await buy(account.id, 100, cards[0]!.id, 'snacks')).status).toBe('approved');
    expect(await buy(account.id, 100, cards[0]!.id, 'snacks')).toMatchObject({ decline: { code: 'velocity_exceeded', limit: 'velocity_count', windowSeconds: 60 } });
    // Move the recorded debit out of the window: the next purchase fits again, and the old entry is pruned.
    await sql`update wallets set recent_at = array[now() - interval '61 seconds'] where account_id = ${account.id}`.execute(database.db);
    expect((await buy(account.id, 100, null, 'snacks')).status).toBe('approved');
    const { rows } = await sql<{ n: number }>`select cardinality(recent_at) as n from wallets where account_id = ${account.id}`.execute(database.db);
    expect(rows[0]!.n).toBe(1);
  });

  it('hold under concurrent purchases from two instances: never more than the count in the window', async () => {
    const { account } = await holder();
    const instances = [new Ledger(database), new Ledger(second)];
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => instances[i % 2]!.purchase({ key: key(), accountId: account.id, merchantId: kiosk, basket: [{ product: 'fuel', amount: 100 }] })),
    );
    expect(results.filter((r) => r.status === 'approved')).toHaveLength(3);
    for (const r of results.filter((x) => x.status === 'declined')) expect(r).toMatchObject({ decline: { code: 'velocity_exceeded', limit: 'velocity_count' } });
    expect((await verifyLedger(database.db)).problems).toEqual([]);
  });

  it('hold on the POS group-commit path too: one card, many terminals at once', async () => {
    const { cards } = await holder();
    const pos = new PosService(database, ledger);
    const terminal = (n: number): Terminal => ({ id: `velocity-t${n}`, code: `VT${n}`, merchantId: kiosk, status: 'active' }) as Terminal;
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        pos.purchase(terminal(i), { idempotencyKey: `v-${i}`, identifier: { kind: 'card_uid', value: cards[0]!.value }, basket: [{ product: 'fuel', amount: 500 }] }),
      ),
    );
    expect(answers.filter((a) => a.status === 'approved')).toHaveLength(2);
    expect(answers.filter((a) => a.status === 'declined')).toEqual(Array.from({ length: 10 }, () => expect.objectContaining({ code: 'velocity_exceeded', limit: 'identifier_velocity_count', windowSeconds: 600 })));
    expect((await verifyLedger(database.db)).problems).toEqual([]);
  });
});
