import { sql, type Kysely, type Selectable } from 'kysely';
import type { Executor } from '../db/database.js';
import type { JobRunStatus, JobRunsTable, JobTables, JobTrigger } from './tables.js';

/**
 * SQL of the job history; nothing else. Every time written here comes from the scheduler's clock (not
 * the database's now()), so a test's clock moves leases and periods alike; instances of one service
 * keep their clocks in step (NTP) and leases are minutes, far above any skew.
 */
export type JobRunRow = Selectable<JobRunsTable>;

/** A run as the API and the history show it. */
export interface JobRun {
  id: string;
  job: string;
  periodKey: string;
  trigger: JobTrigger;
  status: JobRunStatus;
  attempts: number;
  instanceId: string;
  scheduledFor: Date;
  startedAt: Date;
  heartbeatAt: Date | null;
  lockedUntil: Date | null;
  finishedAt: Date | null;
  nextAttemptAt: Date | null;
  requestedBy: string | null;
  params: Record<string, unknown>;
  error: string | null;
  result: Record<string, unknown> | null;
}

export const toJobRun = (r: JobRunRow): JobRun => ({
  id: String(r.id),
  job: r.job,
  periodKey: r.period_key,
  trigger: r.trigger,
  status: r.status,
  attempts: r.attempts,
  instanceId: r.instance_id,
  scheduledFor: r.scheduled_for,
  startedAt: r.started_at,
  heartbeatAt: r.heartbeat_at,
  lockedUntil: r.locked_until,
  finishedAt: r.finished_at,
  nextAttemptAt: r.next_attempt_at,
  requestedBy: r.requested_by,
  params: r.params ?? {},
  error: r.error,
  result: r.result,
});

/** The kernel's tables exist in every service database; the caller's own DB type does not list them. */
export const asJobTables = <DB>(executor: Executor<DB>) => executor as unknown as Kysely<JobTables>;

export async function existingPeriodKeys(db: Kysely<JobTables>, job: string, keys: string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const rows = await db.selectFrom('job_runs').select('period_key').where('job', '=', job).where('period_key', 'in', keys).execute();
  return new Set(rows.map((r) => r.period_key));
}

/**
 * Claims one run: the row exists afterwards for exactly one caller (the UNIQUE (job, period_key) decides).
 * `exclusive`: refused while another run of the job holds a live lease, so a slow run is not overtaken
 * by the next period's.
 */
export async function claimRun(
  db: Kysely<JobTables>,
  run: { job: string; periodKey: string; trigger: JobTrigger; instanceId: string; scheduledFor: Date; now: Date; lockedUntil: Date; requestedBy?: string | null; params?: Record<string, unknown>; exclusive: boolean },
): Promise<JobRunRow | undefined> {
  const { rows } = await sql<JobRunRow>`
    insert into job_runs (job, period_key, trigger, status, attempts, instance_id, scheduled_for, started_at, heartbeat_at, locked_until, requested_by, params)
    select ${run.job}::text, ${run.periodKey}::text, ${run.trigger}::text, 'running', 1, ${run.instanceId}::text, ${run.scheduledFor}::timestamptz,
      ${run.now}::timestamptz, ${run.now}::timestamptz, ${run.lockedUntil}::timestamptz, ${run.requestedBy ?? null}::text, ${JSON.stringify(run.params ?? {})}::jsonb
    where not ${run.exclusive} or not exists (
      select 1 from job_runs where job = ${run.job}::text and status = 'running' and locked_until > ${run.now}::timestamptz)
    on conflict (job, period_key) do nothing
    returning *`.execute(db);
  return rows[0];
}

/** Runs of these jobs whose instance stopped heart-beating, or whose retry is due. */
export async function pendingRuns(db: Kysely<JobTables>, jobs: string[], now: Date, limit = 20): Promise<JobRunRow[]> {
  if (jobs.length === 0) return [];
  return db
    .selectFrom('job_runs')
    .selectAll()
    .where('job', 'in', jobs)
    .where((eb) => eb.or([eb.and([eb('status', '=', 'running'), eb('locked_until', '<', now)]), eb.and([eb('status', '=', 'failed'), eb('next_attempt_at', '<=', now)])]))
    .orderBy('id')
    .limit(limit)
    .execute();
}

/**
 * Takes over a run seen as pending, if it still is: one conditional UPDATE, so of several instances
 * trying at once exactly one gets the row (the others re-read it after the winner commits and no longer match).
 */
export async function retakeRun(db: Kysely<JobTables>, seen: JobRunRow, instanceId: string, now: Date, lockedUntil: Date): Promise<JobRunRow | undefined> {
  const { rows } = await sql<JobRunRow>`
    update job_runs set status = 'running', attempts = attempts + 1, instance_id = ${instanceId}::text, started_at = ${now}::timestamptz,
      heartbeat_at = ${now}::timestamptz, locked_until = ${lockedUntil}::timestamptz, finished_at = null, next_attempt_at = null
    where id = ${seen.id} and attempts = ${seen.attempts}::int and status = ${seen.status}::text
      and ((status = 'running' and locked_until < ${now}::timestamptz) or (status = 'failed' and next_attempt_at <= ${now}::timestamptz))
    returning *`.execute(db);
  return rows[0];
}

/** Ends a run whose lease expired once too often: failed, no further attempt. */
export async function abandonRun(db: Kysely<JobTables>, seen: JobRunRow, now: Date, reason: string): Promise<boolean> {
  const result = await db
    .updateTable('job_runs')
    .set({ status: 'failed', locked_until: null, finished_at: now, next_attempt_at: null, error: reason })
    .where('id', '=', seen.id)
    .where('attempts', '=', seen.attempts)
    .where('status', '=', 'running')
    .where('locked_until', '<', now)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** The holder's proof of life; false when the run is no longer its own (taken over after an expired lease). */
export async function heartbeat(db: Kysely<JobTables>, held: Held, now: Date, lockedUntil: Date): Promise<boolean> {
  const result = await db
    .updateTable('job_runs')
    .set({ heartbeat_at: now, locked_until: lockedUntil })
    .where('id', '=', held.id)
    .where('instance_id', '=', held.instanceId)
    .where('attempts', '=', held.attempts)
    .where('status', '=', 'running')
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Records the outcome, if the run is still the holder's; undefined when another instance took it over meanwhile. */
export async function finishRun(
  db: Kysely<JobTables>,
  held: Held,
  outcome: { status: 'succeeded'; now: Date; result: Record<string, unknown> | null } | { status: 'failed'; now: Date; error: string; nextAttemptAt: Date | null },
): Promise<JobRunRow | undefined> {
  const set =
    outcome.status === 'succeeded'
      ? { status: 'succeeded' as const, finished_at: outcome.now, locked_until: null, result: outcome.result === null ? null : JSON.stringify(outcome.result) }
      : { status: 'failed' as const, finished_at: outcome.now, locked_until: null, error: outcome.error, next_attempt_at: outcome.nextAttemptAt };
  return db
    .updateTable('job_runs')
    .set(set)
    .where('id', '=', held.id)
    .where('instance_id', '=', held.instanceId)
    .where('attempts', '=', held.attempts)
    .where('status', '=', 'running')
    .returningAll()
    .executeTakeFirst();
}

/** What identifies a run as held by one instance's one attempt. */
export interface Held {
  id: bigint;
  instanceId: string;
  attempts: number;
}

export async function findJobRun(db: Kysely<JobTables>, id: string): Promise<JobRunRow | undefined> {
  if (!/^\d{1,18}$/.test(id)) return undefined;
  return db.selectFrom('job_runs').selectAll().where('id', '=', BigInt(id)).executeTakeFirst();
}

export async function findRunByKey(db: Kysely<JobTables>, job: string, periodKey: string): Promise<JobRunRow | undefined> {
  return db.selectFrom('job_runs').selectAll().where('job', '=', job).where('period_key', '=', periodKey).executeTakeFirst();
}

export interface JobRunQuery {
  job?: string | undefined;
  status?: JobRunStatus | undefined;
  trigger?: JobTrigger | undefined;
  offset?: number | undefined;
  limit?: number | undefined;
}

/** The history, newest first, paged. */
export async function listJobRuns<DB>(executor: Executor<DB>, query: JobRunQuery = {}): Promise<{ items: JobRun[]; total: number }> {
  const db = asJobTables(executor);
  let base = db.selectFrom('job_runs');
  if (query.job) base = base.where('job', '=', query.job);
  if (query.status) base = base.where('status', '=', query.status);
  if (query.trigger) base = base.where('trigger', '=', query.trigger);
  const [rows, count] = await Promise.all([
    base.selectAll().orderBy('id', 'desc').offset(query.offset ?? 0).limit(query.limit ?? 50).execute(),
    base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(toJobRun), total: Number(count.n) };
}

/**
 * Forgets finished runs older than `before` (running ones and ones waiting for a retry stay). Keep more
 * than a job's catch-up window: a forgotten scheduled period inside it would run again.
 */
export async function pruneJobRuns<DB>(executor: Executor<DB>, before: Date): Promise<number> {
  const result = await asJobTables(executor)
    .deleteFrom('job_runs')
    .where('status', '<>', 'running')
    .where('next_attempt_at', 'is', null)
    .where('finished_at', '<', before)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
