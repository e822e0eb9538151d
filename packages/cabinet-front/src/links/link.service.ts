import { randomUUID } from 'node:crypto';
import { commandTopics, type LinkByRequest, type LinkBySecret, type LinkAccepted, type LinkRejected } from '@app/cabinet-contracts';
import { enqueueMessage, notFound, tooManyRequests, type Cache, type Database } from '@app/kernel';
import type { Selectable, Transaction } from 'kysely';
import type { Pii } from '../crypto/pii.js';
import { allRights, type CabinetFrontDb, type LinkRequestsTable } from '../tables.js';

/**
 * Linking a billing contract to the cabinet. The front records the request and writes the command to
 * its outbox in one transaction, so the request exists if and only if the command will reach the back,
 * whatever the broker or the back do meanwhile. The back answers with link.accepted / link.rejected.
 */
export class Links {
  constructor(private readonly deps: { database: Database<CabinetFrontDb>; pii: Pii; cache: Cache; nudge: () => void; attemptsPerHour?: number }) {}

  async bySecret(userId: string, input: { contractNumber: string; secret: string }) {
    // The secret is short; limiting tries per user keeps guessing it through the cabinet impractical.
    const tries = await this.deps.cache.incr(`link-secret:${userId}`, 3600).catch(() => 0);
    if (tries > (this.deps.attemptsPerHour ?? 10)) throw tooManyRequests('link_too_many_attempts', 'Too many link attempts; try again in an hour', 3600);
    const id = randomUUID();
    const command: LinkBySecret = { commandId: id, userRef: userId, contractNumber: input.contractNumber.trim(), secret: input.secret.trim() };
    await this.deps.database.transaction(async (trx) => {
      await trx.insertInto('link_requests').values({ id, user_id: userId, via: 'secret', contract_number: command.contractNumber, applicant_name_enc: null, tax_id_enc: null, comment_enc: null, reject_code: null, reject_message: null, consumer_ref: null, decided_at: null }).execute();
      await enqueueMessage(trx, commandTopics.linkBySecret, command, { id });
    });
    this.deps.nudge();
    return this.get(userId, id);
  }

  async byRequest(userId: string, input: { contractNumber: string; applicantName: string; taxId?: string; comment?: string }) {
    const { pii } = this.deps;
    const id = randomUUID();
    const command: LinkByRequest = {
      commandId: id,
      userRef: userId,
      contractNumber: input.contractNumber.trim(),
      applicantName: input.applicantName.trim(),
      ...(input.taxId ? { taxId: input.taxId } : {}),
      ...(input.comment ? { comment: input.comment } : {}),
    };
    await this.deps.database.transaction(async (trx) => {
      await trx
        .insertInto('link_requests')
        .values({
          id,
          user_id: userId,
          via: 'request',
          contract_number: command.contractNumber,
          applicant_name_enc: pii.seal('link_requests', 'applicant_name_enc', id, command.applicantName),
          tax_id_enc: pii.seal('link_requests', 'tax_id_enc', id, command.taxId),
          comment_enc: pii.seal('link_requests', 'comment_enc', id, command.comment),
          reject_code: null,
          reject_message: null,
          consumer_ref: null,
          decided_at: null,
        })
        .execute();
      await enqueueMessage(trx, commandTopics.linkByRequest, command, { id });
    });
    this.deps.nudge();
    return this.get(userId, id);
  }

  async list(userId: string, page: { limit: number; offset: number }) {
    const db = this.deps.database.db;
    const [rows, total] = await Promise.all([
      db.selectFrom('link_requests').selectAll().where('user_id', '=', userId).orderBy('created_at', 'desc').orderBy('id').limit(page.limit).offset(page.offset).execute(),
      db.selectFrom('link_requests').select((eb) => eb.fn.countAll<string>().as('n')).where('user_id', '=', userId).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map((r) => this.view(r)), total: Number(total.n), ...page };
  }

  async get(userId: string, id: string) {
    const row = await this.deps.database.db.selectFrom('link_requests').selectAll().where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
    if (!row) throw notFound('link_request_not_found', 'No such link request');
    return this.view(row);
  }

  private view(r: Selectable<LinkRequestsTable>) {
    const { pii } = this.deps;
    const applicantName = pii.open('link_requests', 'applicant_name_enc', r.id, r.applicant_name_enc);
    const taxId = pii.open('link_requests', 'tax_id_enc', r.id, r.tax_id_enc);
    const comment = pii.open('link_requests', 'comment_enc', r.id, r.comment_enc);
    return {
      id: r.id,
      via: r.via,
      contractNumber: r.contract_number,
      status: r.status,
      ...(r.reject_code ? { rejection: { code: r.reject_code, message: r.reject_message ?? '' } } : {}),
      ...(r.consumer_ref ? { consumerRef: r.consumer_ref } : {}),
      ...(applicantName ? { applicantName } : {}),
      ...(taxId ? { taxId } : {}),
      ...(comment ? { comment } : {}),
      createdAt: r.created_at.toISOString(),
      ...(r.decided_at ? { decidedAt: r.decided_at.toISOString() } : {}),
    };
  }
}

/**
 * link.accepted: the request is accepted and its user becomes an owner of the consumer with every
 * right. A redelivery changes nothing (the request is no longer pending, the membership exists).
 */
export async function applyLinkAccepted(trx: Transaction<CabinetFrontDb>, event: LinkAccepted) {
  await trx.updateTable('link_requests').set({ status: 'accepted', consumer_ref: event.consumerRef, decided_at: new Date(), reject_code: null, reject_message: null }).where('id', '=', event.commandId).where('status', '=', 'pending').execute();
  const user = await trx.selectFrom('users').select('id').where('id', '=', event.userRef).executeTakeFirst();
  if (!user) return; // the account was deleted meanwhile
  await trx
    .insertInto('memberships')
    .values({ user_id: event.userRef, consumer_ref: event.consumerRef, role: 'owner', rights: [...allRights] })
    .onConflict((oc) => oc.columns(['user_id', 'consumer_ref']).doUpdateSet({ role: 'owner', rights: [...allRights] }))
    .execute();
}

/** link.rejected: only a pending request changes (an accepted one is never undone by a late rejection). */
export async function applyLinkRejected(trx: Transaction<CabinetFrontDb>, event: LinkRejected) {
  await trx.updateTable('link_requests').set({ status: 'rejected', reject_code: event.code, reject_message: event.message, decided_at: new Date() }).where('id', '=', event.commandId).where('status', '=', 'pending').execute();
}
