-- Registries from the customer's systems (seed 004, DESIGN §2.4): client registries (create, update,
-- delete clients; accounts, wallets and identifiers with them) and credit registries (planned credits
-- and corrections per product). A registry is a file received once, validated into lines, previewed,
-- then applied line by line; every line keeps its result. See docs/registries.md.
--
-- Exactly once: a registry is known by (kind, number) and by the SHA-256 of its content; a file
-- rejected as a whole (not a zip, bad encoding, missing columns) holds neither, so a corrected file
-- may come again under the same number.

create table registries (
  id uuid primary key default gen_random_uuid(),
  kind text not null check (kind in ('clients', 'credits')),
  number text not null check (length(number) between 1 and 100),
  format text not null check (format in ('csv', 'xlsx')),
  file_name text,
  file_bytes bigint not null check (file_bytes >= 0),
  content_sha256 text not null check (content_sha256 ~ '^[0-9a-f]{64}$'),
  source text not null check (source in ('staff', 'file', 'partner')),
  -- received: lines being read; validated: ready to preview and apply; rejected: the file as a whole is
  -- unusable (error_code); applying: lines being applied; scheduled: applied except lines planned for a
  -- later date; applied: every line has its result; failed: apply stopped on an unexpected error (apply again resumes).
  status text not null default 'received' check (status in ('received', 'validated', 'rejected', 'applying', 'scheduled', 'applied', 'failed')),
  error_code text,
  error_message text,
  error_details jsonb,
  lines_total integer not null default 0,
  lines_invalid integer not null default 0,
  lines_applied integer not null default 0,
  lines_failed integer not null default 0,
  lines_skipped integer not null default 0,
  lines_deferred integer not null default 0,
  received_by text,
  applied_by text,
  -- One applier at a time: the holder renews the lease every batch; a crashed holder's lease runs out.
  apply_owner text,
  apply_lease_until timestamptz,
  received_at timestamptz not null default now(),
  validated_at timestamptz,
  apply_started_at timestamptz,
  applied_at timestamptz,
  updated_at timestamptz not null default now(),
  check ((status = 'rejected') = (error_code is not null) or status = 'failed')
);
create unique index registries_number on registries (kind, number) where status <> 'rejected';
create unique index registries_content on registries (content_sha256) where status <> 'rejected';
create index registries_received on registries (received_at desc);

-- One row per data line of the file. `line_no` is the line (CSV) or row (xlsx) number as the customer
-- sees it, the header being 1. Parsed fields the apply statements need are columns; the rest is `data`.
create table registry_lines (
  registry_id uuid not null references registries (id) on delete cascade,
  line_no integer not null check (line_no > 1),
  -- What identifies the line within its registry: the line id (credits) or the external client id
  -- (clients); a second line with the same key is a duplicate.
  line_key text,
  action text check (action in ('create', 'update', 'delete', 'credit', 'correction')),
  data jsonb not null default '{}',
  client_id uuid,
  account_id uuid,
  product_code text,
  amount bigint,
  planned_date date,
  -- valid: waits for apply; invalid: refused before apply (error_code); applied; failed: refused while
  -- applying (error_code), nothing of it written; skipped: was invalid when the registry was applied;
  -- deferred: planned for a later date, applied by a later apply.
  status text not null check (status in ('valid', 'invalid', 'applied', 'failed', 'skipped', 'deferred')),
  error_code text,
  error_message text,
  operation_id uuid references operations (id),
  result jsonb,
  primary key (registry_id, line_no),
  check ((status in ('invalid', 'failed', 'skipped')) = (error_code is not null))
);
create index registry_lines_key on registry_lines (registry_id, line_key);
create index registry_lines_status on registry_lines (registry_id, status, line_no);
