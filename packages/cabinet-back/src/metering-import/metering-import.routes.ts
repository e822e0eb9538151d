import { Readable } from 'node:stream';
import { AppError, typed, unavailable, type HttpApp } from '@app/kernel';
import { Type } from 'typebox';
import type { BillingAdapter } from '../billing/billing-adapter.js';
import { import80020, type MeteringImportOptions } from './metering-import.js';

const employee = { access: { roles: ['employee'] } } as const;

const Problem = Type.Object({ code: Type.String(), message: Type.String(), line: Type.Integer(), column: Type.Integer(), element: Type.String(), pointCode: Type.Optional(Type.String()), channelCode: Type.Optional(Type.String()), period: Type.Optional(Type.String()) });
const Answer = Type.Object({
  day: Type.String(),
  senderInn: Type.String(),
  points: Type.Array(Type.Object({ code: Type.String(), meteringPointId: Type.String(), accepted: Type.Integer(), rejected: Type.Array(Type.Object({ date: Type.Optional(Type.String()), code: Type.String(), message: Type.String() })) })),
  problems: Type.Array(Problem),
  channelsRead: Type.Integer(),
  channelsIgnored: Type.Integer(),
});

/** The back office takes an 80020 file from the grid or the market and hands it to billing (metering-import.ts). */
export function registerMeteringImportRoutes(app: HttpApp, deps: { adapter?: BillingAdapter; today: () => string; maxBytes?: number; options?: MeteringImportOptions }) {
  void app.register(async (instance) => {
    const scope = typed(instance);
    for (const type of ['application/xml', 'text/xml', 'application/octet-stream']) scope.addContentTypeParser(type, (_request, payload, done) => done(null, payload));
    scope.post(
      '/api/back-office/metering-imports/80020',
      {
        config: employee,
        bodyLimit: deps.maxBytes ?? 50 * 1024 * 1024,
        schema: { tags: ['metering import'], summary: 'Hand an 80020 file (body) for one consumer to billing: per point what billing stored and refused, per problem its code, line and column', querystring: Type.Object({ consumerRef: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false }), response: { 200: Answer } },
      },
      async (request) => {
        if (!deps.adapter) throw unavailable('billing_unavailable', 'No billing is configured for this back office');
        if (!(request.body instanceof Readable)) throw new AppError('unsupported_media_type', 415, 'Send the 80020 XML file itself as the body (content-type application/xml)');
        return import80020(deps.adapter, request.query.consumerRef, request.body, deps.today(), deps.options);
      },
    );
  });
}
