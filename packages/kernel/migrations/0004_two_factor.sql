-- Two-factor login (TOTP authenticator apps) and restricted sessions.

-- One authenticator per user. The secret is encrypted by the service's key (AES-256-GCM, bound to
-- the user id); it is shown once, at enrolment. last_step is the time step of the last code accepted,
-- so the same code (or an older one) is never accepted twice.
create table user_totp (
  user_id uuid primary key references users (id) on delete cascade,
  secret_enc text not null,
  confirmed_at timestamptz,
  last_step bigint,
  created_at timestamptz not null default now()
);

-- One-time recovery codes: sha-256 of the code (they are random, 50 bits; the login rate limits apply).
create table user_recovery_codes (
  user_id uuid not null references users (id) on delete cascade,
  code_hash text not null,
  used_at timestamptz,
  created_at timestamptz not null default now(),
  primary key (user_id, code_hash)
);

-- Password checked, second factor pending: the challenge the client sends back with the code.
create table login_challenges (
  token_hash text primary key,
  user_id uuid not null references users (id) on delete cascade,
  expires_at timestamptz not null,
  attempts integer not null default 0 check (attempts >= 0),
  ip text,
  created_at timestamptz not null default now()
);
create index login_challenges_user on login_challenges (user_id);

-- A session may be restricted: 'totp_enrolment' (staff who must enrol before anything else) or
-- 'read_only' (a support employee looking at a consumer's cabinet). acting_as names who really uses it.
alter table sessions add column restriction text check (restriction in ('totp_enrolment', 'read_only'));
alter table sessions add column acting_as jsonb;
