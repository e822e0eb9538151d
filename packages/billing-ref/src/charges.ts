import { sql } from 'kysely';
import type { Executor } from '@app/kernel';
import type { BillingRefDb } from './tables.js';

/**
 * Charges (invariant B4): for each contract, month and tariff zone, the kWh consumed × the zone's tariff
 * valid in that month, rounded to the kopeck. Consumption comes from
 * - integral meters: each accepted reading's consumption over (previous_date, reading_date], spread
 *   evenly over its days and so split between the months it spans;
 * - interval meters: the metered hourly values, each hour going to the meter's zone that covers it.
 * Recomputed from scratch for the months asked (idempotent), for some contracts or all (`null`).
 */
export async function recomputeCharges(trx: Executor<BillingRefDb>, contractIds: Array<bigint | string> | null, fromMonth: string, toMonth: string): Promise<void> {
  const ids = contractIds === null ? null : contractIds.map(String);
  if (ids !== null && ids.length === 0) return;
  const from = `${fromMonth}-01`;
  const to = `${toMonth}-01`;
  await sql`delete from charges where (${ids}::int8[] is null or contract_id = any(${ids}::int8[])) and month between ${from}::date and ${to}::date`.execute(trx);
  await sql`
    insert into charges (contract_id, month, zone, kwh, price_kopecks, amount)
    with months as (
      select m::date as month, (m + interval '1 month')::date as next
      from generate_series(${from}::date, ${to}::date, interval '1 month') as m
    ),
    scope as (
      select c.id as contract_id, mp.id as point_id, me.id as meter_id, me.kind, me.zones, me.installed_on, me.removed_on
      from contracts c
      join supply_objects so on so.contract_id = c.id
      join metering_points mp on mp.supply_object_id = so.id
      join meters me on me.metering_point_id = mp.id
      where ${ids}::int8[] is null or c.id = any(${ids}::int8[])
    ),
    integral as (
      select s.contract_id, mo.month, r.zone,
        r.consumption_kwh * (least(r.reading_date, mo.next - 1) - greatest(r.previous_date, mo.month - 1)) / (r.reading_date - r.previous_date) as kwh
      from scope s
      join readings r on r.meter_id = s.meter_id and r.status = 'accepted' and r.previous_date is not null
      join months mo on r.reading_date >= mo.month and r.previous_date < mo.next - 1
      where s.kind = 'integral'
    ),
    metered as (
      select s.contract_id, date_trunc('month', h.day)::date as month, z.code as zone, sum(h.hours[u.hour + 1]) as kwh
      from scope s
      join hourly h on h.metering_point_id = s.point_id and h.kind = 'metered'
        and h.day >= s.installed_on and (s.removed_on is null or h.day < s.removed_on)
        and h.day >= ${from}::date and h.day < (${to}::date + interval '1 month')
      join tariff_zones z on z.code = any(s.zones)
      cross join lateral unnest(z.hours) as u(hour)
      where s.kind = 'interval'
      group by 1, 2, 3
    ),
    consumption as (
      select contract_id, month, zone, round(sum(kwh), 6) as kwh
      from (select * from integral union all select * from metered) as x
      group by 1, 2, 3
    )
    select c.contract_id, c.month, c.zone, c.kwh, t.price_kopecks, round(c.kwh * t.price_kopecks)::int8
    from consumption c
    cross join lateral (
      select price_kopecks from tariffs where zone = c.zone and valid_from <= c.month order by valid_from desc limit 1
    ) as t`.execute(trx);
}
