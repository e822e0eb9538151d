-- Scheduled jobs (src/jobs): one row per run of a job. A scheduled run is identified by the job and
-- its period ('2026-11-25' for a daily job, the period's start for an interval job); the UNIQUE key
-- makes claiming a period one INSERT … ON CONFLICT DO NOTHING, so N instances run it once. A manual
-- run has its own key ('manual:…').
--
-- The instance that holds a run keeps `locked_until` in the future (heartbeat); a run whose lease has
-- expired (its instance died) is taken again by another instance, `attempts` counting every start.
-- A failed run is tried again at `next_attempt_at` while its job's attempts allow; null = final.
create table job_runs (
  id bigserial primary key,
  job text not null,
  period_key text not null,
  trigger text not null check (trigger in ('schedule', 'manual')),
  status text not null check (status in ('running', 'succeeded', 'failed')),
  attempts integer not null default 1 check (attempts >= 1),
  instance_id text not null,
  scheduled_for timestamptz not null,
  started_at timestamptz not null,
  heartbeat_at timestamptz,
  locked_until timestamptz,
  finished_at timestamptz,
  next_attempt_at timestamptz,
  requested_by text,
  params jsonb not null default '{}',
  -- The last failure's text (kept after a successful retry, so the history shows what happened).
  error text,
  result jsonb,
  unique (job, period_key),
  check ((status = 'running') = (locked_until is not null)),
  check (next_attempt_at is null or status = 'failed')
);
-- The history, newest first, per job or across all.
create index job_runs_job_recent on job_runs (job, id desc);
-- What a scheduler looks at on every poll: runs that may need taking over (lease) or retrying.
create index job_runs_pending on job_runs (job) where status = 'running' or next_attempt_at is not null;
