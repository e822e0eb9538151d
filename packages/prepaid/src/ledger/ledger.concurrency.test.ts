import { createDatabase, type Database } from '@app/kernel';
import { createTestDatabase, type TestDatabase } from '@app/kernel/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAccount } from '../accounts/accounts.service.js';
import { createClient, createMerchant } from '../directories/directories.repo.js';
import { prepaidMigrations } from '../migrations.js';
import type { PrepaidDb } from '../tables.js';
import { createProgramme, key, newAccount } from './fixture.js';
import { SystemAccounts } from './ledger.repo.js';
import { Ledger, type LedgerResult } from './ledger.service.js';
import { verifyLedger } from './verify.js';

/**
 * Two "instances" (separate connection pools on one PostgreSQL; one engine on PGlite) fire hundreds
 * of purchases at one wallet at once. The wallet has money for only some of them.
 */
let database: TestDatabase<PrepaidDb>;
let second: Database<PrepaidDb>;

beforeAll(async () => {
  database = await createTestDatabase<PrepaidDb>({ migrations: prepaidMigrations });
  second = database.url ? await createDatabase<PrepaidDb>({ url: database.url, poolSize: 10 }) : database;
});
afterAll(async () => {
  if (second !== database) await second.close();
  await database.close();
});

describe('system ledger accounts', () => {
  it('are made once when two instances first need the same one at the same moment', async () => {
    const { canteen } = await createProgramme(database.db);
    const pools = [new SystemAccounts(database.db), new SystemAccounts(second.db)];
    const merchants = await Promise.all(Array.from({ length: 15 }, (_, i) => createMerchant(database.db, { code: `race-${i}-${key().slice(0, 8)}`, name: 'Киоск', products: ['own'] })));
    for (const merchantId of [canteen, ...merchants]) {
      const ids = await Promise.all(pools.map((p) => p.ensure('merchant', 'own', merchantId)));
      expect(ids[0]).toBeDefined();
      expect(ids[1]).toBe(ids[0]);
    }
  });
});

describe('concurrent purchases on one wallet', () => {
  it('never take the wallet below its minimum, journal each approval once, and verify', async () => {
    const { canteen } = await createProgramme(database.db);
    const account = await newAccount(database.db);
    const instances = [new Ledger(database), new Ledger(second)];
    await instances[0]!.credit({ key: key(), accountId: account.id, product: 'own', amount: 100_000 });

    const attempts = 300;
    const price = 700n; // 142 fit into 1 000 ₽, 158 must be declined
    const results: LedgerResult[] = await Promise.all(
      Array.from({ length: attempts }, (_, i) =>
        instances[i % 2]!.purchase({ key: key(), accountId: account.id, merchantId: canteen, terminalId: `t${i % 7}`, basket: [{ product: 'own', amount: price }] }),
      ),
    );

    const approved = results.filter((r) => r.status === 'approved');
    const declined = results.filter((r) => r.status === 'declined');
    expect(approved).toHaveLength(Number(100_000n / price));
    expect(declined.every((r) => r.decline.code === 'insufficient_funds')).toBe(true);

    const wallet = await database.db.selectFrom('wallets').select(['balance', 'min_balance']).where('account_id', '=', account.id).where('product_code', '=', 'own').executeTakeFirstOrThrow();
    expect(wallet.balance).toBe(100_000n - BigInt(approved.length) * price);
    expect(wallet.balance >= wallet.min_balance).toBe(true);

    const { rows } = await sql<{ id: string; n: number }>`
      select o.id, count(p.id)::int as n from operations o join postings p on p.operation_id = o.id
      where o.account_id = ${account.id} and o.type = 'purchase' group by o.id`.execute(database.db);
    expect(rows).toHaveLength(approved.length);
    expect(new Set(rows.map((r) => r.id))).toEqual(new Set(approved.map((r) => (r.status === 'approved' ? r.operationId : ''))));
    expect(rows.every((r) => r.n === 2)).toBe(true);
    expect((await verifyLedger(database.db)).problems).toEqual([]);
  }, 60_000);

  it('never pass the daily limit, the day\'s total kept in the wallet row under its lock', async () => {
    const { canteen } = await createProgramme(database.db);
    const account = await newAccount(database.db);
    const instances = [new Ledger(database), new Ledger(second)];
    await instances[0]!.credit({ key: key(), accountId: account.id, product: 'meals', amount: 500_000 });

    const price = 700n; // the meals day allows 50 000: 71 purchases, the other 49 refused for the day
    const results = await Promise.all(
      Array.from({ length: 120 }, (_, i) => instances[i % 2]!.purchase({ key: key(), accountId: account.id, merchantId: canteen, basket: [{ product: 'meals', amount: price }] })),
    );
    const approved = results.filter((r) => r.status === 'approved').length;
    expect(approved).toBe(Number(50_000n / price));
    expect(results.every((r) => r.status === 'approved' || (r.decline.code === 'limit_exceeded' && 'limit' in r.decline && r.decline.limit === 'daily'))).toBe(true);
    const wallet = await database.db.selectFrom('wallets').select(['balance', 'day_debit']).where('account_id', '=', account.id).where('product_code', '=', 'meals').executeTakeFirstOrThrow();
    expect(wallet).toEqual({ balance: 500_000n - BigInt(approved) * price, day_debit: BigInt(approved) * price });
    expect((await verifyLedger(database.db)).problems).toEqual([]);
  }, 60_000);

  it('close an account under purchases and credits: nothing lands after it, the account ends empty', async () => {
    const { canteen } = await createProgramme(database.db);
    const clientId = await createClient(database.db, { fullName: 'Иванов Иван' });
    // An overdraft allowed: a debit racing the close would pass the balance test even on a zeroed wallet.
    const account = await openAccount(database.db, { clientId, products: ['meals', 'own'], limits: { own: { minBalance: -50_000n } } });
    const instances = [new Ledger(database), new Ledger(second)];
    await instances[0]!.credit({ key: key(), accountId: account.id, product: 'own', amount: 100_000 });

    // Eight workers (four per instance) keep purchasing and crediting; the close starts mid-stream, and each
    // worker goes on for a few operations after it, so some wait on the close's wallet lock and some come after.
    const results: LedgerResult[] = [];
    let closing: Promise<LedgerResult> | undefined;
    let closed = false;
    const worker = async (w: number) => {
      const ledger = instances[w % 2]!;
      for (let i = 0, after = 0; after < 4; i++) {
        if (closed) after++;
        if (!closing && results.length >= 40) closing = ledger.close({ key: key(), accountId: account.id, disposition: 'returned', createdBy: 'manager' }).finally(() => (closed = true));
        results.push(
          await ((w + i) % 3 === 0
            ? ledger.credit({ key: key(), accountId: account.id, product: 'own', amount: 1_000 })
            : ledger.purchase({ key: key(), accountId: account.id, merchantId: canteen, basket: [{ product: 'own', amount: 500 }] })),
        );
      }
    };
    await Promise.all(Array.from({ length: 8 }, (_, w) => worker(w)));
    expect(await closing).toMatchObject({ status: 'approved', type: 'close' });
    const declined = results.filter((r) => r.status === 'declined');
    expect(declined.length).toBeGreaterThanOrEqual(8 * 3);
    expect(declined.every((r) => r.decline.code === 'account_closed')).toBe(true);

    const wallets = await database.db.selectFrom('wallets').select(['balance', 'closed']).where('account_id', '=', account.id).execute();
    expect(wallets).toEqual([{ balance: 0n, closed: true }, { balance: 0n, closed: true }]);
    const { rows } = await sql<{ type: string }>`
      select type from operations where account_id = ${account.id} and seq > (select seq from operations where account_id = ${account.id} and type = 'close')`.execute(database.db);
    expect(rows).toEqual([]);
    expect((await verifyLedger(database.db)).problems).toEqual([]);
  }, 60_000);
});
