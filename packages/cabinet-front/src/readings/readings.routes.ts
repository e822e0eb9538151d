import type { HttpApp } from '@app/kernel';
import type { Readings } from './readings.service.js';
import * as S from './readings.schema.js';

const consumer = { access: { roles: ['consumer'] } } as const;
const tags = ['readings'];

/** Reading entry and history. Submitting needs the `submit_readings` right for the meters' consumer. */
export function registerReadingRoutes(app: HttpApp, deps: { readings: Readings }) {
  const { readings } = deps;
  app.post(
    '/api/readings',
    {
      config: consumer,
      schema: {
        tags,
        summary: 'Enter integral readings (one per meter and zone); 422 with the field and code when one breaks a rule, nothing stored',
        body: S.SubmitReadingsBody,
        response: { 202: S.Submitted },
      },
    },
    async (request, reply) => reply.status(202).send(await readings.submit(request.user!.id, request.body)),
  );
  app.get('/api/readings', { config: consumer, schema: { tags, summary: 'Readings sent through the cabinet and from other sources, with billing\'s acceptance', querystring: S.ReadingsQuery, response: { 200: S.ReadingsPage } } }, async (request) =>
    readings.list(request.user!.id, request.query),
  );
  app.get('/api/readings/:readingId', { config: consumer, schema: { tags, summary: 'One reading and its acceptance', params: S.ReadingParams, response: { 200: S.Reading } } }, async (request) =>
    readings.get(request.user!.id, request.params.readingId),
  );
}
