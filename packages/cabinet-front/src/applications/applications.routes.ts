import type { HttpApp } from '@app/kernel';
import { UPLOAD_BODY_LIMIT } from '../attachments/attachments.schema.js';
import { pageOf, pageQuery } from '../paging.js';
import type { Applications } from './applications.service.js';
import * as S from './applications.schema.js';

const consumer = { access: { roles: ['consumer'] } } as const;
const tags = ['applications'];

/** Contract applications: draft → submit → thread with the supplier → documents to sign (signatures/). */
export function registerApplicationRoutes(app: HttpApp, deps: { applications: Applications }) {
  const { applications } = deps;
  const user = (request: { user: { id: string } | null }) => request.user!.id;
  app.post('/api/applications', { config: consumer, schema: { tags, summary: 'Start an application for a supply contract (a draft)', body: S.ApplicationForm, response: { 201: S.ApplicationDetails } } }, async (request, reply) =>
    reply.status(201).send(await applications.create(user(request), request.body)),
  );
  app.get('/api/applications', { config: consumer, schema: { tags, summary: 'Your applications, newest first', querystring: pageQuery(S.ListQuery.properties), response: { 200: pageOf(S.ApplicationView) } } }, async (request) =>
    applications.list(user(request), request.query),
  );
  app.get('/api/applications/:applicationId', { config: consumer, schema: { tags, summary: 'An application with its thread, files and documents', params: S.ApplicationParams, response: { 200: S.ApplicationDetails } } }, async (request) =>
    applications.get(user(request), request.params.applicationId),
  );
  app.patch('/api/applications/:applicationId', { config: consumer, schema: { tags, summary: 'Change a draft', params: S.ApplicationParams, body: S.ApplicationPatch, response: { 200: S.ApplicationDetails } } }, async (request) =>
    applications.update(user(request), request.params.applicationId, request.body),
  );
  app.post('/api/applications/:applicationId/submit', { config: consumer, schema: { tags, summary: 'Submit the draft to the supplier', params: S.ApplicationParams, response: { 200: S.ApplicationDetails } } }, async (request) =>
    applications.submit(user(request), request.params.applicationId),
  );
  app.post('/api/applications/:applicationId/messages', { config: consumer, bodyLimit: UPLOAD_BODY_LIMIT, schema: { tags, summary: 'Write to the supplier in the application’s thread', params: S.ApplicationParams, body: S.MessageBody, response: { 201: S.ApplicationDetails } } }, async (request, reply) =>
    reply.status(201).send(await applications.postMessage(user(request), request.params.applicationId, request.body)),
  );
  app.post('/api/applications/:applicationId/withdraw', { config: consumer, schema: { tags, summary: 'Withdraw the application', params: S.ApplicationParams, response: { 200: S.ApplicationDetails } } }, async (request) =>
    applications.withdraw(user(request), request.params.applicationId),
  );
}
