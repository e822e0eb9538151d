import { sql } from 'kysely';
import type { Database } from '@app/kernel';
import { currentVersion, recordChanges } from './changes.js';
import { recomputeCharges } from './charges.js';
import type { BillingRefDb } from './tables.js';

/**
 * Hourly readings of interval meters loaded from outside (the cabinet's Excel upload), stored as `metered`
 * data. Rules, checked per day (pure, `checkHourlyDay`), the first failure being the day's reason:
 *   hourly_not_24_values      not exactly 24 values
 *   hourly_value_invalid      a value that is not a non-negative decimal (at most 6 fraction digits, 8 whole)
 *   date_in_future            the day is after today
 *   meter_not_active          the day is before the interval meter was installed, after it was removed, or after the contract ended
 * and per point: point_not_found (not this consumer's), point_not_interval (no interval meter on it).
 * A day sent again replaces its values (the newest upload wins, as a corrected file should). Charges of the
 * months touched are recomputed (interval meters are charged by their hours) and the feed gets `profile`
 * (the dates) and `account` changes.
 */
export interface HourlyDayInput {
  date: string;
  hours: string[];
}

export interface HourlyUploadResult {
  version: string;
  accepted: number;
  rejected: Array<{ date?: string; code: string; message: string }>;
  from?: string;
  to?: string;
  accountsChanged: string[];
}

const VALUE = /^[0-9]{1,8}(\.[0-9]{1,6})?$/;
const DATE = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;
// 2024-02-30 parses (as 1 March): a real date is one that prints back as itself.
const isCalendarDate = (date: string) => {
  const t = DATE.test(date) ? Date.parse(`${date}T00:00:00Z`) : Number.NaN;
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === date;
};

export function checkHourlyDay(day: HourlyDayInput, meter: { installedOn: string; removedOn: string | null; contractEndedOn: string | null }, today: string): { code: string; message: string } | null {
  if (!isCalendarDate(day.date)) return { code: 'hourly_date_invalid', message: `Not a date: ${day.date}` };
  if (!Array.isArray(day.hours) || day.hours.length !== 24) return { code: 'hourly_not_24_values', message: `A day has 24 hourly values, got ${Array.isArray(day.hours) ? day.hours.length : 0}` };
  const bad = day.hours.findIndex((h) => typeof h !== 'string' || !VALUE.test(h));
  if (bad >= 0) return { code: 'hourly_value_invalid', message: `Hour ${bad + 1}: a value is a non-negative number of kWh` };
  if (day.date > today) return { code: 'date_in_future', message: `${day.date} is after today (${today})` };
  if (day.date < meter.installedOn || (meter.removedOn && day.date >= meter.removedOn) || (meter.contractEndedOn && day.date > meter.contractEndedOn)) {
    return { code: 'meter_not_active', message: `The interval meter was not in service on ${day.date}` };
  }
  return null;
}

export async function storeHourly(database: Database<BillingRefDb>, consumerId: string, pointId: string, days: HourlyDayInput[], today: string): Promise<HourlyUploadResult> {
  return database.transaction(async (trx) => {
    const { rows } = await sql<{ point_id: bigint; contract_id: bigint; installed_on: string; removed_on: string | null; ended_on: string | null }>`
      select mp.id as point_id, c.id as contract_id, me.installed_on::text as installed_on, me.removed_on::text as removed_on, c.ended_on::text as ended_on
      from metering_points mp
      join supply_objects so on so.id = mp.supply_object_id
      join contracts c on c.id = so.contract_id
      left join meters me on me.metering_point_id = mp.id and me.kind = 'interval'
      where mp.id = ${pointId}::int8 and c.consumer_id = ${consumerId}::int8
      order by me.installed_on desc nulls last
      limit 1
      for update of mp`.execute(trx);
    const point = rows[0];
    const version = async () => String(await currentVersion(trx));
    if (!point) return { version: await version(), accepted: 0, rejected: [{ code: 'point_not_found', message: 'No such metering point of this consumer' }], accountsChanged: [] };
    if (!point.installed_on) return { version: await version(), accepted: 0, rejected: [{ code: 'point_not_interval', message: 'The metering point has no interval meter' }], accountsChanged: [] };
    const rejected: HourlyUploadResult['rejected'] = [];
    const good = new Map<string, string[]>();
    for (const day of days) {
      const problem = checkHourlyDay(day, { installedOn: point.installed_on, removedOn: point.removed_on, contractEndedOn: point.ended_on }, today);
      if (problem) rejected.push({ date: day.date, ...problem });
      else good.set(day.date, day.hours);
    }
    if (good.size === 0) return { version: await version(), accepted: 0, rejected, accountsChanged: [] };
    const dates = [...good.keys()].sort();
    // One statement per 500 days: unnest of the dates and the 24 values as one text array per day.
    for (let i = 0; i < dates.length; i += 500) {
      const chunk = dates.slice(i, i + 500);
      await sql`
        insert into hourly (metering_point_id, kind, day, hours)
        select ${point.point_id}, 'metered', d.day::date, string_to_array(d.hours, ',')::numeric[]
        from unnest(${chunk}::text[], ${chunk.map((d) => good.get(d)!.join(','))}::text[]) as d(day, hours)
        on conflict (metering_point_id, kind, day) do update set hours = excluded.hours`.execute(trx);
    }
    const from = dates[0]!;
    const to = dates.at(-1)!;
    await recomputeCharges(trx, [point.contract_id], from.slice(0, 7), to.slice(0, 7));
    await recordChanges(trx, [
      { consumerId, entity: 'profile', entityId: point.point_id, from, to },
      { consumerId, entity: 'account', entityId: point.contract_id },
    ]);
    return { version: await version(), accepted: good.size, rejected, from, to, accountsChanged: [String(point.contract_id)] };
  });
}
