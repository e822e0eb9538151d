import { randomUUID } from 'node:crypto';
import { applicationCommandTopics, type Applicant, type ApplicationMessage, type ApplicationSubmitted, type ApplicationWithdrawn } from '@app/cabinet-contracts';
import { conflict, enqueueMessage, notFound, unprocessable, type Database } from '@app/kernel';
import type { Selectable } from 'kysely';
import type { Attachments } from '../attachments/attachments.service.js';
import type { Pii } from '../crypto/pii.js';
import type { ApplicationsTable } from '../documents.tables.js';
import { rightsFor } from '../members/scope.js';
import type { CabinetFrontDb } from '../tables.js';
import { queueNotification } from '../notifications/notifications.js';
import { messageView, ownedOrMember } from '../threads.js';
import { documentViews } from './documents.js';

type Form = { applicant: Applicant; objectAddress: string; requestedPowerKw: string; comment?: string; consumerRef?: string; attachmentIds?: string[] };
const E = (table: string, column: string) => [table, column] as const;
const OPEN_THREAD = ['submitted', 'in_review', 'needs_info', 'contract_issued'];

/** What the form must hold besides its schema: who the applicant is, told by the identifiers the signature will be checked against. Pure. */
export function applicantProblems(a: Applicant) {
  const problems: Array<{ field: string; code: string; message: string }> = [];
  if (a.kind === 'organisation') {
    if (!a.inn || a.inn.length !== 10) problems.push({ field: 'applicant/inn', code: 'inn_required', message: 'An organisation gives its 10-digit INN' });
    if (!a.ogrn || a.ogrn.length !== 13) problems.push({ field: 'applicant/ogrn', code: 'ogrn_required', message: 'An organisation gives its 13-digit OGRN' });
  } else if (!a.snils && !(a.inn && a.inn.length === 12)) {
    problems.push({ field: 'applicant/snils', code: 'snils_or_inn_required', message: 'A person gives their SNILS or 12-digit INN' });
  }
  return problems;
}

/**
 * Contract applications: the consumer fills a draft (with files), submits it (the command with the
 * form and files goes into the outbox in the same transaction), writes in its thread, may withdraw it.
 * The back office's events move it on (apply.ts).
 */
export class Applications {
  constructor(private readonly deps: { database: Database<CabinetFrontDb>; pii: Pii; attachments: Attachments; nudge: () => void }) {}

  async create(userId: string, form: Form) {
    this.check(form);
    if (form.consumerRef) await this.checkConsumer(userId, form.consumerRef);
    const id = randomUUID();
    await this.deps.database.transaction(async (trx) => {
      await trx.insertInto('applications').values({ id, user_id: userId, consumer_ref: form.consumerRef ?? null, status_note_enc: null, submitted_at: null, ...this.sealed(id, form) }).execute();
      await this.deps.attachments.claim(trx, userId, form.attachmentIds, { kind: 'application', id });
    });
    return this.get(userId, id);
  }

  async update(userId: string, id: string, patch: Partial<Form>) {
    const row = await this.find(userId, id);
    if (row.status !== 'draft') throw conflict('application_not_draft', 'Only a draft can be changed; write in its thread instead');
    const current = this.form(row);
    const form: Form = { ...current, ...patch, applicant: patch.applicant ?? current.applicant };
    this.check(form);
    if (patch.consumerRef) await this.checkConsumer(userId, patch.consumerRef);
    await this.deps.database.transaction(async (trx) => {
      await trx.updateTable('applications').set({ ...this.sealed(id, form), consumer_ref: form.consumerRef ?? null, updated_at: new Date() }).where('id', '=', id).where('status', '=', 'draft').execute();
      await this.deps.attachments.claim(trx, userId, patch.attachmentIds, { kind: 'application', id });
    });
    return this.get(userId, id);
  }

  async submit(userId: string, id: string) {
    const row = await this.find(userId, id);
    if (row.status !== 'draft') throw conflict('application_already_submitted', `The application is ${row.status}`);
    const form = this.form(row);
    const submittedAt = new Date();
    await this.deps.database.transaction(async (trx) => {
      const updated = await trx.updateTable('applications').set({ status: 'submitted', submitted_at: submittedAt, updated_at: submittedAt }).where('id', '=', id).where('status', '=', 'draft').returning('id').executeTakeFirst();
      if (!updated) throw conflict('application_already_submitted', 'The application was submitted meanwhile');
      const files = await trx.selectFrom('attachments').select('id').where('owner_kind', '=', 'application').where('owner_id', '=', id).execute();
      const attachments = await this.busFiles(trx, files.map((f) => f.id));
      const command: ApplicationSubmitted = {
        applicationId: id,
        userRef: row.user_id,
        ...(row.consumer_ref ? { consumerRef: row.consumer_ref } : {}),
        applicant: form.applicant,
        objectAddress: form.objectAddress,
        requestedPowerKw: form.requestedPowerKw,
        ...(form.comment ? { comment: form.comment } : {}),
        submittedAt: submittedAt.toISOString(),
        attachments,
      };
      await enqueueMessage(trx, applicationCommandTopics.submit, command, { id });
      await queueNotification(trx, { userId: row.user_id, subjectKind: 'application', subjectId: id, event: 'status:submitted' });
    });
    this.deps.nudge();
    return this.get(userId, id);
  }

  async postMessage(userId: string, id: string, body: { text: string; attachmentIds?: string[] }) {
    const row = await this.find(userId, id);
    if (!OPEN_THREAD.includes(row.status)) throw conflict('application_thread_closed', `Messages cannot be sent on a ${row.status} application`);
    const messageId = randomUUID();
    const at = new Date();
    await this.deps.database.transaction(async (trx) => {
      await trx.insertInto('application_messages').values({ id: messageId, application_id: id, author: 'consumer', author_name: null, text_enc: this.deps.pii.seal('application_messages', 'text_enc', messageId, body.text), created_at: at }).execute();
      const attachments = await this.deps.attachments.claim(trx, userId, body.attachmentIds, { kind: 'application_message', id: messageId });
      const command: ApplicationMessage = { applicationId: id, userRef: row.user_id, messageId, text: body.text, at: at.toISOString(), attachments };
      await enqueueMessage(trx, applicationCommandTopics.message, command, { id: messageId });
    });
    this.deps.nudge();
    return this.get(userId, id);
  }

  async withdraw(userId: string, id: string) {
    const row = await this.find(userId, id);
    if (['signed', 'rejected', 'withdrawn'].includes(row.status)) throw conflict('application_closed', `The application is ${row.status}`);
    const at = new Date();
    await this.deps.database.transaction(async (trx) => {
      await trx.updateTable('applications').set({ status: 'withdrawn', updated_at: at }).where('id', '=', id).execute();
      // A draft never reached the back: nothing to tell it.
      if (row.status !== 'draft') {
        const command: ApplicationWithdrawn = { applicationId: id, userRef: row.user_id, at: at.toISOString() };
        await enqueueMessage(trx, applicationCommandTopics.withdraw, command);
      }
    });
    this.deps.nudge();
    return this.get(userId, id);
  }

  async list(userId: string, query: { status?: string; limit: number; offset: number }) {
    const db = this.deps.database.db;
    let base = db.selectFrom('applications').where(ownedOrMember(userId));
    if (query.status) base = base.where('status', '=', query.status as never);
    const [rows, total] = await Promise.all([
      base.selectAll().orderBy('created_at', 'desc').orderBy('id').limit(query.limit).offset(query.offset).execute(),
      base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map((r) => this.view(r)), total: Number(total.n), limit: query.limit, offset: query.offset };
  }

  async get(userId: string, id: string) {
    const row = await this.find(userId, id);
    const db = this.deps.database.db;
    const messages = await db.selectFrom('application_messages').selectAll().where('application_id', '=', id).orderBy('created_at').orderBy('id').execute();
    const files = await this.deps.attachments.listFor('application', [id]);
    const messageFiles = await this.deps.attachments.listFor('application_message', messages.map((m) => m.id));
    return {
      ...this.view(row),
      attachments: files.get(id) ?? [],
      messages: messages.map((m) => messageView(this.deps.pii, 'application_messages', m, messageFiles.get(m.id) ?? [])),
      documents: await documentViews(db, this.deps.pii, userId, [id]),
    };
  }

  async find(userId: string, id: string) {
    const row = await this.deps.database.db.selectFrom('applications').selectAll().where('id', '=', id).where(ownedOrMember(userId)).executeTakeFirst();
    if (!row) throw notFound('application_not_found', 'No such application');
    return row;
  }

  private async busFiles(trx: Parameters<Attachments['claim']>[0], ids: string[]) {
    if (ids.length === 0) return [];
    // Files claimed while it was a draft: read them back for the command (owner stays the application).
    const rows = await trx.selectFrom('attachments').selectAll().where('id', 'in', ids).execute();
    const { pii } = this.deps;
    return rows.map((r) => ({ attachmentId: r.id, fileName: pii.open('attachments', 'file_name_enc', r.id, r.file_name_enc), mediaType: r.media_type, sizeBytes: r.size_bytes, sha256: r.sha256, contentBase64: pii.open('attachments', 'content_enc', r.id, r.content_enc) }));
  }

  private check(form: Form) {
    const problems = applicantProblems(form.applicant);
    if (Number(form.requestedPowerKw) <= 0) problems.push({ field: 'requestedPowerKw', code: 'power_not_positive', message: 'The requested power must be above zero' });
    if (problems.length) throw unprocessable('application_invalid', problems.map((p) => p.message).join('; '), { errors: problems });
  }

  private async checkConsumer(userId: string, consumerRef: string) {
    const membership = await rightsFor(this.deps.database.db, userId, consumerRef);
    if (!membership) throw notFound('consumer_not_found', 'You do not act for this consumer');
  }

  private sealed(id: string, form: Form) {
    const { pii } = this.deps;
    const s = (column: string, value: string | undefined | null) => pii.seal(...E('applications', column), id, value ?? null);
    return {
      applicant_kind: form.applicant.kind,
      applicant_name_enc: pii.seal('applications', 'applicant_name_enc', id, form.applicant.name),
      inn_enc: s('inn_enc', form.applicant.inn),
      ogrn_enc: s('ogrn_enc', form.applicant.ogrn),
      snils_enc: s('snils_enc', form.applicant.snils),
      email_enc: s('email_enc', form.applicant.email),
      phone_enc: s('phone_enc', form.applicant.phone),
      object_address_enc: pii.seal('applications', 'object_address_enc', id, form.objectAddress),
      requested_power_kw: form.requestedPowerKw,
      comment_enc: s('comment_enc', form.comment),
    };
  }

  /** The applicant as stated (decrypted): what a signer's certificate is compared with. */
  applicantOf(row: Selectable<ApplicationsTable>): Applicant {
    const { pii } = this.deps;
    const o = (column: string, value: string | null) => pii.open('applications', column, row.id, value);
    const inn = o('inn_enc', row.inn_enc);
    const ogrn = o('ogrn_enc', row.ogrn_enc);
    const snils = o('snils_enc', row.snils_enc);
    const email = o('email_enc', row.email_enc);
    const phone = o('phone_enc', row.phone_enc);
    return { kind: row.applicant_kind, name: pii.open('applications', 'applicant_name_enc', row.id, row.applicant_name_enc), ...(inn ? { inn } : {}), ...(ogrn ? { ogrn } : {}), ...(snils ? { snils } : {}), ...(email ? { email } : {}), ...(phone ? { phone } : {}) };
  }

  private form(row: Selectable<ApplicationsTable>): Form {
    const comment = this.deps.pii.open('applications', 'comment_enc', row.id, row.comment_enc);
    return {
      applicant: this.applicantOf(row),
      objectAddress: this.deps.pii.open('applications', 'object_address_enc', row.id, row.object_address_enc),
      requestedPowerKw: decimal(row.requested_power_kw),
      ...(comment ? { comment } : {}),
      ...(row.consumer_ref ? { consumerRef: row.consumer_ref } : {}),
    };
  }

  private view(row: Selectable<ApplicationsTable>) {
    const form = this.form(row);
    const note = this.deps.pii.open('applications', 'status_note_enc', row.id, row.status_note_enc);
    return {
      id: row.id,
      status: row.status,
      ...(note ? { statusNote: note } : {}),
      ...(row.consumer_ref ? { consumerRef: row.consumer_ref } : {}),
      applicant: form.applicant,
      objectAddress: form.objectAddress,
      requestedPowerKw: form.requestedPowerKw,
      ...(form.comment ? { comment: form.comment } : {}),
      createdAt: row.created_at.toISOString(),
      updatedAt: row.updated_at.toISOString(),
      ...(row.submitted_at ? { submittedAt: row.submitted_at.toISOString() } : {}),
    };
  }
}

/** numeric(10,3) comes back as "150.000": the consumer wrote 150. */
const decimal = (value: string) => (value.includes('.') ? value.replace(/\.?0+$/, '') : value);
