import type { HourlyProcessed } from '@app/cabinet-contracts';
import { sql, type Transaction } from 'kysely';
import type { CabinetFrontDb } from '../tables.js';

/** Billing's answer to one point's hourly part of an upload (event consumer, inside its inbox transaction). */
export async function applyHourlyProcessed(trx: Transaction<CabinetFrontDb>, e: HourlyProcessed) {
  await trx
    .updateTable('hourly_submissions')
    .set({ status: 'processed', accepted: e.accepted, rejected: JSON.stringify(e.rejected), processed_at: sql`now()` })
    .where('id', '=', e.submissionId)
    .execute();
}
