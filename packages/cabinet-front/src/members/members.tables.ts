import type { ColumnType, Generated } from 'kysely';
import type { Right } from '../tables.js';

/** Kysely types of migrations 0015_representatives.sql, 0016_support_visits.sql and 0017_contract_history.sql. */
export interface InvitationsTable {
  id: string;
  consumer_ref: string;
  email_enc: string;
  rights: ColumnType<Right[], Right[], Right[]>;
  token_hash: string;
  invited_by: string;
  status: Generated<'pending' | 'accepted' | 'revoked'>;
  expires_at: Date;
  accepted_by: string | null;
  decided_at: Date | null;
  created_at: Generated<Date>;
}

export interface ConsumerActionsTable {
  id: Generated<string>;
  consumer_ref: string;
  user_id: string | null;
  role: string;
  action: string;
  method: string;
  route: string;
  status: number;
  request_id: string | null;
  /** 0017: the contract the action concerns, when it concerns one. */
  contract_id: ColumnType<string | null, string | null | undefined, never>;
  at: Generated<Date>;
}

export interface SupportGrantsTable {
  id: string;
  consumer_ref: string;
  token_hash: string;
  employee_login: string;
  employee_name: string;
  reason: string | null;
  expires_at: Date;
  used_at: Date | null;
  received_at: Generated<Date>;
}

export interface SupportVisitsTable {
  id: Generated<string>;
  grant_id: string;
  consumer_ref: string;
  employee_login: string;
  employee_name: string;
  reason: string | null;
  user_id: string | null;
  started_at: Generated<Date>;
  expires_at: Date;
}

declare module '../tables.js' {
  interface CabinetFrontDb {
    invitations: InvitationsTable;
    consumer_actions: ConsumerActionsTable;
    support_grants: SupportGrantsTable;
    support_visits: SupportVisitsTable;
  }
}
