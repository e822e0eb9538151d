-- Partner (customer) systems that call the REST API, and their API keys.
-- A key is shown once when issued; only the SHA-256 of its secret part is kept. The secret is 256 random
-- bits, so a fast hash is enough (a slow password hash protects low-entropy secrets, which these are not).

create table partners (
  id uuid primary key default gen_random_uuid(),
  code text not null unique check (code ~ '^[a-z0-9][a-z0-9_-]{1,31}$'),
  name text not null,
  status text not null default 'active' check (status in ('active', 'blocked')),
  created_at timestamptz not null default now()
);

create table partner_api_keys (
  -- The public half of the key ("pk_<id>_<secret>"): found by primary key, compared in constant time.
  id text primary key check (id ~ '^[A-Za-z0-9]{12}$'),
  partner_id uuid not null references partners (id),
  secret_sha256 text not null,
  scopes text[] not null check (cardinality(scopes) > 0),
  label text not null default '',
  created_by text not null,
  created_at timestamptz not null default now(),
  expires_at timestamptz,
  revoked_at timestamptz,
  last_used_at timestamptz
);
create index partner_api_keys_partner on partner_api_keys (partner_id);
