import { randomUUID } from 'node:crypto';
import { requestCommandTopics, type RequestClosed, type RequestCreated, type RequestMessage } from '@app/cabinet-contracts';
import { AppError, conflict, enqueueMessage, notFound, type Database } from '@app/kernel';
import type { Selectable } from 'kysely';
import type { Attachments } from '../attachments/attachments.service.js';
import { describeConsumerUser } from '../auth/consumer-users.repo.js';
import type { Pii } from '../crypto/pii.js';
import type { RequestsTable } from '../documents.tables.js';
import type { Links } from '../links/link.service.js';
import { inScope } from '../members/scope.js';
import { queueNotification } from '../notifications/notifications.js';
import type { CabinetFrontDb } from '../tables.js';
import { messageView, ownedOrMember } from '../threads.js';
import { fieldProblems, replacementProblems } from './request-forms.js';

type Form = { kind: RequestsTable['kind']; subject: string; text: string; fields: Record<string, unknown>; attachmentIds?: string[] };
const invalid = (errors: Array<{ field: string; code: string; message: string }>) => new AppError('validation_failed', 400, errors.map((e) => `${e.field}: ${e.message}`).join('; '), { errors });

/**
 * Requests (обращения). A "link my contract" request is the link request of links/ (the back office
 * decides it in its link queue; its status is shown through this one); every other kind goes to the
 * back as `request.create` with its typed form and files, in the transaction that stores it.
 */
export class Requests {
  constructor(private readonly deps: { database: Database<CabinetFrontDb>; pii: Pii; attachments: Attachments; links: Links; nudge: () => void }) {}

  async create(userId: string, form: Form) {
    const problems = fieldProblems(form.kind, form.fields);
    if (problems.length) throw invalid(problems);
    if (form.kind === 'meter_replacement') {
      const more = replacementProblems(form.fields as never);
      if (more.length) throw invalid(more);
    }
    const consumerRef = await this.consumerOf(userId, form);
    const id = randomUUID();
    const { pii } = this.deps;
    let linkRequestId: string | null = null;
    if (form.kind === 'link_contract') {
      const f = form.fields as { contractNumber: string; applicantName: string; taxId?: string };
      const link = await this.deps.links.byRequest(userId, { contractNumber: f.contractNumber, applicantName: f.applicantName, ...(f.taxId ? { taxId: f.taxId } : {}), ...(form.text ? { comment: form.text } : {}) });
      linkRequestId = link.id;
    }
    const user = await describeConsumerUser(this.deps.database.db, pii, userId);
    const createdAt = new Date();
    await this.deps.database.transaction(async (trx) => {
      await trx
        .insertInto('requests')
        .values({
          id,
          user_id: userId,
          consumer_ref: consumerRef,
          kind: form.kind,
          subject_enc: pii.seal('requests', 'subject_enc', id, form.subject),
          text_enc: pii.seal('requests', 'text_enc', id, form.text),
          fields_enc: pii.seal('requests', 'fields_enc', id, JSON.stringify(form.fields)),
          link_request_id: linkRequestId,
        })
        .execute();
      const attachments = await this.deps.attachments.claim(trx, userId, form.attachmentIds, { kind: 'request', id });
      if (form.kind !== 'link_contract') {
        const command: RequestCreated = {
          requestId: id,
          userRef: userId,
          ...(consumerRef ? { consumerRef } : {}),
          kind: form.kind,
          subject: form.subject,
          text: form.text,
          fields: form.fields,
          author: { name: user?.displayName ?? '', contact: user?.login ?? '' },
          createdAt: createdAt.toISOString(),
          attachments,
        };
        await enqueueMessage(trx, requestCommandTopics.create, command, { id });
      }
      await queueNotification(trx, { userId, subjectKind: 'request', subjectId: id, event: 'status:new' });
    });
    this.deps.nudge();
    return this.get(userId, id);
  }

  async postMessage(userId: string, id: string, body: { text: string; attachmentIds?: string[] }) {
    const row = await this.find(userId, id);
    if (row.status === 'closed') throw conflict('request_closed', 'The request is closed; write a new one');
    if (row.kind === 'link_contract') throw conflict('request_no_thread', 'A link request has no thread; the supplier answers it by linking or declining');
    const messageId = randomUUID();
    const at = new Date();
    await this.deps.database.transaction(async (trx) => {
      await trx.insertInto('request_messages').values({ id: messageId, request_id: id, author: 'consumer', author_name: null, text_enc: this.deps.pii.seal('request_messages', 'text_enc', messageId, body.text), created_at: at }).execute();
      const attachments = await this.deps.attachments.claim(trx, userId, body.attachmentIds, { kind: 'request_message', id: messageId });
      const command: RequestMessage = { requestId: id, userRef: row.user_id, messageId, text: body.text, at: at.toISOString(), attachments };
      await enqueueMessage(trx, requestCommandTopics.message, command, { id: messageId });
    });
    this.deps.nudge();
    return this.get(userId, id);
  }

  async close(userId: string, id: string) {
    const row = await this.find(userId, id);
    if (row.status === 'closed') return this.get(userId, id);
    if (row.kind === 'link_contract') throw conflict('request_no_thread', 'A link request closes when the supplier decides it');
    const at = new Date();
    await this.deps.database.transaction(async (trx) => {
      await trx.updateTable('requests').set({ status: 'closed', updated_at: at }).where('id', '=', id).execute();
      const command: RequestClosed = { requestId: id, userRef: row.user_id, at: at.toISOString() };
      await enqueueMessage(trx, requestCommandTopics.close, command);
      await queueNotification(trx, { userId: row.user_id, subjectKind: 'request', subjectId: id, event: 'status:closed' });
    });
    this.deps.nudge();
    return this.get(userId, id);
  }

  async list(userId: string, query: { status?: string; kind?: string; limit: number; offset: number }) {
    let base = this.deps.database.db.selectFrom('requests').where(ownedOrMember(userId));
    if (query.status) base = base.where('status', '=', query.status as never);
    if (query.kind) base = base.where('kind', '=', query.kind as never);
    const [rows, total] = await Promise.all([
      base.selectAll().orderBy('created_at', 'desc').orderBy('id').limit(query.limit).offset(query.offset).execute(),
      base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
    ]);
    const views = await Promise.all(rows.map((r) => this.view(r)));
    return { items: views, total: Number(total.n), limit: query.limit, offset: query.offset };
  }

  async get(userId: string, id: string) {
    const row = await this.find(userId, id);
    const db = this.deps.database.db;
    const messages = await db.selectFrom('request_messages').selectAll().where('request_id', '=', id).orderBy('created_at').orderBy('id').execute();
    const files = await this.deps.attachments.listFor('request', [id]);
    const messageFiles = await this.deps.attachments.listFor('request_message', messages.map((m) => m.id));
    return {
      ...(await this.view(row)),
      attachments: files.get(id) ?? [],
      messages: messages.map((m) => messageView(this.deps.pii, 'request_messages', m, messageFiles.get(m.id) ?? [])),
    };
  }

  private async find(userId: string, id: string) {
    const row = await this.deps.database.db.selectFrom('requests').selectAll().where('id', '=', id).where(ownedOrMember(userId)).executeTakeFirst();
    if (!row) throw notFound('request_not_found', 'No such request');
    return row;
  }

  /** The consumer a request is about, from the contract, point or meter it names: each must be the caller's (404 naming the field). */
  private async consumerOf(userId: string, form: Form): Promise<string | null> {
    const db = this.deps.database.db;
    const f = form.fields as { contractId?: string; meteringPointId?: string; oldMeter?: { meterId: string } };
    let consumerRef: string | null = null;
    const visible = async (table: 'contracts' | 'metering_points' | 'meters', id: string, field: string, code: string, extra?: { column: 'contract_id' | 'point_id'; value: string }) => {
      let q = db.selectFrom(table).select(['consumer_ref', 'id']).where('id', '=', id).where(inScope(userId, 'view'));
      if (extra) q = q.where(extra.column as never, '=', extra.value as never);
      const row = await q.executeTakeFirst();
      if (!row || (consumerRef && row.consumer_ref !== consumerRef)) throw new AppError(code, 404, `No such ${field}`, { errors: [{ field, code, message: 'not found among your contracts' }] });
      consumerRef = row.consumer_ref;
    };
    if (f.contractId) await visible('contracts', f.contractId, 'fields/contractId', 'contract_not_found');
    if (f.meteringPointId) await visible('metering_points', f.meteringPointId, 'fields/meteringPointId', 'metering_point_not_found', f.contractId ? { column: 'contract_id', value: f.contractId } : undefined);
    if (f.oldMeter) await visible('meters', f.oldMeter.meterId, 'fields/oldMeter/meterId', 'meter_not_found', { column: 'point_id', value: f.meteringPointId! });
    return consumerRef;
  }

  private async view(row: Selectable<RequestsTable>) {
    const { pii } = this.deps;
    let status = row.status;
    let text = pii.open('requests', 'text_enc', row.id, row.text_enc);
    if (row.link_request_id) {
      // Its status is the link request's: pending → new, accepted → closed, rejected → answered (with why).
      const link = await this.deps.database.db.selectFrom('link_requests').select(['status', 'reject_message']).where('id', '=', row.link_request_id).executeTakeFirst();
      status = link?.status === 'accepted' ? 'closed' : link?.status === 'rejected' ? 'answered' : 'new';
      if (link?.reject_message) text = `${text}${text ? '\n\n' : ''}${link.reject_message}`;
    }
    return {
      id: row.id,
      kind: row.kind,
      status,
      subject: pii.open('requests', 'subject_enc', row.id, row.subject_enc),
      text,
      fields: JSON.parse(pii.open('requests', 'fields_enc', row.id, row.fields_enc)) as Record<string, unknown>,
      ...(row.consumer_ref ? { consumerRef: row.consumer_ref } : {}),
      ...(row.link_request_id ? { linkRequestId: row.link_request_id } : {}),
      createdAt: row.created_at.toISOString(),
      updatedAt: row.updated_at.toISOString(),
    };
  }
}
