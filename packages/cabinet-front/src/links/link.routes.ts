import type { HttpApp } from '@app/kernel';
import { pageOf, pageQuery } from '../paging.js';
import type { Links } from './link.service.js';
import * as S from './link.schema.js';

const consumer = { access: { roles: ['consumer'] } } as const;
const tags = ['links'];

/**
 * Linking a contract: at once by number + the secret from an invoice, or by a request a supplier
 * employee confirms. Both answer 202 with the request (pending); link.accepted/link.rejected from the
 * back decide it, and the linking user becomes the consumer's owner.
 */
export function registerLinkRoutes(app: HttpApp, deps: { links: Links }) {
  const { links } = deps;
  app.post('/api/links/by-secret', { config: consumer, schema: { tags, summary: 'Link a contract by its number and the secret printed on its invoices', body: S.LinkBySecretBody, response: { 202: S.LinkRequest } } }, async (request, reply) =>
    reply.status(202).send(await links.bySecret(request.user!.id, request.body)),
  );
  app.post('/api/links/by-request', { config: consumer, schema: { tags, summary: 'Ask the supplier to link a contract (confirmed in the back office)', body: S.LinkByRequestBody, response: { 202: S.LinkRequest } } }, async (request, reply) =>
    reply.status(202).send(await links.byRequest(request.user!.id, request.body)),
  );
  app.get('/api/links', { config: consumer, schema: { tags, summary: 'Your link requests and their outcome', querystring: pageQuery({}), response: { 200: pageOf(S.LinkRequest) } } }, async (request) =>
    links.list(request.user!.id, request.query),
  );
  app.get('/api/links/:linkId', { config: consumer, schema: { tags, summary: 'One link request', params: S.LinkParams, response: { 200: S.LinkRequest } } }, async (request) => links.get(request.user!.id, request.params.linkId));
}
