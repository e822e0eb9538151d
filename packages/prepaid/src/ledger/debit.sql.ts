import { sql, type RawBuilder } from 'kysely';

/**
 * The debit rules as SQL, in one place: every path that takes money from a wallet (the step-by-step
 * ledger, the one-statement purchase, the group-committed batch) applies exactly these, on the wallet
 * aliased `w` joined with its product `p`. `amount` is a parameter or a column of the caller's rows.
 * limits.ts states the same rules in TypeScript, to explain a refusal.
 */
const today = sql`current_date`;
const thisMonth = sql`date_trunc('month', current_date)::date`;
/** Debits so far today / this month, counting from zero when the day or month has changed. */
export const dayDebitNow = sql<bigint>`(case when w.debit_day = ${today} then w.day_debit else 0 end)`;
export const monthDebitNow = sql<bigint>`(case when w.debit_month = ${thisMonth} then w.month_debit else 0 end)`;

export const debitAssignments = (amount: RawBuilder<unknown> | bigint) => sql`
  balance = w.balance - ${amount},
  day_debit = ${dayDebitNow} + ${amount}, debit_day = ${today},
  month_debit = ${monthDebitNow} + ${amount}, debit_month = ${thisMonth},
  updated_at = now()`;

/**
 * `not w.closed` is on the wallet row on purpose: when a debit waits for a concurrent close, PostgreSQL
 * re-checks these conditions on the wallet's new version but not on joined rows (the account's status).
 */
export const debitAllowed = (amount: RawBuilder<unknown> | bigint) => sql`
  not w.closed
  and w.balance - ${amount} >= w.min_balance
  and (least(w.per_operation_limit, p.per_operation_limit) is null or ${amount} <= least(w.per_operation_limit, p.per_operation_limit))
  and (least(w.daily_debit_limit, p.daily_debit_limit) is null or ${dayDebitNow} + ${amount} <= least(w.daily_debit_limit, p.daily_debit_limit))
  and (least(w.monthly_debit_limit, p.monthly_debit_limit) is null or ${monthDebitNow} + ${amount} <= least(w.monthly_debit_limit, p.monthly_debit_limit))`;

/**
 * An uploaded offline purchase (DESIGN.md §4, EMV model): the goods are already handed over, so the
 * per-operation, daily and monthly limits — which the terminal's offline limits stood in for — do not
 * refuse it; the minimum balance (I3, a CHECK) still does, so a product allows an offline overdraft only
 * as far as its negative minimum balance. What is beyond becomes a failed operation for the claims cycle.
 */
export const offlineDebitAllowed = (amount: RawBuilder<unknown> | bigint) => sql`
  not w.closed
  and w.balance - ${amount} >= w.min_balance`;
