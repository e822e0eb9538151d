import { sql, type Kysely } from 'kysely';
import type { BusTables } from './tables.js';

/** SQL of the outbox relay; nothing else. */
export interface PendingMessage {
  id: bigint;
  messageId: string;
  topic: string;
  payload: unknown;
  headers: Record<string, string>;
  createdAt: Date;
  attempts: number;
}

/**
 * Takes up to `limit` due messages and leases them for `leaseMs` in one statement. SKIP LOCKED lets
 * relays of several instances claim disjoint batches without waiting on each other; a message whose
 * topic has an earlier one waiting (for a retry, or leased by another relay) is not due yet, which
 * keeps each topic's order.
 */
export async function claimDue(db: Kysely<BusTables>, limit: number, leaseMs: number): Promise<PendingMessage[]> {
  const { rows } = await sql<{
    id: bigint;
    message_id: string;
    topic: string;
    payload: unknown;
    headers: Record<string, string>;
    created_at: Date;
    attempts: number;
  }>`
    update outbox set next_attempt_at = now() + ${leaseMs}::float8 * interval '1 millisecond'
    where id in (
      select o.id from outbox o
      where o.published_at is null and o.next_attempt_at <= now()
        and not exists (
          select 1 from outbox e
          where e.published_at is null and e.topic = o.topic and e.id < o.id and e.next_attempt_at > now()
        )
      order by o.id
      limit ${limit}
      for update skip locked
    )
    returning id, message_id, topic, payload, headers, created_at, attempts`.execute(db);
  return rows
    .map((r) => ({
      id: BigInt(r.id),
      messageId: r.message_id,
      topic: r.topic,
      payload: r.payload,
      headers: r.headers ?? {},
      createdAt: new Date(r.created_at),
      attempts: r.attempts,
    }))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export async function markPublished(db: Kysely<BusTables>, ids: bigint[]): Promise<void> {
  if (ids.length === 0) return;
  await db.updateTable('outbox').set({ published_at: sql<Date>`now()`, last_error: null }).where('id', 'in', ids).execute();
}

export async function markFailed(db: Kysely<BusTables>, id: bigint, error: string, retryInMs: number): Promise<void> {
  await db
    .updateTable('outbox')
    .set({
      attempts: sql<number>`attempts + 1`,
      last_error: error,
      next_attempt_at: sql<Date>`now() + ${retryInMs}::float8 * interval '1 millisecond'`,
    })
    .where('id', '=', id)
    .execute();
}

/** Gives back leased messages that were not tried, so they are due again (after the failed one). */
export async function release(db: Kysely<BusTables>, ids: bigint[]): Promise<void> {
  if (ids.length === 0) return;
  await db.updateTable('outbox').set({ next_attempt_at: sql<Date>`now()` }).where('id', 'in', ids).execute();
}

export async function deletePublishedBefore(db: Kysely<BusTables>, before: Date): Promise<bigint> {
  const result = await db.deleteFrom('outbox').where('published_at', '<', before).executeTakeFirst();
  return result.numDeletedRows;
}
