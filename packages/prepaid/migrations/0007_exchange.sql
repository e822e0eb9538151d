-- Integration adapters for the customer's systems (seed 004, DESIGN §2.10): file exchange through watched
-- folders and PostgreSQL exchange tables. See docs/exchange.md — written for the partner's developers.

-- ---------------------------------------------------------------------------------------------------------
-- File exchange: one row per file taken from in/. The row's lease is what tells a file being processed
-- (lease alive) from one left in work/ by a crashed instance (lease run out): the latter is processed
-- again, and the registry's exactly-once rules make that apply only what was not applied yet.
create table exchange_files (
  -- Unique per take; also the prefix of the file's name in work/, archive/ and error/.
  claim_id text primary key check (claim_id ~ '^[0-9]{8}-[0-9]{6}-[0-9a-f]{6}$'),
  file_name text not null,
  work_name text not null unique,
  kind text check (kind in ('clients', 'credits')),
  number text,
  -- processing: taken, being read/applied (or waiting for a retry after an infrastructure error);
  -- archived: applied (results in out/), file in archive/; error: refused as a whole or a duplicate, file in error/.
  status text not null default 'processing' check (status in ('processing', 'archived', 'error')),
  registry_id uuid references registries (id),
  error_code text,
  error_message text,
  owner text not null,
  lease_until timestamptz not null,
  attempts integer not null default 1,
  claimed_at timestamptz not null default now(),
  finished_at timestamptz,
  check ((status = 'error') = (error_code is not null))
);
create index exchange_files_claimed on exchange_files (claimed_at desc);

-- ---------------------------------------------------------------------------------------------------------
-- Exchange tables: the partner's system INSERTs rows; the processor takes rows with status 'new', applies
-- each on its own and writes the outcome back into the same row (status done | failed, result_code,
-- result_message, result columns, processed_at). The payload columns mirror the registry columns
-- (docs/registries.md) and follow the same rules.
--
-- Contract enforced here:
--   * (partner_code, request_id) is unique: the partner's own row id, so a row sent twice is refused by the
--     INSERT itself, and it is part of the ledger idempotency key of a credit;
--   * an INSERT always starts as 'new' with empty results (whatever the partner wrote there);
--   * the payload of a row is never changed once inserted (a change is a new row with a new request_id).

create function exchange_request_insert() returns trigger language plpgsql as $$
begin
  new.status := 'new';
  new.result_code := null;
  new.result_message := null;
  new.processed_at := null;
  new.claimed_by := null;
  new.claimed_until := null;
  new.attempts := 0;
  new.created_at := now();
  return new;
end $$;

create table exchange_client_requests (
  id bigint generated always as identity primary key,
  partner_code text not null check (length(partner_code) between 1 and 32),
  request_id text not null check (length(request_id) between 1 and 100),
  action text not null check (action in ('create', 'update', 'delete')),
  client_id text not null,
  last_name text,
  first_name text,
  middle_name text,
  phone text,
  email text,
  account_number text,
  products text,
  card_uid text,
  nfc text,
  qr text,
  employee_number text,
  -- new: waiting; processing: taken by the processor (back to work by another one if its lease runs out);
  -- done: applied (result_code 'ok'); failed: not applied (result_code says why), nothing of it written.
  status text not null default 'new' check (status in ('new', 'processing', 'done', 'failed')),
  result_code text,
  result_message text,
  result_client_uuid uuid,
  result_account_number text,
  result jsonb,
  claimed_by text,
  claimed_until timestamptz,
  attempts integer not null default 0,
  created_at timestamptz not null default now(),
  processed_at timestamptz,
  unique (partner_code, request_id),
  check (status not in ('done', 'failed') or result_code is not null)
);
create index exchange_client_requests_todo on exchange_client_requests (id) where status in ('new', 'processing');
create trigger exchange_client_requests_insert before insert on exchange_client_requests
  for each row execute function exchange_request_insert();
create function exchange_client_requests_frozen() returns trigger language plpgsql as $$
begin
  if (new.partner_code, new.request_id, new.action, new.client_id, new.last_name, new.first_name, new.middle_name, new.phone,
      new.email, new.account_number, new.products, new.card_uid, new.nfc, new.qr, new.employee_number)
     is distinct from
     (old.partner_code, old.request_id, old.action, old.client_id, old.last_name, old.first_name, old.middle_name, old.phone,
      old.email, old.account_number, old.products, old.card_uid, old.nfc, old.qr, old.employee_number) then
    raise exception 'exchange_client_requests: the payload of a row cannot be changed; insert a new row' using errcode = '55000';
  end if;
  return new;
end $$;
create trigger exchange_client_requests_frozen before update on exchange_client_requests
  for each row execute function exchange_client_requests_frozen();

create table exchange_credit_requests (
  id bigint generated always as identity primary key,
  partner_code text not null check (length(partner_code) between 1 and 32),
  request_id text not null check (length(request_id) between 1 and 100),
  client_id text,
  account_number text,
  product text not null,
  -- Roubles, up to 2 decimals (a third decimal is refused, never rounded). Negative only in a correction.
  amount numeric not null,
  kind text not null default 'credit' check (kind in ('credit', 'correction')),
  -- A row planned for a later day waits as 'new' until that day.
  planned_date date,
  comment text,
  status text not null default 'new' check (status in ('new', 'processing', 'done', 'failed')),
  result_code text,
  result_message text,
  result_operation_id uuid,
  result_account_number text,
  -- The wallet's balance right after this operation, roubles.
  result_balance numeric,
  claimed_by text,
  claimed_until timestamptz,
  attempts integer not null default 0,
  created_at timestamptz not null default now(),
  processed_at timestamptz,
  unique (partner_code, request_id),
  check (status not in ('done', 'failed') or result_code is not null)
);
create index exchange_credit_requests_todo on exchange_credit_requests (id) where status in ('new', 'processing');
create trigger exchange_credit_requests_insert before insert on exchange_credit_requests
  for each row execute function exchange_request_insert();
create function exchange_credit_requests_frozen() returns trigger language plpgsql as $$
begin
  if (new.partner_code, new.request_id, new.client_id, new.account_number, new.product, new.amount, new.kind, new.planned_date, new.comment)
     is distinct from
     (old.partner_code, old.request_id, old.client_id, old.account_number, old.product, old.amount, old.kind, old.planned_date, old.comment) then
    raise exception 'exchange_credit_requests: the payload of a row cannot be changed; insert a new row' using errcode = '55000';
  end if;
  return new;
end $$;
create trigger exchange_credit_requests_frozen before update on exchange_credit_requests
  for each row execute function exchange_credit_requests_frozen();

-- Read-only for the partner: every wallet's balance, roubles.
create view exchange_balances as
  select a.number as account_number, c.external_id as client_id, w.product_code as product,
         round(w.balance::numeric / 100, 2) as balance, a.status as account_status, w.updated_at
  from wallets w join accounts a on a.id = w.account_id join clients c on c.id = a.client_id;
