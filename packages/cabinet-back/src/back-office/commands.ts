import {
  applicationCommandTopics,
  ApplicationMessage,
  ApplicationSubmitted,
  ApplicationWithdrawn,
  DocumentSigned,
  eventTopics,
  requestCommandTopics,
  type Applicant,
  type LinkAccepted,
  RequestClosed,
  RequestCreated,
  RequestMessage,
  signatureCommandTopics,
} from '@app/cabinet-contracts';
import type { Message } from '@app/kernel';
import type { Selectable } from 'kysely';
import type { TSchema } from 'typebox';
import { recordLink } from '../links.repo.js';
import { enqueueEvents } from '../outgoing.js';
import { snapshotEvents } from '../snapshot.js';
import type { CabinetBackDb } from '../tables.js';
import { applyOnce, deadCommand, type BackContext } from '../commands/context.js';
import './back-office.tables.js';
import { storeIncoming } from './files.js';
import { applicationTransitions, requestTransitions, setApplicationStatus, setRequestStatus } from './status.js';

/**
 * The front's commands of the back office's queues, each applied once (kernel inbox, as every command).
 * Only a signed contract needs billing (it concludes the contract). A message or a withdrawal of something the back has no row of cannot apply
 * and is dead-lettered like any invalid command.
 */
const noBilling = async () => undefined;

async function submit(ctx: BackContext, message: Message<ApplicationSubmitted>) {
  const c = message.payload;
  await applyOnce(ctx, message, noBilling, async (trx) => {
    const inserted = await trx
      .insertInto('applications')
      .values({ id: c.applicationId, user_ref: c.userRef, consumer_ref: c.consumerRef ?? null, applicant: JSON.stringify(c.applicant), applicant_name: c.applicant.name, object_address: c.objectAddress, requested_power_kw: c.requestedPowerKw, comment: c.comment ?? null, status: 'submitted', assigned_to: null, status_note: null, submitted_at: c.submittedAt })
      .onConflict((oc) => oc.column('id').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (inserted) await storeIncoming(trx, { kind: 'application', id: c.applicationId }, c.attachments);
  });
}

async function threadMessage(ctx: BackContext, message: Message<ApplicationMessage | RequestMessage>, kind: 'application' | 'request') {
  const c = message.payload;
  const threadId = 'applicationId' in c ? c.applicationId : c.requestId;
  const table = kind === 'application' ? 'applications' : 'requests';
  const thread = await ctx.database.db.selectFrom(table).select(['status']).where('id', '=', threadId).executeTakeFirst();
  if (!thread) return deadCommand(ctx, message, [{ code: `${kind}_unknown`, message: `No ${kind} ${threadId}` }]);
  await applyOnce(ctx, message, noBilling, async (trx) => {
    await trx.insertInto('thread_messages').values({ id: c.messageId, thread_kind: kind, thread_id: threadId, author: 'consumer', author_name: null, text: c.text, created_at: c.at }).onConflict((oc) => oc.column('id').doNothing()).execute();
    await storeIncoming(trx, { kind: 'message', id: c.messageId }, c.attachments);
    // The consumer answered a question: the thread is back in the employee's hands.
    if (thread.status === 'needs_info') {
      if (kind === 'application') await setApplicationStatus(trx, threadId, 'in_review');
      else await setRequestStatus(trx, threadId, 'in_progress');
    }
  });
}

async function withdraw(ctx: BackContext, message: Message<ApplicationWithdrawn>) {
  const c = message.payload;
  await applyOnce(ctx, message, noBilling, async (trx) => {
    const row = await trx.selectFrom('applications').select('status').where('id', '=', c.applicationId).executeTakeFirst();
    // Already signed or decided: the consumer's withdrawal came too late and changes nothing.
    if (row && applicationTransitions[row.status].includes('withdrawn')) await setApplicationStatus(trx, c.applicationId, 'withdrawn');
  });
}

async function createRequest(ctx: BackContext, message: Message<RequestCreated>) {
  const c = message.payload;
  await applyOnce(ctx, message, noBilling, async (trx) => {
    const inserted = await trx
      .insertInto('requests')
      .values({ id: c.requestId, user_ref: c.userRef, consumer_ref: c.consumerRef ?? null, kind: c.kind, subject: c.subject, text: c.text, fields: JSON.stringify(c.fields), author_name: c.author.name, author_contact: c.author.contact, status: 'new', assigned_to: null, created_at: c.createdAt })
      .onConflict((oc) => oc.column('id').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (inserted) await storeIncoming(trx, { kind: 'request', id: c.requestId }, c.attachments);
  });
}

async function closeRequest(ctx: BackContext, message: Message<RequestClosed>) {
  await applyOnce(ctx, message, noBilling, async (trx) => {
    const row = await trx.selectFrom('requests').select('status').where('id', '=', message.payload.requestId).executeTakeFirst();
    if (row && requestTransitions[row.status]!.includes('closed')) await setRequestStatus(trx, message.payload.requestId, 'closed');
  });
}

/**
 * A signature the cabinet verified and accepted. The back checks it covers the document it issued
 * (digest), stores it with its report, and a signed contract moves the application to `signed`.
 *
 * The first signature of the contract document also concludes the contract in billing
 * (`BillingAdapter.createContract`, idempotent by the application id: called before the back's
 * transaction, as every billing call, so a redelivery after a crash gets the same contract), links the
 * applicant's cabinet user to it (as an approved link: `link.accepted` via `application`, the membership
 * on the front) and sends the consumer's data (`consumer.snapshot` …) so the contract appears in the
 * cabinet. Billing away: the command waits on the bus like any other and nothing is stored until it
 * answers. A refusal by billing still stores the signature and signs the application; the reason is kept
 * for the employee (`billingNote`).
 */
async function documentSigned(ctx: BackContext, message: Message<DocumentSigned>) {
  const c = message.payload;
  const db = ctx.database.db;
  const doc = await db.selectFrom('documents').select(['id', 'sha256', 'kind', 'application_id', 'status']).where('id', '=', c.documentId).executeTakeFirst();
  if (!doc || doc.application_id !== (c.applicationId ?? null)) return deadCommand(ctx, message, [{ code: 'document_unknown', message: `No document ${c.documentId}` }]);
  if (doc.sha256 !== c.documentSha256) return deadCommand(ctx, message, [{ code: 'document_digest_mismatch', message: 'The signature covers another document than the one issued' }]);
  const application = c.applicationId ? await db.selectFrom('applications').selectAll().where('id', '=', c.applicationId).executeTakeFirstOrThrow() : null;
  const concludes = application !== null && doc.kind === 'contract' && doc.status === 'issued' && application.status === 'contract_issued';
  await applyOnce(
    ctx,
    message,
    async () => (concludes ? concludeContract(ctx, application, c.signedAt) : null),
    async (trx, concluded) => {
      await trx
        .insertInto('signatures')
        .values({ id: c.signatureId, document_id: c.documentId, application_id: c.applicationId ?? null, user_ref: c.userRef, signed_by: JSON.stringify(c.signedBy), method: c.method, algorithm: c.report.algorithm, signature: c.signatureBase64 ? Buffer.from(c.signatureBase64, 'base64') : null, report: JSON.stringify(c.report), signed_at: c.signedAt })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
      const first = await trx.updateTable('documents').set({ status: 'signed', signed_at: new Date(c.signedAt) }).where('id', '=', c.documentId).where('status', '=', 'issued').returning('id').executeTakeFirst();
      if (!application || !c.applicationId) return; // an agreement to a contract in force: nothing more to move
      const app = await trx.selectFrom('applications').select('status').where('id', '=', c.applicationId).executeTakeFirstOrThrow();
      if (first && doc.kind === 'contract' && app.status === 'contract_issued') await setApplicationStatus(trx, c.applicationId, 'signed');
      if (!concluded) return;
      const { result } = concluded;
      if (!result.ok) {
        ctx.logger.error({ applicationId: c.applicationId, code: result.code }, 'billing refused to conclude the signed contract: needs an employee');
        await trx.updateTable('applications').set({ billing_note: `${result.code}: ${result.message}`.slice(0, 2000) }).where('id', '=', c.applicationId).execute();
        return;
      }
      await trx.updateTable('applications').set({ contract_number: result.contractNumber, contract_ref: result.contractId, consumer_ref: result.consumerRef, billing_note: null }).where('id', '=', c.applicationId).execute();
      const link = { commandId: message.id, userRef: application.user_ref, contractNumber: result.contractNumber, via: 'application' as const };
      const accepted: LinkAccepted = { ...link, consumerRef: result.consumerRef };
      if (concluded.snapshot) {
        await recordLink(trx, { ...link, consumerRef: result.consumerRef, version: concluded.snapshot.version });
        await enqueueEvents(trx, ['command', message.id], [{ topic: eventTopics.linkAccepted, payload: accepted }, ...concluded.snapshot.events]);
      }
    },
  );
}

/** Billing's part of a signed contract: conclude it, then read the consumer's data for the cabinet. */
async function concludeContract(ctx: BackContext, application: Selectable<CabinetBackDb['applications']>, signedAt: string) {
  const applicant = application.applicant as unknown as Applicant;
  const result = await ctx.adapter.createContract({
    applicationRef: application.id,
    ...(application.consumer_ref ? { consumerRef: application.consumer_ref } : {}),
    consumer: { kind: applicant.kind, name: applicant.name, ...pick(applicant, ['inn', 'ogrn', 'snils', 'email', 'phone']) },
    objectAddress: application.object_address,
    requestedPowerKw: String(application.requested_power_kw),
    startsOn: signedAt.slice(0, 10),
  });
  const snapshot = result.ok ? await snapshotEvents(ctx.adapter, result.consumerRef, ctx.snapshotOptions()) : null;
  return { result, snapshot };
}

const pick = <T extends object, K extends keyof T>(value: T, keys: K[]) => Object.fromEntries(keys.filter((k) => value[k] !== undefined && value[k] !== null).map((k) => [k, value[k]])) as Partial<Pick<T, K>>;

export const backOfficeCommandRoutes: Record<string, { schema: TSchema; handle: (ctx: BackContext, message: Message<never>) => Promise<void> }> = {
  [applicationCommandTopics.submit]: { schema: ApplicationSubmitted, handle: submit },
  [applicationCommandTopics.message]: { schema: ApplicationMessage, handle: (ctx, m) => threadMessage(ctx, m, 'application') },
  [applicationCommandTopics.withdraw]: { schema: ApplicationWithdrawn, handle: withdraw },
  [requestCommandTopics.create]: { schema: RequestCreated, handle: createRequest },
  [requestCommandTopics.message]: { schema: RequestMessage, handle: (ctx, m) => threadMessage(ctx, m, 'request') },
  [requestCommandTopics.close]: { schema: RequestClosed, handle: closeRequest },
  [signatureCommandTopics.sign]: { schema: DocumentSigned, handle: documentSigned },
};
