import { createHash } from 'node:crypto';
import type { SupportGranted } from '@app/cabinet-contracts';
import { AppError, auditContext, insertUser, notFound, recordAudit, type AuthHandle, type Database, type HttpApp } from '@app/kernel';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sql, type Transaction } from 'kysely';
import { Type } from 'typebox';
import '../members/members.tables.js';
import { rightsFor } from '../members/scope.js';
import * as S from '../read-model/data.schema.js';
import type { CabinetFrontDb } from '../tables.js';

/** How long a support employee's read-only session lasts at most. */
const SESSION_MINUTES = 30;

/** The back's grant, as it arrives over the bus: kept until used once or expired. */
export async function applySupportGranted(trx: Transaction<CabinetFrontDb>, grant: SupportGranted) {
  await trx
    .insertInto('support_grants')
    .values({
      id: grant.grantId,
      consumer_ref: grant.consumerRef,
      token_hash: grant.tokenSha256,
      employee_login: grant.employee.login,
      employee_name: grant.employee.name,
      reason: grant.reason,
      expires_at: new Date(grant.expiresAt),
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}

const Visit = Type.Object({
  at: Type.String({ format: 'date-time' }),
  until: Type.String({ format: 'date-time' }),
  employee: Type.Object({ login: Type.String(), name: Type.String() }),
  reason: Type.Union([Type.String(), Type.Null()]),
});

/**
 * The front's side of support's "act as consumer". The employee's browser brings the one-time token
 * (GET /auth/support/enter?token=…, from the back office's link); the grant that came over the bus
 * with its hash is used up, a user standing for this visit is made (no password: it can never log in)
 * with a view-only membership of that one consumer, and a READ-ONLY session is opened for it, named
 * after the employee: the kernel refuses every state-changing call of such a session (403
 * read_only_session). The consumer sees the visit in GET /api/consumers/:consumerRef/support-visits.
 */
export function registerSupportRoutes(app: HttpApp, deps: { database: Database<CabinetFrontDb>; auth: AuthHandle }) {
  const { database } = deps;

  const enter = async (request: FastifyRequest, reply: FastifyReply, token: string) => {
    const hash = createHash('sha256').update(token).digest('base64url');
    return database.transaction(async (trx) => {
      // Visits that ended take their stand-in users (and so memberships and sessions) with them.
      await trx.deleteFrom('users').where('id', 'in', trx.selectFrom('support_visits').select('user_id').where('expires_at', '<', sql<Date>`now()`).where('user_id', 'is not', null).$narrowType<{ user_id: string }>()).execute();
      const grant = await trx.selectFrom('support_grants').selectAll().where('token_hash', '=', hash).forUpdate().executeTakeFirst();
      if (!grant || grant.used_at || grant.expires_at <= new Date()) {
        await recordAudit(trx, { ...auditContext(request), action: 'support.enter', outcome: 'denied', details: { reason: grant ? (grant.used_at ? 'used' : 'expired') : 'unknown' } });
        throw new AppError('support_grant_invalid', 401, 'This support link is unknown, used or expired; ask the back office for a new one');
      }
      await trx.updateTable('support_grants').set({ used_at: sql<Date>`now()` }).where('id', '=', grant.id).execute();
      const user = await insertUser(trx, { loginKey: `support:${grant.id}`, displayName: grant.employee_name, passwordHash: null, roles: ['consumer'] });
      await trx.insertInto('memberships').values({ user_id: user.id, consumer_ref: grant.consumer_ref, role: 'support', rights: ['view'] }).execute();
      const actingAs = { login: grant.employee_login, name: grant.employee_name, grantId: grant.id };
      const session = await deps.auth.openSession(trx, request, reply, { userId: user.id, restriction: 'read_only', actingAs, ttlMinutes: SESSION_MINUTES });
      await trx.insertInto('support_visits').values({ grant_id: grant.id, consumer_ref: grant.consumer_ref, employee_login: grant.employee_login, employee_name: grant.employee_name, reason: grant.reason, user_id: user.id, expires_at: session.expiresAt }).execute();
      await recordAudit(trx, { ...auditContext(request), actorId: user.id, actorLogin: `support:${grant.employee_login}`, action: 'support.enter', targetType: 'consumer', targetId: grant.consumer_ref, details: { grantId: grant.id, employee: grant.employee_login } });
      return { consumerRef: grant.consumer_ref, csrfToken: session.csrfToken, expiresAt: session.expiresAt.toISOString(), actingAs: { login: grant.employee_login, name: grant.employee_name } };
    });
  };

  const Token = Type.String({ minLength: 20, maxLength: 100 });
  const Entered = Type.Object({ consumerRef: Type.String(), csrfToken: Type.String(), expiresAt: Type.String({ format: 'date-time' }), actingAs: Type.Object({ login: Type.String(), name: Type.String() }) });

  app.get(
    '/auth/support/enter',
    {
      config: { access: 'public', restricted: 'allowed' },
      schema: { tags: ['support'], summary: "Support's one-time link from the back office: opens this consumer's cabinet read-only and goes to it", querystring: Type.Object({ token: Token }, { additionalProperties: false }) },
    },
    async (request, reply) => {
      const entered = await enter(request, reply, request.query.token);
      return reply.redirect(`/?consumer=${encodeURIComponent(entered.consumerRef)}`, 303);
    },
  );

  app.post(
    '/auth/support/enter',
    {
      config: { access: 'public', csrf: false, restricted: 'allowed' },
      schema: { tags: ['support'], summary: 'The same for an API client: the token in the body, the session in the answer', body: Type.Object({ token: Token }, { additionalProperties: false }), response: { 200: Entered } },
    },
    async (request, reply) => reply.send(await enter(request, reply, request.body.token)),
  );

  app.get(
    '/api/consumers/:consumerRef/support-visits',
    {
      config: { access: { roles: ['consumer'] } },
      schema: {
        tags: ['consumers'],
        summary: 'Who of the supplier\'s staff looked at this cabinet (read only), when and why',
        params: S.ConsumerParams,
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ items: Type.Array(Visit) }) },
      },
    },
    async (request) => {
      const membership = await rightsFor(database.db, request.user!.id, request.params.consumerRef);
      if (!membership || !membership.rights.includes('view')) throw notFound('consumer_not_found', 'No such consumer');
      const rows = await database.db.selectFrom('support_visits').selectAll().where('consumer_ref', '=', request.params.consumerRef).orderBy('started_at', 'desc').limit(request.query.limit ?? 50).execute();
      return { items: rows.map((r) => ({ at: r.started_at.toISOString(), until: r.expires_at.toISOString(), employee: { login: r.employee_login, name: r.employee_name }, reason: r.reason })) };
    },
  );
}
