import { sql, type Kysely } from 'kysely';
import type { PrepaidDb } from '../tables.js';

/**
 * Re-checks the ledger's invariants (ledger.service.ts, I1–I11) over the whole journal, independently
 * of how it was written — also those the database enforces, since a trigger can be disabled and a
 * restore can skip constraints. Returns every kind of problem found, the first ones of each named, and
 * the system accounts' balances, which exist only as sums of postings (no row is kept for them: a
 * merchant's balance row would be a hot row on the purchase path).
 */
export interface VerifyReport {
  ok: boolean;
  counts: { operations: number; postings: number; wallets: number };
  /** Per kind of system account and product: the sum of their postings, and over how many accounts. */
  systemBalances: Array<{ kind: string; product: string; accounts: number; balance: bigint }>;
  problems: string[];
  /** I9: the earliest operation (journal order) whose link in its wallet's hash chain does not hold. */
  firstBrokenLink?: { operationId: string; seq: bigint; walletId: bigint | null; linkNo: bigint | null; reason: string };
}

const LIMIT = 20;

export async function verifyLedger(db: Kysely<PrepaidDb>): Promise<VerifyReport> {
  const problems: string[] = [];
  const check = async <R extends object>(query: ReturnType<typeof sql<R>>, describe: (row: R) => string) => {
    for (const row of (await query.execute(db)).rows) problems.push(describe(row));
  };

  // I1
  await check(
    sql<{ operation_id: string; total: bigint }>`
      select operation_id, sum(amount) as total from postings group by operation_id having sum(amount) <> 0 order by operation_id limit ${LIMIT}`,
    (r) => `operation ${r.operation_id}: postings sum to ${r.total}, not 0`,
  );
  await check(
    sql<{ product_code: string; total: bigint }>`
      select product_code, sum(amount) as total from postings group by product_code having sum(amount) <> 0 order by product_code`,
    (r) => `product ${r.product_code}: all postings sum to ${r.total}, not 0`,
  );
  await check(
    sql<{ id: bigint; operation_id: string; product_code: string; holds: string }>`
      select p.id, p.operation_id, p.product_code, coalesce(w.product_code, la.product_code) as holds
      from postings p left join wallets w on w.id = p.wallet_id left join ledger_accounts la on la.id = p.ledger_account_id
      where p.product_code <> coalesce(w.product_code, la.product_code)
      order by p.id limit ${LIMIT}`,
    (r) => `posting ${r.id} of operation ${r.operation_id}: product ${r.product_code}, but it names an account of ${r.holds}`,
  );

  // I2
  await check(
    sql<{ id: bigint; balance: bigint; posted: bigint }>`
      select w.id, w.balance, coalesce(p.posted, 0) as posted
      from wallets w left join (select wallet_id, sum(amount) as posted from postings where wallet_id is not null group by wallet_id) p on p.wallet_id = w.id
      where w.balance <> coalesce(p.posted, 0)
      order by w.id limit ${LIMIT}`,
    (r) => `wallet ${r.id}: balance ${r.balance} but postings sum to ${r.posted}`,
  );

  // I3
  await check(
    sql<{ id: bigint; balance: bigint; min_balance: bigint }>`
      select id, balance, min_balance from wallets where balance < min_balance order by id limit ${LIMIT}`,
    (r) => `wallet ${r.id}: balance ${r.balance} below its minimum ${r.min_balance}`,
  );

  // I5 (an operation that moves money but has no postings shows here too: its positive side is 0)
  await check(
    sql<{ id: string; type: string; amount: bigint; positive: bigint }>`
      select o.id, o.type, o.amount, coalesce(sum(p.amount) filter (where p.amount > 0), 0) as positive
      from operations o left join postings p on p.operation_id = o.id
      group by o.id having o.amount <> coalesce(sum(p.amount) filter (where p.amount > 0), 0)
      order by min(o.seq) limit ${LIMIT}`,
    (r) => `operation ${r.id} (${r.type}): amount ${r.amount} but its positive postings sum to ${r.positive}`,
  );

  // I6
  await check(
    sql<{ purchase_id: string; wallet_id: bigint; taken: bigint; returned: bigint }>`
      select o.original_operation_id as purchase_id, r.wallet_id, taken.amount as taken, sum(r.amount) as returned
      from operations o join postings r on r.operation_id = o.id and r.wallet_id is not null
      left join lateral (select -coalesce(sum(t.amount), 0) as amount from postings t where t.operation_id = o.original_operation_id and t.wallet_id = r.wallet_id) taken on true
      where o.type in ('reversal', 'refund')
      group by o.original_operation_id, r.wallet_id, taken.amount
      having sum(r.amount) > taken.amount
      order by o.original_operation_id limit ${LIMIT}`,
    (r) => `purchase ${r.purchase_id}: wallet ${r.wallet_id} got back ${r.returned}, more than the ${r.taken} it paid`,
  );
  await check(
    sql<{ purchase_id: string; n: number }>`
      select original_operation_id as purchase_id, count(*)::int as n from operations where type = 'reversal'
      group by original_operation_id having count(*) > 1 order by original_operation_id limit ${LIMIT}`,
    (r) => `purchase ${r.purchase_id}: reversed ${r.n} times`,
  );

  // I7
  const balances = await sql<{ id: bigint; kind: string; product_code: string; balance: bigint }>`
    select la.id, la.kind, la.product_code, coalesce(sum(p.amount), 0) as balance
    from ledger_accounts la left join postings p on p.ledger_account_id = la.id
    group by la.id order by la.id`.execute(db);
  let signProblems = 0;
  for (const r of balances.rows) {
    const wrongSign = (r.kind === 'funding' && r.balance > 0n) || (r.kind === 'merchant' && r.balance < 0n);
    if (wrongSign && signProblems++ < LIMIT) problems.push(`ledger account ${r.id} (${r.kind}, ${r.product_code}): balance ${r.balance} has the wrong sign`);
  }

  // I8
  await check(
    sql<{ account_id: string; wallet_id: bigint; balance: bigint; closed: boolean }>`
      select a.id as account_id, w.id as wallet_id, w.balance, w.closed from accounts a join wallets w on w.account_id = a.id
      where (a.status = 'closed') <> w.closed or (w.closed and w.balance <> 0)
      order by w.id limit ${LIMIT}`,
    (r) => `account ${r.account_id}: wallet ${r.wallet_id} is ${r.closed ? 'closed' : 'open'} with balance ${r.balance}, the account is not`,
  );

  // I9: recompute every wallet's hash chain (migration 0012): each link's hash from its stored predecessor and
  // the operation's document as it reads now, each predecessor the previous link's hash, link numbers without
  // gaps, every operation with wallet postings linked into its lowest wallet's chain.
  const { rows: broken } = await sql<{ id: string; seq: bigint; wallet_id: bigint | null; link_no: bigint | null; reason: string }>`
    with docs as (
      select p.operation_id, min(p.wallet_id) as wallet_id,
        journal_postings(array_agg(p.wallet_id), array_agg(p.ledger_account_id), array_agg(p.product_code), array_agg(p.amount)) as postings
      from postings p group by p.operation_id
    ), links as (
      select l.*, lag(l.hash) over w as before_hash, lag(l.link_no) over w as before_no
      from journal_links l window w as (partition by l.wallet_id order by l.link_no)
    ), checked as (
      select o.id, o.seq, coalesce(l.wallet_id, d.wallet_id) as wallet_id, l.link_no,
        case
          when l.operation_id is null then 'not linked into any chain'
          when d.wallet_id is distinct from l.wallet_id then 'linked into wallet ' || l.wallet_id || ', its postings name ' || coalesce('wallet ' || d.wallet_id, 'none')
          when l.link_no <> coalesce(l.before_no, 0) + 1 then 'link number ' || l.link_no || ' follows ' || coalesce(l.before_no, 0)
          when l.prev_hash <> coalesce(l.before_hash, ''::bytea) then 'its previous hash is not the hash of the link before'
          when l.hash <> sha256(l.prev_hash || journal_document(o, d.postings)) then 'hash mismatch: the operation or its postings changed after it was linked'
        end as reason
      from operations o left join docs d on d.operation_id = o.id left join links l on l.operation_id = o.id
      where d.wallet_id is not null or l.operation_id is not null
    )
    select * from checked where reason is not null order by seq limit ${LIMIT}`.execute(db);
  for (const r of broken) problems.push(`journal chain: operation ${r.id} (seq ${r.seq}), wallet ${r.wallet_id ?? '-'} link ${r.link_no ?? '-'}: ${r.reason}`);
  // The chain heads kept in the wallet rows (0017) are the last links: a writer that links in its own UPDATE and the
  // trigger extend the same chains.
  await check(
    sql<{ id: bigint; chain_length: bigint; last_no: bigint | null }>`
      select w.id, w.chain_length, l.link_no as last_no
      from wallets w left join lateral (select link_no, hash from journal_links where wallet_id = w.id order by link_no desc limit 1) l on true
      where w.chain_length <> coalesce(l.link_no, 0) or w.chain_head <> coalesce(l.hash, ''::bytea)
      order by w.id limit ${LIMIT}`,
    (r) => `journal chain: wallet ${r.id} says its chain has ${r.chain_length} links ending in its head, its last link is ${r.last_no ?? 'none'} or has another hash`,
  );
  // The link table keeps no foreign keys (0016: they cost the POS path a lookup and a row lock each), so verify
  // checks what they would have: every link names an existing operation, and no operation is linked twice.
  await check(
    sql<{ operation_id: string; wallet_id: bigint; link_no: bigint; n: number; known: boolean }>`
      select l.operation_id, min(l.wallet_id) as wallet_id, min(l.link_no) as link_no, count(*)::int as n, bool_and(o.id is not null) as known
      from journal_links l left join operations o on o.id = l.operation_id
      group by l.operation_id having count(*) > 1 or not bool_and(o.id is not null) order by 1 limit ${LIMIT}`,
    (r) => `journal chain: wallet ${r.wallet_id} link ${r.link_no} ${r.known ? `links operation ${r.operation_id} ${r.n} times` : `names operation ${r.operation_id}, which does not exist`}`,
  );
  const first = broken[0];
  const firstBrokenLink = first && { operationId: first.id, seq: BigInt(first.seq), walletId: first.wallet_id, linkNo: first.link_no, reason: first.reason };

  // I10: each product's holds account holds exactly its active holds; a closed hold was released once, and a
  // completed one became a purchase of its completed amount.
  await check(
    sql<{ product_code: string; posted: bigint; active: bigint }>`
      with posted as (select la.product_code, sum(p.amount) as amount from ledger_accounts la join postings p on p.ledger_account_id = la.id where la.kind = 'holds' group by la.product_code),
      active as (select product_code, sum(amount) as amount from holds where status = 'active' group by product_code)
      select coalesce(p.product_code, a.product_code) as product_code, coalesce(p.amount, 0) as posted, coalesce(a.amount, 0) as active
      from posted p full join active a on a.product_code = p.product_code
      where coalesce(p.amount, 0) <> coalesce(a.amount, 0) order by 1`,
    (r) => `holds of ${r.product_code}: the holds account holds ${r.posted}, active holds sum to ${r.active}`,
  );
  await check(
    sql<{ id: string; status: string; problem: string }>`
      select h.id, h.status,
        case when h.status <> 'active' and (select count(*) from operations o where o.original_operation_id = h.id and o.type = 'hold_release') <> 1 then 'not released exactly once'
             when h.status = 'active' and exists (select 1 from operations o where o.original_operation_id = h.id and o.type = 'hold_release') then 'active but released'
             when h.status = 'completed' and (select o.amount from operations o where o.id = h.purchase_operation_id and o.type = 'purchase') is distinct from h.completed_amount then 'its purchase is not of the completed amount'
             when (select o.amount from operations o where o.id = h.id and o.type = 'hold') is distinct from h.amount then 'its hold operation is not of the held amount'
        end as problem
      from holds h
      where (h.status <> 'active') <> exists (select 1 from operations o where o.original_operation_id = h.id and o.type = 'hold_release')
         or (h.status <> 'active' and (select count(*) from operations o where o.original_operation_id = h.id and o.type = 'hold_release') <> 1)
         or (h.status = 'completed' and (select o.amount from operations o where o.id = h.purchase_operation_id and o.type = 'purchase') is distinct from h.completed_amount)
         or (select o.amount from operations o where o.id = h.id and o.type = 'hold') is distinct from h.amount
      order by h.created_at limit ${LIMIT}`,
    (r) => `hold ${r.id} (${r.status}): ${r.problem}`,
  );

  // I11: every rolled-up system balance equals the sum of that account's postings up to the roll-up mark.
  await check(
    sql<{ id: bigint; rolled: bigint; posted: bigint }>`
      with mark as (select rolled_up_to from ledger_rollup_state where id = 1),
      posted as (select ledger_account_id, sum(amount) as amount from postings where ledger_account_id is not null and id <= (select rolled_up_to from mark) group by ledger_account_id)
      select la.id, coalesce(b.balance, 0) as rolled, coalesce(p.amount, 0) as posted
      from ledger_accounts la left join ledger_account_balances b on b.ledger_account_id = la.id left join posted p on p.ledger_account_id = la.id
      where coalesce(b.balance, 0) <> coalesce(p.amount, 0) order by la.id limit ${LIMIT}`,
    (r) => `ledger account ${r.id}: rolled-up balance ${r.rolled} but its postings up to the roll-up mark sum to ${r.posted}`,
  );

  const systemBalances = new Map<string, VerifyReport['systemBalances'][number]>();
  for (const r of balances.rows) {
    const key = `${r.kind}/${r.product_code}`;
    const entry = systemBalances.get(key) ?? { kind: r.kind, product: r.product_code, accounts: 0, balance: 0n };
    entry.accounts++;
    entry.balance += BigInt(r.balance);
    systemBalances.set(key, entry);
  }

  const counts = await sql<{ operations: number; postings: number; wallets: number }>`
    select (select count(*)::int from operations) as operations, (select count(*)::int from postings) as postings, (select count(*)::int from wallets) as wallets`.execute(db);
  return { ok: problems.length === 0, counts: counts.rows[0]!, systemBalances: [...systemBalances.values()], problems, ...(firstBrokenLink ? { firstBrokenLink } : {}) };
}
