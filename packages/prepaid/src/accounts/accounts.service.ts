import { randomInt } from 'node:crypto';
import { conflict, notFound } from '@app/kernel';
import type { Kysely } from 'kysely';
import type { PrepaidDb } from '../tables.js';

/**
 * Personal accounts (лицевые счета): one wallet per product, opened with the product's minimum balance.
 * Blocking stops debits (credits and refunds still arrive); closing is a ledger operation (Ledger.close).
 */
/** A wallet's own limits, stricter than its product's where set (kopecks). */
export interface WalletLimits {
  minBalance?: bigint;
  maxBalance?: bigint;
  perOperationLimit?: bigint;
  dailyDebitLimit?: bigint;
  monthlyDebitLimit?: bigint;
  creditPerOperationLimit?: bigint;
  dailyCreditLimit?: bigint;
  monthlyCreditLimit?: bigint;
}

export async function openAccount(
  db: Kysely<PrepaidDb>,
  a: { clientId: string; products: string[]; number?: string; limits?: Record<string, WalletLimits> },
): Promise<{ id: string; number: string; wallets: Array<{ id: bigint; product: string }> }> {
  return db.transaction().execute(async (trx) => {
    const number = a.number ?? accountNumber();
    const { id } = await trx.insertInto('accounts').values({ client_id: a.clientId, number }).returning('id').executeTakeFirstOrThrow();
    const products = await trx.selectFrom('products').select(['code', 'min_balance']).where('code', 'in', a.products).execute();
    if (products.length !== new Set(a.products).size) throw notFound('product_not_found', 'An unknown product was named');
    const wallets = await trx
      .insertInto('wallets')
      .values(
        products.map((p) => {
          const own = a.limits?.[p.code] ?? {};
          return {
            account_id: id,
            product_code: p.code,
            min_balance: own.minBalance ?? p.min_balance,
            daily_debit_limit: own.dailyDebitLimit ?? null,
            per_operation_limit: own.perOperationLimit ?? null,
            monthly_debit_limit: own.monthlyDebitLimit ?? null,
            max_balance: own.maxBalance ?? null,
            credit_per_operation_limit: own.creditPerOperationLimit ?? null,
            daily_credit_limit: own.dailyCreditLimit ?? null,
            monthly_credit_limit: own.monthlyCreditLimit ?? null,
          };
        }),
      )
      .returning(['id', 'product_code'])
      .execute();
    return { id, number, wallets: wallets.map((w) => ({ id: w.id, product: w.product_code })) };
  });
}

export async function setAccountBlocked(db: Kysely<PrepaidDb>, accountId: string, blocked: boolean) {
  const result = await db
    .updateTable('accounts')
    .set({ status: blocked ? 'blocked' : 'open' })
    .where('id', '=', accountId)
    .where('status', '<>', 'closed')
    .executeTakeFirst();
  if (result.numUpdatedRows === 0n) throw conflict('account_not_changeable', 'The account does not exist or is closed');
}

/** 16 digits, the first fixed to 9 (closed-loop range), random rest; uniqueness is the table's job. */
function accountNumber() {
  return `9${Array.from({ length: 15 }, () => randomInt(10)).join('')}`;
}
