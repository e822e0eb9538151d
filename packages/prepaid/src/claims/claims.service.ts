import { createHash } from 'node:crypto';
import { AppError, badRequest, conflict, notFound, recordAudit, unprocessable, type AuditEntry, type Database } from '@app/kernel';
import { sql, type Transaction } from 'kysely';
import type { Ledger, LedgerResult } from '../ledger/ledger.service.js';
import type { ClaimEventKind, ClaimResolution, OfflineDb } from '../tables.js';

/**
 * The claims cycle (seed 004 "претензионный цикл"): a claim on an operation or a failed operation is
 * opened, assigned, commented, given attachments, resolved — by a reversal, a refund or a correction,
 * each an ordinary Ledger operation with an idempotency key, or rejected with no money moved — and closed.
 *
 * Every step is one transaction writing the claim, its journal entry (claim_events, append-only) and the
 * kernel audit journal together. A resolution first claims the claim for its idempotency key (one
 * resolution per claim; a retry with the same key carries on, another key is refused), then runs its
 * ledger operations (idempotent under keys derived from it), then marks the claim resolved.
 */
export const ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024;
export const ATTACHMENT_TYPES = ['application/pdf', 'image/png', 'image/jpeg', 'text/plain', 'text/csv'] as const;

export type Actor = Pick<AuditEntry, 'actorId' | 'actorLogin' | 'ip' | 'userAgent' | 'requestId'> & { login: string };

export type ResolveRequest =
  | { kind: 'reversal'; idempotencyKey: string; note?: string }
  | { kind: 'refund'; idempotencyKey: string; items?: Array<{ product: string; amount: number }>; note?: string }
  | {
      kind: 'correction';
      idempotencyKey: string;
      product: string;
      /** Signed kopecks: positive credits the client's wallet, negative takes from it. */
      amount: number;
      reason: string;
      /** The account to correct; default the claimed operation's or failed operation's account. */
      accountId?: string;
      /** A failed offline purchase: post it after the correction (the merchant is paid). */
      postFailedPurchase?: boolean;
    }
  | { kind: 'rejected'; idempotencyKey: string; note: string };

type Tx = Transaction<OfflineDb>;

export class ClaimsService {
  constructor(
    private readonly database: Database<OfflineDb>,
    private readonly ledger: Ledger,
  ) {}

  async open(input: { operationId?: string; failedOperationId?: string; title: string; description?: string }, actor: Actor) {
    if ((input.operationId === undefined) === (input.failedOperationId === undefined)) throw badRequest('claim_subject_invalid', 'Name exactly one of operationId and failedOperationId', 'operationId');
    const db = this.database.db;
    if (input.operationId && !(await db.selectFrom('operations').select('id').where('id', '=', input.operationId).executeTakeFirst())) throw notFound('operation_not_found', 'No such operation');
    if (input.failedOperationId && !(await db.selectFrom('failed_operations').select('id').where('id', '=', input.failedOperationId).executeTakeFirst()))
      throw notFound('failed_operation_not_found', 'No such failed operation');
    try {
      return await this.database.transaction(async (trx) => {
        const claim = await trx
          .insertInto('claims')
          .values({ operation_id: input.operationId ?? null, failed_operation_id: input.failedOperationId ?? null, title: input.title, description: input.description ?? '', opened_by: actor.login, assignee: null, resolution: null })
          .returning(['id', 'number'])
          .executeTakeFirstOrThrow();
        await this.step(trx, claim.id, 'opened', actor, { operationId: input.operationId ?? null, failedOperationId: input.failedOperationId ?? null, title: input.title });
        return { id: claim.id, number: Number(claim.number) };
      });
    } catch (error) {
      if ((error as { code?: string }).code === '23505') throw conflict('claim_already_open', 'This operation already has an unfinished claim');
      throw error;
    }
  }

  async assign(id: string, assignee: string, actor: Actor) {
    const user = await this.database.db.selectFrom('users').select(['login_key', 'status']).where('login_key', '=', assignee).executeTakeFirst();
    if (!user || user.status !== 'active') throw badRequest('assignee_unknown', 'No active staff user with this login', 'assignee');
    await this.change(id, ['open', 'in_progress'], actor, 'assigned', { assignee }, (trx) =>
      trx.updateTable('claims').set({ assignee, status: 'in_progress', updated_at: new Date() }).where('id', '=', id).execute(),
    );
  }

  async comment(id: string, text: string, actor: Actor) {
    if (!text.trim()) throw badRequest('comment_empty', 'A comment needs text', 'text');
    await this.change(id, ['open', 'in_progress', 'resolved'], actor, 'commented', { text }, (trx) => trx.updateTable('claims').set({ updated_at: new Date() }).where('id', '=', id).execute());
  }

  async attach(id: string, file: { fileName: string; contentType: string; content: Buffer }, actor: Actor) {
    if (!(ATTACHMENT_TYPES as readonly string[]).includes(file.contentType)) throw badRequest('attachment_type_not_allowed', `Allowed types: ${ATTACHMENT_TYPES.join(', ')}`, 'contentType');
    if (file.content.length === 0) throw badRequest('attachment_empty', 'The attachment is empty', 'content');
    if (file.content.length > ATTACHMENT_MAX_BYTES) throw badRequest('attachment_too_large', `At most ${ATTACHMENT_MAX_BYTES} bytes`, 'content');
    const sha256 = createHash('sha256').update(file.content).digest('hex');
    let attachmentId = '';
    await this.change(id, ['open', 'in_progress', 'resolved'], actor, 'attached', { fileName: file.fileName, contentType: file.contentType, size: file.content.length, sha256 }, async (trx) => {
      const row = await trx
        .insertInto('claim_attachments')
        .values({ claim_id: id, file_name: file.fileName, content_type: file.contentType, size: file.content.length, sha256, content: file.content, created_by: actor.login })
        .returning('id')
        .executeTakeFirstOrThrow();
      attachmentId = row.id;
      await trx.updateTable('claims').set({ updated_at: new Date() }).where('id', '=', id).execute();
    });
    return { id: attachmentId, sha256, size: file.content.length };
  }

  async resolve(id: string, req: ResolveRequest, actor: Actor) {
    const db = this.database.db;
    // One resolution per claim: the first key takes it; a retry with that key carries on.
    const taken = await db
      .updateTable('claims')
      .set({ resolution_key: req.idempotencyKey })
      .where('id', '=', id)
      .where('status', 'in', ['open', 'in_progress'])
      .where((eb) => eb.or([eb('resolution_key', 'is', null), eb('resolution_key', '=', req.idempotencyKey)]))
      .returning('id')
      .executeTakeFirst();
    const claim = await db.selectFrom('claims').selectAll().where('id', '=', id).executeTakeFirst();
    if (!claim) throw notFound('claim_not_found', 'No such claim');
    if (!taken) {
      if (claim.resolution_key === req.idempotencyKey && claim.status !== 'open' && claim.status !== 'in_progress') return this.view(id);
      if (claim.status === 'open' || claim.status === 'in_progress') throw conflict('claim_being_resolved', 'Another resolution of this claim is under way');
      throw conflict('claim_not_open', `The claim is ${claim.status}`);
    }
    const failed = claim.failed_operation_id ? await db.selectFrom('failed_operations').selectAll().where('id', '=', claim.failed_operation_id).executeTakeFirstOrThrow() : null;
    const key = (step: string) => `claim:${id}:${req.idempotencyKey}:${step}`;
    const operations: string[] = [];
    const must = (result: LedgerResult, what: string) => {
      if (result.status === 'declined') {
        const { code, ...rest } = result.decline as { code: string } & Record<string, unknown>;
        throw unprocessable('resolution_declined', `The ledger declined the ${what}: ${code}`, { decline: code, ...Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])) });
      }
      operations.push(result.operationId);
    };

    try {
      if (req.kind === 'reversal' || req.kind === 'refund') {
        if (!claim.operation_id) throw unprocessable('resolution_not_applicable', 'A failed operation moved no money: resolve it by a correction or reject it', { field: 'kind' });
        if (req.kind === 'reversal') must(await this.ledger.reverse({ key: key('reversal'), operationId: claim.operation_id, createdBy: actor.login }), 'reversal');
        else must(await this.ledger.refund({ key: key('refund'), operationId: claim.operation_id, items: req.items, createdBy: actor.login }), 'refund');
      } else if (req.kind === 'correction') {
        const accountId = req.accountId ?? failed?.account_id ?? (claim.operation_id ? (await db.selectFrom('operations').select('account_id').where('id', '=', claim.operation_id).executeTakeFirst())?.account_id : null);
        if (!accountId) throw badRequest('account_required', 'Name the account to correct: the claimed operation has none', 'accountId');
        if (req.postFailedPurchase && (!failed || failed.status !== 'open')) throw unprocessable('resolution_not_applicable', 'Only an open failed purchase can be posted', { field: 'postFailedPurchase' });
        must(await this.ledger.correct({ key: key('correction'), accountId, product: req.product, amount: req.amount, reason: `claim ${claim.number}: ${req.reason}`, createdBy: actor.login }), 'correction');
        if (req.postFailedPurchase && failed) {
          must(
            await this.ledger.purchase({
              key: key('purchase'),
              accountId: failed.account_id ?? accountId,
              merchantId: failed.merchant_id,
              terminalId: failed.terminal_id,
              basket: failed.basket.map((l) => ({ product: l.product, amount: BigInt(l.amount) })),
              offline: { at: failed.happened_at, transactionId: failed.transaction_id },
            }),
            'posting of the failed purchase',
          );
        }
      }
    } catch (error) {
      // Nothing was resolved: free the claim for another attempt (ledger operations already made are
      // idempotent under this key, so the same key resumes; the journal keeps what was posted).
      if (operations.length === 0) await db.updateTable('claims').set({ resolution_key: null }).where('id', '=', id).where('resolution_key', '=', req.idempotencyKey).execute();
      throw error;
    }

    const resolution: ClaimResolution = req.kind;
    await this.database.transaction(async (trx) => {
      await trx.updateTable('claims').set({ status: 'resolved', resolution, resolution_operation_ids: operations, updated_at: new Date() }).where('id', '=', id).execute();
      // A failed operation is settled by its claim's resolution, whichever it was (the claim says which).
      if (failed) await trx.updateTable('failed_operations').set({ status: 'resolved', resolved_at: new Date() }).where('id', '=', failed.id).execute();
      const { idempotencyKey, ...rest } = req;
      await this.step(trx, id, 'resolved', actor, { ...rest, idempotencyKey, operations });
    });
    return this.view(id);
  }

  async close(id: string, actor: Actor) {
    await this.change(id, ['resolved'], actor, 'closed', {}, (trx) => trx.updateTable('claims').set({ status: 'closed', updated_at: new Date() }).where('id', '=', id).execute());
  }

  async view(id: string) {
    const db = this.database.db;
    const claim = await db.selectFrom('claims').selectAll().where('id', '=', id).executeTakeFirst();
    if (!claim) throw notFound('claim_not_found', 'No such claim');
    const [events, attachments] = await Promise.all([
      db.selectFrom('claim_events').selectAll().where('claim_id', '=', id).orderBy('id').execute(),
      db.selectFrom('claim_attachments').select(['id', 'file_name', 'content_type', 'size', 'sha256', 'created_by', 'created_at']).where('claim_id', '=', id).orderBy('created_at').execute(),
    ]);
    return {
      ...summary(claim),
      description: claim.description,
      events: events.map((e) => ({ id: Number(e.id), at: e.at.toISOString(), actor: e.actor, kind: e.kind, details: e.details })),
      attachments: attachments.map((a) => ({ id: a.id, fileName: a.file_name, contentType: a.content_type, size: a.size, sha256: a.sha256, createdBy: a.created_by, createdAt: a.created_at.toISOString() })),
    };
  }

  async list(q: { status?: string; assignee?: string; subject?: 'operation' | 'failed_operation'; resolution?: string; openedBy?: string; limit: number; offset: number }) {
    let query = this.database.db.selectFrom('claims');
    if (q.status) query = query.where('status', '=', q.status as never);
    if (q.assignee) query = query.where('assignee', '=', q.assignee);
    if (q.openedBy) query = query.where('opened_by', '=', q.openedBy);
    if (q.resolution) query = query.where('resolution', '=', q.resolution as never);
    if (q.subject === 'operation') query = query.where('operation_id', 'is not', null);
    if (q.subject === 'failed_operation') query = query.where('failed_operation_id', 'is not', null);
    const [rows, total] = await Promise.all([
      query.selectAll().orderBy('number', 'desc').limit(q.limit).offset(q.offset).execute(),
      query.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(summary), total: Number(total.n) };
  }

  async attachment(claimId: string, attachmentId: string) {
    const row = await this.database.db.selectFrom('claim_attachments').selectAll().where('claim_id', '=', claimId).where('id', '=', attachmentId).executeTakeFirst();
    if (!row) throw notFound('attachment_not_found', 'No such attachment');
    return row;
  }

  /** A step on a claim in a status that allows it: the change, the claim journal and the audit journal in one transaction. */
  private async change(id: string, allowed: string[], actor: Actor, kind: ClaimEventKind, details: Record<string, unknown>, apply: (trx: Tx) => Promise<unknown>) {
    await this.database.transaction(async (trx) => {
      const claim = await trx.selectFrom('claims').select('status').where('id', '=', id).forUpdate().executeTakeFirst();
      if (!claim) throw notFound('claim_not_found', 'No such claim');
      if (!allowed.includes(claim.status)) throw new AppError('claim_status_conflict', 409, `Not possible on a ${claim.status} claim`);
      await apply(trx);
      await this.step(trx, id, kind, actor, details);
    });
  }

  private async step(trx: Tx, claimId: string, kind: ClaimEventKind, actor: Actor, details: Record<string, unknown>) {
    await trx.insertInto('claim_events').values({ claim_id: claimId, actor: actor.login, kind, details: JSON.stringify(details) }).execute();
    const { login: _login, ...context } = actor;
    await recordAudit(trx, { ...context, action: `claim.${kind}`, targetType: 'claim', targetId: claimId, details });
  }
}

function summary(c: { id: string; number: bigint; operation_id: string | null; failed_operation_id: string | null; title: string; status: string; assignee: string | null; opened_by: string; resolution: string | null; resolution_operation_ids: string[]; created_at: Date; updated_at: Date }) {
  return {
    id: c.id,
    number: Number(c.number),
    operationId: c.operation_id,
    failedOperationId: c.failed_operation_id,
    title: c.title,
    status: c.status,
    assignee: c.assignee,
    openedBy: c.opened_by,
    resolution: c.resolution,
    resolutionOperationIds: c.resolution_operation_ids,
    createdAt: c.created_at.toISOString(),
    updatedAt: c.updated_at.toISOString(),
  };
}
