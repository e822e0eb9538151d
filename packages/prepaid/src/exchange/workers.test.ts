import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@app/kernel';
import { createTestDatabase, waitFor, type TestDatabase } from '@app/kernel/testing';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepaidMigrations } from '../migrations.js';
import type { ExchangeDb, PrepaidDb } from '../tables.js';
import { creditCsv, ensureProducts, seedClients } from './fixtures.js';
import { startExchangeWorkers } from './workers.js';

let database: TestDatabase<PrepaidDb>;
let root: string;

beforeAll(async () => {
  database = await createTestDatabase<PrepaidDb>({ migrations: prepaidMigrations });
  await ensureProducts(database.db);
  await seedClients(database.db, 'W', 5, 7_300_000_000);
  await sql`insert into partners (code, name) values ('hr', 'HR')`.execute(database.db);
  root = await mkdtemp(join(tmpdir(), 'exchange-workers-'));
}, 60_000);
afterAll(async () => {
  await database?.close();
  await rm(root, { recursive: true, force: true });
});

describe('exchange workers', () => {
  it('run the folder watcher and the tables processor from the settings, and stop', async () => {
    const stoppers = await startExchangeWorkers(
      { database, logger: createLogger({ service: 'test', level: 'silent' }) },
      { EXCHANGE_DIR: root, EXCHANGE_POLL_MS: 50, EXCHANGE_STABLE_POLLS: 2, EXCHANGE_LEASE_SECONDS: 60, EXCHANGE_TABLES: true },
    );
    expect(stoppers).toHaveLength(2);
    try {
      await waitFor(() => existsSync(join(root, 'in')), { what: 'the folders' });
      await writeFile(join(root, 'in', 'credits_1.csv.tmp'), creditCsv('W', 5).csv);
      await sql`insert into exchange_credit_requests (partner_code, request_id, client_id, product, amount) values ('hr', '1', 'W-1', 'meals', 5)`.execute(database.db);
      await writeFile(join(root, 'in', 'credits_1.csv'), creditCsv('W', 5).csv);
      await waitFor(() => existsSync(join(root, 'out', 'credits_1.result.csv')), { what: 'the result file' });
      const xdb = database.db as unknown as Kysely<ExchangeDb>;
      await waitFor(async () => (await xdb.selectFrom('exchange_credit_requests').select('status').executeTakeFirst())?.status === 'done', { what: 'the row done' });
      expect(existsSync(join(root, 'in', 'credits_1.csv.tmp'))).toBe(true); // never taken
    } finally {
      for (const stop of stoppers) await stop();
    }
  });
});
