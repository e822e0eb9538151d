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

/**
 * Velocity rules (migration 0014), for the debits of purchases and holds: the product's and the wallet's own
 * rule over the wallet's recent debits, and the product's per-identifier rule over those made with
 * `identifier` (null when the purchase names the account, not a card: that rule then does not apply).
 * Nothing is evaluated for a wallet without any rule, which keeps the common batch row as cheap as before.
 */
const longestVelocityWindow = sql`greatest(p.velocity_window_seconds, w.velocity_window_seconds, p.identifier_velocity_window_seconds)`;

export const velocityAllowed = (amount: RawBuilder<unknown> | bigint, identifier: RawBuilder<unknown> | string | null) => sql`
  (${longestVelocityWindow} is null or (
    velocity_fits(w.recent_at, w.recent_amount, w.recent_identifier, null, p.velocity_window_seconds, p.velocity_count, p.velocity_amount, ${amount})
    and velocity_fits(w.recent_at, w.recent_amount, w.recent_identifier, null, w.velocity_window_seconds, w.velocity_count, w.velocity_amount, ${amount})
    and (${identifier}::uuid is null or velocity_fits(w.recent_at, w.recent_amount, w.recent_identifier, ${identifier}::uuid,
          p.identifier_velocity_window_seconds, p.identifier_velocity_count, p.identifier_velocity_amount, ${amount}))))`;

/** Appends the debit to the wallet's recent debits, dropping those older than the longest window. */
export const velocityAssignments = (amount: RawBuilder<unknown> | bigint, identifier: RawBuilder<unknown> | string | null) => sql`
  recent_at = case when ${longestVelocityWindow} is null then w.recent_at
    else w.recent_at[velocity_expired(w.recent_at, ${longestVelocityWindow}) + 1:] || now() end,
  recent_amount = case when ${longestVelocityWindow} is null then w.recent_amount
    else w.recent_amount[velocity_expired(w.recent_at, ${longestVelocityWindow}) + 1:] || ${amount}::bigint end,
  recent_identifier = case when ${longestVelocityWindow} is null then w.recent_identifier
    else w.recent_identifier[velocity_expired(w.recent_at, ${longestVelocityWindow}) + 1:] || ${identifier}::uuid end`;
