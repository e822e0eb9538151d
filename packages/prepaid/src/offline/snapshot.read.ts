import { sql, type Transaction } from 'kysely';
import { dayDebitNow, monthDebitNow } from '../ledger/debit.sql.js';
import { stricter } from '../ledger/limits.js';
import type { OfflineDb } from '../tables.js';
import type { AccountTuple, OfflineLimits, SnapshotState, WalletTuple } from './snapshot.format.js';

/**
 * Reads the state a terminal snapshot carries, inside one repeatable-read transaction (the caller's), so
 * balances, identifiers and the journal position are one consistent picture. Only what a terminal may
 * act on: active identifiers of open accounts, their open wallets, active merchants and terminals.
 */
const num = (v: bigint | null) => (v === null ? null : Number(v));

export async function readSnapshotState(trx: Transaction<OfflineDb>): Promise<{ state: SnapshotState; asOfSeq: bigint }> {
  const products = await trx.selectFrom('products').select(['code', 'name', 'per_operation_limit', 'offline_floor_limit', 'offline_total_limit', 'offline_count_limit']).orderBy('code').execute();
  const productLimits = new Map<string, OfflineLimits>();
  const productRow = new Map(products.map((p) => [p.code, p]));
  for (const p of products) productLimits.set(p.code, effective(p.offline_floor_limit, p.per_operation_limit, p.offline_total_limit, p.offline_count_limit));

  const merchants = await trx
    .selectFrom('merchants as m')
    .leftJoin('merchant_products as mp', 'mp.merchant_id', 'm.id')
    .select(['m.id', 'm.code', 'mp.product_code'])
    .where('m.status', '=', 'active')
    .orderBy('m.code')
    .orderBy('mp.product_code')
    .execute();
  const merchantIndex = new Map<string, number>();
  const merchantList: SnapshotState['merchants'] = [];
  for (const m of merchants) {
    if (!merchantIndex.has(m.id)) merchantIndex.set(m.id, merchantList.push([m.code, []]) - 1);
    if (m.product_code) merchantList[merchantIndex.get(m.id)!]![1].push(m.product_code);
  }
  const terminals = (await trx.selectFrom('terminals').select(['code', 'merchant_id']).where('status', '=', 'active').orderBy('code').execute())
    .filter((t) => merchantIndex.has(t.merchant_id))
    .map((t) => [t.code, merchantIndex.get(t.merchant_id)!] as [string, number]);

  // available: what a debit may take now — above the minimum and within today's and this month's debit limits.
  const wallets = await sql<{
    number: string;
    product_code: string;
    balance: bigint;
    available: bigint;
    per_operation_limit: bigint | null;
    offline_floor_limit: bigint | null;
    offline_total_limit: bigint | null;
    offline_count_limit: number | null;
  }>`
    select a.number, w.product_code, w.balance,
      greatest(0, least(w.balance - w.min_balance,
        least(w.daily_debit_limit, p.daily_debit_limit) - ${dayDebitNow},
        least(w.monthly_debit_limit, p.monthly_debit_limit) - ${monthDebitNow})) as available,
      w.per_operation_limit, w.offline_floor_limit, w.offline_total_limit, w.offline_count_limit
    from accounts a
    join wallets w on w.account_id = a.id and not w.closed
    join products p on p.code = w.product_code
    where a.status = 'open' and exists (select 1 from identifiers i where i.account_id = a.id and i.status = 'active')
    order by a.number, w.product_code`.execute(trx);
  const accounts: AccountTuple[] = [];
  let current: AccountTuple | undefined;
  for (const w of wallets.rows) {
    if (current?.[0] !== w.number) accounts.push((current = [w.number, []]));
    const p = productRow.get(w.product_code)!;
    const own = w.offline_floor_limit !== null || w.offline_total_limit !== null || w.offline_count_limit !== null || w.per_operation_limit !== null;
    const base: [string, number, number] = [w.product_code, Number(w.balance), Number(w.available)];
    let tuple: WalletTuple = base;
    if (own) {
      const limits = effective(stricter(w.offline_floor_limit, p.offline_floor_limit), stricter(w.per_operation_limit, p.per_operation_limit), stricter(w.offline_total_limit, p.offline_total_limit), minCount(w.offline_count_limit, p.offline_count_limit));
      if (JSON.stringify(limits) !== JSON.stringify(productLimits.get(w.product_code))) tuple = [...base, limits];
    }
    current[1].push(tuple);
  }

  const identifiers = await sql<{ kind: string; value: string; number: string }>`
    select i.kind, i.value, a.number from identifiers i join accounts a on a.id = i.account_id
    where i.status = 'active' and a.status = 'open' order by i.kind, i.value`.execute(trx);
  const stopList = await trx.selectFrom('stop_list').select(['kind', 'value']).orderBy('kind').orderBy('value').execute();
  const asOf = await sql<{ seq: bigint }>`select coalesce(max(seq), 0) as seq from operations`.execute(trx);

  return {
    asOfSeq: BigInt(asOf.rows[0]!.seq),
    state: {
      products: products.map((p) => ({ code: p.code, name: p.name, offline: productLimits.get(p.code)! })),
      merchants: merchantList,
      terminals,
      accounts,
      identifiers: identifiers.rows.map((i) => [i.kind, i.value, i.number]),
      stopList: stopList.map((s) => [s.kind, s.value]),
    },
  };
}

/** The floor limit is never above the per-operation limit: an offline purchase the server would refuse outright is not offered. */
function effective(floor: bigint | null, perOperation: bigint | null, total: bigint | null, count: number | null): OfflineLimits {
  if (floor === null) return [null, null, null];
  return [num(stricter(floor, perOperation)), num(total), count];
}

const minCount = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.min(a, b));
