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
  restriction: ColumnType<SessionRestriction | null, SessionRestriction | null | undefined, SessionRestriction | null>;
  acting_as: ColumnType<ActingAs | null, string | null | undefined, string | null>;
}

/** A restricted session: staff who must enrol a second factor first, or a read-only look at someone's data. */
export type SessionRestriction = 'totp_enrolment' | 'read_only';
/** Who really uses a session opened on someone else's behalf (a support employee). */
export interface ActingAs {
  login: string;
  name: string;
  /** What opened it (a support grant id). */
  grantId?: string;
}

/** Kernel migration 0004_two_factor.sql. */
export interface UserTotpTable {
  user_id: string;
  secret_enc: string;
  confirmed_at: Date | null;
  last_step: ColumnType<string | null, string | number | null | undefined, string | number | null>;
  created_at: Generated<Date>;
}

export interface UserRecoveryCodesTable {
  user_id: string;
  code_hash: string;
  used_at: Date | null;
  created_at: Generated<Date>;
}

export interface LoginChallengesTable {
  token_hash: string;
  user_id: string;
  expires_at: Date;
  attempts: Generated<number>;
  ip: string | null;
  created_at: Generated<Date>;
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
  user_totp: UserTotpTable;
  user_recovery_codes: UserRecoveryCodesTable;
  login_challenges: LoginChallengesTable;
}
