-- Kernel tables every service database has: outbox/inbox for the bus, users/sessions for auth,
-- and the audit journal.

create table outbox (
  id bigserial primary key,
  message_id uuid not null unique,
  topic text not null,
  payload jsonb not null,
  headers jsonb not null default '{}',
  created_at timestamptz not null default now(),
  published_at timestamptz,
  attempts integer not null default 0,
  last_error text
);
create index outbox_pending on outbox (id) where published_at is null;

-- A consumer records each message id it applied in the same transaction as the effect:
-- a redelivered message finds its row and is acknowledged without being applied again.
create table inbox (
  consumer text not null,
  message_id uuid not null,
  topic text not null,
  processed_at timestamptz not null default now(),
  primary key (consumer, message_id)
);

create table users (
  id uuid primary key default gen_random_uuid(),
  -- The key a user logs in by, as the service normalises it (lower-cased login, or a blind index
  -- of an e-mail where the address itself is personal data kept encrypted elsewhere).
  login_key text not null unique,
  display_name text not null default '',
  password_hash text,
  roles text[] not null default '{}',
  status text not null default 'active' check (status in ('active', 'disabled')),
  failed_logins integer not null default 0 check (failed_logins >= 0),
  locked_until timestamptz,
  password_changed_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table sessions (
  -- sha-256 of the cookie's token: a leaked table does not give usable sessions.
  token_hash text primary key,
  user_id uuid not null references users (id) on delete cascade,
  csrf_token text not null,
  created_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  expires_at timestamptz not null,
  ip text,
  user_agent text
);
create index sessions_user on sessions (user_id);
create index sessions_expiry on sessions (expires_at);

create table audit_log (
  id bigserial primary key,
  at timestamptz not null default now(),
  actor_id uuid,
  actor_login text,
  action text not null,
  target_type text,
  target_id text,
  outcome text not null default 'success' check (outcome in ('success', 'failure', 'denied')),
  ip text,
  user_agent text,
  request_id text,
  details jsonb not null default '{}'
);
create index audit_log_at on audit_log (at desc);
create index audit_log_actor on audit_log (actor_id, at desc);
create index audit_log_target on audit_log (target_type, target_id, at desc);

-- The journal is append-only: who did what stays as it was written.
create function audit_log_is_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'audit_log is append-only' using errcode = 'insufficient_privilege';
end $$;
create trigger audit_log_append_only before update or delete on audit_log
  for each row execute function audit_log_is_append_only();
