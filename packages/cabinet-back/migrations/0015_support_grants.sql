-- Support "act as consumer": each read-only look an employee was granted at a consumer's cabinet
-- (support/). The token is never stored here: it went to the employee's browser, its hash to the front.
create table support_grants (
  id uuid primary key,
  consumer_ref text not null,
  employee_id uuid not null references users (id),
  employee_login text not null,
  employee_name text not null,
  reason text not null,
  expires_at timestamptz not null,
  created_at timestamptz not null default now()
);
create index support_grants_consumer on support_grants (consumer_ref, created_at desc);
create index support_grants_employee on support_grants (employee_id, created_at desc);
