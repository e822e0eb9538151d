import { sql, type Kysely } from 'kysely';
import type { PrepaidDb } from '../tables.js';

/**
 * Re-checks the ledger's invariants over the whole journal, independently of how it was written:
 * I1 each operation's postings sum to zero (and so does each product overall); I2 each wallet's
 * balance equals the sum of its postings; I3 no wallet below its minimum; every money operation has
 * postings. Returns every problem found, the first ones named.
 */
export interface VerifyReport {
  ok: boolean;
  counts: { operations: number; postings: number; wallets: number };
  problems: string[];
}

const LIMIT = 20;

export async function verifyLedger(db: Kysely<PrepaidDb>): Promise<VerifyReport> {
  const problems: string[] = [];

  const unbalanced = await sql<{ operation_id: string; total: bigint }>`
    select operation_id, sum(amount) as total from postings group by operation_id having sum(amount) <> 0 limit ${LIMIT}`.execute(db);
  for (const r of unbalanced.rows) problems.push(`operation ${r.operation_id}: postings sum to ${r.total}, not 0`);

  const products = await sql<{ product_code: string; total: bigint }>`
    select product_code, sum(amount) as total from postings group by product_code having sum(amount) <> 0`.execute(db);
  for (const r of products.rows) problems.push(`product ${r.product_code}: all postings sum to ${r.total}, not 0`);

  const drift = await sql<{ id: bigint; balance: bigint; posted: bigint }>`
    select w.id, w.balance, coalesce(p.posted, 0) as posted
    from wallets w left join (select wallet_id, sum(amount) as posted from postings where wallet_id is not null group by wallet_id) p on p.wallet_id = w.id
    where w.balance <> coalesce(p.posted, 0)
    order by w.id limit ${LIMIT}`.execute(db);
  for (const r of drift.rows) problems.push(`wallet ${r.id}: balance ${r.balance} but postings sum to ${r.posted}`);

  const below = await sql<{ id: bigint; balance: bigint; min_balance: bigint }>`
    select id, balance, min_balance from wallets where balance < min_balance order by id limit ${LIMIT}`.execute(db);
  for (const r of below.rows) problems.push(`wallet ${r.id}: balance ${r.balance} below its minimum ${r.min_balance}`);

  const empty = await sql<{ id: string; type: string }>`
    select o.id, o.type from operations o
    where o.amount > 0 and not exists (select 1 from postings p where p.operation_id = o.id)
    order by o.seq limit ${LIMIT}`.execute(db);
  for (const r of empty.rows) problems.push(`operation ${r.id} (${r.type}): moves money but has no postings`);

  const counts = await sql<{ operations: number; postings: number; wallets: number }>`
    select (select count(*)::int from operations) as operations, (select count(*)::int from postings) as postings, (select count(*)::int from wallets) as wallets`.execute(db);
  return { ok: problems.length === 0, counts: counts.rows[0]!, problems };
}
