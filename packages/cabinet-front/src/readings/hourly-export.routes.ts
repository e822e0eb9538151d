import type { HttpApp } from '@app/kernel';
import { Type } from 'typebox';
import { DateOnlyParam } from '../paging.js';
import type { ExportFile, HourlyExport } from './hourly-export.js';

interface ReplyLike<R> {
  type(contentType: string): R;
  header(name: string, value: string): R;
  send(body: unknown): unknown;
}

const consumer = { access: { roles: ['consumer'] } } as const;
const tags = ['metering'];
const Id = Type.String({ minLength: 1, maxLength: 64 });

export const ExportQuery = Type.Object(
  {
    from: DateOnlyParam,
    to: DateOnlyParam,
    format: Type.Union([Type.Literal('csv'), Type.Literal('xlsx'), Type.Literal('80020')], { default: 'csv' }),
    /** Default: metered data for a point with an interval meter, billing's calculated profile otherwise. */
    kind: Type.Optional(Type.Union([Type.Literal('metered'), Type.Literal('profile')])),
    /** 80020 only; windows-1251 by default. */
    encoding: Type.Optional(Type.Union([Type.Literal('windows-1251'), Type.Literal('utf-8')])),
  },
  { additionalProperties: false },
);

const produces = ['text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'application/xml', 'application/zip'];

/** Hourly data export routes (hourly-export.ts): a point's or a contract's, CSV / Excel / 80020. */
export function registerHourlyExportRoutes(app: HttpApp, deps: { exports: HourlyExport }) {
  const send = <R extends ReplyLike<R>>(reply: R, file: ExportFile) =>
    reply.type(file.contentType).header('content-disposition', `attachment; filename="${file.fileName}"`).header('cache-control', 'private, no-store').send(file.body);
  app.get(
    '/api/metering-points/:pointId/hourly/export',
    { config: consumer, schema: { tags, summary: 'A metering point\'s hourly data for a date range as CSV, Excel or 80020 (a ZIP of daily files for a range)', params: Type.Object({ pointId: Id }), querystring: ExportQuery, produces } },
    async (request, reply) => send(reply, await deps.exports.point(request.user!.id, request.params.pointId, request.query)),
  );
  app.get(
    '/api/contracts/:contractId/hourly/export',
    { config: consumer, schema: { tags, summary: 'Hourly data of every metering point of a contract for a date range as CSV, Excel or 80020', params: Type.Object({ contractId: Id }), querystring: ExportQuery, produces } },
    async (request, reply) => send(reply, await deps.exports.contract(request.user!.id, request.params.contractId, request.query)),
  );
}
