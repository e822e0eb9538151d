import type { Database } from '@app/kernel';
import { sql } from 'kysely';
import { debitAllowed, debitAssignments, velocityAllowed, velocityAssignments } from '../ledger/debit.sql.js';
import type { PrepaidDb } from '../tables.js';

/**
 * The whole authorization of a purchase as ONE autocommitted SQL statement: resolve the identifier
 * (not stop-listed), check the merchant accepts each product, debit every wallet under all its limits,
 * write the operation, its postings and the idempotency record. One round trip instead of a dozen is
 * what lets the POS path approach the database's own transaction rate (DESIGN §4).
 *
 * It only ever approves. When anything is off — unknown or blocked identifier, a line that cannot be
 * debited, a used key, a deadlock between two baskets of one account — the statement aborts as a whole
 * (ledger_assert or a unique violation) and returns null: the caller re-runs the purchase on the
 * step-by-step path, which explains the decline with its stable code and stores it under the key.
 * The debit rules are ledger/debit.sql.ts's, shared with every other path.
 */
export interface FastApproval {
  operationId: string;
  seq: bigint;
  accountId: string;
  balances: Array<{ product: string; balance: bigint }>;
}


export async function purchaseInOneStatement(
  database: Database<PrepaidDb>,
  p: { key: string; fingerprint: string; kind: string; value: string; merchantId: string; terminalId: string; products: string[]; amounts: bigint[] },
): Promise<FastApproval | null> {
  const total = p.amounts.reduce((s, a) => s + a, 0n);
  try {
    const statement = sql`
      with idf as (
        select i.account_id, i.id as identifier_id from identifiers i
        where i.kind = ${p.kind} and i.value = ${p.value} and i.status = 'active'
          and not exists (select 1 from stop_list s where s.kind = ${p.kind} and s.value = ${p.value})
      ),
      lines as (select * from unnest(${p.products}::text[], ${p.amounts.map(String)}::bigint[]) as l(product, amount)),
      debited as (
        update wallets w set ${debitAssignments(sql`l.amount`)}, ${velocityAssignments(sql`l.amount`, sql`idf.identifier_id`)}
        from lines l, products p, accounts a, idf
        where w.account_id = idf.account_id and w.product_code = l.product and p.code = l.product and a.id = w.account_id and a.status = 'open'
          and exists (select 1 from merchant_products mp join merchants m on m.id = mp.merchant_id
                      where mp.merchant_id = ${p.merchantId} and mp.product_code = l.product and m.status = 'active')
          and not exists (select 1 from idempotency_keys k where k.key = ${p.key})
          and ${debitAllowed(sql`l.amount`)} and ${velocityAllowed(sql`l.amount`, sql`idf.identifier_id`)}
        returning w.id, w.account_id, w.product_code, w.balance, l.amount
      ),
      guard as (select ledger_assert((select count(*) from debited) = ${p.products.length}, 'purchase_needs_explaining') as ok),
      op as (
        insert into operations (type, account_id, merchant_id, terminal_id, amount)
        select 'purchase', (select account_id from idf), ${p.merchantId}, ${p.terminalId}, ${total}::bigint from guard where ok
        returning id, seq, account_id
      ),
      posted as (
        insert into postings (operation_id, wallet_id, ledger_account_id, product_code, amount)
        select op.id, d.id, null, d.product_code, -d.amount from op, debited d
        union all
        select op.id, null, la.id, d.product_code, d.amount from op, debited d
          join ledger_accounts la on la.kind = 'merchant' and la.merchant_id = ${p.merchantId} and la.product_code = d.product_code
        returning 1
      ),
      balances as (select coalesce(json_agg(json_build_object('product', product_code, 'balance', balance::text) order by id), '[]'::json) as list from debited),
      remembered as (
        insert into idempotency_keys (key, request_hash, response, operation_id)
        select ${p.key}, ${p.fingerprint},
          jsonb_build_object('status', 'approved', 'operationId', op.id, 'seq', op.seq::text, 'type', 'purchase', 'amount', ${total.toString()}::text, 'balances', (select list from balances)),
          op.id
        from op
        returning 1
      )
      select op.id, op.seq, op.account_id, (select list from balances) as balances,
        (select count(*) from posted) as postings, (select count(*) from remembered) as remembered
      from op`.compile(database.db);
    // Always the same text (the basket travels as two arrays), so PostgreSQL plans it once per connection.
    const rows = await database.prepared<{ id: string; seq: bigint; account_id: string; balances: Array<{ product: string; balance: string }> }>(
      'pos_purchase_v2',
      statement,
    );
    const row = rows[0];
    if (!row) return null;
    return { operationId: row.id, seq: BigInt(row.seq), accountId: row.account_id, balances: row.balances.map((b) => ({ product: b.product, balance: BigInt(b.balance) })) };
  } catch (error) {
    const code = (error as { code?: string }).code;
    // Refused by the guard, a key used meanwhile, or two baskets of one account deadlocking.
    if (code === 'P0001' || code === '23505' || code === '40P01') return null;
    throw error;
  }
}
