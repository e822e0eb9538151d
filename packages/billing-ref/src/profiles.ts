import { sql } from 'kysely';
import type { Executor } from '@app/kernel';
import type { BillingRefDb } from './tables.js';

/**
 * Calculated hourly load profiles of integral meters ('profile' rows of `hourly`). A day covered by an
 * accepted reading's period (previous_date, reading_date] gets that reading's consumption per day,
 * spread over the zone's hours in the proportions of the standard load shape (`load_shape`, workday or
 * weekend). Values are rounded to 6 decimals, so a day's hours may sum to its kWh ± 0.00001.
 *
 * Stored per point and day; `profile_months` records which months are stored. A month is computed when
 * an accepted reading covers it, or on its first read (the demo data does not precompute a year of
 * profiles for thousands of points: most are never looked at).
 */
export async function recomputeProfiles(trx: Executor<BillingRefDb>, pointIds: Array<bigint | string>, months: string[]): Promise<void> {
  if (pointIds.length === 0 || months.length === 0) return;
  const points = pointIds.map(String);
  const firsts = months.map((m) => `${m}-01`);
  await sql`
    delete from hourly
    where kind = 'profile' and metering_point_id = any(${points}::int8[])
      and date_trunc('month', day)::date = any(${firsts}::date[])`.execute(trx);
  await sql`
    insert into hourly (metering_point_id, kind, day, hours)
    with days as (
      select p.id as point_id, d::date as day
      from unnest(${points}::int8[]) as p(id)
      cross join unnest(${firsts}::date[]) as mo(month)
      cross join lateral generate_series(mo.month, mo.month + interval '1 month' - interval '1 day', interval '1 day') as d
    ),
    daily as (
      select d.point_id, d.day, r.zone, r.consumption_kwh / (r.reading_date - r.previous_date) as kwh
      from days d
      join meters me on me.metering_point_id = d.point_id and me.kind = 'integral'
      join readings r on r.meter_id = me.id and r.status = 'accepted' and r.previous_date < d.day and d.day <= r.reading_date
    ),
    zone_weight as (
      select z.code, s.day_kind, sum(s.weight) as total
      from tariff_zones z join load_shape s on s.hour = any(z.hours)
      group by z.code, s.day_kind
    ),
    valued as (
      select dl.point_id, dl.day, s.hour, sum(dl.kwh * s.weight / zw.total) as kwh
      from daily dl
      join tariff_zones z on z.code = dl.zone
      join load_shape s on s.day_kind = (case when extract(isodow from dl.day) >= 6 then 'weekend' else 'workday' end) and s.hour = any(z.hours)
      join zone_weight zw on zw.code = z.code and zw.day_kind = s.day_kind
      group by 1, 2, 3
    ),
    grid as (select distinct point_id, day from daily)
    select g.point_id, 'profile', g.day, array_agg(round(coalesce(v.kwh, 0), 6) order by h.hour)
    from grid g
    cross join generate_series(0, 23) as h(hour)
    left join valued v on v.point_id = g.point_id and v.day = g.day and v.hour = h.hour
    group by g.point_id, g.day`.execute(trx);
  await sql`
    insert into profile_months (metering_point_id, month)
    select p, m from unnest(${points}::int8[]) as p cross join unnest(${firsts}::date[]) as m
    on conflict (metering_point_id, month) do update set computed_at = now()`.execute(trx);
}

/** Computes the months of one point not stored yet (a concurrent reader waits on the claim, then finds them). */
export async function ensureProfiles(trx: Executor<BillingRefDb>, pointId: string, months: string[]): Promise<void> {
  if (months.length === 0) return;
  const firsts = months.map((m) => `${m}-01`);
  const { rows } = await sql<{ month: string }>`
    insert into profile_months (metering_point_id, month)
    select ${pointId}::int8, m from unnest(${firsts}::date[]) as m
    on conflict (metering_point_id, month) do nothing
    returning to_char(month, 'YYYY-MM') as month`.execute(trx);
  if (rows.length > 0) await recomputeProfiles(trx, [pointId], rows.map((r) => r.month));
}
