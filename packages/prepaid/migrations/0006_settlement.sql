-- Settlement registries (src/settlement) and end-of-day wallet balances (src/jobs).
--
-- A settlement registry is the list of purchase operations (purchases, refunds, reversals) of one
-- merchant or service provider for a period [period_from, period_to), with totals per product. It is
-- generated only for a period that is over, and the journal is append-only, so its content can never
-- change: the row keeps the totals, the reconciliation with the ledger made when it was generated and
-- the SHA-256 of its CSV, and the files are rendered from the journal on demand (and checked against
-- that checksum every time). One registry per party and period (UNIQUE): generating it again — by the
-- schedule after a crash, by two instances, by a user — answers the one already there.
create table settlement_registries (
  id uuid primary key default gen_random_uuid(),
  kind text not null check (kind in ('merchant', 'provider')),
  party_id uuid not null,
  party_code text not null,
  party_name text not null,
  period_from timestamptz not null,
  period_to timestamptz not null,
  line_count integer not null check (line_count >= 0),
  operation_count integer not null check (operation_count >= 0),
  -- Kopecks: purchases and returns (refunds + reversals) as positive sums, net = what the party is owed.
  purchases bigint not null check (purchases >= 0),
  returns bigint not null check (returns >= 0),
  net bigint not null,
  -- [{ product, lines, purchases, returns, net }], amounts as strings of kopecks.
  totals jsonb not null,
  -- The same sums taken from the ledger side (the party's ledger accounts) and from the operations,
  -- and the verdict; a registry that does not reconcile is never stored.
  reconciliation jsonb not null,
  csv_sha256 text not null,
  -- 'job:settlement.daily' or 'staff:<login>'.
  created_by text not null,
  job_run_id bigint,
  created_at timestamptz not null default now(),
  unique (kind, party_id, period_from, period_to),
  check (period_to > period_from),
  check (net = purchases - returns)
);
create index settlement_registries_recent on settlement_registries (period_from desc, kind, party_code);
create index settlement_registries_party on settlement_registries (party_id, period_from desc);

create function settlement_registry_is_immutable() returns trigger language plpgsql as $$
begin
  raise exception 'settlement registries are immutable' using errcode = 'insufficient_privilege';
end $$;
create trigger settlement_registries_immutable before update or delete on settlement_registries
  for each row execute function settlement_registry_is_immutable();

-- Reports and the snapshot job select operations by time (a period's settlement, a day's postings).
create index operations_created on operations (created_at);

-- Each wallet's balance at the end of a day (local midnight after `day`), for the balances reports:
-- the current balance minus what was posted since, taken once per day by the balances.snapshot job.
create table wallet_balance_snapshots (
  day date not null,
  wallet_id bigint not null references wallets (id),
  account_id uuid not null references accounts (id),
  product_code text not null references products (code),
  balance bigint not null,
  taken_at timestamptz not null default now(),
  primary key (day, wallet_id)
);
