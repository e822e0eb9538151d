-- cabinet-back: which billing consumers are linked to the cabinet, the back-office queue of link
-- requests, the watermark of the incremental sync with billing, and commands that can never apply.

-- A consumer is linked once any cabinet user linked one of its contracts. `covered_version` is the
-- billing version up to which the front has everything of this consumer (its snapshot, then every
-- sync round); a consumer behind the sync watermark gets a fresh snapshot instead of increments.
create table linked_consumers (
  consumer_ref text primary key,
  linked_at timestamptz not null default now(),
  covered_version bigint not null,
  last_sent_at timestamptz not null default now()
);

-- Which contracts of a consumer which cabinet users linked, and how.
create table contract_links (
  consumer_ref text not null references linked_consumers (consumer_ref),
  contract_number text not null,
  user_ref text not null,
  via text not null check (via in ('secret', 'request')),
  command_id text not null,
  linked_at timestamptz not null default now(),
  primary key (consumer_ref, contract_number, user_ref)
);

-- "Link my contract" requests (no secret at hand) waiting for a supplier employee.
create table link_requests (
  id uuid primary key default gen_random_uuid(),
  command_id text not null unique,
  user_ref text not null,
  contract_number text not null,
  applicant_name text not null,
  tax_id text,
  comment text,
  status text not null default 'new' check (status in ('new', 'confirmed', 'declined')),
  consumer_ref text,
  decided_by text,
  decided_at timestamptz,
  decision_note text,
  created_at timestamptz not null default now(),
  check ((status = 'new') = (decided_at is null))
);
create index link_requests_queue on link_requests (status, created_at);

-- One row per billing feed: the version up to which changes were turned into events. Advanced with a
-- compare-and-set in the same transaction as the events it produced.
create table sync_state (
  feed text primary key,
  version bigint not null,
  updated_at timestamptz not null default now()
);

-- Commands whose payload does not match the published contract: retrying cannot help, so they are
-- kept here (and logged) instead of going round the bus's retries.
create table dead_commands (
  message_id uuid primary key,
  topic text not null,
  payload jsonb not null,
  errors jsonb not null,
  received_at timestamptz not null default now()
);
