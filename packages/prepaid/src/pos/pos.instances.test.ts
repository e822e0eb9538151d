import { randomUUID } from 'node:crypto';
import { createCache, createDatabase, createLogger, InProcessBus, type Database, type HttpApp, type ServiceRuntime } from '@app/kernel';
import { createTestRuntime, testConfig } from '@app/kernel/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Identifiers } from '../identifiers/identifiers.service.js';
import { createProgramme, key, newAccount } from '../ledger/fixture.js';
import { Ledger } from '../ledger/ledger.service.js';
import { verifyLedger } from '../ledger/verify.js';
import { prepaidMigrations } from '../migrations.js';
import { createPrepaidApp } from '../server.js';
import type { PrepaidDb } from '../tables.js';
import { Terminals } from '../terminals/terminals.service.js';

/**
 * Two prepaid server instances on one database (separate connection pools and caches on PostgreSQL;
 * one engine on PGlite), hundreds of purchases on one card at once through both.
 */
let first: Awaited<ReturnType<typeof createTestRuntime>>;
let secondDb: Database;
let apps: HttpApp[];

beforeAll(async () => {
  first = await createTestRuntime('prepaid', prepaidMigrations);
  secondDb = first.database.url ? await createDatabase({ url: first.database.url, poolSize: 10 }) : first.database;
  const logger = createLogger({ service: 'prepaid-2', level: 'silent' });
  const second: ServiceRuntime = { service: 'prepaid', logger, database: secondDb, bus: new InProcessBus({ logger }), cache: createCache({ url: process.env.REDIS_URL, prefix: `i2-${randomUUID()}:` }) };
  apps = [await createPrepaidApp(first, testConfig), await createPrepaidApp(second, testConfig)];
  await Promise.all(apps.map((a) => a.ready()));
});
afterAll(async () => {
  await Promise.all(apps.map((a) => a.close()));
  if (secondDb !== first.database) await secondDb.close();
  await first.close();
});

describe('two instances, one card, many terminals at once', () => {
  it('never overdraw the wallet, journal each approval once, and verify', async () => {
    const db = first.database as unknown as Database<PrepaidDb>;
    const { canteen } = await createProgramme(db.db);
    const account = await newAccount(db.db);
    await new Ledger(db).credit({ key: key(), accountId: account.id, product: 'own', amount: 50_000 });
    await new Identifiers(db).bind({ accountId: account.id, kind: 'card_uid', value: 'AABBCCDD' });
    const terminals = await Promise.all(Array.from({ length: 4 }, (_, i) => new Terminals(db, first.cache).register({ code: `T-${i}-${randomUUID()}`, merchantId: canteen })));

    const attempts = 240;
    const price = 300; // 166 fit into 500 ₽
    const answers = await Promise.all(
      Array.from({ length: attempts }, async (_, i) => {
        const t = terminals[i % terminals.length]!;
        const res = await apps[i % 2]!.inject({
          method: 'POST',
          url: '/api/pos/v1/purchases',
          headers: { authorization: `Basic ${Buffer.from(`${t.code}:${t.secret}`).toString('base64')}` },
          payload: { idempotencyKey: `k-${i}`, identifier: { kind: 'card_uid', value: 'AABBCCDD' }, basket: [{ product: 'own', amount: price }] },
        });
        expect(res.statusCode).toBe(200);
        return res.json() as { status: string; code?: string; operationId?: string };
      }),
    );

    const approved = answers.filter((a) => a.status === 'approved');
    expect(approved).toHaveLength(Math.floor(50_000 / price));
    expect(answers.filter((a) => a.status === 'declined').every((a) => a.code === 'insufficient_funds')).toBe(true);
    const wallet = await db.db.selectFrom('wallets').select('balance').where('account_id', '=', account.id).where('product_code', '=', 'own').executeTakeFirstOrThrow();
    expect(wallet.balance).toBe(50_000n - BigInt(approved.length * price));
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from operations where account_id = ${account.id} and type = 'purchase'`.execute(db.db);
    expect(rows[0]!.n).toBe(approved.length);
    expect(new Set(approved.map((a) => a.operationId)).size).toBe(approved.length);
    expect((await verifyLedger(db.db)).problems).toEqual([]);
  }, 60_000);
});
