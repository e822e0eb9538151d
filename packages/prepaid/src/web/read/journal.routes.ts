import { effectiveRoles, notFound, type Database, type HttpApp } from '@app/kernel';
import { prepaidRoleHierarchy } from '../../roles.js';
import type { PrepaidDb } from '../../tables.js';
import { journalQuery } from './queries.js';
import * as S from './read.schema.js';

/**
 * The two journals of the workplace, paged by keyset (never OFFSET) so the thousandth page costs what
 * the first does on a table of millions: the operations journal (ledger operations, newest first, by
 * period, type, account, merchant) and the audit journal (who did what: operators see their own actions).
 */
const settlement = { access: { roles: ['settlement'] } } as const;
const operator = { access: { roles: ['operator'] } } as const;

export function registerJournalRoutes(app: HttpApp, deps: { database: Database<PrepaidDb> }) {
  const db = deps.database.db;

  app.get(
    '/api/staff/operations',
    { config: settlement, schema: { tags: ['journal'], summary: 'Operations journal: newest first, filtered by period, type, account, merchant; keyset paging', querystring: S.JournalQuery, response: { 200: S.JournalPage } } },
    async (request) => {
      const q = request.query;
      const rows = await journalQuery(q).execute(db);
      const page = rows.rows.slice(0, q.limit);
      return {
        items: page.map((r) => ({
          id: r.id,
          seq: r.seq,
          type: r.type,
          at: r.created_at.toISOString(),
          amount: Number(r.amount),
          accountId: r.account_id,
          accountNumber: r.number,
          merchantId: r.merchant_id,
          merchantName: r.merchant_name,
          terminalId: r.terminal_id,
          originalOperationId: r.original_operation_id,
          createdBy: r.created_by,
        })),
        nextCursor: rows.rows.length > q.limit ? page[page.length - 1]!.seq : null,
      };
    },
  );

  app.get(
    '/api/staff/audit',
    { config: operator, schema: { tags: ['journal'], summary: 'Audit journal (who did what, when): operators and settlement specialists see their own actions; keyset paging', querystring: S.AuditQuery, response: { 200: S.AuditPage } } },
    async (request) => {
      const q = request.query;
      const held = effectiveRoles(request.user!.roles, prepaidRoleHierarchy);
      const seesAll = held.has('manager') || held.has('admin');
      if (!seesAll && q.actor && q.actor !== request.user!.loginKey) throw notFound('not_found', 'You can see only your own actions');
      let query = db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(q.limit + 1);
      if (!seesAll || q.mine) query = query.where('actor_id', '=', request.user!.id);
      else if (q.actor) query = query.where('actor_login', '=', q.actor);
      if (q.action) query = q.action.endsWith('.') ? query.where('action', 'like', `${q.action}%`) : query.where('action', '=', q.action);
      if (q.targetId) query = query.where('target_id', '=', q.targetId);
      if (q.cursor) query = query.where('id', '<', BigInt(q.cursor));
      const rows = await query.execute();
      const page = rows.slice(0, q.limit);
      return {
        items: page.map((r) => ({
          id: String(r.id),
          at: r.at.toISOString(),
          actor: r.actor_login,
          action: r.action,
          outcome: r.outcome,
          targetType: r.target_type,
          targetId: r.target_id,
          ip: r.ip,
          details: r.details,
        })),
        nextCursor: rows.length > q.limit ? String(page[page.length - 1]!.id) : null,
      };
    },
  );
}
