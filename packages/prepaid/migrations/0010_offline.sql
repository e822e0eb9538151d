-- Offline mode (DESIGN.md §2.6, §4 "Offline"): EMV-style offline limits per product (a wallet may set
-- stricter ones), the signed terminal snapshots with their deltas, the offline transactions terminals
-- upload, and the failed operations made of what could not be posted.

-- null = no offline purchases of this product at all (the terminal must go online).
alter table products
  add column offline_floor_limit bigint check (offline_floor_limit > 0),
  add column offline_total_limit bigint check (offline_total_limit > 0),
  add column offline_count_limit integer check (offline_count_limit > 0);
alter table wallets
  add column offline_floor_limit bigint check (offline_floor_limit > 0),
  add column offline_total_limit bigint check (offline_total_limit > 0),
  add column offline_count_limit integer check (offline_count_limit > 0);

-- One row per snapshot version: the full snapshot as the terminals download it (gzip'd JSON) and its
-- Ed25519 signature over exactly those bytes. A new version is made only when the content changed.
create table offline_snapshots (
  version bigint primary key,
  built_at timestamptz not null default now(),
  -- The journal's last operation seq the snapshot's balances include (the SDK's local spend tracking).
  as_of_seq bigint not null,
  content_sha256 text not null,
  identifiers integer not null,
  accounts integer not null,
  stop_list integer not null,
  body bytea not null,
  signature text not null,
  key_id text not null,
  build_ms integer not null,
  trigger text not null
);

-- Deltas from each recent version to a newer one, signed like the full snapshots.
create table offline_snapshot_deltas (
  from_version bigint not null references offline_snapshots (version) on delete cascade,
  to_version bigint not null references offline_snapshots (version) on delete cascade,
  body bytea not null,
  signature text not null,
  primary key (from_version, to_version)
);

-- What a terminal could not get posted: never dropped, visible to staff, the subject of claims.
create table failed_operations (
  id uuid primary key default gen_random_uuid(),
  kind text not null check (kind in ('offline_purchase')),
  terminal_id uuid not null references terminals (id),
  merchant_id uuid not null references merchants (id),
  -- The terminal's transaction id (its idempotency key).
  transaction_id text not null,
  identifier_kind text not null,
  identifier_value text not null,
  account_id uuid references accounts (id),
  basket jsonb not null,
  amount bigint not null check (amount > 0),
  happened_at timestamptz not null,
  code text not null,
  details jsonb not null default '{}',
  status text not null default 'open' check (status in ('open', 'resolved')),
  created_at timestamptz not null default now(),
  resolved_at timestamptz,
  unique (terminal_id, transaction_id)
);
create index failed_operations_status on failed_operations (status, created_at);

-- Every offline transaction a terminal uploaded, with what became of it: a re-upload answers from here.
create table offline_transactions (
  terminal_id uuid not null references terminals (id),
  transaction_id text not null,
  terminal_seq bigint not null,
  happened_at timestamptz not null,
  snapshot_version bigint,
  status text not null check (status in ('posted', 'failed')),
  operation_id uuid references operations (id),
  failed_operation_id uuid references failed_operations (id),
  received_at timestamptz not null default now(),
  primary key (terminal_id, transaction_id),
  check ((status = 'posted') = (operation_id is not null)),
  check ((status = 'failed') = (failed_operation_id is not null))
);
create index offline_transactions_terminal_seq on offline_transactions (terminal_id, terminal_seq);

-- One upload at a time per terminal across all instances, so its transactions are applied in its order:
-- a lease row taken by an instance (a crashed holder's lease runs out).
create table offline_upload_leases (
  terminal_id uuid primary key references terminals (id),
  holder text not null,
  until timestamptz not null
);
