-- Support "act as consumer": the back office grants an employee a short look (read only) at one
-- consumer's cabinet. The grant arrives over the bus with the sha-256 of a one-time token (the token
-- itself travels only in the employee's browser); using it opens a read-only session and a visit row
-- the consumer sees.
alter table memberships drop constraint memberships_role_check;
alter table memberships add constraint memberships_role_check check (role in ('owner', 'representative', 'support'));

create table support_grants (
  id uuid primary key,
  consumer_ref text not null,
  token_hash text not null unique,
  employee_login text not null,
  employee_name text not null,
  reason text,
  expires_at timestamptz not null,
  used_at timestamptz,
  received_at timestamptz not null default now()
);

create table support_visits (
  id uuid primary key default gen_random_uuid(),
  grant_id uuid not null unique references support_grants (id),
  consumer_ref text not null,
  employee_login text not null,
  employee_name text not null,
  reason text,
  user_id uuid references users (id) on delete set null,
  started_at timestamptz not null default now(),
  expires_at timestamptz not null
);
create index support_visits_consumer on support_visits (consumer_ref, started_at desc);
