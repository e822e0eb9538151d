import { notFound, type Database, type HttpApp } from '@app/kernel';
import { sql } from 'kysely';
import type { Pii } from '../crypto/pii.js';
import { inScope } from '../members/scope.js';
import { day } from '../paging.js';
import type { CabinetFrontDb } from '../tables.js';
import { ContractParams } from '../read-model/data.schema.js';
import * as S from './money.schema.js';

const consumer = { access: { roles: ['consumer'] } } as const;
const tags = ['money'];

/** Debt, the account card, invoices and acts (with the PDF kept encrypted), payments — from the front's copy. */
export function registerMoneyRoutes(app: HttpApp, deps: { database: Database<CabinetFrontDb>; pii: Pii }) {
  const db = deps.database.db;
  const { pii } = deps;

  const invoiceColumns = ['id', 'contract_id', 'consumer_ref', 'kind', 'number', 'period', day('issued_on').as('issued'), sql<string | null>`to_char(due_on, 'YYYY-MM-DD')`.as('due'), 'amount', sql<string | null>`kwh::text`.as('kwh_text'), sql<boolean>`pdf_enc is not null`.as('has_pdf')] as const;
  const invoiceView = (i: { id: string; contract_id: string; consumer_ref: string; kind: string; number: string; period: string; issued: string; due: string | null; amount: bigint; kwh_text: string | null; has_pdf: boolean }) => ({
    id: i.id,
    contractId: i.contract_id,
    consumerRef: i.consumer_ref,
    kind: i.kind,
    number: i.number,
    period: i.period,
    issuedOn: i.issued,
    ...(i.due ? { dueOn: i.due } : {}),
    amount: String(i.amount),
    ...(i.kwh_text ? { kwh: i.kwh_text } : {}),
    hasPdf: i.has_pdf,
  });

  app.get(
    '/api/contracts/:contractId/account',
    { config: consumer, schema: { tags, summary: 'Debt, due date and the account card per month (opening, charged, paid, closing)', params: ContractParams, querystring: S.AccountQuery, response: { 200: S.Account } } },
    async (request) => {
      const userId = request.user!.id;
      const contract = await db.selectFrom('contracts').select(['id', 'consumer_ref']).where('id', '=', request.params.contractId).where(inScope(userId, 'view')).executeTakeFirst();
      if (!contract) throw notFound('contract_not_found', 'No such contract');
      const account = await db.selectFrom('accounts').select(['debt', day('as_of').as('as_of_text')]).where('contract_id', '=', contract.id).executeTakeFirst();
      let months = db.selectFrom('account_months').selectAll().select(sql<string>`kwh::text`.as('kwh_text')).where('contract_id', '=', contract.id);
      if (request.query.from) months = months.where('month', '>=', request.query.from);
      if (request.query.to) months = months.where('month', '<=', request.query.to);
      const [rows, due] = await Promise.all([
        months.orderBy('month').limit(240).execute(),
        // The due date shown is the latest invoice's: billing's debt already nets what was paid.
        db.selectFrom('invoices').select(sql<string>`to_char(due_on, 'YYYY-MM-DD')`.as('due')).where('contract_id', '=', contract.id).where('kind', '=', 'invoice').where('due_on', 'is not', null).orderBy('period', 'desc').orderBy('issued_on', 'desc').limit(1).executeTakeFirst(),
      ]);
      return {
        contractId: contract.id,
        consumerRef: contract.consumer_ref,
        debt: String(account?.debt ?? 0n),
        asOf: account?.as_of_text ?? '',
        ...(due && account && account.debt > 0n ? { dueOn: due.due } : {}),
        months: rows.map((m) => ({ month: m.month, opening: String(m.opening), charged: String(m.charged), paid: String(m.paid), closing: String(m.closing), kwh: m.kwh_text })),
      };
    },
  );

  app.get('/api/invoices', { config: consumer, schema: { tags, summary: 'Invoices and acts for any period', querystring: S.InvoicesQuery, response: { 200: S.InvoicesPage } } }, async (request) => {
    const q = request.query;
    let base = db.selectFrom('invoices').where(inScope(request.user!.id, 'view'));
    if (q.contractId) base = base.where('contract_id', '=', q.contractId);
    if (q.kind) base = base.where('kind', '=', q.kind);
    if (q.from) base = base.where('period', '>=', q.from);
    if (q.to) base = base.where('period', '<=', q.to);
    const [rows, n] = await Promise.all([
      base.select(invoiceColumns).orderBy('period', 'desc').orderBy('issued_on', 'desc').orderBy('id').limit(q.limit).offset(q.offset).execute(),
      base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirst(),
    ]);
    return { items: rows.map(invoiceView), total: Number(n?.n ?? 0), limit: q.limit, offset: q.offset };
  });

  app.get('/api/invoices/:invoiceId', { config: consumer, schema: { tags, summary: 'An invoice or act', params: S.InvoiceParams, response: { 200: S.Invoice } } }, async (request) => {
    const row = await db.selectFrom('invoices').select(invoiceColumns).where('id', '=', request.params.invoiceId).where(inScope(request.user!.id, 'view')).executeTakeFirst();
    if (!row) throw notFound('invoice_not_found', 'No such invoice');
    return invoiceView(row);
  });

  app.get(
    '/api/invoices/:invoiceId/pdf',
    { config: consumer, schema: { tags, summary: 'The invoice or act as PDF (served from the front\'s encrypted copy, also while billing is away)', params: S.InvoiceParams, produces: ['application/pdf'] } },
    async (request, reply) => {
      const row = await db.selectFrom('invoices').select(['id', 'number', 'pdf_enc']).where('id', '=', request.params.invoiceId).where(inScope(request.user!.id, 'view')).executeTakeFirst();
      if (!row) throw notFound('invoice_not_found', 'No such invoice');
      if (!row.pdf_enc) throw notFound('invoice_pdf_not_available', 'The PDF of this document has not arrived yet');
      const pdf = Buffer.from(pii.open('invoices', 'pdf_enc', row.id, row.pdf_enc), 'base64');
      const name = `${row.number.replace(/[^A-Za-z0-9._-]+/g, '_')}.pdf`;
      return reply.type('application/pdf').header('content-disposition', `attachment; filename="${name}"`).header('cache-control', 'private, no-store').send(pdf);
    },
  );

  app.get('/api/payments', { config: consumer, schema: { tags, summary: 'Payment history', querystring: S.PaymentsQuery, response: { 200: S.PaymentsPage } } }, async (request) => {
    const q = request.query;
    let base = db.selectFrom('payments').where(inScope(request.user!.id, 'view'));
    if (q.contractId) base = base.where('contract_id', '=', q.contractId);
    if (q.from) base = base.where('paid_on', '>=', q.from);
    if (q.to) base = base.where('paid_on', '<=', q.to);
    const [rows, n] = await Promise.all([
      base.select(['id', 'contract_id', 'consumer_ref', day('paid_on').as('paid'), 'amount', 'document', 'source']).orderBy('paid_on', 'desc').orderBy('id').limit(q.limit).offset(q.offset).execute(),
      base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirst(),
    ]);
    return {
      items: rows.map((p) => ({ id: p.id, contractId: p.contract_id, consumerRef: p.consumer_ref, paidOn: p.paid, amount: String(p.amount), document: p.document, source: p.source })),
      total: Number(n?.n ?? 0),
      limit: q.limit,
      offset: q.offset,
    };
  });
}
