import type { Readable } from 'node:stream';
import { AppError, auditContext, notFound, recordAudit, typed, type Database, type HttpApp } from '@app/kernel';
import { Type } from 'typebox';
import type { RegistryService } from '../registries/registry.service.js';
import * as R from '../registries/registry.schema.js';
import type { PrepaidDb } from '../tables.js';
import { scopeRole } from './api-key.js';

/**
 * Registries from a partner system over the REST API. The file is the request body itself (CSV or .xlsx,
 * streamed to the registry service; its own size and zip limits apply), not multipart: a machine client
 * has no form to fill. `apply=true` applies it right after validation — the partner asserts what staff
 * would check in the preview; without it staff apply it in the workplace. A partner sees only the
 * registries it sent (another's id answers 404, like an unknown one).
 */
const write = { access: { roles: [scopeRole('registries:write')] } } as const;
const security = [{ partnerKey: [] }];
const tags = ['partner API'];
const fileTypes = ['text/csv', 'application/octet-stream', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'];

const PartnerUploadQuery = Type.Object(
  {
    kind: Type.Union([Type.Literal('clients'), Type.Literal('credits')]),
    number: Type.String({ pattern: '^[A-Za-z0-9._-]{1,60}$', description: 'Registry number: a second file under a used number is recognised, not applied again' }),
    format: Type.Union([Type.Literal('csv'), Type.Literal('xlsx')]),
    encoding: Type.Optional(Type.Union([Type.Literal('utf-8'), Type.Literal('windows-1251')])),
    apply: Type.Optional(Type.Boolean({ default: false })),
  },
  { additionalProperties: false },
);

export async function registerPartnerRegistryRoutes(app: HttpApp, deps: { database: Database<PrepaidDb>; registries: RegistryService }) {
  const { registries } = deps;
  // Applying goes on after the answer (progress is the registry's status); closing waits for it.
  const running = new Set<Promise<unknown>>();
  app.addHook('onClose', async () => {
    await Promise.allSettled(running);
  });
  const own = async (id: string, partner: string) => {
    const registry = await registries.status(id).catch((error: unknown) => {
      if (error instanceof AppError && error.status === 404) return null;
      throw error;
    });
    if (!registry || registry.receivedBy !== partner) throw notFound('registry_not_found', 'No such registry');
    return registry;
  };

  await app.register(async (scope) => {
    const r = typed(scope);
    // The body stays a stream: a 100,000-line registry is never held in memory.
    r.addContentTypeParser(fileTypes, (_request, payload, done) => done(null, payload));
    r.post(
      '/api/partner/v1/registries',
      {
        config: write,
        schema: { tags, security, summary: 'Send a client or credit registry as the request body (text/csv or .xlsx); with apply=true applying starts at once and goes on after the answer', querystring: PartnerUploadQuery, response: { 200: R.Received, 201: R.Received } },
      },
      async (request, reply) => {
        const q = request.query;
        const partner = request.user!.loginKey;
        // Numbers are the partner's own: two partners may both send a registry numbered 1.
        const received = await registries.receive(request.body as unknown as Readable, { kind: q.kind, format: q.format, registryNumber: `${partner.replace(/^partner:/, '')}#${q.number}`, encoding: q.encoding, source: 'partner', receivedBy: partner });
        if (received.duplicate && received.registry.receivedBy !== partner) throw new AppError('registry_duplicate', 409, 'This file was already received from another sender');
        let registry = received.registry;
        if (!received.duplicate && q.apply && registry.status === 'validated') {
          await new Promise<void>((resolve, reject) => {
            const run = registries.apply(registry.id, { appliedBy: partner, onStarted: resolve });
            running.add(run);
            run.then(() => resolve(), reject).finally(() => running.delete(run));
          });
          registry = await registries.status(registry.id);
        }
        await recordAudit(deps.database.db, { ...auditContext(request), action: received.duplicate ? 'registry.resent' : 'registry.receive', targetType: 'registry', targetId: registry.id, details: { kind: q.kind, number: q.number, via: 'partner_api', apply: q.apply ?? false } });
        return reply.status(received.duplicate ? 200 : 201).send({ registry, duplicate: received.duplicate });
      },
    );
  });

  app.get(
    '/api/partner/v1/registries/:id',
    { config: write, schema: { tags, security, summary: 'A registry sent by this partner: status and line counters', params: R.RegistryParams, response: { 200: R.RegistryView } } },
    async (request) => own(request.params.id, request.user!.loginKey),
  );

  app.get(
    '/api/partner/v1/registries/:id/lines',
    { config: write, schema: { tags, security, summary: 'The result of each line of a registry sent by this partner', params: R.RegistryParams, querystring: R.LinesQuery, response: { 200: R.LinesPage } } },
    async (request) => {
      await own(request.params.id, request.user!.loginKey);
      return registries.preview(request.params.id, request.query);
    },
  );
}
