import { notFound, badRequest, type Database } from '@app/kernel';
import { sql } from 'kysely';
import { inScope } from '../members/scope.js';
import type { CabinetFrontDb } from '../tables.js';
import './insights.tables.js';

/**
 * Consumption insight of a contract (issue 11, point 3), from the front's copy of billing's data:
 * - comparison: kWh of a period against the period just before it (same length) and the same dates a year
 *   earlier;
 * - forecast: this month's kWh from the profile so far (the daily average of the days with data, times the
 *   month's days) and the bill it makes at the contract's effective price.
 * Which hourly data: a point's metered data when it has an interval meter, billing's calculated profile
 * otherwise. The read model has no tariffs (billing keeps them), so the price is the account card's:
 * charged ÷ kWh over the last three months that have both (`priceSource: account_card`); without such
 * months there is no bill forecast (`priceSource: none`).
 */
const MAX_DAYS = 366;

export class Insights {
  constructor(private readonly deps: { database: Database<CabinetFrontDb>; today: () => string }) {}

  private get db() {
    return this.deps.database.db;
  }

  private async contract(userId: string, contractId: string) {
    const row = await this.db.selectFrom('contracts').select(['id', 'consumer_ref']).where('id', '=', contractId).where(inScope(userId, 'view')).executeTakeFirst();
    if (!row) throw notFound('contract_not_found', 'No such contract');
    return row;
  }

  /** kWh of a contract's points over [from, to] (decimal text), and the number of days that had data. */
  async kwh(contractId: string, from: string, to: string): Promise<{ kwh: string; days: number }> {
    const { rows } = await sql<{ kwh: string; days: string }>`
      select coalesce(sum(t.day_kwh), 0)::text as kwh, count(distinct t.day)::text as days
      from (
        select hd.day, (select sum(h) from unnest(hd.hours::numeric[]) h) as day_kwh
        from hourly_days hd
        join metering_points p on p.id = hd.point_id
        where p.contract_id = ${contractId} and hd.day between ${from}::date and ${to}::date
          and hd.kind = case when exists (select 1 from meters m where m.point_id = p.id and m.kind = 'interval') then 'metered' else 'profile' end
      ) t`.execute(this.db);
    return { kwh: trimKwh(rows[0]?.kwh ?? '0'), days: Number(rows[0]?.days ?? 0) };
  }

  async comparison(userId: string, contractId: string, from: string, to: string) {
    if (to < from) throw badRequest('period_reversed', '`to` is before `from`', 'to');
    const length = daysBetween(from, to);
    if (length > MAX_DAYS) throw badRequest('period_too_long', `At most ${MAX_DAYS} days`, 'to');
    const contract = await this.contract(userId, contractId);
    const previous = { from: addDays(from, -length), to: addDays(from, -1) };
    const lastYear = { from: addYears(from, -1), to: addYears(to, -1) };
    const [now, before, year] = await Promise.all([this.kwh(contract.id, from, to), this.kwh(contract.id, previous.from, previous.to), this.kwh(contract.id, lastYear.from, lastYear.to)]);
    return {
      contractId: contract.id,
      period: { from, to, kwh: now.kwh, daysWithData: now.days },
      previous: { ...previous, kwh: before.kwh, daysWithData: before.days, ...change(now.kwh, before.kwh) },
      lastYear: { ...lastYear, kwh: year.kwh, daysWithData: year.days, ...change(now.kwh, year.kwh) },
    };
  }

  async forecast(userId: string, contractId: string) {
    const contract = await this.contract(userId, contractId);
    const today = this.deps.today();
    const month = today.slice(0, 7);
    const first = `${month}-01`;
    const yesterday = addDays(today, -1);
    const monthDays = daysInMonth(month);
    const soFar = yesterday < first ? { kwh: '0', days: 0 } : await this.kwh(contract.id, first, yesterday);
    const forecastKwh = soFar.days === 0 ? null : (Number(soFar.kwh) / soFar.days) * monthDays;
    const price = await this.price(contract.id);
    return {
      contractId: contract.id,
      month,
      asOf: today,
      daysInMonth: monthDays,
      daysWithData: soFar.days,
      kwhSoFar: soFar.kwh,
      ...(forecastKwh !== null ? { forecastKwh: forecastKwh.toFixed(3) } : {}),
      priceSource: price ? ('account_card' as const) : ('none' as const),
      ...(price ? { pricePerKwh: (Number(price.kopecksPerKwh) / 100).toFixed(4), priceMonths: price.months } : {}),
      ...(price && forecastKwh !== null ? { forecastAmount: String(Math.round(forecastKwh * Number(price.kopecksPerKwh))) } : {}),
    };
  }

  /** Kopecks per kWh from the last three months of the account card with charges and kWh. */
  private async price(contractId: string): Promise<{ kopecksPerKwh: string; months: string[] } | null> {
    const rows = await this.db
      .selectFrom('account_months')
      .select(['month', 'charged', sql<string>`kwh::text`.as('kwh_text')])
      .where('contract_id', '=', contractId)
      .where('charged', '>', 0n)
      .where('kwh', '>', '0')
      .orderBy('month', 'desc')
      .limit(3)
      .execute();
    if (rows.length === 0) return null;
    const charged = rows.reduce((s, r) => s + Number(r.charged), 0);
    const kwh = rows.reduce((s, r) => s + Number(r.kwh_text), 0);
    return { kopecksPerKwh: (charged / kwh).toFixed(4), months: rows.map((r) => r.month).reverse() };
  }
}

function change(now: string, before: string) {
  const b = Number(before);
  if (b === 0) return {};
  return { changeKwh: trimKwh((Number(now) - b).toFixed(6)), changePercent: (((Number(now) - b) / b) * 100).toFixed(1) };
}

export function trimKwh(text: string) {
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
}

export function addDays(date: string, days: number) {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** The same day a year earlier (29 February → 28 February). */
export function addYears(date: string, years: number) {
  const y = Number(date.slice(0, 4)) + years;
  const md = date.slice(5);
  return md === '02-29' && daysInMonth(`${y}-02`) === 28 ? `${y}-02-28` : `${y}-${md}`;
}

export function daysBetween(from: string, to: string) {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1;
}

export function daysInMonth(month: string) {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}
