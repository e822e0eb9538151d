import { sql, type Generated, type Kysely, type Transaction } from 'kysely';
import type { PrepaidDb } from '../tables.js';

/** Kysely types of migration 0013 (kept here, beside the only code that writes them). */
export interface HoldsTables {
  holds: {
    id: string;
    account_id: string;
    wallet_id: bigint;
    product_code: string;
    merchant_id: string;
    terminal_id: string | null;
    amount: bigint;
    status: Generated<HoldStatus>;
    expires_at: Date;
    created_at: Generated<Date>;
    closed_at: Date | null;
    completed_amount: bigint | null;
    purchase_operation_id: string | null;
    release_operation_id: string | null;
  };
}
export type HoldStatus = 'active' | 'completed' | 'voided' | 'expired';
export type HoldsDb = PrepaidDb & HoldsTables;
type Tx = Transaction<PrepaidDb> | Kysely<PrepaidDb>;
const holdsOf = (trx: Tx) => trx as unknown as Kysely<HoldsDb>;

export interface HoldRow {
  id: string;
  accountId: string;
  walletId: bigint;
  product: string;
  merchantId: string;
  amount: bigint;
  status: HoldStatus;
  expiresAt: Date;
}

const toRow = (r: { id: string; account_id: string; wallet_id: bigint; product_code: string; merchant_id: string; amount: bigint; status: HoldStatus; expires_at: Date }): HoldRow => ({
  id: r.id,
  accountId: r.account_id,
  walletId: BigInt(r.wallet_id),
  product: r.product_code,
  merchantId: r.merchant_id,
  amount: BigInt(r.amount),
  status: r.status,
  expiresAt: r.expires_at,
});

export async function insertHold(trx: Tx, hold: { id: string; accountId: string; walletId: bigint; product: string; merchantId: string; terminalId: string | null; amount: bigint; ttlSeconds: number }) {
  const { rows } = await sql<{ expires_at: Date }>`
    insert into holds (id, account_id, wallet_id, product_code, merchant_id, terminal_id, amount, expires_at)
    values (${hold.id}, ${hold.accountId}, ${hold.walletId}, ${hold.product}, ${hold.merchantId}, ${hold.terminalId}, ${hold.amount}, now() + make_interval(secs => ${hold.ttlSeconds}))
    returning expires_at`.execute(trx);
  return rows[0]!.expires_at;
}

/**
 * Closes an active hold — the one conditional UPDATE that decides which of concurrent completions, voids and
 * expiries wins (the others wait on the row, re-read it, and find it closed). `completing` and `voiding` take
 * only a hold not past its expiry; `expiring` only one past it. Null: nothing closed (explain with findHold).
 */
export async function closeHold(
  trx: Tx,
  holdId: string,
  to: Exclude<HoldStatus, 'active'>,
  completedAmount: bigint | null,
  /** 'any': closing the account gives back every active hold, expired or not. */
  expiry: 'live' | 'past' | 'any',
): Promise<HoldRow | null> {
  const { rows } = await sql<Parameters<typeof toRow>[0]>`
    update holds set status = ${to}, closed_at = now(),
      completed_amount = ${to === 'completed' ? sql`coalesce(${completedAmount}::bigint, amount)` : sql`null`}
    where id = ${holdId} and status = 'active'
      and ${expiry === 'past' ? sql`expires_at <= now()` : expiry === 'live' ? sql`expires_at > now()` : sql`true`}
      and (${completedAmount}::bigint is null or ${completedAmount}::bigint <= amount)
    returning id, account_id, wallet_id, product_code, merchant_id, amount, status, expires_at`.execute(trx);
  return rows[0] ? toRow(rows[0]) : null;
}

export async function recordHoldOperations(trx: Tx, holdId: string, release: string, purchase: string | null) {
  await holdsOf(trx).updateTable('holds').set({ release_operation_id: release, purchase_operation_id: purchase }).where('id', '=', holdId).execute();
}

export async function findHold(trx: Tx, holdId: string): Promise<(HoldRow & { terminalId: string | null; completedAmount: bigint | null; purchaseOperationId: string | null; closedAt: Date | null; createdAt: Date }) | undefined> {
  const r = await holdsOf(trx).selectFrom('holds').selectAll().where('id', '=', holdId).executeTakeFirst();
  if (!r) return undefined;
  return {
    ...toRow(r as Parameters<typeof toRow>[0]),
    terminalId: r.terminal_id,
    completedAmount: r.completed_amount === null ? null : BigInt(r.completed_amount),
    purchaseOperationId: r.purchase_operation_id,
    closedAt: r.closed_at,
    createdAt: r.created_at,
  };
}

/** Active holds past their expiry, oldest first (the `holds.expire` job's work list). */
export async function expiredHolds(db: Kysely<PrepaidDb>, limit: number, accountId?: string): Promise<string[]> {
  const rows = await holdsOf(db)
    .selectFrom('holds')
    .select('id')
    .where('status', '=', 'active')
    .where('expires_at', '<=', sql<Date>`now()`)
    .$if(accountId !== undefined, (q) => q.where('account_id', '=', accountId!))
    .orderBy('expires_at')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

/** The account's active holds, locked in id order (closing an account gives them back first). */
export async function lockActiveHolds(trx: Tx, accountId: string): Promise<string[]> {
  const rows = await holdsOf(trx).selectFrom('holds').select('id').where('account_id', '=', accountId).where('status', '=', 'active').orderBy('id').forUpdate().execute();
  return rows.map((r) => r.id);
}
