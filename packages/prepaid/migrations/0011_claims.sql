-- Claims cycle (DESIGN.md §2.8): a claim on an operation or a failed operation, investigated and
-- resolved by ledger operations, with an append-only journal of every step and stored attachments.

create table claims (
  id uuid primary key default gen_random_uuid(),
  number bigserial not null unique,
  operation_id uuid references operations (id),
  failed_operation_id uuid references failed_operations (id),
  title text not null,
  description text not null default '',
  status text not null default 'open' check (status in ('open', 'in_progress', 'resolved', 'closed')),
  assignee text,
  opened_by text not null,
  resolution text check (resolution in ('reversal', 'refund', 'correction', 'rejected')),
  resolution_operation_ids uuid[] not null default '{}',
  -- The idempotency key of the resolution under way: one resolution per claim, retried with the same key.
  resolution_key text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check ((operation_id is null) <> (failed_operation_id is null)),
  check ((status in ('resolved', 'closed')) = (resolution is not null))
);
create index claims_status on claims (status, created_at);
create index claims_assignee on claims (assignee, status);
-- At most one unfinished claim per subject: a second one would resolve the same money twice.
create unique index claims_open_operation on claims (operation_id) where status in ('open', 'in_progress');
create unique index claims_open_failed on claims (failed_operation_id) where status in ('open', 'in_progress');

create table claim_events (
  id bigserial primary key,
  claim_id uuid not null references claims (id),
  at timestamptz not null default now(),
  actor text not null,
  kind text not null check (kind in ('opened', 'assigned', 'commented', 'attached', 'resolved', 'closed')),
  details jsonb not null default '{}'
);
create index claim_events_claim on claim_events (claim_id, id);
create trigger claim_events_immutable before update or delete on claim_events for each row execute function journal_is_immutable();

create table claim_attachments (
  id uuid primary key default gen_random_uuid(),
  claim_id uuid not null references claims (id),
  file_name text not null,
  content_type text not null,
  size integer not null check (size > 0 and size <= 5242880),
  sha256 text not null,
  content bytea not null,
  created_by text not null,
  created_at timestamptz not null default now()
);
create index claim_attachments_claim on claim_attachments (claim_id);
create trigger claim_attachments_immutable before update or delete on claim_attachments for each row execute function journal_is_immutable();
