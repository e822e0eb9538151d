-- Settlement registries written to the file exchange's out/ folder (src/exchange/files/settlement-export.ts).
-- One row per registry and format, inserted after the file was renamed into place: a scheduled run that is
-- retried or taken over writes only the files that have no row yet, so a partner who already took a file
-- away from out/ is not sent it again.
create table settlement_exports (
  registry_id uuid not null references settlement_registries (id),
  format text not null check (format in ('csv', 'xlsx')),
  file_name text not null,
  written_at timestamptz not null default now(),
  primary key (registry_id, format)
);
