import { sql, type RawBuilder } from 'kysely';

/**
 * The credit rules as SQL, in one place (like debit.sql.ts): the ledger's own credit and the registry's
 * many-lines-per-statement credit apply exactly these, on the wallet aliased `w` joined with its product
 * `p`. `amount` is a parameter or a column of the caller's rows. limits.ts explains a refusal in TypeScript.
 */
const today = sql`current_date`;
const thisMonth = sql`date_trunc('month', current_date)::date`;
/** Credits so far today / this month, counting from zero when the day or month has changed. */
export const dayCreditNow = sql<bigint>`(case when w.credit_day = ${today} then w.day_credit else 0 end)`;
export const monthCreditNow = sql<bigint>`(case when w.credit_month = ${thisMonth} then w.month_credit else 0 end)`;

/** The credit counters after crediting `amount`, when `counted` (money given back is not a credit). */
export const creditCounterAssignments = (amount: RawBuilder<unknown> | bigint, counted: RawBuilder<unknown> | boolean) => sql`
  day_credit = case when ${counted} then ${dayCreditNow} + ${amount} else w.day_credit end,
  credit_day = case when ${counted} then ${today} else w.credit_day end,
  month_credit = case when ${counted} then ${monthCreditNow} + ${amount} else w.month_credit end,
  credit_month = case when ${counted} then ${thisMonth} else w.credit_month end`;

/** Max balance and credit limits, each the stricter of the wallet's and the product's. */
export const creditWithinLimits = (amount: RawBuilder<unknown> | bigint) => sql`
  (least(w.max_balance, p.max_balance) is null or w.balance + ${amount} <= least(w.max_balance, p.max_balance))
  and (least(w.credit_per_operation_limit, p.credit_per_operation_limit) is null or ${amount} <= least(w.credit_per_operation_limit, p.credit_per_operation_limit))
  and (least(w.daily_credit_limit, p.daily_credit_limit) is null or ${dayCreditNow} + ${amount} <= least(w.daily_credit_limit, p.daily_credit_limit))
  and (least(w.monthly_credit_limit, p.monthly_credit_limit) is null or ${monthCreditNow} + ${amount} <= least(w.monthly_credit_limit, p.monthly_credit_limit))`;

/** A correction moves the balance either way but never below the minimum; no limits apply. */
export const correctionAllowed = (delta: RawBuilder<unknown> | bigint) => sql`w.balance + ${delta} >= w.min_balance`;
