import { sql, type Kysely } from 'kysely';
import type { PrepaidDb } from '../tables.js';

/**
 * Background roll-up of the system side's balances (migration 0015). The purchase path never updates a merchant's
 * or a funding source's row — all purchases at one merchant would queue on its lock (DESIGN.md §4, hot accounts);
 * it only appends postings. This sums those postings into `ledger_account_balances` every minute (job
 * `ledger.rollup`), so a system account's exact balance is its rolled-up balance plus the few postings since.
 *
 * Posting ids are drawn before commit, so a later id can commit first. A run therefore only rolls up to the
 * highest id the previous run saw, and only once every transaction that was running then has ended
 * (`pg_snapshot_xmin` now ≥ that run's `pg_snapshot_xmax`): every writer has its transaction id before it draws
 * posting ids (it writes the operation, or a wallet, first), so nothing at or below that id can still appear.
 */
export interface RollupResult {
  rolledUpTo: bigint;
  accounts: number;
  postings: number;
  /** False when transactions seen by the previous run were still running: nothing was rolled up this time. */
  advanced: boolean;
}

export async function rollUpLedgerAccounts(db: Kysely<PrepaidDb>): Promise<RollupResult> {
  return db.transaction().execute(async (trx) => {
    const { rows } = await sql<{ rolled_up_to: bigint; candidate_up_to: bigint | null; ready: boolean | null }>`
      select rolled_up_to, candidate_up_to, pg_snapshot_xmin(pg_current_snapshot()) >= candidate_xmax as ready
      from ledger_rollup_state where id = 1 for update`.execute(trx);
    const state = rows[0]!;
    let accounts = 0;
    let postings = 0;
    let upTo = BigInt(state.rolled_up_to);
    const advanced = state.candidate_up_to !== null && state.ready === true && BigInt(state.candidate_up_to) > upTo;
    if (advanced) {
      const { rows: moved } = await sql<{ n: bigint }>`
        with sums as (
          select ledger_account_id, sum(amount) as amount, count(*) as n from postings
          where id > ${upTo} and id <= ${state.candidate_up_to} and ledger_account_id is not null group by ledger_account_id
        ), applied as (
          insert into ledger_account_balances (ledger_account_id, balance, postings) select ledger_account_id, amount, n from sums
          on conflict (ledger_account_id) do update set balance = ledger_account_balances.balance + excluded.balance, postings = ledger_account_balances.postings + excluded.postings
          returning 1
        )
        select n from sums`.execute(trx);
      accounts = moved.length;
      postings = moved.reduce((s, r) => s + Number(r.n), 0);
      upTo = BigInt(state.candidate_up_to!);
    }
    // The next run's candidate: what this snapshot sees, safe once everything running now has ended. A candidate
    // not yet safe is kept rather than replaced, so a steady stream of short transactions cannot put it off forever.
    const waiting = state.candidate_up_to !== null && state.ready !== true;
    if (!waiting) {
      await sql`
        update ledger_rollup_state set rolled_up_to = ${upTo}, rolled_at = case when ${advanced} then now() else rolled_at end,
          candidate_up_to = (select coalesce(max(id), 0) from postings), candidate_xmax = pg_snapshot_xmax(pg_current_snapshot())
        where id = 1`.execute(trx);
    }
    return { rolledUpTo: upTo, accounts, postings, advanced };
  });
}

/** Exact balances of system accounts now: rolled up plus what was posted after the mark (one snapshot). */
export async function systemAccountBalances(db: Kysely<PrepaidDb>, filter: { kind?: string; merchantId?: string } = {}) {
  const { rows } = await sql<{ id: bigint; kind: string; product_code: string; merchant_id: string | null; rolled: bigint; recent: bigint }>`
    with recent as (
      -- The tail after the mark, read by id (the primary key): a minute of postings, whatever the account's history.
      select ledger_account_id, sum(amount) as amount from postings
      where id > (select rolled_up_to from ledger_rollup_state where id = 1) and ledger_account_id is not null group by ledger_account_id
    )
    select la.id, la.kind, la.product_code, la.merchant_id, coalesce(b.balance, 0) as rolled, coalesce(r.amount, 0) as recent
    from ledger_accounts la left join ledger_account_balances b on b.ledger_account_id = la.id left join recent r on r.ledger_account_id = la.id
    where (${filter.kind ?? null}::text is null or la.kind = ${filter.kind ?? null}::text)
      and (${filter.merchantId ?? null}::uuid is null or la.merchant_id = ${filter.merchantId ?? null}::uuid)
    order by la.id`.execute(db);
  return rows.map((r) => ({ id: r.id, kind: r.kind, product: r.product_code, merchantId: r.merchant_id, balance: BigInt(r.rolled) + BigInt(r.recent) }));
}
