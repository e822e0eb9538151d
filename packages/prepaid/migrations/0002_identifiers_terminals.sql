-- Payment instruments (identifiers) bound to accounts, the stop-list, service providers and terminals.

create table service_providers (
  id uuid primary key default gen_random_uuid(),
  code text not null unique,
  name text not null,
  created_at timestamptz not null default now()
);
alter table merchants add column provider_id uuid references service_providers (id);

create table identifiers (
  id uuid primary key default gen_random_uuid(),
  kind text not null check (kind in ('card_uid', 'qr', 'nfc', 'employee_number')),
  -- Normalised (upper-case hex without separators for UIDs), so one physical card has one spelling.
  value text not null,
  account_id uuid not null references accounts (id),
  status text not null default 'active' check (status in ('active', 'blocked', 'unbound')),
  block_reason text check (block_reason in ('lost', 'stolen', 'destroyed', 'other')),
  replaces_id uuid references identifiers (id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check ((status = 'blocked') = (block_reason is not null))
);
-- One active binding per physical identifier; old (blocked, unbound) rows stay for history.
create unique index identifiers_active_value on identifiers (kind, value) where status = 'active';
create index identifiers_account on identifiers (account_id);

-- Identifiers that must be refused everywhere, online and in terminal snapshots.
create table stop_list (
  kind text not null,
  value text not null,
  reason text not null,
  added_at timestamptz not null default now(),
  primary key (kind, value)
);

create table terminals (
  id uuid primary key default gen_random_uuid(),
  code text not null unique,
  merchant_id uuid not null references merchants (id),
  -- sha-256 of a random 256-bit secret: strong enough without a slow hash, and cheap per request.
  secret_hash text not null,
  status text not null default 'active' check (status in ('active', 'blocked')),
  created_at timestamptz not null default now()
);
