import { randomUUID } from 'node:crypto';
import { applicationEventTopics, requestEventTopics, type Applicant } from '@app/cabinet-contracts';
import { auditContext, conflict, notFound, recordAudit, unavailable, type HttpApp } from '@app/kernel';
import { sql } from 'kysely';
import type { BackContext } from '../commands/context.js';
import { isLinked } from '../links.repo.js';
import { eventId } from '../message-ids.js';
import { enqueueEvents } from '../outgoing.js';
import './back-office.tables.js';
import { renderContractPdf } from './contract-pdf.js';
import { employeeFiles, sha256Hex, storeOutgoing } from './files.js';
import * as S from './back-office.schema.js';
import { setApplicationStatus, setRequestStatus } from './status.js';

/** The supplier in the documents it issues (the reference billing's supplier in the demo). */
export const SUPPLIER = { name: process.env.SUPPLIER_NAME ?? 'АО «Энергосбыт»', inn: process.env.SUPPLIER_INN ?? '7800000000' };

const employee = { access: { roles: ['employee'] } } as const;
type Ctx = Pick<BackContext, 'database' | 'nudge'> & { adapter?: BackContext['adapter'] };

/**
 * The back office's queues of contract applications and requests: take one, ask for information,
 * answer (with files), issue the contract and agreements as PDFs for signature, reject or close; see
 * the signatures the cabinet verified with their reports. Every change writes its event(s) and an
 * audit row in one transaction; statuses move only as status.ts allows.
 */
export function registerBackOfficeRoutes(app: HttpApp, deps: { ctx: Ctx }) {
  const { ctx } = deps;
  const db = ctx.database.db;
  const who = (request: { user: { loginKey: string; displayName: string } | null }) => ({ login: request.user!.loginKey, name: request.user!.displayName || request.user!.loginKey });
  const attachmentsOf = async (kind: 'application' | 'request' | 'message', ids: string[]) =>
    ids.length ? db.selectFrom('back_attachments').select(['id', 'owner_id', 'direction', 'file_name', 'media_type', 'size_bytes', 'sha256', 'created_at']).where('owner_kind', '=', kind).where('owner_id', 'in', ids).orderBy('created_at').execute() : [];
  const thread = async (kind: 'application' | 'request', id: string) => {
    const messages = await db.selectFrom('thread_messages').selectAll().where('thread_kind', '=', kind).where('thread_id', '=', id).orderBy('created_at').orderBy('id').execute();
    const files = await attachmentsOf('message', messages.map((m) => m.id));
    return messages.map((m) => ({ id: m.id, author: m.author, authorName: m.author_name, text: m.text, at: m.created_at.toISOString(), attachments: files.filter((f) => f.owner_id === m.id).map(fileView) }));
  };
  const findApplication = async (id: string) => {
    const row = await db.selectFrom('applications').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound('application_not_found', 'No such application');
    return row;
  };
  const findRequest = async (id: string) => {
    const row = await db.selectFrom('requests').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound('request_not_found', 'No such request');
    return row;
  };
  const done = <T>(value: T) => {
    ctx.nudge();
    return value;
  };

  /** Writes a supplier message in a thread (with its files) and its event. */
  async function postMessage(trx: Parameters<Parameters<typeof ctx.database.transaction>[0]>[0], kind: 'application' | 'request', threadId: string, userRef: string, author: { name: string }, body: { text: string; attachments?: Array<{ fileName: string; contentBase64: string }> }) {
    const files = employeeFiles(body.attachments);
    const messageId = randomUUID();
    const at = new Date();
    await trx.insertInto('thread_messages').values({ id: messageId, thread_kind: kind, thread_id: threadId, author: 'supplier', author_name: author.name, text: body.text, created_at: at }).execute();
    await storeOutgoing(trx, messageId, files);
    const payload = { ...(kind === 'application' ? { applicationId: threadId } : { requestId: threadId }), userRef, authorName: author.name, messageId, text: body.text, at: at.toISOString(), attachments: files };
    await enqueueEvents(trx, ['message', messageId], [{ topic: kind === 'application' ? applicationEventTopics.messagePosted : requestEventTopics.messagePosted, payload }]);
  }

  // ——— applications ———
  app.get('/api/back-office/applications', { config: employee, schema: { tags: ['applications'], summary: 'The queue of contract applications, oldest first', querystring: S.ApplicationQueueQuery } }, async (request) => {
    const { status, assignedTo, q, limit, offset } = request.query;
    let query = db.selectFrom('applications');
    if (status) query = query.where('status', '=', status as never);
    if (assignedTo) query = query.where('assigned_to', '=', assignedTo);
    if (q) {
      // The text is searched for as typed: LIKE's own wildcards in it match only themselves.
      const pattern = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      query = query.where((eb) => eb.or([eb('applicant_name', 'ilike', pattern), eb('object_address', 'ilike', pattern)]));
    }
    const [rows, count] = await Promise.all([
      query.selectAll().orderBy('submitted_at').orderBy('id').limit(limit).offset(offset).execute(),
      query.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(applicationView), total: Number(count.n), limit, offset };
  });

  app.get('/api/back-office/applications/:id', { config: employee, schema: { tags: ['applications'], summary: 'An application: form, files, thread, documents and their signatures', params: S.IdParams } }, async (request) => {
    const row = await findApplication(request.params.id);
    const documents = await db.selectFrom('documents').select(['id', 'kind', 'number', 'title', 'file_name', 'sha256', 'allow_simple_signature', 'status', 'issued_by', 'issued_at', 'signed_at']).where('application_id', '=', row.id).orderBy('issued_at').execute();
    const signatures = await db.selectFrom('signatures').selectAll().where('application_id', '=', row.id).orderBy('signed_at').execute();
    return {
      ...applicationView(row),
      attachments: (await attachmentsOf('application', [row.id])).map(fileView),
      messages: await thread('application', row.id),
      documents: documents.map((d) => ({ ...documentView(d), signatures: signatures.filter((s) => s.document_id === d.id).map(signatureView) })),
    };
  });

  app.post('/api/back-office/applications/:id/take', { config: employee, schema: { tags: ['applications'], summary: 'Take the application into review (assigned to you)', params: S.IdParams, body: S.EmptyBody } }, async (request) => {
    const row = await findApplication(request.params.id);
    await ctx.database.transaction(async (trx) => {
      await setApplicationStatus(trx, row.id, 'in_review', { assignedTo: who(request).login });
      await recordAudit(trx, { ...auditContext(request), action: 'application.take', targetType: 'application', targetId: row.id });
    });
    return done({ id: row.id, status: 'in_review' });
  });

  app.post('/api/back-office/applications/:id/request-info', { config: employee, bodyLimit: 30 * 1024 * 1024, schema: { tags: ['applications'], summary: 'Ask the applicant for information (a message; status needs_info)', params: S.IdParams, body: S.TextBody } }, async (request) => {
    const row = await findApplication(request.params.id);
    await ctx.database.transaction(async (trx) => {
      await setApplicationStatus(trx, row.id, 'needs_info', { assignedTo: who(request).login });
      await postMessage(trx, 'application', row.id, row.user_ref, who(request), request.body);
      await recordAudit(trx, { ...auditContext(request), action: 'application.request_info', targetType: 'application', targetId: row.id });
    });
    return done({ id: row.id, status: 'needs_info' });
  });

  app.post('/api/back-office/applications/:id/messages', { config: employee, bodyLimit: 30 * 1024 * 1024, schema: { tags: ['applications'], summary: 'Write to the applicant (files allowed)', params: S.IdParams, body: S.TextBody } }, async (request, reply) => {
    const row = await findApplication(request.params.id);
    if (['rejected', 'withdrawn'].includes(row.status)) throw conflict('application_closed', `The application is ${row.status}`);
    await ctx.database.transaction(async (trx) => {
      await postMessage(trx, 'application', row.id, row.user_ref, who(request), request.body);
      await recordAudit(trx, { ...auditContext(request), action: 'application.message', targetType: 'application', targetId: row.id });
    });
    return reply.status(201).send(done({ id: row.id, status: row.status }));
  });

  app.post('/api/back-office/applications/:id/documents', { config: employee, schema: { tags: ['applications'], summary: 'Issue the contract or an additional agreement (PDF) for signature', params: S.IdParams, body: S.IssueBody } }, async (request, reply) => {
    const row = await findApplication(request.params.id);
    if (!['submitted', 'in_review', 'needs_info', 'contract_issued', 'signed'].includes(row.status)) throw conflict('status_change_not_allowed', `An application ${row.status} gets no documents`);
    if (request.body.kind === 'contract' && row.status === 'signed') throw conflict('contract_already_signed', 'The contract is signed; issue an additional agreement');
    const issuedAt = new Date();
    const { nextval } = (await sql<{ nextval: string }>`select nextval('document_numbers')::text as nextval`.execute(db)).rows[0]!;
    const number = `${request.body.kind === 'contract' ? 'ДЭ' : 'ДС'}-${issuedAt.getUTCFullYear()}-${nextval.padStart(6, '0')}`;
    const title = request.body.title ?? (request.body.kind === 'contract' ? 'Договор энергоснабжения' : 'Дополнительное соглашение');
    const applicant = row.applicant as unknown as Applicant;
    const pdf = await renderContractPdf({ kind: request.body.kind, number, title, issuedAt, supplier: SUPPLIER, applicant, objectAddress: row.object_address, requestedPowerKw: decimal(row.requested_power_kw), terms: request.body.terms });
    const id = eventId('document', row.id, number);
    const sha256 = sha256Hex(pdf);
    const fileName = `${number}.pdf`;
    await ctx.database.transaction(async (trx) => {
      await trx.insertInto('documents').values({ id, application_id: row.id, kind: request.body.kind, number, title, file_name: fileName, sha256, pdf, allow_simple_signature: request.body.allowSimpleSignature, issued_by: who(request).login, issued_at: issuedAt, signed_at: null }).execute();
      await enqueueEvents(trx, ['document', id], [
        { topic: applicationEventTopics.documentIssued, payload: { documentId: id, applicationId: row.id, userRef: row.user_ref, kind: request.body.kind, title, fileName, pdfBase64: pdf.toString('base64'), sha256, allowSimpleSignature: request.body.allowSimpleSignature, issuedAt: issuedAt.toISOString() } },
      ]);
      if (request.body.kind === 'contract') await setApplicationStatus(trx, row.id, 'contract_issued', { assignedTo: who(request).login });
      await recordAudit(trx, { ...auditContext(request), action: 'application.issue_document', targetType: 'application', targetId: row.id, details: { documentId: id, number, kind: request.body.kind, sha256 } });
    });
    return reply.status(201).send(done({ id, number, kind: request.body.kind, title, sha256, sizeBytes: pdf.length }));
  });

  app.post('/api/back-office/applications/:id/reject', { config: employee, schema: { tags: ['applications'], summary: 'Reject the application (the reason is shown to the applicant)', params: S.IdParams, body: S.ReasonBody } }, async (request) => {
    const row = await findApplication(request.params.id);
    await ctx.database.transaction(async (trx) => {
      await setApplicationStatus(trx, row.id, 'rejected', { assignedTo: who(request).login, note: request.body.reason });
      await recordAudit(trx, { ...auditContext(request), action: 'application.reject', targetType: 'application', targetId: row.id, details: { reason: request.body.reason } });
    });
    return done({ id: row.id, status: 'rejected' });
  });

  app.get('/api/back-office/documents/:id/pdf', { config: employee, schema: { tags: ['applications'], summary: 'A document as issued', params: S.IdParams } }, async (request, reply) => {
    const doc = await db.selectFrom('documents').select(['pdf', 'file_name']).where('id', '=', request.params.id).executeTakeFirst();
    if (!doc) throw notFound('document_not_found', 'No such document');
    return reply.type('application/pdf').header('content-disposition', `attachment; filename="document.pdf"; filename*=UTF-8''${encodeURIComponent(doc.file_name)}`).send(doc.pdf);
  });

  app.get('/api/back-office/signatures', { config: employee, schema: { tags: ['signatures'], summary: 'Who signed what and when, with the verification report', querystring: S.SignatureQuery } }, async (request) => {
    const { applicationId, documentId, limit, offset } = request.query;
    let query = db.selectFrom('signatures');
    if (applicationId) query = query.where('application_id', '=', applicationId);
    if (documentId) query = query.where('document_id', '=', documentId);
    const [rows, count] = await Promise.all([
      query.selectAll().orderBy('signed_at', 'desc').orderBy('id').limit(limit).offset(offset).execute(),
      query.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(signatureView), total: Number(count.n), limit, offset };
  });

  app.get('/api/back-office/signatures/:id/cms', { config: employee, schema: { tags: ['signatures'], summary: 'The detached CMS signature as received (DER)', params: S.IdParams } }, async (request, reply) => {
    const row = await db.selectFrom('signatures').select('signature').where('id', '=', request.params.id).executeTakeFirst();
    if (!row?.signature) throw notFound('signature_not_found', 'No CMS signature with this id');
    return reply.type('application/pkcs7-signature').header('content-disposition', 'attachment; filename="signature.p7s"').send(row.signature);
  });

  app.get('/api/back-office/attachments/:id', { config: employee, schema: { tags: ['applications', 'requests'], summary: 'A file of an application, a request or a message', params: S.IdParams } }, async (request, reply) => {
    const row = await db.selectFrom('back_attachments').select(['content', 'media_type', 'file_name']).where('id', '=', request.params.id).executeTakeFirst();
    if (!row) throw notFound('attachment_not_found', 'No such attachment');
    return reply.type(row.media_type).header('content-disposition', `attachment; filename="file"; filename*=UTF-8''${encodeURIComponent(row.file_name)}`).send(row.content);
  });

  // ——— requests ———
  app.get('/api/back-office/requests', { config: employee, schema: { tags: ['requests'], summary: 'The queue of requests, oldest first', querystring: S.RequestQueueQuery } }, async (request) => {
    const { status, kind, assignedTo, limit, offset } = request.query;
    let query = db.selectFrom('requests');
    if (status) query = query.where('status', '=', status as never);
    if (kind) query = query.where('kind', '=', kind as never);
    if (assignedTo) query = query.where('assigned_to', '=', assignedTo);
    const [rows, count] = await Promise.all([
      query.selectAll().orderBy('created_at').orderBy('id').limit(limit).offset(offset).execute(),
      query.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(requestView), total: Number(count.n), limit, offset };
  });

  app.get('/api/back-office/requests/:id', { config: employee, schema: { tags: ['requests'], summary: 'A request: typed form, files, thread', params: S.IdParams } }, async (request) => {
    const row = await findRequest(request.params.id);
    return { ...requestView(row), attachments: (await attachmentsOf('request', [row.id])).map(fileView), messages: await thread('request', row.id) };
  });

  const requestAction = (path: string, summary: string, to: 'in_progress' | 'needs_info' | 'answered' | 'closed', withMessage: boolean) =>
    app.post(`/api/back-office/requests/:id/${path}`, { config: employee, bodyLimit: 30 * 1024 * 1024, schema: { tags: ['requests'], summary, params: S.IdParams, body: withMessage ? S.TextBody : S.EmptyBody } }, async (request) => {
      const row = await findRequest(request.params.id);
      await ctx.database.transaction(async (trx) => {
        await setRequestStatus(trx, row.id, to, { assignedTo: who(request).login });
        if (withMessage) await postMessage(trx, 'request', row.id, row.user_ref, who(request), request.body as { text: string });
        await recordAudit(trx, { ...auditContext(request), action: `request.${path}`, targetType: 'request', targetId: row.id });
      });
      return done({ id: row.id, status: to });
    });
  requestAction('take', 'Take the request (status in_progress, assigned to you)', 'in_progress', false);
  requestAction('request-info', 'Ask the consumer for information (status needs_info)', 'needs_info', true);
  requestAction('answer', 'Answer (status answered; files allowed)', 'answered', true);
  requestAction('close', 'Close the request', 'closed', false);

  // ——— additional agreements to contracts in force (no application) ———
  app.post('/api/back-office/contracts/:number/agreements', { config: employee, schema: { tags: ['applications'], summary: 'Issue an additional agreement (PDF) to the consumer of a contract in force, for signature in the cabinet', params: S.ContractParams, body: S.AgreementBody } }, async (request, reply) => {
    if (!ctx.adapter) throw unavailable('billing_unavailable', 'No billing is configured for this back office');
    const check = await ctx.adapter.findContractForLink(request.params.number);
    if (!check.ok) throw check.code === 'contract_terminated' ? conflict('contract_terminated', 'The contract is terminated') : notFound('contract_not_found', 'No contract with this number');
    // Someone must be able to see it: a consumer nobody in the cabinet acts for cannot sign there.
    if (!(await isLinked(db, check.consumerRef))) throw conflict('consumer_not_linked', 'Nobody in the cabinet acts for this consumer: the agreement could not be signed there');
    const details = await ctx.adapter.contract(check.consumerRef, check.contractId);
    if (!details) throw notFound('contract_not_found', 'No contract with this number');
    const issuedAt = new Date();
    const { nextval } = (await sql<{ nextval: string }>`select nextval('document_numbers')::text as nextval`.execute(db)).rows[0]!;
    const number = `ДС-${issuedAt.getUTCFullYear()}-${nextval.padStart(6, '0')}`;
    const title = request.body.title ?? `Дополнительное соглашение к договору ${check.contractNumber}`;
    const profile = details.profile ?? { kind: 'organisation' as const, name: '' };
    const points = details.contract.objects.flatMap((o) => o.meteringPoints);
    const power = points.reduce((sum, p) => sum + Number(p.maxPowerKw ?? 0), 0);
    const pdf = await renderContractPdf({
      kind: 'agreement', number, title, issuedAt, supplier: SUPPLIER,
      applicant: { kind: profile.kind, name: profile.name, ...(profile.inn ? { inn: profile.inn } : {}), ...(profile.ogrn ? { ogrn: profile.ogrn } : {}), ...(profile.snils ? { snils: profile.snils } : {}) },
      objectAddress: details.contract.objects.map((o) => o.address).join('; ') || '—',
      requestedPowerKw: power > 0 ? String(Math.round(power * 1000) / 1000) : '—',
      terms: request.body.terms,
    });
    const id = eventId('document', 'contract', check.contractNumber, number);
    const sha256 = sha256Hex(pdf);
    const fileName = `${number}.pdf`;
    await ctx.database.transaction(async (trx) => {
      await trx.insertInto('documents').values({ id, application_id: null, consumer_ref: check.consumerRef, contract_number: check.contractNumber, kind: 'agreement', number, title, file_name: fileName, sha256, pdf, allow_simple_signature: request.body.allowSimpleSignature, issued_by: who(request).login, issued_at: issuedAt, signed_at: null }).execute();
      await enqueueEvents(trx, ['document', id], [
        { topic: applicationEventTopics.documentIssued, payload: { documentId: id, consumerRef: check.consumerRef, contractNumber: check.contractNumber, kind: 'agreement', title, fileName, pdfBase64: pdf.toString('base64'), sha256, allowSimpleSignature: request.body.allowSimpleSignature, issuedAt: issuedAt.toISOString() } },
      ]);
      await recordAudit(trx, { ...auditContext(request), action: 'contract.issue_agreement', targetType: 'contract', targetId: check.contractNumber, details: { documentId: id, number, sha256 } });
    });
    return reply.status(201).send(done({ id, number, kind: 'agreement', title, sha256, sizeBytes: pdf.length, consumerRef: check.consumerRef, contractNumber: check.contractNumber }));
  });

  app.get('/api/back-office/contracts/:number/agreements', { config: employee, schema: { tags: ['applications'], summary: 'Additional agreements issued to a contract in force, with their signatures', params: S.ContractParams } }, async (request) => {
    const documents = await db.selectFrom('documents').select(['id', 'kind', 'number', 'title', 'file_name', 'sha256', 'allow_simple_signature', 'status', 'issued_by', 'issued_at', 'signed_at']).where('contract_number', '=', request.params.number).orderBy('issued_at').execute();
    const signatures = documents.length ? await db.selectFrom('signatures').selectAll().where('document_id', 'in', documents.map((d) => d.id)).orderBy('signed_at').execute() : [];
    return { contractNumber: request.params.number, items: documents.map((d) => ({ ...documentView(d), signatures: signatures.filter((s) => s.document_id === d.id).map(signatureView) })) };
  });
}

const decimal = (value: string) => (value.includes('.') ? value.replace(/\.?0+$/, '') : value);
const iso = (d: Date | null) => d?.toISOString() ?? null;

function applicationView(r: { id: string; user_ref: string; consumer_ref: string | null; applicant: unknown; object_address: string; requested_power_kw: string; comment: string | null; status: string; seq: number; assigned_to: string | null; status_note: string | null; contract_number: string | null; contract_ref: string | null; billing_note: string | null; submitted_at: Date; updated_at: Date }) {
  return { id: r.id, userRef: r.user_ref, consumerRef: r.consumer_ref, applicant: r.applicant, objectAddress: r.object_address, requestedPowerKw: decimal(r.requested_power_kw), comment: r.comment, status: r.status, seq: r.seq, assignedTo: r.assigned_to, statusNote: r.status_note, contractNumber: r.contract_number, contractRef: r.contract_ref, billingNote: r.billing_note, submittedAt: r.submitted_at.toISOString(), updatedAt: r.updated_at.toISOString() };
}
function requestView(r: { id: string; user_ref: string; consumer_ref: string | null; kind: string; subject: string; text: string; fields: unknown; author_name: string; author_contact: string; status: string; seq: number; assigned_to: string | null; created_at: Date; updated_at: Date }) {
  return { id: r.id, userRef: r.user_ref, consumerRef: r.consumer_ref, kind: r.kind, subject: r.subject, text: r.text, fields: r.fields, author: { name: r.author_name, contact: r.author_contact }, status: r.status, seq: r.seq, assignedTo: r.assigned_to, createdAt: r.created_at.toISOString(), updatedAt: r.updated_at.toISOString() };
}
function fileView(f: { id: string; direction: string; file_name: string; media_type: string; size_bytes: number; sha256: string; created_at: Date }) {
  return { id: f.id, direction: f.direction, fileName: f.file_name, mediaType: f.media_type, sizeBytes: f.size_bytes, sha256: f.sha256, createdAt: f.created_at.toISOString() };
}
function documentView(d: { id: string; kind: string; number: string; title: string; file_name: string; sha256: string; allow_simple_signature: boolean; status: string; issued_by: string; issued_at: Date; signed_at: Date | null }) {
  return { id: d.id, kind: d.kind, number: d.number, title: d.title, fileName: d.file_name, sha256: d.sha256, allowSimpleSignature: d.allow_simple_signature, status: d.status, issuedBy: d.issued_by, issuedAt: d.issued_at.toISOString(), signedAt: iso(d.signed_at) };
}
function signatureView(s: { id: string; document_id: string; application_id: string | null; user_ref: string; signed_by: unknown; method: string; algorithm: string; signature: Buffer | null; report: unknown; signed_at: Date; received_at: Date }) {
  return { id: s.id, documentId: s.document_id, applicationId: s.application_id, userRef: s.user_ref, signedBy: s.signed_by, method: s.method, algorithm: s.algorithm, hasCms: Boolean(s.signature), report: s.report, signedAt: s.signed_at.toISOString(), receivedAt: s.received_at.toISOString() };
}
