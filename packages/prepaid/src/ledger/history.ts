import { addDays, localDate, startOfLocalDay } from '@app/kernel';
import { sql, type Kysely } from 'kysely';
import type { PrepaidDb } from '../tables.js';

/**
 * Balances at a point in time and statements, from the journal alone (the wallet row only knows "now").
 *
 * "The balance at T" is the sum of the wallet's postings whose operation was made before T (created_at < T),
 * so a statement [from, to) is exact: opening (at `from`) + its lines = closing (at `to`).
 * The end-of-day snapshots of the `balances.snapshot` job (wallet_balance_snapshots: each wallet's balance when
 * its day ended in `timeZone`) shorten the sum: the latest snapshot at or before T plus what was posted after
 * its day ended, instead of the wallet's whole history. Without a snapshot, the whole history is summed.
 */
export interface BalanceAt {
  walletId: bigint;
  product: string;
  at: Date;
  balance: bigint;
  /** The end-of-day snapshot the sum started from, or null when it summed the whole history. */
  fromSnapshot: string | null;
}

export async function balanceAt(db: Kysely<PrepaidDb>, walletId: bigint, at: Date, timeZone: string): Promise<BalanceAt | undefined> {
  const wallet = await db.selectFrom('wallets').select(['id', 'product_code']).where('id', '=', walletId).executeTakeFirst();
  if (!wallet) return undefined;
  // The last day that had ended by T: the day before T's own day.
  const lastEnded = addDays(localDate(at, timeZone), -1);
  const { rows } = await sql<{ day: string; balance: bigint }>`
    select day::text as day, balance from wallet_balance_snapshots where wallet_id = ${walletId} and day <= ${lastEnded}::date order by day desc limit 1`.execute(db);
  const snapshot = rows[0];
  const since = snapshot ? startOfLocalDay(addDays(snapshot.day, 1), timeZone) : null;
  const { rows: sums } = await sql<{ amount: bigint | null }>`
    select sum(p.amount) as amount from postings p join operations o on o.id = p.operation_id
    where p.wallet_id = ${walletId} and o.created_at < ${at} and (${since}::timestamptz is null or o.created_at >= ${since}::timestamptz)`.execute(db);
  const balance = BigInt(snapshot?.balance ?? 0n) + BigInt(sums[0]?.amount ?? 0n);
  return { walletId, product: wallet.product_code, at, balance, fromSnapshot: snapshot?.day ?? null };
}

export interface StatementLine {
  operationId: string;
  seq: bigint;
  type: string;
  createdAt: Date;
  /** Signed: into the wallet positive, out of it negative. */
  amount: bigint;
  balanceAfter: bigint;
  merchantId: string | null;
  terminalId: string | null;
  originalOperationId: string | null;
}

/** The wallet's statement for [from, to): opening balance at `from`, its lines (a page of them) with running balances, closing at `to`. */
export async function statement(db: Kysely<PrepaidDb>, walletId: bigint, from: Date, to: Date, page: { limit: number; offset: number }, timeZone: string) {
  const opening = await balanceAt(db, walletId, from, timeZone);
  if (!opening) return undefined;
  const { rows } = await sql<{
    id: string;
    seq: bigint;
    type: string;
    created_at: Date;
    amount: bigint;
    running: bigint;
    merchant_id: string | null;
    terminal_id: string | null;
    original_operation_id: string | null;
    total: number;
    moved: bigint;
  }>`
    with lines as (
      select o.id, o.seq, o.type, o.created_at, p.amount, o.merchant_id, o.terminal_id, o.original_operation_id,
        sum(p.amount) over (order by o.created_at, o.seq) as running, count(*) over () as total, sum(p.amount) over () as moved
      from postings p join operations o on o.id = p.operation_id
      where p.wallet_id = ${walletId} and o.created_at >= ${from} and o.created_at < ${to}
    )
    select * from lines order by created_at, seq limit ${page.limit} offset ${page.offset}`.execute(db);
  // The closing balance is opening + every line of the period, also those on other pages.
  const movedAll = rows[0]
    ? BigInt(rows[0].moved)
    : BigInt((await sql<{ s: bigint | null }>`select sum(p.amount) as s from postings p join operations o on o.id = p.operation_id where p.wallet_id = ${walletId} and o.created_at >= ${from} and o.created_at < ${to}`.execute(db)).rows[0]?.s ?? 0n);
  const total = rows[0] ? Number(rows[0].total) : (await sql<{ n: number }>`select count(*)::int as n from postings p join operations o on o.id = p.operation_id where p.wallet_id = ${walletId} and o.created_at >= ${from} and o.created_at < ${to}`.execute(db)).rows[0]!.n;
  return {
    walletId,
    product: opening.product,
    from,
    to,
    openingBalance: opening.balance,
    closingBalance: opening.balance + movedAll,
    fromSnapshot: opening.fromSnapshot,
    total,
    lines: rows.map(
      (r): StatementLine => ({
        operationId: r.id,
        seq: BigInt(r.seq),
        type: r.type,
        createdAt: r.created_at,
        amount: BigInt(r.amount),
        balanceAfter: opening.balance + BigInt(r.running),
        merchantId: r.merchant_id,
        terminalId: r.terminal_id,
        originalOperationId: r.original_operation_id,
      }),
    ),
  };
}
