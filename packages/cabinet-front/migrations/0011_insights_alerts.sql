-- Consumption alerts by e-mail (issue 11, point 3). Each user chooses per consumer which alerts they get
-- (no row: on). An alert is sent once per its period: the unique key (user, consumer, kind, period) is taken
-- before the e-mail goes; a row whose e-mail failed keeps sent_at null and is tried again on the next run.
create table alert_settings (
  user_id uuid not null references users (id) on delete cascade,
  consumer_ref text not null,
  kind text not null check (kind in ('debt', 'missing_reading', 'unusual_consumption')),
  enabled boolean not null,
  updated_at timestamptz not null default now(),
  primary key (user_id, consumer_ref, kind)
);

create table sent_alerts (
  id uuid primary key,
  user_id uuid not null references users (id) on delete cascade,
  consumer_ref text not null,
  kind text not null check (kind in ('debt', 'missing_reading', 'unusual_consumption')),
  -- The period the alert is about: the overdue invoice's month, the month of the missing reading, the unusual day.
  period_key text not null,
  -- What the e-mail says (numbers, no personal data).
  facts jsonb not null,
  attempts integer not null default 0,
  last_error text,
  created_at timestamptz not null default now(),
  sent_at timestamptz,
  unique (user_id, consumer_ref, kind, period_key)
);
create index sent_alerts_unsent on sent_alerts (created_at) where sent_at is null;
