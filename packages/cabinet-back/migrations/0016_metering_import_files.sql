-- 80020 files taken from the watched import folder (metering-import/import-folder.ts): one row per claim.
-- The row is written before the file is renamed incoming/ → work/ (the rename is the lock between
-- instances); its lease is renewed while the file is read; a file left in work/ by a dead instance is
-- taken over once the lease has run out. A file whose content was already imported for the consumer is
-- refused as a duplicate (sha256).
create table metering_import_files (
  claim_id text primary key,
  consumer_ref text not null,
  file_name text not null,
  work_name text not null,
  sha256 text,
  owner text not null,
  lease_until timestamptz not null,
  attempts integer not null default 1,
  status text not null default 'processing' check (status in ('processing', 'processed', 'failed')),
  error_code text,
  result jsonb,
  created_at timestamptz not null default now(),
  finished_at timestamptz
);
create index metering_import_files_content on metering_import_files (consumer_ref, sha256) where status = 'processed';
create index metering_import_files_open on metering_import_files (lease_until) where status = 'processing';
