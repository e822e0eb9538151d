-- Online payment orders (card payments through the acquiring bank) and uploaded reading files.

-- One payment order per attempt to pay. id is the OrderId the bank knows. A consumer's retry with the
-- same idempotency key finds the same order (unique per user). Status moves forward only:
--   new ──Init──> pending ──bank──> paid ──billing──> booked | booking_refused
--                    └──────────> declined | canceled          (new ──Init refused──> failed)
-- The move to `paid` writes the cabinet.cmd.payment.register command in the same transaction, so a
-- duplicate notification, the consumer's return and reconciliation can race and it is written once.
create table payment_orders (
  id uuid primary key,
  user_id uuid not null references users (id),
  consumer_ref text not null,
  contract_id text not null,
  idempotency_key text not null,
  amount bigint not null check (amount > 0),
  invoice_ids text[] not null default '{}',
  provider text not null,
  provider_payment_id text,
  provider_status text,
  payment_url text,
  status text not null default 'new' check (status in ('new', 'pending', 'paid', 'declined', 'canceled', 'failed', 'booked', 'booking_refused')),
  -- The masked card number the bank reports (430000******0777): personal data, encrypted.
  pan_enc text,
  billing_payment_id text,
  failure_code text,
  failure_message text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  paid_at timestamptz,
  checked_at timestamptz,
  unique (user_id, idempotency_key),
  unique (provider, provider_payment_id)
);
create index payment_orders_consumer on payment_orders (consumer_ref, created_at desc);
create index payment_orders_open on payment_orders (updated_at) where status in ('new', 'pending');

-- What moved each order, for support and audits: who said what (no card data, no payload).
create table payment_order_events (
  id bigint generated always as identity primary key,
  order_id uuid not null references payment_orders (id) on delete cascade,
  source text not null check (source in ('create', 'notification', 'return', 'reconcile', 'billing')),
  provider_status text,
  status text not null,
  changed boolean not null,
  at timestamptz not null default now()
);
create index payment_order_events_order on payment_order_events (order_id, id);

-- An uploaded Excel file of readings: an upload job the SPA polls (status, progress), with the
-- per-cell errors found (the first 1000) and what was sent to billing.
create table reading_uploads (
  id uuid primary key,
  user_id uuid not null references users (id),
  consumer_ref text,
  -- The file's name as the consumer's computer called it (may carry a name): encrypted.
  file_name_enc text,
  bytes bigint not null,
  status text not null default 'queued' check (status in ('queued', 'processing', 'done', 'failed')),
  progress integer not null default 0 check (progress between 0 and 100),
  rows_read integer not null default 0,
  readings_sent integer not null default 0,
  hourly_days_sent integer not null default 0,
  error_count integer not null default 0,
  errors jsonb not null default '[]',
  confirm_jump boolean not null default false,
  submission_id uuid,
  failure_code text,
  failure_message text,
  duration_ms integer,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  finished_at timestamptz
);
create index reading_uploads_user on reading_uploads (user_id, created_at desc);

-- Each point's hourly part of an upload, as sent (cabinet.cmd.hourly.submit) and as billing answered.
create table hourly_submissions (
  id uuid primary key,
  upload_id uuid not null references reading_uploads (id) on delete cascade,
  consumer_ref text not null,
  point_id text not null,
  days integer not null,
  status text not null default 'sent' check (status in ('sent', 'processed')),
  accepted integer,
  rejected jsonb,
  processed_at timestamptz
);
create index hourly_submissions_upload on hourly_submissions (upload_id);
