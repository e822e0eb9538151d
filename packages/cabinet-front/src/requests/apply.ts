import type { RequestMessagePosted, RequestStatusChanged } from '@app/cabinet-contracts';
import type { Transaction } from 'kysely';
import { storeIncomingAttachments } from '../attachments/attachments.service.js';
import type { Pii } from '../crypto/pii.js';
import { queueNotification } from '../notifications/notifications.js';
import type { CabinetFrontDb } from '../tables.js';

type Trx = Transaction<CabinetFrontDb>;

/** The back office's events on requests: newest `seq` wins; messages keyed by the back's id; each change queues its e-mail. */
export async function applyRequestStatus(trx: Trx, e: RequestStatusChanged) {
  const before = await trx.selectFrom('requests').select('status').where('id', '=', e.requestId).forUpdate().executeTakeFirst();
  const updated = await trx.updateTable('requests').set({ status: e.status, seq: e.seq, updated_at: new Date(e.at) }).where('id', '=', e.requestId).where('seq', '<', e.seq).returning(['id', 'user_id']).executeTakeFirst();
  // The consumer's own close came back from the back: no second e-mail for the same status.
  if (updated && before?.status !== e.status) await queueNotification(trx, { userId: updated.user_id, subjectKind: 'request', subjectId: updated.id, event: `status:${e.status}` });
}

export async function applyRequestMessage(trx: Trx, pii: Pii, e: RequestMessagePosted) {
  const request = await trx.selectFrom('requests').select(['id', 'user_id']).where('id', '=', e.requestId).executeTakeFirst();
  if (!request) return;
  const inserted = await trx
    .insertInto('request_messages')
    .values({ id: e.messageId, request_id: e.requestId, author: 'supplier', author_name: e.authorName, text_enc: pii.seal('request_messages', 'text_enc', e.messageId, e.text), created_at: e.at })
    .onConflict((oc) => oc.column('id').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!inserted) return;
  await storeIncomingAttachments(trx, pii, request.user_id, { kind: 'request_message', id: e.messageId }, e.attachments);
  await queueNotification(trx, { userId: request.user_id, subjectKind: 'request', subjectId: request.id, event: 'message' });
}
