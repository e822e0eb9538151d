import type { ColumnType, Generated } from 'kysely';

/** The kernel's job history table (migrations/0003_jobs.sql), as Kysely sees it. */
export type JobRunStatus = 'running' | 'succeeded' | 'failed';
export type JobTrigger = 'schedule' | 'manual';

export interface JobRunsTable {
  id: Generated<bigint>;
  job: string;
  period_key: string;
  trigger: JobTrigger;
  status: JobRunStatus;
  attempts: Generated<number>;
  instance_id: string;
  scheduled_for: Date;
  started_at: Date;
  heartbeat_at: Date | null;
  locked_until: Date | null;
  finished_at: Date | null;
  next_attempt_at: Date | null;
  requested_by: string | null;
  /** jsonb, written as JSON text. */
  params: ColumnType<Record<string, unknown>, string | undefined, string>;
  error: string | null;
  result: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
}

export interface JobTables {
  job_runs: JobRunsTable;
}
