import { sql } from 'kysely';
import type { Executor } from '@app/kernel';
import type { BillingRefDb } from './tables.js';

/** The monthly account card of a contract: kopecks (bigint) and kWh (decimal text). */
export interface AccountCard {
  contractId: string;
  /** Positive: the consumer owes; negative: prepaid. */
  debt: bigint;
  asOf: string;
  months: Array<{ month: string; opening: bigint; charged: bigint; paid: bigint; closing: bigint; kwh: string }>;
}

/**
 * From the first month with a charge or a payment to the month of `today`: opening balance (the
 * contract's opening balance plus everything before), charged, paid, closing, kWh. Debt is the closing
 * balance of the last month (payments dated after today are not in this billing). `null` for an unknown contract.
 */
export async function accountCard(db: Executor<BillingRefDb>, contractId: string, today: string): Promise<AccountCard | null> {
  const { rows: found } = await sql<{ opening_balance: bigint }>`select opening_balance from contracts where id = ${contractId}::int8`.execute(db);
  if (!found[0]) return null;
  const { rows } = await sql<{ month: string; charged: bigint; paid: bigint; kwh: string }>`
    with bounds as (
      select date_trunc('month', least(
        (select min(month) from charges where contract_id = ${contractId}::int8),
        (select min(paid_on) from payments where contract_id = ${contractId}::int8),
        ${today}::date))::date as first
    ),
    months as (
      select m::date as month from bounds, generate_series(bounds.first, date_trunc('month', ${today}::date), interval '1 month') as m
    )
    select to_char(mo.month, 'YYYY-MM') as month,
      coalesce((select sum(amount) from charges c where c.contract_id = ${contractId}::int8 and c.month = mo.month), 0)::int8 as charged,
      coalesce((select sum(amount) from payments p where p.contract_id = ${contractId}::int8 and p.paid_on >= mo.month and p.paid_on < mo.month + interval '1 month'), 0)::int8 as paid,
      coalesce((select sum(kwh) from charges c where c.contract_id = ${contractId}::int8 and c.month = mo.month), 0)::text as kwh
    from months mo order by mo.month`.execute(db);
  let balance = found[0].opening_balance;
  const months = rows.map((r) => {
    const opening = balance;
    balance = opening + r.charged - r.paid;
    return { month: r.month, opening, charged: r.charged, paid: r.paid, closing: balance, kwh: trimKwh(r.kwh) };
  });
  return { contractId, debt: balance, asOf: today, months };
}

/** numeric(20,6) text without trailing zeros: "120.500000" → "120.5". */
export function trimKwh(text: string): string {
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
}
