-- Client search (issue 8): a misspelt or partial name still finds the client. pg_trgm's GIN index serves both
-- `full_name ilike '%…%'` and the word-similarity operator `<%`; PGlite loads pg_trgm too (kernel database.ts).
-- The other ways in are exact: a phone, an account number, an active identifier's value of any kind.
create extension if not exists pg_trgm;
create index clients_full_name_trgm on clients using gin (full_name gin_trgm_ops);
create index clients_phone on clients (phone) where phone is not null;
create index identifiers_active_value_any_kind on identifiers (value) where status = 'active';
