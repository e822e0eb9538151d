import { extname } from 'node:path';
import multipart from '@fastify/multipart';
import { AppError, auditContext, badRequest, recordAudit, typed, type Database, type HttpApp } from '@app/kernel';
import type { FastifyRequest } from 'fastify';
import type { PrepaidDb } from '../tables.js';
import { defaultLimits } from './reader.js';
import { RegistryService } from './registry.service.js';
import * as S from './registry.schema.js';
import { csvTemplate, xlsxTemplate } from './templates.js';

/**
 * Staff HTTP of registries (under /api/staff/registries): upload (multipart, streamed to the service),
 * status and progress, the lines page (preview before apply, results after), apply, and templates.
 * Operators upload and preview (seed 004: the operator processes registries); applying is for the
 * settlement specialist and the manager, since a registry moves money or many clients at once.
 * Apply answers 202 as soon as the registry is claimed and goes on in the background; progress is
 * the registry's status. Multipart is registered in this scope only.
 */
const operator = { access: { roles: ['operator'] } } as const;
const settlement = { access: { roles: ['settlement'] } } as const;
const tags = ['registries'];

export async function registerRegistryRoutes(app: HttpApp, deps: { database: Database<PrepaidDb>; registries?: RegistryService }) {
  const registries = deps.registries ?? new RegistryService(deps.database);
  const running = new Set<Promise<unknown>>();
  app.addHook('onClose', async () => {
    await Promise.allSettled(running);
  });
  const audit = (request: FastifyRequest, action: string, id: string, details: Record<string, unknown>) =>
    recordAudit(deps.database.db, { ...auditContext(request), action, targetType: 'registry', targetId: id, details });

  await app.register(async (scope) => {
    const r = typed(scope);
    await r.register(multipart, { limits: { fileSize: defaultLimits.maxFileBytes, files: 1, fields: 0, parts: 1 } });

    r.post(
      '/api/staff/registries',
      {
        config: operator,
        schema: {
          tags,
          summary: 'Upload a client or credit registry (CSV or .xlsx, multipart field "file"): read, validated, ready to preview; a file seen before is answered with the earlier registry (200)',
          consumes: ['multipart/form-data'],
          querystring: S.UploadQuery,
          response: { 200: S.Received, 201: S.Received },
        },
      },
      async (request, reply) => {
        const file = await request.file();
        if (!file) throw badRequest('file_required', 'Send the registry as the multipart field "file"', 'file');
        const q = request.query;
        const format = q.format ?? formatOf(file.filename);
        try {
          const received = await registries.receive(file.file, {
            kind: q.kind,
            format,
            fileName: file.filename,
            registryNumber: q.number,
            encoding: q.encoding,
            source: 'staff',
            receivedBy: request.user!.loginKey,
          });
          await audit(request, received.duplicate ? 'registry.resent' : 'registry.receive', received.registry.id, { kind: q.kind, number: received.registry.number, duplicate: received.duplicate });
          return reply.status(received.duplicate ? 200 : 201).send(received);
        } catch (error) {
          file.file.resume();
          throw error;
        }
      },
    );
  });

  app.get('/api/staff/registries', { config: operator, schema: { tags, summary: 'Registries, newest first', querystring: S.ListQuery, response: { 200: S.RegistryList } } }, async (request) =>
    registries.list(request.query),
  );

  app.get(
    '/api/staff/registries/:id',
    { config: operator, schema: { tags, summary: 'A registry: status, error of a rejected file, line counters (progress while reading and applying)', params: S.RegistryParams, response: { 200: S.RegistryView } } },
    async (request) => registries.status(request.params.id),
  );

  app.get(
    '/api/staff/registries/:id/lines',
    {
      config: operator,
      schema: {
        tags,
        summary: 'Lines of a registry, paged: before apply what each would change or why it cannot be applied; after, its result',
        params: S.RegistryParams,
        querystring: S.LinesQuery,
        response: { 200: S.LinesPage },
      },
    },
    async (request) => registries.preview(request.params.id, request.query),
  );

  app.post(
    '/api/staff/registries/:id/apply',
    { config: settlement, schema: { tags, summary: 'Apply a validated registry (each line wholly or not at all); answers once started, progress is the registry status', params: S.RegistryParams, querystring: S.ApplyQuery, response: { 202: S.RegistryView } } },
    async (request, reply) => {
      const id = request.params.id;
      const by = request.user!.loginKey;
      await new Promise<void>((resolve, reject) => {
        const run = registries.apply(id, { appliedBy: by, force: request.query.force, onStarted: resolve });
        running.add(run);
        run
          .then(() => resolve())
          .catch((error: unknown) => {
            reject(error);
            if (!(error instanceof AppError)) request.log.error({ err: error, registryId: id }, 'registry apply failed');
          })
          .finally(() => running.delete(run));
      });
      await audit(request, 'registry.apply', id, {});
      return reply.status(202).send(await registries.status(id));
    },
  );

  app.get(
    '/api/staff/registries/templates/:file',
    { config: operator, schema: { tags, summary: 'A registry template: clients.csv, clients.xlsx, credits.csv, credits.xlsx', params: S.TemplateParams } },
    async (request, reply) => {
      const [kind, format] = request.params.file.split('.') as ['clients' | 'credits', 'csv' | 'xlsx'];
      const body = format === 'csv' ? csvTemplate(kind) : await xlsxTemplate(kind);
      return reply
        .header('content-type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .header('content-disposition', `attachment; filename="${request.params.file}"`)
        .send(body);
    },
  );
}

function formatOf(fileName: string): 'csv' | 'xlsx' {
  const ext = extname(fileName).toLowerCase();
  if (ext === '.csv' || ext === '.txt') return 'csv';
  if (ext === '.xlsx') return 'xlsx';
  throw new AppError('unsupported_format', 415, `Registries are CSV or .xlsx files, not "${ext || fileName}"; or name the format`);
}
