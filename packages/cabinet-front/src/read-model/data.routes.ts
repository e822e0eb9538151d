import { badRequest, notFound, type Database, type HttpApp } from '@app/kernel';
import { sql } from 'kysely';
import type { Pii } from '../crypto/pii.js';
import { inScope } from '../members/scope.js';
import { day } from '../paging.js';
import type { CabinetFrontDb } from '../tables.js';
import * as S from './data.schema.js';

const consumer = { access: { roles: ['consumer'] } } as const;
export const MAX_HOURLY_DAYS = 366;

/**
 * Contracts, supply objects, metering points, meters and hourly data, from the front's copy. Every
 * query carries the caller's scope (members/scope.ts): another consumer's row is "not found".
 */
export function registerDataRoutes(app: HttpApp, deps: { database: Database<CabinetFrontDb>; pii: Pii }) {
  const db = deps.database.db;
  const { pii } = deps;

  const contractColumns = ['id', 'consumer_ref', 'number', 'status', day('started_on').as('started'), sql<string | null>`to_char(ended_on, 'YYYY-MM-DD')`.as('ended'), 'window_from_day', 'window_to_day'] as const;
  const contractView = (c: { id: string; consumer_ref: string; number: string; status: string; started: string; ended: string | null; window_from_day: number; window_to_day: number }) => ({
    id: c.id,
    consumerRef: c.consumer_ref,
    number: c.number,
    status: c.status,
    startedOn: c.started,
    ...(c.ended ? { endedOn: c.ended } : {}),
    readingWindow: { fromDay: c.window_from_day, toDay: c.window_to_day },
  });
  const objectView = (o: { id: string; contract_id: string; consumer_ref: string; name: string; address_enc: string }) => ({
    id: o.id,
    contractId: o.contract_id,
    consumerRef: o.consumer_ref,
    name: o.name,
    address: pii.open('supply_objects', 'address_enc', o.id, o.address_enc),
  });
  const pointView = (p: { id: string; object_id: string; contract_id: string; consumer_ref: string; code: string; name: string; voltage: string | null; max_power_kw: string | null }) => ({
    id: p.id,
    objectId: p.object_id,
    contractId: p.contract_id,
    consumerRef: p.consumer_ref,
    code: p.code,
    name: p.name,
    ...(p.voltage ? { voltage: p.voltage } : {}),
    ...(p.max_power_kw ? { maxPowerKw: p.max_power_kw } : {}),
  });
  const meterColumns = [
    'id', 'point_id', 'contract_id', 'consumer_ref', 'serial', 'model', 'kind', 'digits', 'fraction_digits', 'transformation_ratio', 'zones',
    day('installed_on').as('installed'),
    sql<string | null>`to_char(verified_on, 'YYYY-MM-DD')`.as('verified'),
    sql<string | null>`to_char(next_verification_on, 'YYYY-MM-DD')`.as('next_verification'),
    sql<string | null>`average_monthly_kwh::text`.as('average'),
    'last_readings',
  ] as const;
  type MeterRow = { id: string; point_id: string; contract_id: string; consumer_ref: string; serial: string; model: string; kind: string; digits: number; fraction_digits: number; transformation_ratio: string; zones: string[]; installed: string; verified: string | null; next_verification: string | null; average: string | null; last_readings: Array<{ zone: string; date: string; value: string }> };
  const meterView = (m: MeterRow) => ({
    id: m.id,
    pointId: m.point_id,
    contractId: m.contract_id,
    consumerRef: m.consumer_ref,
    serial: m.serial,
    model: m.model,
    kind: m.kind,
    digits: m.digits,
    fractionDigits: m.fraction_digits,
    transformationRatio: m.transformation_ratio,
    zones: m.zones,
    installedOn: m.installed,
    ...(m.verified ? { verifiedOn: m.verified } : {}),
    ...(m.next_verification ? { nextVerificationOn: m.next_verification } : {}),
    ...(m.average ? { averageMonthlyKwh: m.average } : {}),
    lastReadings: m.last_readings ?? [],
  });
  const total = (n: { n: string | number | bigint } | undefined) => Number(n?.n ?? 0);

  app.get('/api/contracts', { config: consumer, schema: { tags: ['contracts'], summary: 'Contracts of the consumers you act for', querystring: S.ContractsQuery, response: { 200: S.ContractsPage } } }, async (request) => {
    const q = request.query;
    let base = db.selectFrom('contracts').where(inScope(request.user!.id, 'view'));
    if (q.consumerRef) base = base.where('consumer_ref', '=', q.consumerRef);
    if (q.status) base = base.where('status', '=', q.status);
    const [rows, n] = await Promise.all([
      base.select(contractColumns).orderBy('number').orderBy('id').limit(q.limit).offset(q.offset).execute(),
      base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirst(),
    ]);
    return { items: rows.map(contractView), total: total(n), limit: q.limit, offset: q.offset };
  });

  app.get('/api/contracts/:contractId', { config: consumer, schema: { tags: ['contracts'], summary: 'A contract with its supply objects, metering points and meters', params: S.ContractParams, response: { 200: S.ContractDetail } } }, async (request) => {
    const userId = request.user!.id;
    const contract = await db.selectFrom('contracts').select(contractColumns).where('id', '=', request.params.contractId).where(inScope(userId, 'view')).executeTakeFirst();
    if (!contract) throw notFound('contract_not_found', 'No such contract');
    const [objects, points, meters] = await Promise.all([
      db.selectFrom('supply_objects').selectAll().where('contract_id', '=', contract.id).orderBy('name').orderBy('id').execute(),
      db.selectFrom('metering_points').selectAll().where('contract_id', '=', contract.id).orderBy('code').orderBy('id').execute(),
      db.selectFrom('meters').select(meterColumns).where('contract_id', '=', contract.id).orderBy('serial').orderBy('id').execute(),
    ]);
    return {
      ...contractView(contract),
      objects: objects.map((o) => ({
        ...objectView(o),
        meteringPoints: points.filter((p) => p.object_id === o.id).map((p) => ({ ...pointView(p), meters: meters.filter((m) => m.point_id === p.id).map((m) => meterView(m as MeterRow)) })),
      })),
    };
  });

  app.get('/api/supply-objects', { config: consumer, schema: { tags: ['contracts'], summary: 'Supply objects', querystring: S.ObjectsQuery, response: { 200: S.ObjectsPage } } }, async (request) => {
    const q = request.query;
    let base = db.selectFrom('supply_objects').where(inScope(request.user!.id, 'view'));
    if (q.contractId) base = base.where('contract_id', '=', q.contractId);
    const [rows, n] = await Promise.all([
      base.selectAll().orderBy('name').orderBy('id').limit(q.limit).offset(q.offset).execute(),
      base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirst(),
    ]);
    return { items: rows.map(objectView), total: total(n), limit: q.limit, offset: q.offset };
  });

  app.get('/api/supply-objects/:objectId', { config: consumer, schema: { tags: ['contracts'], summary: 'A supply object', params: S.ObjectParams, response: { 200: S.SupplyObject } } }, async (request) => {
    const row = await db.selectFrom('supply_objects').selectAll().where('id', '=', request.params.objectId).where(inScope(request.user!.id, 'view')).executeTakeFirst();
    if (!row) throw notFound('supply_object_not_found', 'No such supply object');
    return objectView(row);
  });

  app.get('/api/metering-points', { config: consumer, schema: { tags: ['metering'], summary: 'Metering points', querystring: S.PointsQuery, response: { 200: S.PointsPage } } }, async (request) => {
    const q = request.query;
    let base = db.selectFrom('metering_points').where(inScope(request.user!.id, 'view'));
    if (q.contractId) base = base.where('contract_id', '=', q.contractId);
    if (q.objectId) base = base.where('object_id', '=', q.objectId);
    const [rows, n] = await Promise.all([
      base.selectAll().orderBy('code').orderBy('id').limit(q.limit).offset(q.offset).execute(),
      base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirst(),
    ]);
    return { items: rows.map(pointView), total: total(n), limit: q.limit, offset: q.offset };
  });

  app.get('/api/metering-points/:pointId', { config: consumer, schema: { tags: ['metering'], summary: 'A metering point', params: S.PointParams, response: { 200: S.MeteringPoint } } }, async (request) => {
    const row = await db.selectFrom('metering_points').selectAll().where('id', '=', request.params.pointId).where(inScope(request.user!.id, 'view')).executeTakeFirst();
    if (!row) throw notFound('metering_point_not_found', 'No such metering point');
    return pointView(row);
  });

  app.get(
    '/api/metering-points/:pointId/hourly',
    { config: consumer, schema: { tags: ['metering'], summary: `Hourly metered data or billing's calculated profile for a period (at most ${MAX_HOURLY_DAYS} days)`, params: S.PointParams, querystring: S.HourlyQuery, response: { 200: S.Hourly } } },
    async (request) => {
      const { from, to, kind } = request.query;
      if (to < from) throw badRequest('period_reversed', '`to` is before `from`', 'to');
      const days = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000 + 1;
      if (days > MAX_HOURLY_DAYS) throw badRequest('period_too_long', `At most ${MAX_HOURLY_DAYS} days at a time`, 'to');
      const point = await db.selectFrom('metering_points').select('id').where('id', '=', request.params.pointId).where(inScope(request.user!.id, 'view')).executeTakeFirst();
      if (!point) throw notFound('metering_point_not_found', 'No such metering point');
      const rows = await db.selectFrom('hourly_days').select([day('day').as('date'), 'hours']).where('point_id', '=', point.id).where('kind', '=', kind).where('day', '>=', from).where('day', '<=', to).orderBy('day').execute();
      return { pointId: point.id, kind, from, to, days: rows };
    },
  );

  app.get('/api/meters', { config: consumer, schema: { tags: ['metering'], summary: 'Meters', querystring: S.MetersQuery, response: { 200: S.MetersPage } } }, async (request) => {
    const q = request.query;
    let base = db.selectFrom('meters').where(inScope(request.user!.id, 'view'));
    if (q.contractId) base = base.where('contract_id', '=', q.contractId);
    if (q.pointId) base = base.where('point_id', '=', q.pointId);
    const [rows, n] = await Promise.all([
      base.select(meterColumns).orderBy('serial').orderBy('id').limit(q.limit).offset(q.offset).execute(),
      base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirst(),
    ]);
    return { items: rows.map((m) => meterView(m as MeterRow)), total: total(n), limit: q.limit, offset: q.offset };
  });

  app.get('/api/meters/:meterId', { config: consumer, schema: { tags: ['metering'], summary: 'A meter: type, serial, digits, ratio, verification dates, zones, last accepted readings', params: S.MeterParams, response: { 200: S.Meter } } }, async (request) => {
    const row = await db.selectFrom('meters').select(meterColumns).where('id', '=', request.params.meterId).where(inScope(request.user!.id, 'view')).executeTakeFirst();
    if (!row) throw notFound('meter_not_found', 'No such meter');
    return meterView(row as MeterRow);
  });
}
