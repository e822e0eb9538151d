import type { ColumnType, Generated } from 'kysely';

/** The kernel's bus tables (migrations 0001 and 0002), as Kysely sees them. */
export interface OutboxTable {
  id: Generated<bigint>;
  message_id: string;
  topic: string;
  /** jsonb, written as JSON text: the pg driver would take a JS array for a PostgreSQL array. */
  payload: ColumnType<unknown, string, string>;
  headers: ColumnType<Record<string, string>, string, string>;
  created_at: Generated<Date>;
  published_at: Date | null;
  attempts: Generated<number>;
  last_error: string | null;
  next_attempt_at: Generated<Date>;
}

export interface InboxTable {
  consumer: string;
  message_id: string;
  topic: string;
  processed_at: Generated<Date>;
}

export interface BusTables {
  outbox: OutboxTable;
  inbox: InboxTable;
}
