import { auditContext, type HttpApp } from '@app/kernel';
import { DocumentParams, DocumentView } from '../applications/applications.schema.js';
import type { Signatures } from './signatures.service.js';
import * as S from './signatures.schema.js';
import { pageOf, pageQuery } from '../paging.js';

const consumer = { access: { roles: ['consumer'] } } as const;
const tags = ['documents and signatures'];

/**
 * Documents issued for signature and their signing. For the SPA (a later issue): fetch the PDF, have
 * the browser's crypto plugin make a detached CMS over exactly those bytes, and POST its base64 to
 * `/signatures`; a refusal is 422 with the reason code and the verification report.
 */
export function registerSignatureRoutes(app: HttpApp, deps: { signatures: Signatures }) {
  const { signatures } = deps;
  const user = (request: { user: { id: string } | null }) => request.user!.id;
  app.get('/api/documents', { config: consumer, schema: { tags, summary: 'Documents issued to you for signature (status=issued: awaiting your signature), with their signatures, newest first', querystring: pageQuery(S.DocumentsQuery.properties), response: { 200: pageOf(DocumentView) } } }, async (request) =>
    signatures.list(user(request), request.query),
  );
  app.get('/api/documents/:documentId', { config: consumer, schema: { tags, summary: 'A document with who signed it and when', params: DocumentParams, response: { 200: DocumentView } } }, async (request) =>
    signatures.get(user(request), request.params.documentId),
  );
  app.get('/api/documents/:documentId/pdf', { config: consumer, schema: { tags, summary: 'The document as issued (the bytes a signature covers)', params: DocumentParams } }, async (request, reply) => {
    const pdf = await signatures.pdf(user(request), request.params.documentId);
    return reply.type('application/pdf').header('content-disposition', `attachment; filename="document.pdf"; filename*=UTF-8''${encodeURIComponent(pdf.fileName)}`).send(pdf.bytes);
  });
  app.post(
    '/api/documents/:documentId/signatures',
    { config: consumer, schema: { tags, summary: 'Sign with a detached CMS/PKCS#7 signature (RSA, ECDSA, GOST R 34.10-2012)', params: DocumentParams, body: S.CmsSignatureBody, response: { 201: S.SignatureAnswer } } },
    async (request, reply) => reply.status(201).send(await signatures.signCms(user(request), request.params.documentId, request.body.signatureBase64, auditContext(request))),
  );
  app.post(
    '/api/documents/:documentId/simple-signature',
    { config: consumer, schema: { tags, summary: 'Simple electronic signature: send a one-time code (where the supplier allows it)', params: DocumentParams, response: { 202: S.ChallengeAnswer } } },
    async (request, reply) => reply.status(202).send(await signatures.startSimple(user(request), request.params.documentId)),
  );
  app.post(
    '/api/documents/:documentId/simple-signature/:challengeId/confirm',
    { config: consumer, schema: { tags, summary: 'Simple electronic signature: confirm with the code', params: S.SimpleParams, body: S.SimpleConfirmBody, response: { 201: S.SignatureAnswer } } },
    async (request, reply) => reply.status(201).send(await signatures.confirmSimple(user(request), request.params.documentId, request.params.challengeId, request.body.code, auditContext(request))),
  );
}
