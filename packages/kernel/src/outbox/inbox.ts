import type { Transaction } from 'kysely';
import type { Database, Executor } from '../db/database.js';
import type { Message } from '../bus/bus.js';
import type { BusTables } from './tables.js';

/**
 * Idempotent consumer. The bus delivers at least once (a redelivery after a lost ack, a duplicate
 * publish after a lost confirm), so a handler whose effect must happen once records the message id in
 * the same transaction as the effect. The unique (consumer, message_id) key decides: a second delivery
 * finds the row and skips the effect; two concurrent deliveries queue on the key, and the second sees
 * the first's row once it commits (or applies the effect itself if the first rolled back).
 *
 * Returns true when the effect was applied now, false when it had been applied before.
 */
export async function consumeOnce<DB>(
  database: Database<DB>,
  consumer: string,
  message: Pick<Message, 'id' | 'topic'>,
  effect: (trx: Transaction<DB>) => Promise<void>,
): Promise<boolean> {
  return database.transaction(async (trx) => {
    const inserted = await (trx as unknown as Transaction<BusTables>)
      .insertInto('inbox')
      .values({ consumer, message_id: message.id, topic: message.topic })
      .onConflict((oc) => oc.columns(['consumer', 'message_id']).doNothing())
      .returning('message_id')
      .executeTakeFirst();
    if (!inserted) return false;
    await effect(trx);
    return true;
  });
}

/** Forgets message ids processed before `before`, once no redelivery of them can still come. */
export async function pruneInbox<DB>(executor: Executor<DB>, before: Date): Promise<bigint> {
  const result = await (executor as unknown as Transaction<BusTables>).deleteFrom('inbox').where('processed_at', '<', before).executeTakeFirst();
  return result.numDeletedRows;
}
