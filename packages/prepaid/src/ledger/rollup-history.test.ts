import { addDays, createDatabase, localDate, type Database } from '@app/kernel';
import { createTestDatabase, type TestDatabase } from '@app/kernel/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepaidMigrations } from '../migrations.js';
import type { PrepaidDb } from '../tables.js';
import { createProgramme, key, newAccount } from './fixture.js';
import { balanceAt, statement } from './history.js';
import { Ledger } from './ledger.service.js';
import { rollUpLedgerAccounts, systemAccountBalances } from './rollup.js';
import { verifyLedger } from './verify.js';

let database: TestDatabase<PrepaidDb>;
let ledger: Ledger;
let canteen: string;
const zone = 'Europe/Moscow';

beforeAll(async () => {
  database = await createTestDatabase<PrepaidDb>({ migrations: prepaidMigrations });
  ledger = new Ledger(database);
  ({ canteen } = await createProgramme(database.db));
});
afterAll(() => database.close());

const tick = () => new Promise((r) => setTimeout(r, 15));
/**
 * Runs the roll-up until it advances. Back to back it may have to wait: a run only rolls up to the previous run's
 * mark once every transaction then running (anywhere on the server: other suites share it) has ended.
 */
async function rollUpUntilAdvanced() {
  for (let i = 0; i < 200; i++) {
    const r = await rollUpLedgerAccounts(database.db);
    if (r.advanced) return r;
    await new Promise((done) => setTimeout(done, 10));
  }
  throw new Error('the roll-up never advanced');
}
const postedTo = async (ledgerAccountId: bigint) =>
  BigInt((await sql<{ s: bigint | null }>`select sum(amount) as s from postings where ledger_account_id = ${ledgerAccountId}`.execute(database.db)).rows[0]!.s ?? 0);

describe('roll-up of system balances', () => {
  it('rolls merchants and funding up in the background, exact with the postings since, and verify proves it', async () => {
    const account = await newAccount(database.db);
    await ledger.credit({ key: key(), accountId: account.id, product: 'own', amount: 10_000 });
    for (let i = 0; i < 5; i++) await ledger.purchase({ key: key(), accountId: account.id, merchantId: canteen, basket: [{ product: 'own', amount: 100 + i }] });
    await rollUpUntilAdvanced();
    await ledger.purchase({ key: key(), accountId: account.id, merchantId: canteen, basket: [{ product: 'own', amount: 1 }] });
    await rollUpUntilAdvanced();
    await ledger.purchase({ key: key(), accountId: account.id, merchantId: canteen, basket: [{ product: 'own', amount: 1_000 }] });

    const [merchant] = await systemAccountBalances(database.db, { kind: 'merchant', merchantId: canteen });
    expect(merchant).toMatchObject({ product: 'own', balance: 100n + 101n + 102n + 103n + 104n + 1n + 1_000n });
    expect(merchant!.balance).toBe(await postedTo(merchant!.id));
    const { rows } = await sql<{ balance: bigint }>`select balance from ledger_account_balances where ledger_account_id = ${merchant!.id}`.execute(database.db);
    expect(rows[0]!.balance).toBe(511n); // what was rolled up; the last purchase is after the mark
    expect((await verifyLedger(database.db)).problems).toEqual([]);

    await sql`update ledger_account_balances set balance = balance + 1 where ledger_account_id = ${merchant!.id}`.execute(database.db);
    expect((await verifyLedger(database.db)).problems).toEqual([`ledger account ${merchant!.id}: rolled-up balance 512 but its postings up to the roll-up mark sum to 511`]);
    await sql`update ledger_account_balances set balance = balance - 1 where ledger_account_id = ${merchant!.id}`.execute(database.db);
  });

  it('never rolls past a posting a still-running transaction holds, and takes it once it commits', async () => {
    if (!database.url) return; // PGlite has one connection: no transaction can be left running beside the roll-up
    const other: Database<PrepaidDb> = await createDatabase<PrepaidDb>({ url: database.url, poolSize: 2 });
    let commit: (() => void) | undefined;
    try {
      const account = await newAccount(database.db);
      await ledger.credit({ key: key(), accountId: account.id, product: 'own', amount: 10_000 });
      await ledger.prepareMerchant(canteen, ['own']);
      let started!: () => void;
      const ready = new Promise<void>((r) => (started = r));
      // A purchase written by hand in a transaction left open: its posting ids are drawn now, committed later.
      const running = other.db.transaction().execute(async (trx) => {
        // (a failure here must not leave the test waiting for `started`)
        const wallet = (await trx.selectFrom('wallets').select('id').where('account_id', '=', account.id).where('product_code', '=', 'own').executeTakeFirstOrThrow()).id;
        await sql`update wallets set balance = balance - 7 where id = ${wallet}`.execute(trx);
        await sql`with op as (insert into operations (type, account_id, merchant_id, amount) values ('purchase', ${account.id}, ${canteen}, 7) returning id)
                  insert into postings (operation_id, wallet_id, ledger_account_id, product_code, amount)
                  select id, ${wallet}::bigint, null::bigint, 'own', -7 from op union all
                  select id, null::bigint, (select id from ledger_accounts where merchant_id = ${canteen} and product_code = 'own'), 'own', 7 from op`.execute(trx);
        started();
        await new Promise<void>((r) => (commit = r));
      });
      await Promise.race([ready, running]);
      // Later postings commit meanwhile, with higher ids.
      await ledger.purchase({ key: key(), accountId: (await newFunded()).id, merchantId: canteen, basket: [{ product: 'own', amount: 3 }] });
      // However often it runs, the roll-up waits for the open transaction: nothing from its moment is taken.
      await rollUpLedgerAccounts(database.db); // may still take what was safe before; from then on it must wait
      for (let i = 0; i < 5; i++) expect((await rollUpLedgerAccounts(database.db)).advanced).toBe(false);
      const before = (await sql<{ rolled_up_to: bigint }>`select rolled_up_to from ledger_rollup_state`.execute(database.db)).rows[0]!.rolled_up_to;
      const { rows: held } = await sql<{ id: bigint }>`select min(id) as id from postings where amount = 3`.execute(database.db);
      expect(before < held[0]!.id).toBe(true);
      expect((await verifyLedger(database.db)).problems).toEqual([]);
      commit!();
      await running;
      await rollUpUntilAdvanced(); // up to the mark taken while it was open, which is past its postings
      const merchant = (await systemAccountBalances(database.db, { kind: 'merchant', merchantId: canteen })).find((b) => b.product === 'own')!;
      const { rows } = await sql<{ balance: bigint }>`select balance from ledger_account_balances where ledger_account_id = ${merchant.id}`.execute(database.db);
      expect(rows[0]!.balance).toBe(await postedTo(merchant.id));
      expect((await verifyLedger(database.db)).problems).toEqual([]);
    } finally {
      commit?.();
      await other.close();
    }
  });
});

async function newFunded() {
  const account = await newAccount(database.db);
  await ledger.credit({ key: key(), accountId: account.id, product: 'own', amount: 10_000 });
  return account;
}

describe('balance at a point in time and statements', () => {
  it('answers the balance at any instant and a statement whose opening plus lines is its closing', async () => {
    const account = await newAccount(database.db);
    const wallet = (await database.db.selectFrom('wallets').select('id').where('account_id', '=', account.id).where('product_code', '=', 'own').executeTakeFirstOrThrow()).id;
    const t0 = new Date();
    await tick();
    await ledger.credit({ key: key(), accountId: account.id, product: 'own', amount: 5_000 });
    await tick();
    const t1 = new Date();
    await tick();
    const p = await ledger.purchase({ key: key(), accountId: account.id, merchantId: canteen, basket: [{ product: 'own', amount: 1_200 }] });
    await ledger.refund({ key: key(), operationId: p.status === 'approved' ? p.operationId : '', items: [{ product: 'own', amount: 200 }] });
    await tick();
    const t2 = new Date();
    await tick();
    await ledger.purchase({ key: key(), accountId: account.id, merchantId: canteen, basket: [{ product: 'own', amount: 300 }] });

    expect((await balanceAt(database.db, wallet, t0, zone))!.balance).toBe(0n);
    expect((await balanceAt(database.db, wallet, t1, zone))!.balance).toBe(5_000n);
    expect((await balanceAt(database.db, wallet, t2, zone))!.balance).toBe(4_000n);
    expect((await balanceAt(database.db, wallet, new Date(), zone))!.balance).toBe(3_700n);

    const s = (await statement(database.db, wallet, t1, t2, { limit: 10, offset: 0 }, zone))!;
    expect(s).toMatchObject({ openingBalance: 5_000n, closingBalance: 4_000n, total: 2 });
    expect(s.lines.map((l) => [l.type, l.amount, l.balanceAfter])).toEqual([
      ['purchase', -1_200n, 3_800n],
      ['refund', 200n, 4_000n],
    ]);
    const page2 = (await statement(database.db, wallet, t0, new Date(), { limit: 2, offset: 2 }, zone))!;
    expect(page2.lines.map((l) => [l.type, l.balanceAfter])).toEqual([
      ['refund', 4_000n],
      ['purchase', 3_700n],
    ]);
    expect(page2.closingBalance).toBe(3_700n);
  });

  it('starts from the end-of-day snapshot when there is one', async () => {
    const account = await newFunded();
    const wallet = (await database.db.selectFrom('wallets').select('id').where('account_id', '=', account.id).where('product_code', '=', 'own').executeTakeFirstOrThrow()).id;
    const yesterday = addDays(localDate(new Date(), zone), -1);
    // What balances.snapshot writes for a wallet that held nothing when yesterday ended (the job itself leaves
    // out accounts opened after the cutoff, as this one was).
    await sql`insert into wallet_balance_snapshots (day, wallet_id, account_id, product_code, balance) values (${yesterday}::date, ${wallet}, ${account.id}, 'own', 0)`.execute(database.db);
    const now = new Date();
    const viaSnapshot = (await balanceAt(database.db, wallet, now, zone))!;
    expect(viaSnapshot).toMatchObject({ balance: 10_000n, fromSnapshot: yesterday });
    // The snapshot is really what the sum started from.
    await sql`update wallet_balance_snapshots set balance = balance + 5 where wallet_id = ${wallet} and day = ${yesterday}::date`.execute(database.db);
    expect((await balanceAt(database.db, wallet, now, zone))!.balance).toBe(10_005n);
    await sql`delete from wallet_balance_snapshots where wallet_id = ${wallet}`.execute(database.db);
    expect((await balanceAt(database.db, wallet, now, zone))!).toMatchObject({ balance: 10_000n, fromSnapshot: null });
  });
});
