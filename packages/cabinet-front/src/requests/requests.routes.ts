import type { HttpApp } from '@app/kernel';
import { UPLOAD_BODY_LIMIT } from '../attachments/attachments.schema.js';
import { pageOf, pageQuery } from '../paging.js';
import type { Requests } from './requests.service.js';
import * as S from './requests.schema.js';

const consumer = { access: { roles: ['consumer'] } } as const;
const tags = ['requests'];

/** Requests (обращения) with typed forms, a thread with the supplier, files both ways. */
export function registerRequestRoutes(app: HttpApp, deps: { requests: Requests }) {
  const { requests } = deps;
  const user = (request: { user: { id: string } | null }) => request.user!.id;
  app.post('/api/requests', { config: consumer, schema: { tags, summary: 'Write a request (its typed form by kind)', body: S.RequestForm, response: { 201: S.RequestDetails } } }, async (request, reply) =>
    reply.status(201).send(await requests.create(user(request), request.body as never)),
  );
  app.get('/api/requests', { config: consumer, schema: { tags, summary: 'Your requests, newest first', querystring: pageQuery(S.ListQuery.properties), response: { 200: pageOf(S.RequestView) } } }, async (request) =>
    requests.list(user(request), request.query),
  );
  app.get('/api/requests/:requestId', { config: consumer, schema: { tags, summary: 'A request with its thread and files', params: S.RequestParams, response: { 200: S.RequestDetails } } }, async (request) =>
    requests.get(user(request), request.params.requestId),
  );
  app.post('/api/requests/:requestId/messages', { config: consumer, bodyLimit: UPLOAD_BODY_LIMIT, schema: { tags, summary: 'Write in the request’s thread', params: S.RequestParams, body: S.RequestMessageBody, response: { 201: S.RequestDetails } } }, async (request, reply) =>
    reply.status(201).send(await requests.postMessage(user(request), request.params.requestId, request.body)),
  );
  app.post('/api/requests/:requestId/close', { config: consumer, schema: { tags, summary: 'Close the request', params: S.RequestParams, response: { 200: S.RequestDetails } } }, async (request) =>
    requests.close(user(request), request.params.requestId),
  );
}
