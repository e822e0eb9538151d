import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { sql, type RawBuilder, type Transaction } from 'kysely';
import type { Database } from '@app/kernel';
import { issueDocuments } from '../billing-ref.js';
import { lockChangeFeed } from '../changes.js';
import { recomputeCharges } from '../charges.js';
import { addDays, addMonths, isoDate, lastDayOf } from '../months.js';
import type { BillingRefDb } from '../tables.js';

/**
 * Demo data for an empty reference billing, generated set-based in SQL (generate_series, insert … select)
 * so that a thousand consumers and a year of hourly data take seconds, also on embedded PGlite.
 * Deterministic: every "random" choice is a hash (md5) of the seed and the row's key, so the same seed
 * and the same `today` give the same rows on PostgreSQL and on PGlite.
 *
 * Timeline (M = the month of `today`): a base reading at the end of month M-13, then one reading per zone
 * at the end of each month M-12 … M-1; hourly metered data of interval meters from the 1st of M-12 to
 * yesterday; charges for M-12 … M; an invoice and an act for each of M-12 … M-1; payments around the 10th
 * of the following month (most in full, some partly, some not at all).
 *
 * Shape: consumer i is an organisation when i % 5 is 0 or 1 (40 %), a person otherwise; every tenth has
 * two contracts. An organisation's contract has two supply objects with 3 + 2 metering points, a
 * person's one object with 2 points; the first point of every other organisation contract has an
 * interval meter. 1,000 consumers give 1,100 contracts, 3,703 metering points, 251 interval meters
 * (~95,000 days of hourly data), ~75,000 readings, 26,400 invoices and acts.
 *
 * The first three consumers are fixed (see `demoContracts`, README): D-000001 is the one to link in a demo.
 */
export const demoContracts = {
  /** ООО «Демо-Энерго»: five points, an interval meter (point 1) and a day/night meter (point 2); readings accepted any day. */
  organisation: { number: 'D-000001', secret: 'DEMO-2026-01', consumerId: '1', contractId: '1' },
  /** Петров Пётр Петрович: a five-digit meter that rolled over past 99999; a meter removed; window days 15–31. */
  person: { number: 'D-000002', secret: 'DEMO-2026-02', consumerId: '2', contractId: '2' },
  /** A terminated contract: linking it is refused (contract_terminated). */
  terminated: { number: 'D-000003', secret: 'DEMO-2026-03', consumerId: '3', contractId: '3' },
} as const;

export interface DemoOptions {
  /** Consumers to generate, the three fixed ones included. Default 1,000. */
  consumers?: number;
  seed?: string;
  /** The day the data ends (YYYY-MM-DD, readings and payments up to it). Default: today. */
  today?: string;
  /** Called after each step with the milliseconds since the start (progress for a long start). */
  onProgress?: (step: string, ms: number) => void;
}

export interface DemoSummary {
  consumers: number;
  contracts: number;
  meteringPoints: number;
  intervalMeters: number;
  hourlyDays: number;
  readings: number;
  invoices: number;
  payments: number;
  changes: number;
  ms: number;
}

const DEMO_LOCK = 7_243_100_405;

/** Fills an empty billing with demo data; `null` when it has consumers already (nothing is touched). */
export async function seedBillingDemo(database: Database<BillingRefDb>, options: DemoOptions = {}): Promise<DemoSummary | null> {
  const started = performance.now();
  const n = options.consumers ?? 1000;
  const seed = options.seed ?? 'billing-ref-demo';
  const today = options.today ?? isoDate(new Date());
  if (!Number.isInteger(n) || n < 3) throw new Error('demo needs at least the 3 fixed consumers');
  if (!/^[a-z0-9-]{1,40}$/.test(seed)) throw new Error('demo seed: lower-case letters, digits and -');
  const month = today.slice(0, 7);
  const baseDay = lastDayOf(addMonths(month, -13));
  const firstMonth = addMonths(month, -12);
  const lastClosedMonth = addMonths(month, -1);
  const yesterday = addDays(today, -1);

  const progress = (step: string) => options.onProgress?.(step, Math.round(performance.now() - started));
  return database.transaction(async (trx) => {
    await sql`select pg_advisory_xact_lock(${DEMO_LOCK})`.execute(trx);
    const { rows } = await sql<{ any: boolean }>`select exists (select 1 from consumers) as any`.execute(trx);
    if (rows[0]!.any) return null;
    const r = (key: RawBuilder<unknown>) => sql`(('x' || substr(md5(${seed} || ':' || ${key}), 1, 8))::bit(32)::int8 / 4294967296.0)`;

    await generateStructure(trx, n, today, baseDay, r);
    progress('consumers, contracts, points, meters');
    await generateReadings(trx, baseDay, r);
    progress('readings');
    await generateHourly(trx, seed, `${firstMonth}-01`, yesterday);
    progress('hourly data');
    await recomputeCharges(trx, null, firstMonth, month);
    progress('charges');
    // The feed is written once for everything at the end (feedEverything).
    await issueDocuments(trx, firstMonth, lastClosedMonth, null, { recompute: false, feed: false });
    progress('invoices and acts');
    await generatePayments(trx, today, r);
    progress('payments');
    await feedEverything(trx);
    progress('change feed');
    for (const table of ['consumers', 'contracts', 'supply_objects', 'metering_points', 'meters']) {
      await sql`select setval(pg_get_serial_sequence(${table}, 'id'), (select max(id) from ${sql.table(table)}))`.execute(trx);
    }
    const { rows: counts } = await sql<Record<Exclude<keyof DemoSummary, 'ms'>, bigint>>`
      select (select count(*) from consumers) as consumers, (select count(*) from contracts) as contracts,
        (select count(*) from metering_points) as "meteringPoints", (select count(*) from meters where kind = 'interval') as "intervalMeters",
        (select count(*) from hourly) as "hourlyDays", (select count(*) from readings) as readings,
        (select count(*) from invoices) as invoices, (select count(*) from payments) as payments, (select count(*) from changes) as changes`.execute(trx);
    const summary = Object.fromEntries(Object.entries(counts[0]!).map(([k, v]) => [k, Number(v)])) as Omit<DemoSummary, 'ms'>;
    return { ...summary, ms: Math.round(performance.now() - started) };
  });
}

type Rnd = (key: RawBuilder<unknown>) => RawBuilder<unknown>;

const pick = (values: string[], rnd: RawBuilder<unknown>) => sql`(${sql.raw(`array[${values.map((v) => `'${v}'`).join(',')}]`)})[1 + floor(${rnd} * ${values.length})::int]`;

async function generateStructure(trx: Transaction<BillingRefDb>, n: number, today: string, baseDay: string, r: Rnd) {
  const org = sql`(i in (1, 3) or (i > 3 and i % 5 in (0, 1)))`;
  await sql`
    insert into consumers (id, kind, name, inn, ogrn, snils, email, phone, address)
    select i,
      case when ${org} then 'organisation' else 'person' end,
      case
        when i = 1 then 'ООО «Демо-Энерго»'
        when i = 2 then 'Петров Пётр Петрович'
        when i = 3 then 'ООО «Закрытый Объект»'
        when ${org} then 'ООО «' || ${pick(['Альфа', 'Вектор', 'Север', 'Невский', 'Балтика', 'Гранит', 'Исток', 'Меридиан', 'Орион', 'Фрегат'], r(sql`'on1' || i`))} || ' '
          || ${pick(['Строй', 'Пром', 'Сервис', 'Трейд', 'Маш', 'Хлеб', 'Лес', 'Логистик'], r(sql`'on2' || i`))} || ' ' || i || '»'
        else ${pick(['Иванов', 'Смирнов', 'Кузнецов', 'Попов', 'Васильев', 'Соколов', 'Михайлов', 'Новиков', 'Фёдоров', 'Морозов'], r(sql`'pn1' || i`))} || ' '
          || ${pick(['Александр', 'Дмитрий', 'Максим', 'Сергей', 'Андрей', 'Алексей', 'Иван', 'Михаил'], r(sql`'pn2' || i`))} || ' '
          || ${pick(['Александрович', 'Дмитриевич', 'Сергеевич', 'Андреевич', 'Иванович', 'Петрович'], r(sql`'pn3' || i`))}
      end,
      case when i = 1 then '7801234567' when ${org} then '78' || lpad(floor(${r(sql`'inn' || i`)} * 1e8)::int8::text, 8, '0')
        else '78' || lpad(floor(${r(sql`'inn' || i`)} * 1e10)::int8::text, 10, '0') end,
      case when i = 1 then '1027800000001' when ${org} then '10278' || lpad(floor(${r(sql`'ogrn' || i`)} * 1e8)::int8::text, 8, '0') end,
      case when not ${org} then lpad(floor(${r(sql`'sn1' || i`)} * 1e3)::int::text, 3, '0') || '-' || lpad(floor(${r(sql`'sn2' || i`)} * 1e3)::int::text, 3, '0') || '-'
        || lpad(floor(${r(sql`'sn3' || i`)} * 1e3)::int::text, 3, '0') || ' ' || lpad(floor(${r(sql`'sn4' || i`)} * 1e2)::int::text, 2, '0') end,
      case when i = 1 then 'demo@consumer.test' else 'consumer' || i || '@example.test' end,
      '+7 9' || lpad(floor(${r(sql`'ph' || i`)} * 1e9)::int8::text, 9, '0'),
      'г. Санкт-Петербург, ' || ${pick(['ул. Садовая', 'Невский пр.', 'ул. Марата', 'Лиговский пр.', 'ул. Гороховая', 'Московский пр.', 'ул. Рубинштейна'], r(sql`'ad' || i`))}
        || ', д. ' || (1 + floor(${r(sql`'ad2' || i`)} * 120))::int
    from generate_series(1, ${n}) as i`.execute(trx);

  await sql`
    insert into contracts (id, consumer_id, number, status, started_on, ended_on, reading_from_day, reading_to_day, link_secret)
    select k, i,
      case when k <= 3 then 'D-00000' || k else 'D-' || (100000 + k) end,
      case when k = 3 then 'terminated' else 'active' end,
      (${baseDay}::date - (365 * (1 + floor(${r(sql`'cs' || k`)} * 6)))::int),
      case when k = 3 then ${today}::date - 20 end,
      case when k = 1 then 1 when k = 2 then 15 else (array[1, 15, 20, 23, 25])[1 + floor(${r(sql`'rw' || k`)} * 5)::int] end,
      31,
      case when k = 1 then 'DEMO-2026-01' when k = 2 then 'DEMO-2026-02' when k = 3 then 'DEMO-2026-03' else upper(substr(md5(${'secret'} || ${r(sql`'sec' || k`)}::text), 1, 10)) end
    from (
      select i, row_number() over (order by i, c) as k
      from generate_series(1, ${n}) as i, generate_series(1, case when i > 3 and i % 10 = 0 then 2 else 1 end) as c
    ) as plan`.execute(trx);

  await sql`
    insert into supply_objects (id, contract_id, name, address)
    select row_number() over (order by c.id, o), c.id,
      case when k.kind = 'person' then (array['Квартира', 'Дом'])[o] else (array['Офис', 'Производственный корпус'])[o] end,
      coalesce(k.address, '') || case when o = 2 then ', корп. 2' else '' end
    from contracts c join consumers k on k.id = c.consumer_id
    cross join generate_series(1, case when k.kind = 'organisation' then 2 else 1 end) as o`.execute(trx);

  await sql`
    insert into metering_points (id, supply_object_id, code, name, voltage, max_power_kw)
    select row_number() over (order by so.id, p), so.id, 'TU-' || lpad((row_number() over (order by so.id, p))::text, 7, '0'), 'Ввод ' || p,
      case when k.kind = 'person' then '0.4 кВ' else (array['0.4 кВ', '6 кВ', '10 кВ'])[1 + floor(${r(sql`'v' || so.id || ':' || p`)} * 3)::int] end,
      case when k.kind = 'person' then 15 else round((50 + ${r(sql`'pw' || so.id || ':' || p`)} * 1450)::numeric, 0) end
    from supply_objects so join contracts c on c.id = so.contract_id join consumers k on k.id = c.consumer_id
    cross join generate_series(1, case when k.kind = 'person' then 2 when so.name = 'Офис' then 3 else 2 end) as p`.execute(trx);

  // One meter per point (id = the point's id), plus a removed meter on D-000002.
  await sql`
    create temp table demo_meters on commit drop as
    select mp.id, mp.id as point_id, k.kind as consumer_kind,
      (k.kind = 'organisation' and so.contract_id % 2 = 1 and so.name = 'Офис' and mp.name = 'Ввод 1') as interval,
      ${r(sql`'mz' || mp.id`)} as h,
      so.contract_id
    from metering_points mp join supply_objects so on so.id = mp.supply_object_id join contracts c on c.id = so.contract_id join consumers k on k.id = c.consumer_id`.execute(trx);
  await sql`
    insert into meters (id, metering_point_id, serial, model, kind, digits, fraction_digits, transformation_ratio, zones, installed_on, verified_on, next_verification_on)
    select d.id, d.point_id,
      lpad(floor(${r(sql`'sn' || d.id`)} * 1e8)::int8::text, 8, '0'),
      case when d.interval then ${pick(['Меркурий 234 ARTM', 'СЭТ-4ТМ.03М'], r(sql`'md' || d.id`))}
        when d.consumer_kind = 'person' then ${pick(['Меркурий 201.8', 'Нева МТ 114'], r(sql`'md' || d.id`))}
        else ${pick(['Меркурий 230', 'CE 301'], r(sql`'md' || d.id`))} end,
      case when d.interval then 'interval' else 'integral' end,
      case when d.id = 6 then 5 when d.interval then 8 when d.consumer_kind = 'person' then 5 + floor(d.h * 2)::int else 6 + floor(d.h * 3)::int end,
      case when d.id = 6 then 0 when d.consumer_kind = 'person' then 1 else 2 end,
      case when d.interval then 40 when d.consumer_kind = 'person' then 1 else (array[1, 20, 40, 80])[1 + floor(${r(sql`'tr' || d.id`)} * 4)::int] end,
      case
        when d.interval or d.id = 6 then '{total}'::text[]
        when d.id = 2 then '{day,night}'::text[]
        when d.consumer_kind = 'person' then (array['{total}', '{day,night}'])[1 + floor(${r(sql`'zn' || d.id`)} * 2)::int]::text[]
        else (array['{total}', '{day,night}', '{peak,semipeak,night}'])[1 + floor(${r(sql`'zn' || d.id`)} * 3)::int]::text[]
      end,
      ${baseDay}::date - (200 + floor(${r(sql`'in' || d.id`)} * 2000))::int,
      ${baseDay}::date - (200 + floor(${r(sql`'in' || d.id`)} * 2000))::int,
      ${baseDay}::date - (200 + floor(${r(sql`'in' || d.id`)} * 2000))::int + case when d.interval then 12 * 365 else 16 * 365 end
    from demo_meters d`.execute(trx);
  await sql`
    insert into meters (id, metering_point_id, serial, model, kind, digits, fraction_digits, transformation_ratio, zones, installed_on, verified_on, removed_on)
    select (select max(id) from meters) + 1, 7, '00000777', 'СО-505', 'integral', 5, 1, 1, '{total}', ${baseDay}::date - 3000, ${baseDay}::date - 3000, ${baseDay}::date - 100`.execute(trx);
}

async function generateReadings(trx: Transaction<BillingRefDb>, baseDay: string, r: Rnd) {
  // Dial movement per meter, zone and month (n = 0 is the base); kWh = dial × transformation ratio.
  await sql`
    create temp table demo_dial on commit drop as
    select me.id as meter_id, mp.consumer_id, z.zone, z.ord, n,
      (date_trunc('month', ${baseDay}::date + n * interval '1 month') + interval '1 month - 1 day')::date as reading_date,
      me.digits, me.fraction_digits, me.transformation_ratio,
      case when n = 0 then
        case when me.id = 6 then 98500 else round((${r(sql`'iv' || me.id || z.zone`)} * 0.3 * power(10, me.digits))::numeric, me.fraction_digits::int) end
      else round((
        (case when k.kind = 'person' then 150 + ${r(sql`'mk' || me.id`)} * 300 else 2000 + ${r(sql`'mk' || me.id`)} * 28000 end)
        * (case z.zone when 'total' then 1.0 when 'day' then 0.7 when 'peak' then 0.35 when 'semipeak' then 0.4 else (case when cardinality(me.zones) = 2 then 0.3 else 0.25 end) end)
        * (1 + 0.25 * cos(2 * pi() * (extract(month from ${baseDay}::date + n * interval '1 month') - 1) / 12))
        * (0.9 + 0.2 * ${r(sql`'nz' || me.id || z.zone || n`)})
        / me.transformation_ratio::float8)::numeric, me.fraction_digits::int) end as delta
    from meters me
    join (select mp.id, c.consumer_id from metering_points mp join supply_objects so on so.id = mp.supply_object_id join contracts c on c.id = so.contract_id) as mp on mp.id = me.metering_point_id
    join consumers k on k.id = mp.consumer_id
    cross join unnest(me.zones) with ordinality as z(zone, ord)
    cross join generate_series(0, 12) as n
    where me.kind = 'integral' and me.removed_on is null`.execute(trx);
  await sql`
    insert into readings (consumer_id, meter_id, meter_ref, zone, reading_date, value, source, status, previous_date, consumption_kwh, processed_at)
    select consumer_id, meter_id, meter_id::text, zone, reading_date,
      mod(sum(delta) over w, power(10, digits)::numeric),
      'operator', 'accepted',
      case when n > 0 then lag(reading_date) over w end,
      case when n > 0 then delta * transformation_ratio end,
      reading_date + time '18:00'
    from demo_dial
    window w as (partition by meter_id, zone order by n)
    order by 2, 4, 5`.execute(trx);
}

async function generateHourly(trx: Transaction<BillingRefDb>, seed: string, from: string, to: string) {
  // 24 values per day in one array constructor (no per-hour rows): base load × the standard shape of the
  // day kind × season × ±15 % noise, in integer arithmetic (Wh) with one numeric division per value —
  // floats, array subscripts and md5 per value made this step five times slower on PGlite. The shape's
  // weights (×10,000) become 24 columns per day kind; the noise is a multiplicative hash of (seed, point,
  // day, hour) modulo a prime.
  const { rows: shapeRows } = await sql<{ day_kind: string; hour: number; weight: string }>`select day_kind, hour, weight::text as weight from load_shape`.execute(trx);
  const weights = (kind: string) => Array.from({ length: 24 }, (_, h) => Math.round(Number(shapeRows.find((r) => r.day_kind === kind && r.hour === h)!.weight) * 10_000));
  const shape = ['workday', 'weekend'].map((kind) => `select '${kind}' as day_kind, ${weights(kind).map((w, h) => `${w} as w${h}`).join(', ')}`).join(' union all ');
  const seedNumber = Number.parseInt(createHash('md5').update(seed).digest('hex').slice(0, 6), 16);
  const noise = (h: number) => `(((p.point_id * 2654435761 + dn.n * 40503 + ${(h + 1) * 2246822519 + seedNumber}) % 4294967291) % 300)`;
  // Wh = base (Wh) × weight/10^4 × season/10^3 × (850 + noise)/10^3
  const hours = Array.from({ length: 24 }, (_, h) => `((p.base_wh * s.w${h} * season.permille * (850 + ${noise(h)})) / 10000000000)::numeric / 1000`).join(', ');
  await sql`
    insert into hourly (metering_point_id, kind, day, hours)
    with shape as (${sql.raw(shape)}),
    points as (
      select me.metering_point_id as point_id,
        floor((300 + ${sql.raw(`(('x' || substr(md5('${seed}:base' || me.id), 1, 8))::bit(32)::int8 / 4294967296.0)`)} * 3000) / 730.0 * 1000)::int8 as base_wh
      from meters me where me.kind = 'interval'
    )
    select p.point_id, 'metered', d.day::date, array[${sql.raw(hours)}]
    from points p
    cross join generate_series(${from}::date, ${to}::date, interval '1 day') as d(day)
    cross join lateral (select (d.day::date - date '2000-01-01')::int8 as n) as dn
    cross join lateral (select round(1000 + 250 * cos(2 * pi() * (extract(doy from d.day) - 15) / 365.25))::int8 as permille) as season
    join shape s on s.day_kind = case when extract(isodow from d.day) >= 6 then 'weekend' else 'workday' end`.execute(trx);
}

async function generatePayments(trx: Transaction<BillingRefDb>, today: string, r: Rnd) {
  await sql`
    insert into payments (contract_id, paid_on, amount, document, source, external_ref)
    select contract_id, paid_on, amount, 'Платёжное поручение № ' || (1000 + id), 'bank', 'demo-' || id
    from (
      select i.id, i.contract_id,
        (i.period + interval '1 month' + (3 + floor(${r(sql`'pd' || i.contract_id || ':' || i.period`)} * 12))::int * interval '1 day')::date as paid_on,
        case
          when ${r(sql`'pa' || i.contract_id || ':' || i.period`)} < 0.05 then 0
          when ${r(sql`'pa' || i.contract_id || ':' || i.period`)} < 0.15 then round(i.amount * (0.5 + 0.4 * ${r(sql`'pp' || i.contract_id || ':' || i.period`)}))::int8
          else i.amount
        end as amount
      from invoices i where i.kind = 'invoice'
    ) as planned
    where amount > 0 and paid_on <= ${today}::date
    order by contract_id, paid_on`.execute(trx);
}

/** One version per entity a consumer sees, consumer by consumer (B3). */
async function feedEverything(trx: Transaction<BillingRefDb>) {
  await lockChangeFeed(trx);
  await sql`
    insert into changes (consumer_id, entity, entity_id, from_day, to_day)
    select consumer_id, entity, entity_id, from_day, to_day from (
      select c.consumer_id, 1 as ord, 'contract' as entity, c.id::text as entity_id, null::date as from_day, null::date as to_day, c.id as sort from contracts c
      union all
      select r.consumer_id, 2, 'reading', r.id::text, null, null, r.id from readings r
      union all
      select c.consumer_id, 3, 'profile', h.metering_point_id::text, min(h.day), max(h.day), h.metering_point_id
      from hourly h join metering_points mp on mp.id = h.metering_point_id join supply_objects so on so.id = mp.supply_object_id join contracts c on c.id = so.contract_id
      group by c.consumer_id, h.metering_point_id
      union all
      select c.consumer_id, 4, 'invoice', i.id::text, null, null, i.id from invoices i join contracts c on c.id = i.contract_id
      union all
      select c.consumer_id, 5, 'payment', p.id::text, null, null, p.id from payments p join contracts c on c.id = p.contract_id
      union all
      select c.consumer_id, 6, 'account', c.id::text, null, null, c.id from contracts c
    ) as feed
    order by consumer_id, ord, sort`.execute(trx);
}
