import { applicationEventTopics, requestEventTopics } from '@app/cabinet-contracts';
import { conflict } from '@app/kernel';
import { sql, type Transaction } from 'kysely';
import { enqueueEvents } from '../outgoing.js';
import type { CabinetBackDb } from '../tables.js';
import type { BackApplicationStatus } from './back-office.tables.js';

type Trx = Transaction<CabinetBackDb>;

/**
 * Which status may follow which. Pure: the back office and the commands both go through it, so a
 * withdrawn application cannot be issued a contract, a signed one cannot be rejected, and so on.
 */
export const applicationTransitions: Record<BackApplicationStatus, readonly BackApplicationStatus[]> = {
  submitted: ['in_review', 'needs_info', 'rejected', 'withdrawn', 'contract_issued'],
  in_review: ['needs_info', 'contract_issued', 'rejected', 'withdrawn'],
  needs_info: ['in_review', 'contract_issued', 'rejected', 'withdrawn'],
  contract_issued: ['contract_issued', 'signed', 'rejected', 'withdrawn'],
  signed: ['signed'],
  rejected: [],
  withdrawn: [],
};
export const requestTransitions: Record<string, readonly string[]> = {
  new: ['in_progress', 'needs_info', 'answered', 'closed'],
  in_progress: ['needs_info', 'answered', 'closed'],
  needs_info: ['in_progress', 'answered', 'closed'],
  answered: ['in_progress', 'needs_info', 'answered', 'closed'],
  closed: [],
};

/**
 * Moves an application on and writes its event in the caller's transaction: the row's `seq` grows
 * by one and names the event (its id derives from application and seq, so a repeat collides).
 */
export async function setApplicationStatus(trx: Trx, id: string, to: BackApplicationStatus, change: { assignedTo?: string; note?: string } = {}) {
  const row = await trx.selectFrom('applications').select(['status', 'user_ref']).where('id', '=', id).forUpdate().executeTakeFirstOrThrow();
  if (!applicationTransitions[row.status].includes(to)) throw conflict('status_change_not_allowed', `An application ${row.status} cannot become ${to}`);
  const updated = await trx
    .updateTable('applications')
    .set({ status: to, seq: sql`seq + 1`, updated_at: new Date(), ...(change.assignedTo ? { assigned_to: change.assignedTo } : {}), ...(change.note !== undefined ? { status_note: change.note } : {}) })
    .where('id', '=', id)
    .returning(['seq', 'updated_at'])
    .executeTakeFirstOrThrow();
  await enqueueEvents(trx, ['application', id, updated.seq], [
    { topic: applicationEventTopics.statusChanged, payload: { applicationId: id, userRef: row.user_ref, status: to, seq: updated.seq, ...(change.note ? { note: change.note } : {}), at: updated.updated_at.toISOString() } },
  ]);
}

export async function setRequestStatus(trx: Trx, id: string, to: string, change: { assignedTo?: string } = {}) {
  const row = await trx.selectFrom('requests').select(['status', 'user_ref']).where('id', '=', id).forUpdate().executeTakeFirstOrThrow();
  if (!requestTransitions[row.status]!.includes(to)) throw conflict('status_change_not_allowed', `A request ${row.status} cannot become ${to}`);
  const updated = await trx
    .updateTable('requests')
    .set({ status: to as never, seq: sql`seq + 1`, updated_at: new Date(), ...(change.assignedTo ? { assigned_to: change.assignedTo } : {}) })
    .where('id', '=', id)
    .returning(['seq', 'updated_at'])
    .executeTakeFirstOrThrow();
  await enqueueEvents(trx, ['request', id, updated.seq], [{ topic: requestEventTopics.statusChanged, payload: { requestId: id, userRef: row.user_ref, status: to, seq: updated.seq, at: updated.updated_at.toISOString() } }]);
}
