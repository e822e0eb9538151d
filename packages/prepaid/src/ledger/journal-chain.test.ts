import { createTestDatabase, type TestDatabase } from '@app/kernel/testing';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepaidMigrations } from '../migrations.js';
import type { PrepaidDb } from '../tables.js';
import { createProgramme, key, newAccount } from './fixture.js';
import { Ledger, type LedgerResult } from './ledger.service.js';
import { verifyLedger } from './verify.js';

/** I9: the per-wallet hash chains of migration 0012, and verify naming the first broken link. */
let database: TestDatabase<PrepaidDb>;
let ledger: Ledger;
let canteen: string;

beforeAll(async () => {
  database = await createTestDatabase<PrepaidDb>({ migrations: prepaidMigrations });
  ledger = new Ledger(database);
  ({ canteen } = await createProgramme(database.db));
});
afterAll(() => database.close());

const approved = (r: LedgerResult) => {
  if (r.status !== 'approved') throw new Error(`declined: ${JSON.stringify(r.decline, (_k, v) => (typeof v === 'bigint' ? String(v) : v))}`);
  return r;
};

/** Runs `tamper` with the journal's immutability triggers off, checks verify inside, and rolls everything back. */
async function tampered(tamper: (trx: Kysely<PrepaidDb>) => Promise<void>) {
  const rollback = new Error('rollback');
  let report: Awaited<ReturnType<typeof verifyLedger>> | undefined;
  await database.db
    .transaction()
    .execute(async (trx) => {
      await sql`alter table operations disable trigger operations_immutable`.execute(trx);
      await sql`alter table postings disable trigger postings_immutable`.execute(trx);
      await tamper(trx);
      report = await verifyLedger(trx);
      throw rollback;
    })
    .catch((error: unknown) => {
      if (error !== rollback) throw error;
    });
  return report!;
}

describe('tamper-evident journal', () => {
  it('links every wallet operation into its wallet chain, one link number after another', async () => {
    const account = await newAccount(database.db);
    approved(await ledger.credit({ key: key(), accountId: account.id, product: 'own', amount: 10_000 }));
    approved(await ledger.credit({ key: key(), accountId: account.id, product: 'meals', amount: 10_000 }));
    const basket = approved(await ledger.purchase({ key: key(), accountId: account.id, merchantId: canteen, basket: [{ product: 'meals', amount: 100 }, { product: 'own', amount: 200 }] }));
    approved(await ledger.refund({ key: key(), operationId: basket.operationId, items: [{ product: 'own', amount: 50 }] }));
    const wallets = await database.db.selectFrom('wallets').select(['id', 'product_code']).where('account_id', '=', account.id).orderBy('id').execute();
    const { rows: links } = await sql<{ operation_id: string; wallet_id: bigint; link_no: bigint }>`
      select operation_id, wallet_id, link_no from journal_links where wallet_id in (${sql.join(wallets.map((w) => w.id))}) order by wallet_id, link_no`.execute(database.db);
    // The basket has two wallets and is linked once, into the lower id's chain.
    const lowest = wallets[0]!.id;
    expect(links.filter((l) => l.operation_id === basket.operationId)).toEqual([{ operation_id: basket.operationId, wallet_id: lowest, link_no: 2n }]);
    for (const w of wallets) {
      const numbers = links.filter((l) => l.wallet_id === w.id).map((l) => Number(l.link_no));
      expect(numbers).toEqual(numbers.map((_n, i) => i + 1));
    }
    expect((await verifyLedger(database.db)).problems).toEqual([]);
  });

  it('verify fails at the one journal row edited directly in the database, and names it as the first broken link', async () => {
    const account = await newAccount(database.db);
    approved(await ledger.credit({ key: key(), accountId: account.id, product: 'own', amount: 10_000 }));
    const first = approved(await ledger.purchase({ key: key(), accountId: account.id, merchantId: canteen, basket: [{ product: 'own', amount: 300 }] }));
    const later = approved(await ledger.purchase({ key: key(), accountId: account.id, merchantId: canteen, basket: [{ product: 'own', amount: 400 }] }));
    expect((await verifyLedger(database.db)).ok).toBe(true);

    // Backdating a purchase (a row no balance check sees) is caught by the chain alone.
    const backdated = await tampered(async (trx) => {
      await sql`update operations set created_at = created_at - interval '3 days' where id = ${first.operationId}`.execute(trx);
    });
    expect(backdated.ok).toBe(false);
    expect(backdated.firstBrokenLink).toMatchObject({ operationId: first.operationId, reason: expect.stringMatching(/^hash mismatch/) });
    expect(backdated.problems).toEqual([expect.stringContaining(`journal chain: operation ${first.operationId}`)]);

    // Moving a purchase to another merchant's account: the postings still balance, the chain does not.
    const other = (await createProgramme(database.db)).canteen;
    await ledger.prepareMerchant(other, ['own']);
    const moved = await tampered(async (trx) => {
      await sql`update postings set ledger_account_id = (select id from ledger_accounts where merchant_id = ${other} and product_code = 'own')
                where operation_id = ${later.operationId} and ledger_account_id is not null`.execute(trx);
      await sql`update operations set merchant_id = ${other} where id = ${later.operationId}`.execute(trx);
    });
    expect(moved.firstBrokenLink).toMatchObject({ operationId: later.operationId, reason: expect.stringMatching(/^hash mismatch/) });

    // Dropping a link is a gap at the next one.
    const dropped = await tampered(async (trx) => {
      await sql`alter table journal_links disable trigger journal_links_immutable`.execute(trx);
      await sql`delete from journal_links where operation_id = ${first.operationId}`.execute(trx);
    });
    expect(dropped.firstBrokenLink).toMatchObject({ operationId: first.operationId, reason: 'not linked into any chain' });
    expect(dropped.problems).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`operation ${later.operationId} .*link number 3 follows 1`))]));

    expect((await verifyLedger(database.db)).ok).toBe(true);
  });
});
