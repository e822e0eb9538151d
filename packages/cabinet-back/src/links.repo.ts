import { sql, type Transaction } from 'kysely';
import type { Executor } from '@app/kernel';
import type { CabinetBackDb } from './tables.js';

/**
 * Records that a cabinet user linked a contract of `consumerRef`, whose data the front now has up to
 * `version`. A consumer linked before keeps the newer of the two versions.
 */
export async function recordLink(
  trx: Transaction<CabinetBackDb>,
  link: { consumerRef: string; contractNumber: string; userRef: string; via: 'secret' | 'request' | 'application'; commandId: string; version: string },
) {
  await trx
    .insertInto('linked_consumers')
    .values({ consumer_ref: link.consumerRef, covered_version: BigInt(link.version) })
    .onConflict((oc) =>
      oc.column('consumer_ref').doUpdateSet({
        covered_version: sql`greatest(linked_consumers.covered_version, excluded.covered_version)`,
        last_sent_at: sql`now()`,
      }),
    )
    .execute();
  await trx
    .insertInto('contract_links')
    .values({ consumer_ref: link.consumerRef, contract_number: link.contractNumber, user_ref: link.userRef, via: link.via, command_id: link.commandId })
    .onConflict((oc) => oc.columns(['consumer_ref', 'contract_number', 'user_ref']).doNothing())
    .execute();
}

export async function isLinked(db: Executor<CabinetBackDb>, consumerRef: string): Promise<boolean> {
  return Boolean(await db.selectFrom('linked_consumers').select('consumer_ref').where('consumer_ref', '=', consumerRef).executeTakeFirst());
}

/** After a full snapshot at `version` was written: the consumer is covered up to it. */
export async function markCovered(trx: Executor<CabinetBackDb>, consumerRef: string, version: string) {
  await trx
    .updateTable('linked_consumers')
    .set({ covered_version: sql`greatest(covered_version, ${BigInt(version)})`, last_sent_at: sql`now()` })
    .where('consumer_ref', '=', consumerRef)
    .execute();
}

export async function touchLinked(trx: Executor<CabinetBackDb>, consumerRef: string) {
  await trx.updateTable('linked_consumers').set({ last_sent_at: sql`now()` }).where('consumer_ref', '=', consumerRef).execute();
}
