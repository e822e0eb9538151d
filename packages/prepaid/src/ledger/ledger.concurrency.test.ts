import { createDatabase, type Database } from '@app/kernel';
import { createTestDatabase, type TestDatabase } from '@app/kernel/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepaidMigrations } from '../migrations.js';
import type { PrepaidDb } from '../tables.js';
import { createProgramme, key, newAccount } from './fixture.js';
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
});
