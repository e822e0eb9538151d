import { auditContext, badRequest, type Database, type HttpApp } from '@app/kernel';
import type { FastifyRequest } from 'fastify';
import type { OfflineDb } from '../tables.js';
import * as S from './claims.schema.js';
import type { Actor, ClaimsService, ResolveRequest } from './claims.service.js';

/**
 * Staff HTTP of the claims cycle. Roles (each includes the previous, roles.ts): operator opens, comments,
 * attaches and reads; settlement assigns, resolves (money moves) and closes; manager may do everything.
 */
const operator = { access: { roles: ['operator'] } } as const;
const settlement = { access: { roles: ['settlement'] } } as const;
const tags = ['claims'];

const actorOf = (request: FastifyRequest): Actor => ({ ...auditContext(request), login: request.user!.loginKey });

export function registerClaimRoutes(app: HttpApp, deps: { database: Database<OfflineDb>; claims: ClaimsService }) {
  const { claims } = deps;

  app.get('/api/staff/claims', { config: operator, schema: { tags, summary: 'Claims, newest first, filtered and paged on the server', querystring: S.ListQuery, response: { 200: S.ClaimList } } }, async (request) =>
    claims.list(request.query),
  );

  app.post('/api/staff/claims', { config: operator, schema: { tags, summary: 'Open a claim on an operation or a failed operation', body: S.OpenBody, response: { 201: S.Opened } } }, async (request, reply) =>
    reply.status(201).send(await claims.open(request.body, actorOf(request))),
  );

  app.get('/api/staff/claims/:id', { config: operator, schema: { tags, summary: 'A claim with its journal and attachments', params: S.IdParams, response: { 200: S.ClaimView } } }, async (request) => claims.view(request.params.id));

  app.post('/api/staff/claims/:id/assign', { config: settlement, schema: { tags, summary: 'Assign the claim to a staff member (takes it in progress)', params: S.IdParams, body: S.AssignBody, response: { 200: S.Ok } } }, async (request) => {
    await claims.assign(request.params.id, request.body.assignee, actorOf(request));
    return { ok: true };
  });

  app.post('/api/staff/claims/:id/comments', { config: operator, schema: { tags, summary: 'Comment on the claim', params: S.IdParams, body: S.CommentBody, response: { 200: S.Ok } } }, async (request) => {
    await claims.comment(request.params.id, request.body.text, actorOf(request));
    return { ok: true };
  });

  app.post(
    '/api/staff/claims/:id/attachments',
    { config: operator, bodyLimit: 8 * 1024 * 1024, schema: { tags, summary: 'Attach a file (PDF, PNG, JPEG, text, CSV; at most 5 MiB), stored in the database', params: S.IdParams, body: S.AttachBody, response: { 201: S.Attached } } },
    async (request, reply) => {
      const content = Buffer.from(request.body.content, 'base64');
      // Buffer.from drops what is not base64; a round trip tells a real file from a mangled one.
      if (content.toString('base64').replace(/=+$/, '') !== request.body.content.replace(/=+$/, '')) throw badRequest('attachment_not_base64', 'content must be base64', 'content');
      return reply.status(201).send(await claims.attach(request.params.id, { fileName: request.body.fileName, contentType: request.body.contentType, content }, actorOf(request)));
    },
  );

  app.get('/api/staff/claims/:id/attachments/:attachmentId', { config: operator, schema: { tags, summary: 'Download an attachment', params: S.AttachmentParams } }, async (request, reply) => {
    const file = await claims.attachment(request.params.id, request.params.attachmentId);
    return reply
      .type(file.content_type)
      .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(file.file_name)}`)
      .header('x-content-type-options', 'nosniff')
      .send(file.content);
  });

  app.post(
    '/api/staff/claims/:id/resolution',
    { config: settlement, schema: { tags, summary: 'Resolve the claim: reversal, refund or correction (ledger operations under the idempotency key), or reject it', params: S.IdParams, body: S.ResolveBody, response: { 200: S.ClaimView } } },
    async (request) => claims.resolve(request.params.id, request.body as ResolveRequest, actorOf(request)),
  );

  app.post('/api/staff/claims/:id/close', { config: settlement, schema: { tags, summary: 'Close a resolved claim', params: S.IdParams, response: { 200: S.Ok } } }, async (request) => {
    await claims.close(request.params.id, actorOf(request));
    return { ok: true };
  });
}
