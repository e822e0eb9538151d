import { auditContext, conflict, notFound, recordAudit, type Database, type HttpApp } from '@app/kernel';
import type { FastifyRequest } from 'fastify';
import type { PrepaidDb } from '../tables.js';
import { issueKey } from './api-key.js';
import * as S from './partner.schema.js';

/** Managers register partner systems and issue or revoke their API keys; a key is shown once. */
const manager = { access: { roles: ['manager'] } } as const;

export function registerPartnerAdminRoutes(app: HttpApp, deps: { database: Database<PrepaidDb> }) {
  const db = deps.database.db;
  const tags = ['partners'];
  const audit = (request: FastifyRequest, action: string, targetId: string, details: Record<string, unknown> = {}) =>
    recordAudit(db, { ...auditContext(request), action, targetType: 'partner', targetId, details });
  const partnerExists = async (id: string) => {
    if (!(await db.selectFrom('partners').select('id').where('id', '=', id).executeTakeFirst())) throw notFound('partner_not_found', 'No such partner');
  };

  app.get('/api/partners', { config: manager, schema: { tags, summary: 'Partner systems' } }, async () => ({
    items: (await db.selectFrom('partners').selectAll().orderBy('code').execute()).map((p) => ({ id: p.id, code: p.code, name: p.name, status: p.status, createdAt: p.created_at.toISOString() })),
  }));

  app.post('/api/partners', { config: manager, schema: { tags, summary: 'Register a partner system', body: S.PartnerBody } }, async (request, reply) => {
    const row = await db.insertInto('partners').values(request.body).onConflict((oc) => oc.column('code').doNothing()).returning('id').executeTakeFirst();
    if (!row) throw conflict('partner_exists', 'A partner with this code exists');
    await audit(request, 'partner.create', row.id, { code: request.body.code });
    return reply.status(201).send({ id: row.id });
  });

  app.patch('/api/partners/:id', { config: manager, schema: { tags, summary: 'Block or unblock a partner (all its keys)', params: S.PartnerParams, body: S.PartnerPatch } }, async (request) => {
    const row = await db.updateTable('partners').set({ status: request.body.status }).where('id', '=', request.params.id).returning('id').executeTakeFirst();
    if (!row) throw notFound('partner_not_found', 'No such partner');
    await audit(request, 'partner.status', row.id, { status: request.body.status });
    return { ok: true };
  });

  app.get('/api/partners/:id/keys', { config: manager, schema: { tags, summary: "A partner's API keys (never their secrets)", params: S.PartnerParams } }, async (request) => {
    await partnerExists(request.params.id);
    const rows = await db.selectFrom('partner_api_keys').selectAll().where('partner_id', '=', request.params.id).orderBy('created_at', 'desc').execute();
    return {
      items: rows.map((k) => ({
        id: k.id,
        scopes: k.scopes,
        label: k.label,
        createdBy: k.created_by,
        createdAt: k.created_at.toISOString(),
        expiresAt: k.expires_at?.toISOString() ?? null,
        revokedAt: k.revoked_at?.toISOString() ?? null,
        lastUsedAt: k.last_used_at?.toISOString() ?? null,
      })),
    };
  });

  app.post('/api/partners/:id/keys', { config: manager, schema: { tags, summary: 'Issue an API key; the key is in this answer only', params: S.PartnerParams, body: S.KeyBody } }, async (request, reply) => {
    await partnerExists(request.params.id);
    const issued = issueKey();
    const b = request.body;
    await db
      .insertInto('partner_api_keys')
      .values({ id: issued.id, partner_id: request.params.id, secret_sha256: issued.secretSha256, scopes: b.scopes, label: b.label ?? '', created_by: request.user!.loginKey, expires_at: b.expiresAt ? new Date(b.expiresAt) : null })
      .execute();
    await audit(request, 'partner.key.issue', request.params.id, { keyId: issued.id, scopes: b.scopes });
    return reply.status(201).send({ id: issued.id, key: issued.key, scopes: b.scopes });
  });

  app.post('/api/partners/:id/keys/:keyId/revoke', { config: manager, schema: { tags, summary: 'Revoke an API key (takes effect on the next call)', params: S.KeyParams } }, async (request) => {
    const row = await db
      .updateTable('partner_api_keys')
      .set({ revoked_at: new Date() })
      .where('id', '=', request.params.keyId)
      .where('partner_id', '=', request.params.id)
      .where('revoked_at', 'is', null)
      .returning('id')
      .executeTakeFirst();
    if (!row) throw notFound('key_not_found', 'No such active key');
    await audit(request, 'partner.key.revoke', request.params.id, { keyId: row.id });
    return { ok: true };
  });
}
