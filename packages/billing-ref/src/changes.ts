import { sql } from 'kysely';
import type { Executor } from '@app/kernel';
import type { BillingRefDb, ChangeEntity } from './tables.js';

/**
 * The change feed (invariant B3). A version is taken from the `changes` identity only while holding a
 * transaction-level advisory lock, so versions commit in the order they were taken: a reader that sees
 * version N has already seen every version below N. Without it, a slow transaction could commit
 * version 10 after version 11 was read and the cabinet would skip it. Writers therefore record their
 * changes as the last step of their transaction, to hold the lock briefly.
 */
const CHANGE_FEED_LOCK = 7_243_100_404;

export interface ChangeRow {
  consumerId: bigint | string;
  entity: ChangeEntity;
  entityId: bigint | string;
  from?: string;
  to?: string;
}

export async function recordChanges(trx: Executor<BillingRefDb>, changes: ChangeRow[]): Promise<void> {
  if (changes.length === 0) return;
  await lockChangeFeed(trx);
  await trx
    .insertInto('changes')
    .values(changes.map((c) => ({ consumer_id: BigInt(c.consumerId), entity: c.entity, entity_id: String(c.entityId), from_day: c.from ?? null, to_day: c.to ?? null })))
    .execute();
}

export async function lockChangeFeed(trx: Executor<BillingRefDb>): Promise<void> {
  await sql`select pg_advisory_xact_lock(${CHANGE_FEED_LOCK})`.execute(trx);
}

/** The last version given out (0 before any change). */
export async function currentVersion(db: Executor<BillingRefDb>): Promise<bigint> {
  const { rows } = await sql<{ version: bigint }>`select coalesce(max(version), 0)::int8 as version from changes`.execute(db);
  return rows[0]!.version;
}

export interface ChangeRecord {
  version: string;
  consumerId: string;
  entity: ChangeEntity;
  entityId: string;
  from?: string;
  to?: string;
}

export async function changesSince(db: Executor<BillingRefDb>, version: bigint, limit: number): Promise<ChangeRecord[]> {
  const { rows } = await sql<{ version: bigint; consumer_id: bigint; entity: ChangeEntity; entity_id: string; from_day: string | null; to_day: string | null }>`
    select version, consumer_id, entity, entity_id, from_day::text as from_day, to_day::text as to_day
    from changes where version > ${version} order by version limit ${limit}`.execute(db);
  return rows.map((r) => ({
    version: String(r.version),
    consumerId: String(r.consumer_id),
    entity: r.entity,
    entityId: r.entity_id,
    ...(r.from_day ? { from: r.from_day } : {}),
    ...(r.to_day ? { to: r.to_day } : {}),
  }));
}
