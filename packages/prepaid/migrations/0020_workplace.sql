-- Staff workplace (issue 8): journal indexes for keyset paging over millions of operations, the
-- background report jobs, and the client notification subscriptions with their delivery outbox.

-- The operations journal pages newest first by (created_at, seq): with these indexes every page is an
-- index range scan that stops after `limit` rows, whatever the period or the table size
-- (docs/workplace.md, "Fast lists"; workplace.plan.test.ts proves the plans on a large table).
create index operations_journal on operations (created_at desc, seq desc);
create index operations_type_journal on operations (type, created_at desc, seq desc);
create index operations_account_journal on operations (account_id, created_at desc, seq desc) where account_id is not null;
-- Own actions and the audit journal page by id; the actor filter uses (actor_id, id).
create index audit_log_actor_id on audit_log (actor_id, id desc);

-- Reports that run in the background: a staff member asks, a worker of any instance claims the row
-- (SKIP LOCKED + lease), writes progress, stores the file; the requester downloads it.
create table report_jobs (
  id uuid primary key default gen_random_uuid(),
  kind text not null check (kind in ('purchase_diary', 'account_statement', 'money_movement', 'operations_journal', 'merchant_turnover', 'balances_summary')),
  format text not null check (format in ('pdf', 'xlsx')),
  params jsonb not null,
  status text not null default 'queued' check (status in ('queued', 'running', 'done', 'failed')),
  progress integer not null default 0 check (progress between 0 and 100),
  rows_done integer not null default 0,
  error_code text,
  error_message text,
  file bytea,
  file_name text,
  file_sha256 text,
  requested_by text not null,
  requested_by_id uuid,
  owner text,
  lease_until timestamptz,
  attempts integer not null default 0,
  created_at timestamptz not null default now(),
  started_at timestamptz,
  finished_at timestamptz
);
create index report_jobs_queue on report_jobs (created_at) where status in ('queued', 'running');
create index report_jobs_requester on report_jobs (requested_by_id, created_at desc);

-- What a client wants to be told, per channel. A missing row means "nothing".
create table notification_subscriptions (
  client_id uuid not null references clients (id),
  channel text not null check (channel in ('sms', 'email')),
  purchases boolean not null default false,
  low_balance boolean not null default false,
  -- Kopecks: a wallet below this after a debit triggers one low-balance notice until it rises again.
  low_balance_threshold bigint not null default 10000 check (low_balance_threshold >= 0),
  updated_at timestamptz not null default now(),
  primary key (client_id, channel)
);

-- The notifications worker tails the ledger journal by seq (nothing is added to the purchase
-- transaction); this row is how far it has read.
create table notification_cursor (
  id boolean primary key default true check (id),
  last_seq bigint not null,
  updated_at timestamptz not null default now()
);

-- One notice to one address; the unique key makes re-reading the journal after a crash harmless.
create table notification_outbox (
  id bigserial primary key,
  operation_id uuid not null,
  client_id uuid not null,
  kind text not null check (kind in ('purchase', 'low_balance')),
  channel text not null check (channel in ('sms', 'email')),
  address text not null,
  subject text not null,
  body text not null,
  status text not null default 'pending' check (status in ('pending', 'sent', 'failed')),
  attempts integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  last_error text,
  gateway_id text,
  created_at timestamptz not null default now(),
  sent_at timestamptz,
  unique (operation_id, kind, channel)
);
create index notification_outbox_due on notification_outbox (next_attempt_at) where status = 'pending';

-- Low-balance notices fire once per crossing: set when sent, cleared when the balance is back above.
create table notification_low_balance (
  wallet_id bigint primary key,
  notified_at timestamptz not null default now()
);
