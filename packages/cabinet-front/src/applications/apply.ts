import type { ApplicationMessagePosted, ApplicationStatusChanged, DocumentIssued } from '@app/cabinet-contracts';
import type { Transaction } from 'kysely';
import { storeIncomingAttachments } from '../attachments/attachments.service.js';
import type { Pii } from '../crypto/pii.js';
import { queueNotification } from '../notifications/notifications.js';
import type { CabinetFrontDb } from '../tables.js';

type Trx = Transaction<CabinetFrontDb>;

/**
 * The back office's events on applications. A status applies only when its `seq` is newer than the
 * one stored, so a late or repeated event changes nothing; messages and documents are keyed by the
 * back's ids. Each change queues its e-mail in the same transaction.
 */
export async function applyApplicationStatus(trx: Trx, pii: Pii, e: ApplicationStatusChanged) {
  const before = await trx.selectFrom('applications').select('status').where('id', '=', e.applicationId).forUpdate().executeTakeFirst();
  const updated = await trx
    .updateTable('applications')
    .set({ status: e.status, seq: e.seq, status_note_enc: pii.seal('applications', 'status_note_enc', e.applicationId, e.note ?? null), updated_at: new Date(e.at) })
    .where('id', '=', e.applicationId)
    .where('seq', '<', e.seq)
    .returning(['id', 'user_id'])
    .executeTakeFirst();
  // A withdrawal the consumer made here comes back from the back: no second e-mail for it.
  if (updated && before?.status !== e.status) await queueNotification(trx, { userId: updated.user_id, subjectKind: 'application', subjectId: updated.id, event: `status:${e.status}` });
}

export async function applyApplicationMessage(trx: Trx, pii: Pii, e: ApplicationMessagePosted) {
  const app = await trx.selectFrom('applications').select(['id', 'user_id']).where('id', '=', e.applicationId).executeTakeFirst();
  if (!app) return; // deleted with its user
  const inserted = await trx
    .insertInto('application_messages')
    .values({ id: e.messageId, application_id: e.applicationId, author: 'supplier', author_name: e.authorName, text_enc: pii.seal('application_messages', 'text_enc', e.messageId, e.text), created_at: e.at })
    .onConflict((oc) => oc.column('id').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!inserted) return;
  await storeIncomingAttachments(trx, pii, app.user_id, { kind: 'application_message', id: e.messageId }, e.attachments);
  await queueNotification(trx, { userId: app.user_id, subjectKind: 'application', subjectId: app.id, event: 'message' });
}

export async function applyDocumentIssued(trx: Trx, pii: Pii, e: DocumentIssued) {
  if (!e.applicationId) {
    // An additional agreement to a contract in force: whoever acts for the consumer sees it (documents.ts).
    if (!e.consumerRef) return;
    await trx
      .insertInto('documents')
      .values({ id: e.documentId, application_id: null, consumer_ref: e.consumerRef, contract_number: e.contractNumber ?? null, kind: e.kind, title: e.title, file_name: e.fileName, sha256: e.sha256, pdf_enc: pii.seal('documents', 'pdf_enc', e.documentId, e.pdfBase64), allow_simple_signature: e.allowSimpleSignature, issued_at: e.issuedAt, signed_at: null })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
    return;
  }
  const app = await trx.selectFrom('applications').select(['id', 'user_id']).where('id', '=', e.applicationId).executeTakeFirst();
  if (!app) return;
  const inserted = await trx
    .insertInto('documents')
    .values({ id: e.documentId, application_id: app.id, kind: e.kind, title: e.title, file_name: e.fileName, sha256: e.sha256, pdf_enc: pii.seal('documents', 'pdf_enc', e.documentId, e.pdfBase64), allow_simple_signature: e.allowSimpleSignature, issued_at: e.issuedAt, signed_at: null })
    .onConflict((oc) => oc.column('id').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted) await queueNotification(trx, { userId: app.user_id, subjectKind: 'application', subjectId: app.id, event: 'document' });
}
