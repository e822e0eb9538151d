import type { AuthTables, BusTables } from '@app/kernel';
import type { ColumnType, Generated } from 'kysely';

/** Kysely types of the cabinet-back schema (migrations/*.sql) plus the kernel's tables. */
type Default<T> = ColumnType<T, T | undefined, T>;
type Json<T> = ColumnType<T, string, string>;

export type LinkRequestStatus = 'new' | 'confirmed' | 'declined';

export interface CabinetBackTables {
  linked_consumers: {
    consumer_ref: string;
    linked_at: Generated<Date>;
    covered_version: bigint;
    last_sent_at: Generated<Date>;
  };
  contract_links: {
    consumer_ref: string;
    contract_number: string;
    user_ref: string;
    via: 'secret' | 'request' | 'application';
    command_id: string;
    linked_at: Generated<Date>;
  };
  link_requests: {
    id: Generated<string>;
    command_id: string;
    user_ref: string;
    contract_number: string;
    applicant_name: string;
    tax_id: string | null;
    comment: string | null;
    status: Default<LinkRequestStatus>;
    consumer_ref: Default<string | null>;
    decided_by: Default<string | null>;
    decided_at: Default<Date | null>;
    decision_note: Default<string | null>;
    created_at: Generated<Date>;
  };
  sync_state: { feed: string; version: bigint; updated_at: Generated<Date> };
  dead_commands: {
    message_id: string;
    topic: string;
    payload: Json<unknown>;
    errors: Json<unknown>;
    received_at: Generated<Date>;
  };
}

export type CabinetBackDb = CabinetBackTables & BusTables & AuthTables;
