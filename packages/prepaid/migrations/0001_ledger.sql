-- Prepaid core: products (wallet types), clients, merchants, accounts with one wallet per product,
-- the system side of the ledger, and the immutable journal (operations + postings).
--
-- Invariants (asserted by verify and the tests):
--   I1 every operation's postings sum to zero;
--   I2 every wallet's balance equals the sum of its postings;
--   I3 no wallet is below its minimum balance (CHECK, under any concurrency);
--   I4 operations and postings are never updated or deleted (triggers); a correction is a new operation.

create table products (
  code text primary key check (code ~ '^[a-z][a-z0-9_]{1,31}$'),
  name text not null,
  -- Product-level limits; an account's wallet may set stricter ones. null = no limit. Kopecks.
  min_balance bigint not null default 0 check (min_balance <= 0),
  max_balance bigint check (max_balance > 0),
  per_operation_limit bigint check (per_operation_limit > 0),
  daily_debit_limit bigint check (daily_debit_limit > 0),
  monthly_debit_limit bigint check (monthly_debit_limit > 0),
  created_at timestamptz not null default now()
);

create table clients (
  id uuid primary key default gen_random_uuid(),
  external_id text unique,
  full_name text not null,
  phone text,
  email text,
  status text not null default 'active' check (status in ('active', 'deleted')),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table merchants (
  id uuid primary key default gen_random_uuid(),
  code text not null unique,
  name text not null,
  status text not null default 'active' check (status in ('active', 'blocked')),
  created_at timestamptz not null default now()
);

-- Which products a merchant accepts (subsidised meals only in canteens, own funds everywhere, …).
create table merchant_products (
  merchant_id uuid not null references merchants (id),
  product_code text not null references products (code),
  primary key (merchant_id, product_code)
);

create table accounts (
  id uuid primary key default gen_random_uuid(),
  number text not null unique,
  client_id uuid not null references clients (id),
  status text not null default 'open' check (status in ('open', 'blocked', 'closed')),
  created_at timestamptz not null default now(),
  closed_at timestamptz
);
create index accounts_client on accounts (client_id);

create table wallets (
  id bigserial primary key,
  account_id uuid not null references accounts (id),
  product_code text not null references products (code),
  balance bigint not null default 0,
  min_balance bigint not null default 0 check (min_balance <= 0),
  -- Account-level limits, stricter than the product's where set.
  max_balance bigint check (max_balance > 0),
  per_operation_limit bigint check (per_operation_limit > 0),
  daily_debit_limit bigint check (daily_debit_limit > 0),
  monthly_debit_limit bigint check (monthly_debit_limit > 0),
  -- Running debit totals for the day/month limits, kept in the wallet row so the limit check and the
  -- debit are one conditional UPDATE under the row lock the debit takes anyway.
  debit_day date not null default current_date,
  day_debit bigint not null default 0 check (day_debit >= 0),
  debit_month date not null default date_trunc('month', current_date)::date,
  month_debit bigint not null default 0 check (month_debit >= 0),
  updated_at timestamptz not null default now(),
  unique (account_id, product_code),
  constraint wallet_not_below_minimum check (balance >= min_balance)
);

-- The system side of each operation: where credits come from, where purchases go, where a closed
-- account's remainder is written off or returned. Their balances are the sums of their postings
-- (never a row updated on the purchase path: a merchant would be a hot row).
create table ledger_accounts (
  id bigserial primary key,
  kind text not null check (kind in ('funding', 'merchant', 'writeoff', 'returned', 'correction')),
  product_code text not null references products (code),
  merchant_id uuid references merchants (id),
  unique nulls not distinct (kind, product_code, merchant_id),
  check ((kind = 'merchant') = (merchant_id is not null))
);

create table operations (
  id uuid primary key default gen_random_uuid(),
  seq bigserial not null unique,
  type text not null check (type in ('credit', 'purchase', 'reversal', 'refund', 'correction', 'transfer', 'close')),
  account_id uuid references accounts (id),
  merchant_id uuid references merchants (id),
  terminal_id text,
  original_operation_id uuid references operations (id),
  -- Sum of the positive side, for lists and reports; the postings are the truth.
  amount bigint not null check (amount >= 0),
  created_at timestamptz not null default now(),
  created_by text,
  details jsonb not null default '{}'
);
create index operations_account on operations (account_id, seq);
create index operations_original on operations (original_operation_id) where original_operation_id is not null;
create index operations_merchant on operations (merchant_id, created_at) where merchant_id is not null;

create table postings (
  id bigserial primary key,
  operation_id uuid not null references operations (id),
  wallet_id bigint references wallets (id),
  ledger_account_id bigint references ledger_accounts (id),
  product_code text not null references products (code),
  amount bigint not null check (amount <> 0),
  check ((wallet_id is null) <> (ledger_account_id is null))
);
create index postings_operation on postings (operation_id);
create index postings_wallet on postings (wallet_id) where wallet_id is not null;
create index postings_ledger_account on postings (ledger_account_id) where ledger_account_id is not null;

-- Idempotency: a money request's key, a digest of what was asked, and the answer given. A replay with
-- the same request gets the same answer (approvals and declines alike); a different request under a
-- used key is refused.
create table idempotency_keys (
  key text primary key,
  request_hash text not null,
  response jsonb not null,
  operation_id uuid references operations (id),
  created_at timestamptz not null default now()
);

create function journal_is_immutable() returns trigger language plpgsql as $$
begin
  raise exception '% is immutable: corrections are new operations', tg_table_name using errcode = 'insufficient_privilege';
end $$;
create trigger operations_immutable before update or delete on operations for each row execute function journal_is_immutable();
create trigger postings_immutable before update or delete on postings for each row execute function journal_is_immutable();
