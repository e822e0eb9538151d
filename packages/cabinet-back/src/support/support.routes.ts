import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { supportTopics, type SupportGranted } from '@app/cabinet-contracts';
import { auditContext, enqueueMessage, notFound, recordAudit, type Database, type HttpApp } from '@app/kernel';
import type { ColumnType, Generated } from 'kysely';
import { Type } from 'typebox';
import { isLinked } from '../links.repo.js';
import type { CabinetBackDb } from '../tables.js';

interface SupportGrantsTable {
  id: string;
  consumer_ref: string;
  employee_id: string;
  employee_login: string;
  employee_name: string;
  reason: string;
  expires_at: ColumnType<Date, Date, Date>;
  created_at: Generated<Date>;
}
type Db = CabinetBackDb & { support_grants: SupportGrantsTable };

export interface SupportOptions {
  /** The consumer cabinet's address as the employee's browser reaches it. */
  frontUrl: () => string;
  /** How long the link may be used (default 10 min); the front's read-only session lasts 30 min at most. */
  grantMinutes?: number;
}

const access = { access: { roles: ['support'] } } as const;
const tags = ['support'];
const Grant = Type.Object({
  grantId: Type.String(),
  consumerRef: Type.String(),
  employee: Type.Object({ login: Type.String(), name: Type.String() }),
  reason: Type.String(),
  expiresAt: Type.String({ format: 'date-time' }),
  createdAt: Type.String({ format: 'date-time' }),
});

/**
 * The back office's side of "act as consumer": an employee with the support role asks to look at a
 * linked consumer's cabinet, saying why. The grant goes to the front over the bus (the outbox, in the
 * same transaction as the grant row and the audit entry) with the hash of a one-time token; the token
 * and the link carrying it are answered to the employee only.
 */
export function registerSupportRoutes(app: HttpApp, deps: { database: Database<CabinetBackDb>; options: SupportOptions; nudge?: () => void }) {
  const database = deps.database as unknown as Database<Db>;
  const db = database.db;

  app.post(
    '/api/back-office/support/grants',
    {
      config: access,
      schema: {
        tags,
        summary: "Open a consumer's cabinet read-only: answers a one-time link to the cabinet (valid 10 minutes)",
        body: Type.Object({ consumerRef: Type.String({ minLength: 1, maxLength: 64 }), reason: Type.String({ minLength: 3, maxLength: 500 }) }, { additionalProperties: false }),
        response: { 201: Type.Intersect([Grant, Type.Object({ url: Type.String(), token: Type.String() })]) },
      },
    },
    async (request, reply) => {
      const { consumerRef, reason } = request.body;
      if (!(await isLinked(deps.database.db, consumerRef))) throw notFound('consumer_not_linked', 'This consumer has no cabinet (no contract linked)');
      const grantId = randomUUID();
      const token = randomBytes(32).toString('base64url');
      const expiresAt = new Date(Date.now() + (deps.options.grantMinutes ?? 10) * 60_000);
      const employee = { login: request.user!.loginKey, name: request.user!.displayName || request.user!.loginKey };
      const event: SupportGranted = { grantId, consumerRef, tokenSha256: createHash('sha256').update(token).digest('base64url'), employee, reason, expiresAt: expiresAt.toISOString() };
      const row = await database.transaction(async (trx) => {
        const inserted = await trx
          .insertInto('support_grants')
          .values({ id: grantId, consumer_ref: consumerRef, employee_id: request.user!.id, employee_login: employee.login, employee_name: employee.name, reason, expires_at: expiresAt })
          .returningAll()
          .executeTakeFirstOrThrow();
        await enqueueMessage(trx, supportTopics.granted, event, { id: grantId });
        await recordAudit(trx, { ...auditContext(request), action: 'support.grant', targetType: 'consumer', targetId: consumerRef, details: { grantId, reason } });
        return inserted;
      });
      deps.nudge?.();
      const url = `${deps.options.frontUrl().replace(/\/$/, '')}/auth/support/enter?token=${token}`;
      return reply.status(201).send({ grantId, consumerRef, employee, reason, expiresAt: row.expires_at.toISOString(), createdAt: row.created_at.toISOString(), url, token });
    },
  );

  app.get(
    '/api/back-office/support/grants',
    {
      config: access,
      schema: {
        tags,
        summary: 'Read-only looks granted, newest first (optionally for one consumer)',
        querystring: Type.Object({ consumerRef: Type.Optional(Type.String({ maxLength: 64 })), limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ items: Type.Array(Grant) }) },
      },
    },
    async (request) => {
      let query = db.selectFrom('support_grants').selectAll();
      if (request.query.consumerRef) query = query.where('consumer_ref', '=', request.query.consumerRef);
      const rows = await query.orderBy('created_at', 'desc').limit(request.query.limit).execute();
      return {
        items: rows.map((r) => ({ grantId: r.id, consumerRef: r.consumer_ref, employee: { login: r.employee_login, name: r.employee_name }, reason: r.reason, expiresAt: r.expires_at.toISOString(), createdAt: r.created_at.toISOString() })),
      };
    },
  );
}
