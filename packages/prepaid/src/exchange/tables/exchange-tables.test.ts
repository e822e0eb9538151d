import { createDatabase, type Database } from '@app/kernel';
import { createTestDatabase, type TestDatabase } from '@app/kernel/testing';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ledger } from '../../ledger/ledger.service.js';
import { verifyLedger } from '../../ledger/verify.js';
import { prepaidMigrations } from '../../migrations.js';
import type { ExchangeDb, PrepaidDb } from '../../tables.js';
import { countOperations, ensureProducts, seedClients, walletTotal } from '../fixtures.js';
import { ExchangeTables } from './exchange-tables.js';
import { exchangeLedgerKey, parseCreditRequest } from './request-rows.js';

let database: TestDatabase<PrepaidDb>;
/** The partner's own connection: a second pool on PostgreSQL (as the partner's system would have); PGlite has one. */
let partner: Database<PrepaidDb>;

beforeAll(async () => {
  database = await createTestDatabase<PrepaidDb>({ migrations: prepaidMigrations });
  partner = database.url ? await createDatabase<PrepaidDb>({ url: database.url, poolSize: 2 }) : database;
  await ensureProducts(database.db);
  await seedClients(database.db, 'T', 300, 7_200_000_000);
  await sql`insert into partners (code, name, status) values ('hr', 'Кадровая система', 'active'), ('old', 'Старая система', 'blocked')`.execute(database.db);
}, 60_000);
afterAll(async () => {
  if (partner && partner !== database) await partner.close();
  await database?.close();
});

const xdb = () => database.db as unknown as Kysely<ExchangeDb>;
const credits = () => xdb().selectFrom('exchange_credit_requests').select(['request_id', 'status', 'result_code', 'result_message', 'result_operation_id', 'result_account_number', 'result_balance']).orderBy('id');

/** What a partner runs: plain SQL, no code of ours. */
async function insertCredits(values: string) {
  await sql.raw(`insert into exchange_credit_requests (partner_code, request_id, client_id, account_number, product, amount, kind, comment) values ${values}`).execute(partner.db);
}

describe('credit rows', () => {
  it('reads a row as a registry line: same codes for amounts, kinds and products', () => {
    const row = { id: 1n, client_id: 'T-1', account_number: null, product: 'meals', kind: 'credit', comment: null };
    expect(parseCreditRequest({ ...row, amount: '1500.00' })).toMatchObject({ ok: true, line: { amount: 150_000n, action: 'credit' } });
    expect(parseCreditRequest({ ...row, amount: '1.005' })).toMatchObject({ ok: false, error: { code: 'bad_amount' } });
    expect(parseCreditRequest({ ...row, amount: '-5' })).toMatchObject({ ok: false, error: { code: 'bad_amount' } });
    expect(parseCreditRequest({ ...row, amount: '-5', kind: 'correction' })).toMatchObject({ ok: true, line: { amount: -500n } });
    expect(parseCreditRequest({ ...row, amount: '100000000.01' })).toMatchObject({ ok: false, error: { code: 'amount_too_large' } });
    expect(parseCreditRequest({ ...row, amount: '1', client_id: null })).toMatchObject({ ok: false, error: { code: 'missing_value' } });
  });

  it('applies rows a partner inserted and writes status and results back into them; bad rows fail with codes, the batch goes on', async () => {
    const processor = new ExchangeTables(database, { batchSize: 4 });
    const before = await walletTotal(database.db, 'T');
    await insertCredits(`
      ('hr', 'c-1', 'T-1', null, 'meals', 1500.00, 'credit', null),
      ('hr', 'c-2', null, '7200000002', 'meals', 10.5, 'credit', null),
      ('hr', 'c-3', 'T-3', null, 'meals', 1.005, 'credit', null),
      ('hr', 'c-4', 'T-404', null, 'meals', 1, 'credit', null),
      ('hr', 'c-5', 'T-5', null, 'cinema', 1, 'credit', null),
      ('hr', 'c-6', 'T-6', '7200000007', 'meals', 1, 'credit', null),
      ('hr', 'c-7', 'T-7', null, 'own', 2.00, 'credit', null),
      ('hr', 'c-8', 'T-8', null, 'meals', -3, 'credit', null),
      ('nobody', 'c-9', 'T-9', null, 'meals', 1, 'credit', null),
      ('old', 'c-10', 'T-10', null, 'meals', 1, 'credit', null),
      ('hr', 'c-11', 'T-1', null, 'meals', -100, 'correction', 'возврат')`);
    expect(await processor.processOnce()).toEqual({ clients: 0, credits: 4 });
    while ((await processor.processOnce()).credits > 0);
    const rows = await credits().execute();
    expect(rows.map((r) => [r.request_id, r.status, r.result_code])).toEqual([
      ['c-1', 'done', 'ok'],
      ['c-2', 'done', 'ok'],
      ['c-3', 'failed', 'bad_amount'],
      ['c-4', 'failed', 'client_not_found'],
      ['c-5', 'failed', 'unknown_product'],
      ['c-6', 'failed', 'account_client_mismatch'],
      ['c-7', 'done', 'ok'], // T-7 had no own wallet: it is opened
      ['c-8', 'failed', 'bad_amount'],
      ['c-9', 'failed', 'unknown_partner'],
      ['c-10', 'failed', 'partner_blocked'],
      ['c-11', 'done', 'ok'],
    ]);
    expect(rows[0]).toMatchObject({ result_account_number: '7200000001', result_balance: '1500.00', result_operation_id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(rows[10]).toMatchObject({ result_balance: '1400.00' });
    expect(rows[2]!.result_message).toMatch(/^amount: .*more than 2 decimals/);
    expect(await walletTotal(database.db, 'T')).toBe(before + 150_000n + 1_050n - 10_000n);
    expect(await walletTotal(database.db, 'T', 'own')).toBe(200n);
    const op = await database.db.selectFrom('operations').select(['type', 'created_by']).where('id', '=', rows[0]!.result_operation_id!).executeTakeFirstOrThrow();
    expect(op).toEqual({ type: 'credit', created_by: 'exchange:hr' });
    expect((await verifyLedger(database.db)).problems).toEqual([]);
  });

  it('refuses at INSERT what the contract forbids: a repeated request id, a changed payload; status always starts new', async () => {
    await expect(insertCredits(`('hr', 'c-1', 'T-1', null, 'meals', 1, 'credit', null)`)).rejects.toThrow(/duplicate key|unique/i);
    await sql`insert into exchange_credit_requests (partner_code, request_id, client_id, product, amount, status, result_code) values ('hr', 'c-20', 'T-20', 'meals', 1, 'done', 'ok')`.execute(partner.db);
    expect(await credits().where('request_id', '=', 'c-20').executeTakeFirst()).toMatchObject({ status: 'new', result_code: null });
    await expect(sql`update exchange_credit_requests set amount = 2 where request_id = 'c-20'`.execute(partner.db)).rejects.toThrow(/cannot be changed/);
    await new ExchangeTables(database).processOnce();
    expect(await credits().where('request_id', '=', 'c-20').executeTakeFirst()).toMatchObject({ status: 'done', result_code: 'ok' });
  });

  it('a row left processing by a dead processor is taken over when its lease runs out and never credited twice', async () => {
    await insertCredits(`('hr', 'c-30', 'T-30', null, 'meals', 7.00, 'credit', null)`);
    // A processor takes the row, credits it on the ledger, and dies before writing the row back.
    const dead = new ExchangeTables(database, { owner: 'dead', leaseMs: 100_000 });
    const ledger = new Ledger(database);
    const [claimed] = (await sql<{ id: bigint }>`update exchange_credit_requests set status = 'processing', claimed_by = 'dead', claimed_until = now() + interval '1 hour' where request_id = 'c-30' returning id`.execute(database.db)).rows;
    const account = await database.db.selectFrom('accounts').select('id').where('number', '=', '7200000030').executeTakeFirstOrThrow();
    const first = await ledger.credit({ key: exchangeLedgerKey('hr', 'c-30'), accountId: account.id, product: 'meals', amount: 700n, createdBy: 'exchange:hr' });
    expect(first.status).toBe('approved');
    void dead;
    const operations = await countOperations(database.db);
    const alive = new ExchangeTables(database, { owner: 'alive' });
    expect((await alive.processOnce()).credits).toBe(0); // still leased to the dead one
    await sql`update exchange_credit_requests set claimed_until = now() - interval '1 second' where id = ${claimed!.id}`.execute(database.db);
    expect((await alive.processOnce()).credits).toBe(1);
    const row = await credits().where('request_id', '=', 'c-30').executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'done', result_operation_id: first.status === 'approved' ? first.operationId : null, result_balance: '7.00' });
    expect(await countOperations(database.db)).toBe(operations);
  });

  it('two processors at once: every row applied once', async () => {
    const values = Array.from({ length: 200 }, (_, i) => `('hr', 'p-${i}', 'T-${101 + (i % 150)}', null, 'meals', ${(i % 9) + 1}.25, 'credit', null)`).join(',');
    await insertCredits(values);
    const expected = Array.from({ length: 200 }, (_, i) => BigInt(((i % 9) + 1) * 100 + 25)).reduce((a, b) => a + b, 0n);
    const before = await walletTotal(database.db, 'T');
    const operations = await countOperations(database.db);
    const second = database.url ? await createDatabase<PrepaidDb>({ url: database.url, poolSize: 3 }) : database;
    try {
      const a = new ExchangeTables(database, { owner: 'a', batchSize: 15 });
      const b = new ExchangeTables(second, { owner: 'b', batchSize: 15 });
      const drain = async (p: ExchangeTables) => {
        let n = 0;
        for (let got = 1; got > 0; ) {
          got = (await p.processOnce()).credits;
          n += got;
        }
        return n;
      };
      const [na, nb] = await Promise.all([drain(a), drain(b)]);
      expect(na + nb).toBe(200);
    } finally {
      if (second !== database) await second.close();
    }
    const rows = await credits().where('request_id', 'like', 'p-%').execute();
    expect(rows.every((r) => r.status === 'done')).toBe(true);
    expect(new Set(rows.map((r) => r.result_operation_id)).size).toBe(200);
    expect(await countOperations(database.db)).toBe(operations + 200);
    expect(await walletTotal(database.db, 'T')).toBe(before + expected);
    expect((await verifyLedger(database.db)).problems).toEqual([]);
  }, 60_000);
});

describe('client rows', () => {
  it('creates, updates and deletes clients from rows; failures carry codes and change nothing', async () => {
    await sql`insert into exchange_client_requests (partner_code, request_id, action, client_id, last_name, first_name, phone, products, card_uid) values
      ('hr', 'k-1', 'create', 'NEW-1', 'Смирнова', 'Анна', '+7 900 000-00-01', 'meals own', '0A0B0C0D'),
      ('hr', 'k-2', 'create', 'NEW-2', 'Без', null, null, null, null),
      ('hr', 'k-3', 'create', 'T-1', 'Уже', 'Есть', null, null, null),
      ('hr', 'k-4', 'create', 'NEW-4', 'Чужая', 'Карта', null, 'meals', '0A0B0C0D'),
      ('hr', 'k-5', 'update', 'NEW-1', null, null, '+79000000002', null, null),
      ('hr', 'k-6', 'delete', 'T-1', null, null, null, null, null),
      ('hr', 'k-7', 'delete', 'T-299', null, null, null, null, null),
      ('hr', 'k-8', 'update', 'T-298', null, null, '12-34', null, null)`.execute(partner.db);
    const processor = new ExchangeTables(database, { batchSize: 3 });
    let n = 0;
    for (let got = 1; got > 0; n += got) got = (await processor.processOnce()).clients;
    expect(n).toBe(8);
    const rows = await xdb().selectFrom('exchange_client_requests').select(['request_id', 'status', 'result_code', 'result_account_number', 'result_client_uuid']).orderBy('id').execute();
    expect(rows.map((r) => [r.request_id, r.status, r.result_code])).toEqual([
      ['k-1', 'done', 'ok'],
      ['k-2', 'failed', 'missing_value'],
      ['k-3', 'failed', 'client_exists'],
      ['k-4', 'failed', 'identifier_in_use'],
      ['k-5', 'done', 'ok'],
      ['k-6', 'failed', 'client_has_balance'],
      ['k-7', 'done', 'ok'],
      ['k-8', 'failed', 'bad_phone'],
    ]);
    expect(rows[0]!.result_account_number).toMatch(/^9\d{15}$/);
    const anna = await database.db.selectFrom('clients').select(['id', 'full_name', 'phone']).where('external_id', '=', 'NEW-1').executeTakeFirstOrThrow();
    expect(anna).toEqual({ id: rows[0]!.result_client_uuid, full_name: 'Смирнова Анна', phone: '+79000000002' });
    expect(await database.db.selectFrom('clients').select('id').where('external_id', '=', 'NEW-4').executeTakeFirst()).toBeUndefined();
    expect(await database.db.selectFrom('clients').select('status').where('external_id', '=', 'T-299').executeTakeFirst()).toEqual({ status: 'deleted' });
    await expect(sql`insert into exchange_client_requests (partner_code, request_id, action, client_id) values ('hr', 'k-9', 'erase', 'T-298')`.execute(partner.db)).rejects.toThrow(/action_check/);
  });

  it('two processors at once: each client row applied once', async () => {
    const values = Array.from({ length: 40 }, (_, i) => `('hr', 'm-${i}', 'create', 'MANY-${i}', 'Многие', 'Клиент${i}', 'meals')`).join(',');
    await sql.raw(`insert into exchange_client_requests (partner_code, request_id, action, client_id, last_name, first_name, products) values ${values}`).execute(partner.db);
    const second = database.url ? await createDatabase<PrepaidDb>({ url: database.url, poolSize: 3 }) : database;
    try {
      const drain = async (p: ExchangeTables) => {
        let n = 0;
        for (let got = 1; got > 0; n += got) got = (await p.processOnce()).clients;
        return n;
      };
      const [na, nb] = await Promise.all([drain(new ExchangeTables(database, { owner: 'a', batchSize: 4 })), drain(new ExchangeTables(second, { owner: 'b', batchSize: 4 }))]);
      expect(na + nb).toBe(40);
    } finally {
      if (second !== database) await second.close();
    }
    const rows = await xdb().selectFrom('exchange_client_requests').select(['status', 'result_code']).where('request_id', 'like', 'm-%').execute();
    expect(rows.filter((r) => r.status === 'done' && r.result_code === 'ok')).toHaveLength(40);
    const { rows: created } = await sql<{ n: bigint }>`select count(*)::int8 as n from clients c join accounts a on a.client_id = c.id where c.external_id like 'MANY-%'`.execute(database.db);
    expect(Number(created[0]!.n)).toBe(40);
  });

  it('shows balances to the partner through the read-only view', async () => {
    const { rows } = await sql<{ account_number: string; client_id: string; product: string; balance: string }>`
      select account_number, client_id, product, balance::text as balance from exchange_balances where client_id = 'T-1' and product = 'meals'`.execute(partner.db);
    expect(rows).toEqual([{ account_number: '7200000001', client_id: 'T-1', product: 'meals', balance: '1400.00' }]);
  });
});
