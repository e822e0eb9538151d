-- cabinet-front (DMZ): consumers' accounts, links to billing consumers, and the read model of billing data
-- built from cabinet-back's events. Columns ending in _enc hold AES-256-GCM ciphertext
-- (`v1.<keyId>.…`, associated data `<table>.<column>:<row id>`); columns ending in _index hold an HMAC
-- blind index for lookups by value. No personal data is stored in clear (see src/crypto/encrypted-columns.ts).

-- The consumer's side of a kernel `users` row: users.login_key is the blind index of the normalised
-- e-mail or phone, users.display_name stays empty; the values themselves live here, encrypted.
create table consumer_users (
  user_id uuid primary key references users (id) on delete cascade,
  contact_kind text not null check (contact_kind in ('email', 'phone')),
  email_enc text,
  phone_enc text,
  email_index text unique,
  phone_index text unique,
  display_name_enc text,
  created_at timestamptz not null default now()
);

-- One-time codes (registration, password recovery). The code itself is never stored: code_hash is an
-- HMAC of (challenge id, code) under the blind-index key, so a leaked table does not give codes
-- (a plain hash of a 6-digit code would be reversed in a millisecond).
create table otp_challenges (
  id uuid primary key,
  purpose text not null check (purpose in ('register', 'reset')),
  contact_kind text not null check (contact_kind in ('email', 'phone')),
  contact_index text not null,
  contact_enc text not null,
  -- The user a recovery code is for; null for registrations and for unknown logins (decoy challenges).
  user_id uuid references users (id) on delete cascade,
  code_hash text not null,
  expires_at timestamptz not null,
  attempts integer not null default 0 check (attempts >= 0),
  max_attempts integer not null,
  sends integer not null default 1,
  last_sent_at timestamptz not null default now(),
  consumed_at timestamptz,
  created_at timestamptz not null default now()
);
create index otp_challenges_contact on otp_challenges (contact_index, created_at desc);

-- Who may act for which billing consumer. The user who links a contract becomes owner; owners will
-- invite representatives (a later issue) with a subset of rights. Every consumer route checks a right.
create table memberships (
  user_id uuid not null references users (id) on delete cascade,
  consumer_ref text not null,
  role text not null check (role in ('owner', 'representative')),
  rights text[] not null check (rights <@ array['view', 'submit_readings', 'pay', 'sign']::text[]),
  created_at timestamptz not null default now(),
  primary key (user_id, consumer_ref)
);
create index memberships_consumer on memberships (consumer_ref);

-- A request to link a contract, as sent to the back (id = command id = bus message id).
create table link_requests (
  id uuid primary key,
  user_id uuid not null references users (id) on delete cascade,
  via text not null check (via in ('secret', 'request')),
  contract_number text not null,
  applicant_name_enc text,
  tax_id_enc text,
  comment_enc text,
  status text not null default 'pending' check (status in ('pending', 'accepted', 'rejected')),
  reject_code text,
  reject_message text,
  consumer_ref text,
  created_at timestamptz not null default now(),
  decided_at timestamptz
);
create index link_requests_user on link_requests (user_id, created_at desc);

-- Read model. Every row carries billing's `version` of what it shows; an event older than the row is
-- ignored, so events may come in any order and twice. Versions are decimal text on the wire, numeric here.
create table consumers (
  consumer_ref text primary key,
  version numeric not null,
  kind text not null check (kind in ('organisation', 'person')),
  name_enc text not null,
  inn_enc text,
  ogrn_enc text,
  snils_enc text,
  email_enc text,
  phone_enc text,
  address_enc text,
  updated_at timestamptz not null default now()
);

create table contracts (
  id text primary key,
  consumer_ref text not null,
  version numeric not null,
  number text not null,
  status text not null check (status in ('active', 'terminated')),
  started_on date not null,
  ended_on date,
  window_from_day integer not null check (window_from_day between 1 and 31),
  window_to_day integer not null check (window_to_day between 1 and 31),
  updated_at timestamptz not null default now()
);
create index contracts_consumer on contracts (consumer_ref, number);

-- Objects, points and meters are replaced with their contract (they come inside it).
create table supply_objects (
  id text primary key,
  contract_id text not null references contracts (id) on delete cascade,
  consumer_ref text not null,
  name text not null,
  address_enc text not null
);
create index supply_objects_contract on supply_objects (contract_id);

create table metering_points (
  id text primary key,
  object_id text not null references supply_objects (id) on delete cascade,
  contract_id text not null,
  consumer_ref text not null,
  code text not null,
  name text not null,
  voltage text,
  max_power_kw text
);
create index metering_points_object on metering_points (object_id);
create index metering_points_consumer on metering_points (consumer_ref);

create table meters (
  id text primary key,
  point_id text not null references metering_points (id) on delete cascade,
  contract_id text not null,
  consumer_ref text not null,
  serial text not null,
  model text not null,
  kind text not null check (kind in ('integral', 'interval')),
  digits integer not null,
  fraction_digits integer not null,
  transformation_ratio text not null,
  zones text[] not null,
  installed_on date not null,
  verified_on date,
  next_verification_on date,
  average_monthly_kwh numeric,
  -- [{zone, date, value}]: billing's last accepted reading per zone, the base new readings are checked against.
  last_readings jsonb not null default '[]'
);
create index meters_point on meters (point_id);
create index meters_consumer on meters (consumer_ref);

-- Readings: those entered in the cabinet (status sent until billing answers) and those billing got
-- by other routes (from events). billing_reading_id ties the two when billing answers.
create table readings (
  id uuid primary key,
  consumer_ref text not null,
  meter_id text not null,
  zone text not null,
  reading_date date not null,
  value numeric not null,
  source text not null,
  status text not null check (status in ('sent', 'accepted', 'rejected')),
  reason_code text,
  reason_text text,
  consumption_kwh numeric,
  billing_reading_id text unique,
  submission_id uuid,
  submitted_by uuid,
  jump_confirmed boolean not null default false,
  version numeric,
  sent_at timestamptz,
  processed_at timestamptz,
  created_at timestamptz not null default now()
);
create index readings_meter on readings (meter_id, zone, reading_date desc);
create index readings_consumer on readings (consumer_ref, reading_date desc);

-- Hourly data per metering point and day: metered (interval meter) or billing's calculated profile.
create table hourly_days (
  point_id text not null,
  kind text not null check (kind in ('metered', 'profile')),
  day date not null,
  consumer_ref text not null,
  version numeric not null,
  hours text[] not null,
  primary key (point_id, kind, day)
);

create table accounts (
  contract_id text primary key,
  consumer_ref text not null,
  version numeric not null,
  debt bigint not null,
  as_of date not null
);

create table account_months (
  contract_id text not null references accounts (contract_id) on delete cascade,
  month text not null,
  opening bigint not null,
  charged bigint not null,
  paid bigint not null,
  closing bigint not null,
  kwh numeric not null,
  primary key (contract_id, month)
);

create table invoices (
  id text primary key,
  contract_id text not null,
  consumer_ref text not null,
  version numeric not null,
  kind text not null check (kind in ('invoice', 'act')),
  number text not null,
  period text not null,
  issued_on date not null,
  due_on date,
  amount bigint not null,
  kwh numeric,
  -- The PDF (base64), encrypted: it names the consumer and their address.
  pdf_enc text
);
create index invoices_contract on invoices (contract_id, period desc);
create index invoices_consumer on invoices (consumer_ref, issued_on desc);

create table payments (
  id text primary key,
  contract_id text not null,
  consumer_ref text not null,
  version numeric not null,
  paid_on date not null,
  amount bigint not null,
  document text not null,
  source text not null
);
create index payments_contract on payments (contract_id, paid_on desc);
create index payments_consumer on payments (consumer_ref, paid_on desc);

-- Events that did not match the published schema: kept for a person to look at, never retried.
create table dead_events (
  message_id uuid primary key,
  topic text not null,
  problems jsonb not null,
  received_at timestamptz not null default now()
);
