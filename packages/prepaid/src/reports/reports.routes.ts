import { auditContext, badRequest, effectiveRoles, forbidden, notFound, recordAudit, type Database, type HttpApp } from '@app/kernel';
import type { FastifyRequest } from 'fastify';
import type { Selectable } from 'kysely';
import { prepaidRoleHierarchy } from '../roles.js';
import type { ReportKind } from './model.js';
import { enqueueReport } from './queue.js';
import * as S from './reports.schema.js';
import type { ReportsDb } from './tables.js';

/**
 * Reports in the background: ask (202 with the job), poll the job for progress, download the file.
 * A statement and a money-movement certificate are a client's documents (operator); the ledger-wide
 * reports need a settlement specialist. Each person sees the reports they asked for; a manager all.
 */
const operator = { access: { roles: ['operator'] } } as const;
const tags = ['reports'];
const CLIENT_DOCUMENTS = new Set<ReportKind>(['account_statement', 'money_movement']);
const MAX_PERIOD_DAYS = 3700;

type Row = Selectable<ReportsDb['report_jobs']>;

export function registerReportRoutes(app: HttpApp, deps: { database: Database<ReportsDb> }) {
  const db = deps.database.db;
  const seesAll = (request: FastifyRequest) => effectiveRoles(request.user!.roles, prepaidRoleHierarchy).has('manager');
  const view = (r: Omit<Row, 'file'>) => ({
    id: r.id,
    kind: r.kind,
    format: r.format,
    status: r.status,
    progress: r.progress,
    rowsDone: r.rows_done,
    error: r.error_code ? { code: r.error_code, message: r.error_message ?? '' } : null,
    fileName: r.file_name,
    params: r.params as unknown as Record<string, unknown>,
    requestedBy: r.requested_by,
    createdAt: r.created_at.toISOString(),
    finishedAt: r.finished_at?.toISOString() ?? null,
  });
  const columns = ['id', 'kind', 'format', 'status', 'progress', 'rows_done', 'error_code', 'error_message', 'file_name', 'file_sha256', 'params', 'requested_by', 'requested_by_id', 'owner', 'lease_until', 'attempts', 'created_at', 'started_at', 'finished_at'] as const;
  const load = async (request: FastifyRequest, id: string) => {
    const row = await db.selectFrom('report_jobs').select(columns).where('id', '=', id).executeTakeFirst();
    // Someone else's report is "not found", not "forbidden": its existence is not shown either.
    if (!row || (!seesAll(request) && row.requested_by_id !== request.user!.id)) throw notFound('report_not_found', 'No such report');
    return row;
  };

  app.post('/api/staff/reports', { config: operator, schema: { tags, summary: 'Ask for a report (PDF or Excel) for a period; it is built in the background', body: S.ReportRequest, response: { 202: S.ReportJob } } }, async (request, reply) => {
    const b = request.body;
    if (!CLIENT_DOCUMENTS.has(b.kind as ReportKind) && !effectiveRoles(request.user!.roles, prepaidRoleHierarchy).has('settlement')) throw forbidden('forbidden', 'This report needs the settlement role');
    const from = new Date(b.from);
    const to = new Date(b.to);
    if (!(from < to)) throw badRequest('bad_period', 'The period must end after it starts', 'to');
    if (to.getTime() - from.getTime() > MAX_PERIOD_DAYS * 86_400_000) throw badRequest('period_too_long', `A period is at most ${MAX_PERIOD_DAYS} days`, 'from');
    if (b.kind === 'account_statement' && !b.accountId) throw badRequest('account_required', 'An account statement needs accountId', 'accountId');
    if (b.kind === 'money_movement' && !b.clientId) throw badRequest('client_required', 'A money-movement certificate needs clientId', 'clientId');
    const { format, ...params } = b;
    const job = await enqueueReport(deps.database, { params: { ...params, kind: b.kind as ReportKind }, format, requestedBy: request.user!.loginKey, requestedById: request.user!.id });
    await recordAudit(db, { ...auditContext(request), action: 'report.request', targetType: 'report', targetId: job.id, details: { kind: b.kind, format, from: b.from, to: b.to } });
    return reply.status(202).send(view(job));
  });

  app.get('/api/staff/reports', { config: operator, schema: { tags, summary: 'Reports asked for (own; a manager sees all), newest first', querystring: S.ListQuery, response: { 200: S.ReportList } } }, async (request) => {
    let q = db.selectFrom('report_jobs');
    if (!seesAll(request)) q = q.where('requested_by_id', '=', request.user!.id);
    const [rows, total] = await Promise.all([
      q.select(columns).orderBy('created_at', 'desc').limit(request.query.limit).offset(request.query.offset).execute(),
      q.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(view), total: Number(total.n) };
  });

  app.get('/api/staff/reports/:id', { config: operator, schema: { tags, summary: 'A report job: status and progress', params: S.IdParams, response: { 200: S.ReportJob } } }, async (request) => view(await load(request, request.params.id)));

  app.get('/api/staff/reports/:id/file', { config: operator, schema: { tags, summary: 'Download a finished report', params: S.IdParams } }, async (request, reply) => {
    const row = await load(request, request.params.id);
    if (row.status !== 'done') throw badRequest('report_not_ready', 'The report is not ready yet', 'id');
    const file = await db.selectFrom('report_jobs').select('file').where('id', '=', row.id).executeTakeFirstOrThrow();
    await recordAudit(db, { ...auditContext(request), action: 'report.download', targetType: 'report', targetId: row.id });
    return reply
      .type(row.format === 'pdf' ? 'application/pdf' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .header('content-disposition', `attachment; filename="${row.file_name}"`)
      .header('x-content-sha256', row.file_sha256 ?? '')
      .send(file.file);
  });
}
