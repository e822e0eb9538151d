import { PassThrough } from 'node:stream';
import { auditContext, recordAudit, startOfLocalDay, type Database, type HttpApp } from '@app/kernel';
import * as S from './settlement.schema.js';
import type { SettlementRegistry, SettlementService } from './settlement.service.js';

/**
 * Staff HTTP of settlement registries (role settlement and above): make one on request, list, look at
 * one (totals and reconciliation), download it as CSV or xlsx. Files stream from the journal; a registry
 * that no longer matches its checksum is cut off mid-download rather than sent (and logged).
 */
const settlement = { access: { roles: ['settlement'] } } as const;
const tags = ['settlement'];

export function registerSettlementRoutes(app: HttpApp, deps: { database: Database<unknown>; settlement: SettlementService; timeZone: string }) {
  const { settlement: service, timeZone } = deps;
  const instant = (value: string) => (/^\d{4}-\d{2}-\d{2}$/.test(value) ? startOfLocalDay(value, timeZone) : new Date(value));

  app.post(
    '/api/staff/settlement/registries',
    {
      config: settlement,
      schema: { tags, summary: 'Make the settlement registry of a merchant or service provider for a period that is over; an existing one is answered (200)', body: S.GenerateBody, response: { 200: S.RegistryView, 201: S.RegistryView } },
    },
    async (request, reply) => {
      const b = request.body;
      const { registry, created } = await service.generate({ kind: b.kind, partyId: b.partyId, from: instant(b.from), to: instant(b.to), createdBy: `staff:${request.user!.loginKey}` });
      if (created) {
        await recordAudit(deps.database.db, { ...auditContext(request), action: 'settlement.generate', targetType: 'settlement_registry', targetId: registry.id, details: { ...b } });
      }
      return reply.status(created ? 201 : 200).send(toJson(registry));
    },
  );

  app.get(
    '/api/staff/settlement/registries',
    { config: settlement, schema: { tags, summary: 'Settlement registries, latest period first', querystring: S.RegistryListQuery, response: { 200: S.RegistryList } } },
    async (request) => {
      const q = request.query;
      const { items, total } = await service.list({ ...q, from: q.from ? instant(q.from) : undefined, to: q.to ? instant(q.to) : undefined });
      return { items: items.map(toJson), total };
    },
  );

  app.get(
    '/api/staff/settlement/registries/:id',
    { config: settlement, schema: { tags, summary: 'A settlement registry: totals per product and its reconciliation with the ledger', params: S.RegistryParams, response: { 200: S.RegistryView } } },
    async (request) => toJson(await service.find(request.params.id)),
  );

  app.get(
    '/api/staff/settlement/registries/:id/:format',
    { config: settlement, schema: { tags, summary: 'Download a settlement registry as CSV (UTF-8, ";") or xlsx', params: S.FileParams } },
    async (request, reply) => {
      const { id, format } = request.params;
      const registry = await service.find(id);
      await recordAudit(deps.database.db, { ...auditContext(request), action: 'settlement.download', targetType: 'settlement_registry', targetId: id, details: { format } });
      const body = new PassThrough();
      service.render(id, format, body).catch((error: unknown) => {
        request.log.error({ err: error, registryId: id }, 'settlement registry download failed');
        body.destroy(error as Error);
      });
      return reply
        .header('content-type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .header('content-disposition', `attachment; filename="${registry.fileStem}.${format}"`)
        .send(body);
    },
  );
}

export function toJson(r: SettlementRegistry) {
  return {
    ...r,
    from: r.from.toISOString(),
    to: r.to.toISOString(),
    createdAt: r.createdAt.toISOString(),
    purchases: Number(r.purchases),
    returns: Number(r.returns),
    net: Number(r.net),
    totals: r.totals.map((t) => ({ ...t, purchases: Number(t.purchases), returns: Number(t.returns), net: Number(t.net) })),
  };
}
