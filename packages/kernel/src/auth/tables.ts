import type { ColumnType, Generated } from 'kysely';

/** Kysely types of the kernel's auth tables (migrations/0001_kernel.sql). */
export interface UsersTable {
  id: Generated<string>;
  login_key: string;
  display_name: ColumnType<string, string | undefined, string>;
  password_hash: string | null;
  roles: ColumnType<string[], string[] | undefined, string[]>;
  status: ColumnType<'active' | 'disabled', 'active' | 'disabled' | undefined, 'active' | 'disabled'>;
  failed_logins: Generated<number>;
  locked_until: Date | null;
  password_changed_at: Date | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface SessionsTable {
  token_hash: string;
  user_id: string;
  csrf_token: string;
  created_at: Generated<Date>;
  last_seen_at: Generated<Date>;
  expires_at: Date;
  ip: string | null;
  user_agent: string | null;
}

export interface AuditLogTable {
  id: Generated<bigint>;
  at: Generated<Date>;
  actor_id: string | null;
  actor_login: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  outcome: ColumnType<'success' | 'failure' | 'denied', 'success' | 'failure' | 'denied' | undefined, never>;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  details: ColumnType<Record<string, unknown>, string | undefined, never>;
}

export interface AuthTables {
  users: UsersTable;
  sessions: SessionsTable;
  audit_log: AuditLogTable;
}
