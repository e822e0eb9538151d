import { auditContext, conflict, notFound, recordAudit, unavailable, unprocessable, type HttpApp } from '@app/kernel';
import type { Selectable } from 'kysely';
import { isBillingUnavailable } from '../billing/billing-adapter.js';
import { decideLink, rejected, writeLink, type LinkRejectedPayload } from '../commands/link.js';
import type { BackContext } from '../commands/context.js';
import { enqueueEvents } from '../outgoing.js';
import type { CabinetBackTables } from '../tables.js';
import * as S from './link-requests.schema.js';

/**
 * The back-office queue of "link my contract" requests: a supplier employee checks the applicant against
 * billing and confirms (the consumer gets `link.accepted` and its data) or declines (`link.rejected`,
 * `request_declined`, with the reason). Each decision is journaled in the same transaction as its events.
 */
const employee = { access: { roles: ['employee'] } } as const;
const tags = ['link requests'];

export function registerLinkRequestRoutes(app: HttpApp, deps: { ctx: Omit<BackContext, 'adapter'> & { adapter?: BackContext['adapter'] } }) {
  const { ctx } = deps;
  const db = ctx.database.db;
  const billing = () => {
    if (!ctx.adapter) throw unavailable('billing_unavailable', 'No billing is configured for this back office');
    return { ...ctx, adapter: ctx.adapter } as BackContext;
  };

  app.get('/api/back-office/link-requests', { config: employee, schema: { tags, summary: 'Link requests, oldest first', querystring: S.ListQuery, response: { 200: S.ListAnswer } } }, async (request) => {
    const { status, limit, offset } = request.query;
    let query = db.selectFrom('link_requests');
    if (status) query = query.where('status', '=', status);
    const [rows, count] = await Promise.all([
      query.selectAll().orderBy('created_at').orderBy('id').limit(limit).offset(offset).execute(),
      query.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(view), total: Number(count.n) };
  });

  app.get('/api/back-office/link-requests/:id', { config: employee, schema: { tags, summary: 'A link request and what billing says about its contract', params: S.RequestParams, response: { 200: S.RequestDetails } } }, async (request) => {
    const row = await find(request.params.id);
    return { request: view(row), billing: await lookup(row.contract_number) };
  });

  app.post(
    '/api/back-office/link-requests/:id/confirm',
    { config: employee, schema: { tags, summary: 'Confirm: link the contract to the applicant’s cabinet and send its data', params: S.RequestParams, body: S.ConfirmBody, response: { 200: S.DecisionAnswer } } },
    async (request) => {
      const row = await find(request.params.id);
      if (row.status !== 'new') throw conflict('request_already_decided', `The request is ${row.status} already`);
      const command = { commandId: row.command_id, userRef: row.user_ref, contractNumber: row.contract_number };
      const outcome = await decideLink(billing(), command, 'request');
      if (!outcome.ok) {
        const reason = outcome.events[0]?.payload as LinkRejectedPayload | undefined;
        throw unprocessable(reason?.code ?? 'contract_not_found', `${reason?.message ?? 'Billing refuses the link'}; decline the request instead`);
      }
      const note = request.body.note ?? null;
      await ctx.database.transaction(async (trx) => {
        const updated = await trx
          .updateTable('link_requests')
          .set({ status: 'confirmed', consumer_ref: outcome.consumerRef, decided_by: request.user!.loginKey, decided_at: new Date(), decision_note: note })
          .where('id', '=', row.id)
          .where('status', '=', 'new')
          .returning('id')
          .executeTakeFirst();
        if (!updated) throw conflict('request_already_decided', 'Another employee decided this request meanwhile');
        await writeLink(trx, outcome, { ...command, via: 'request' }, ['link-request', row.id]);
        await recordAudit(trx, { ...auditContext(request), action: 'link_request.confirm', targetType: 'link_request', targetId: row.id, details: { contractNumber: row.contract_number, consumerRef: outcome.consumerRef } });
      });
      ctx.nudge();
      return { id: row.id, status: 'confirmed' as const, consumerRef: outcome.consumerRef };
    },
  );

  app.post(
    '/api/back-office/link-requests/:id/decline',
    { config: employee, schema: { tags, summary: 'Decline: the applicant is told why', params: S.RequestParams, body: S.DeclineBody, response: { 200: S.DecisionAnswer } } },
    async (request) => {
      const row = await find(request.params.id);
      const { reason } = request.body;
      await ctx.database.transaction(async (trx) => {
        const updated = await trx
          .updateTable('link_requests')
          .set({ status: 'declined', decided_by: request.user!.loginKey, decided_at: new Date(), decision_note: reason })
          .where('id', '=', row.id)
          .where('status', '=', 'new')
          .returning('id')
          .executeTakeFirst();
        if (!updated) throw conflict('request_already_decided', `The request is decided already`);
        const payload: LinkRejectedPayload = { commandId: row.command_id, userRef: row.user_ref, contractNumber: row.contract_number, code: 'request_declined', message: reason };
        await enqueueEvents(trx, ['link-request', row.id], [rejected(payload)]);
        await recordAudit(trx, { ...auditContext(request), action: 'link_request.decline', targetType: 'link_request', targetId: row.id, details: { contractNumber: row.contract_number, reason } });
      });
      ctx.nudge();
      return { id: row.id, status: 'declined' as const, consumerRef: null };
    },
  );

  async function find(id: string) {
    const row = await db.selectFrom('link_requests').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound('link_request_not_found', 'No such link request');
    return row;
  }

  async function lookup(contractNumber: string) {
    try {
      const adapter = billing().adapter;
      const check = await adapter.findContractForLink(contractNumber);
      if (!check.ok) return { found: false as const, code: check.code, message: check.message };
      const details = await adapter.contract(check.consumerRef, check.contractId);
      return {
        found: true as const,
        consumerRef: check.consumerRef,
        contractNumber: check.contractNumber,
        ...(details?.profile ? { consumerName: details.profile.name, ...(details.profile.inn ? { taxId: details.profile.inn } : {}) } : {}),
        ...(details ? { contractStatus: details.contract.status } : {}),
      };
    } catch (err) {
      if (!isBillingUnavailable(err)) throw err;
      return { found: null, code: 'billing_unavailable' as const, message: 'Billing does not answer; try again later' };
    }
  }
}

function view(row: Selectable<CabinetBackTables['link_requests']>) {
  return {
    id: row.id,
    commandId: row.command_id,
    userRef: row.user_ref,
    contractNumber: row.contract_number,
    applicantName: row.applicant_name,
    taxId: row.tax_id,
    comment: row.comment,
    status: row.status,
    consumerRef: row.consumer_ref,
    decidedBy: row.decided_by,
    decidedAt: row.decided_at?.toISOString() ?? null,
    decisionNote: row.decision_note,
    createdAt: row.created_at.toISOString(),
  };
}
