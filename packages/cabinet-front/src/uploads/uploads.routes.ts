import { Readable } from 'node:stream';
import { AppError, typed, type HttpApp } from '@app/kernel';
import type { ReadingUploads } from './uploads.service.js';
import * as S from './uploads.schema.js';

const consumer = { access: { roles: ['consumer'] } } as const;
const tags = ['readings'];
export const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/**
 * The readings template and uploads. The file is the request body itself (the SPA sends the File object),
 * read as a stream and spooled with its own size cap, not through the JSON body limit.
 */
export function registerUploadRoutes(app: HttpApp, deps: { uploads: ReadingUploads }) {
  const { uploads } = deps;
  app.get(
    '/api/consumers/:consumerRef/readings-template',
    { config: consumer, schema: { tags, summary: 'The Excel template of the consumer\'s own meters (a sheet per tariff zone) and interval points (hourly sheet, 24 columns per day)', params: S.ConsumerParams, querystring: S.TemplateQuery, produces: [XLSX] } },
    async (request, reply) => {
      const file = await uploads.template(request.user!.id, request.params.consumerRef, request.query);
      return reply.type(XLSX).header('content-disposition', 'attachment; filename="readings-template.xlsx"').header('cache-control', 'private, no-store').send(file);
    },
  );
  app.get('/api/readings/uploads/:uploadId', { config: consumer, schema: { tags, summary: 'An upload job: status, progress, per-cell errors, what was sent', params: S.UploadParams, response: { 200: S.Upload } } }, async (request) =>
    uploads.get(request.user!.id, request.params.uploadId),
  );
  void app.register(async (instance) => {
    const scope = typed(instance);
    // In this scope only: the workbook arrives as a stream (no buffering of a 10 MB body).
    for (const type of [XLSX, 'application/octet-stream']) scope.addContentTypeParser(type, (_request, payload, done) => done(null, payload));
    scope.post(
      '/api/readings/uploads',
      {
        config: consumer,
        schema: { tags, summary: 'Upload a filled template (body: the .xlsx file): 202 with the upload job to poll', querystring: S.UploadQuery, response: { 202: S.Upload } },
      },
      async (request, reply) => {
        // Only the two types above arrive as a stream; JSON or text parsed by Fastify is not a workbook.
        if (!(request.body instanceof Readable)) throw new AppError('unsupported_media_type', 415, `Send the .xlsx file itself as the body (content-type ${XLSX})`);
        const file = request.body;
        return reply.status(202).send(await uploads.start(request.user!.id, { consumerRef: request.query.consumerRef, file, ...(request.query.fileName ? { fileName: request.query.fileName } : {}), ...(request.query.confirmJump !== undefined ? { confirmJump: request.query.confirmJump } : {}) }));
      },
    );
  });
  void app.register(async (instance) => {
    const scope = typed(instance);
    // The 80020 file streams too (up to 50 MiB); its bytes are decoded by the encoding its XML declaration names.
    for (const type of ['application/xml', 'text/xml', 'application/octet-stream']) scope.addContentTypeParser(type, (_request, payload, done) => done(null, payload));
    scope.post(
      '/api/readings/uploads/80020',
      {
        config: consumer,
        schema: { tags, summary: 'Upload hourly data as an 80020 XML file (body: the file; windows-1251 or UTF-8 as its declaration says): 202 with the upload job to poll', querystring: S.Upload80020Query, response: { 202: S.Upload } },
      },
      async (request, reply) => {
        if (!(request.body instanceof Readable)) throw new AppError('unsupported_media_type', 415, 'Send the 80020 XML file itself as the body (content-type application/xml)');
        return reply.status(202).send(await uploads.start80020(request.user!.id, { consumerRef: request.query.consumerRef, file: request.body, ...(request.query.fileName ? { fileName: request.query.fileName } : {}) }));
      },
    );
  });
}
