import { createHash, randomUUID } from 'node:crypto';
import { AppError, type Database, type Logger } from '@app/kernel';
import { sql, type Kysely } from 'kysely';
import type { PrepaidDb } from '../tables.js';
import { buildReport } from './build.js';
import type { ReportParams } from './model.js';
import { renderPdf } from './render.pdf.js';
import { renderXlsx } from './render.xlsx.js';
import type { ReportsDb } from './tables.js';

/**
 * The background report queue: a row in report_jobs per request. Any instance's worker claims the
 * oldest queued row with SKIP LOCKED and a lease (a crashed worker's job is taken over when its lease
 * runs out), reports progress into the row while it reads, and stores the file in the row. A small
 * table queue rather than the kernel Scheduler: reports are asked for by people at any moment, not run
 * on a schedule, and the requester polls one row for progress (docs/workplace.md).
 */
const LEASE_SECONDS = 120;
const MAX_ATTEMPTS = 3;

export async function enqueueReport(database: Database<ReportsDb>, request: { params: ReportParams; format: 'pdf' | 'xlsx'; requestedBy: string; requestedById: string | null }) {
  return database.db
    .insertInto('report_jobs')
    .values({ kind: request.params.kind, format: request.format, params: JSON.stringify(request.params), requested_by: request.requestedBy, requested_by_id: request.requestedById })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Claims and runs one job; false when there was none. */
export async function runOneReport(database: Database<ReportsDb>, owner: string, logger?: Logger): Promise<boolean> {
  const db = database.db;
  const { rows } = await sql<{ id: string }>`
    update report_jobs set status = 'running', owner = ${owner}, lease_until = now() + make_interval(secs => ${LEASE_SECONDS}),
      attempts = attempts + 1, started_at = coalesce(started_at, now())
    where id = (
      select id from report_jobs
      where status = 'queued' or (status = 'running' and lease_until < now())
      order by created_at limit 1 for update skip locked
    ) returning id`.execute(db);
  const id = rows[0]?.id;
  if (!id) return false;
  const job = await db.selectFrom('report_jobs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const mine = (q: ReturnType<typeof db.updateTable<'report_jobs'>>) => q.where('id', '=', id).where('owner', '=', owner);
  if (job.attempts > MAX_ATTEMPTS) {
    await mine(db.updateTable('report_jobs')).set({ status: 'failed', error_code: 'too_many_attempts', error_message: 'The report failed repeatedly', finished_at: new Date() }).execute();
    return true;
  }
  try {
    let last = -1;
    const report = await buildReport(db as unknown as Kysely<PrepaidDb>, job.params, async (progress, rowsDone) => {
      if (progress === last) return;
      last = progress;
      // Each progress write also extends the lease: a long report is never taken over while it moves.
      await mine(db.updateTable('report_jobs')).set({ progress, rows_done: rowsDone, lease_until: new Date(Date.now() + LEASE_SECONDS * 1000) }).execute();
    });
    const file = job.format === 'pdf' ? await renderPdf(report, job.params.lang) : await renderXlsx(report, job.params.lang);
    await mine(db.updateTable('report_jobs'))
      .set({ status: 'done', progress: 100, file, file_name: `${report.fileStem}.${job.format}`, file_sha256: createHash('sha256').update(file).digest('hex'), finished_at: new Date(), lease_until: null })
      .execute();
  } catch (error) {
    const known = error instanceof AppError;
    if (!known) logger?.error({ err: error, job: id }, 'report failed');
    await mine(db.updateTable('report_jobs'))
      .set({ status: 'failed', error_code: known ? error.code : 'report_failed', error_message: known ? error.message : 'The report could not be built', finished_at: new Date(), lease_until: null })
      .execute();
  }
  return true;
}

/** The worker loop of one instance: drain the queue, then wait pollMs (or a nudge). */
export function startReportWorker(deps: { database: Database<ReportsDb>; logger: Logger; pollMs?: number }) {
  const owner = `reports-${randomUUID()}`;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const tick = () => {
    running = (async () => {
      try {
        while (!stopped && (await runOneReport(deps.database, owner, deps.logger)));
      } catch (error) {
        deps.logger.error({ err: error }, 'report worker');
      }
      if (!stopped) timer = setTimeout(tick, deps.pollMs ?? 1000);
    })();
  };
  tick();
  return {
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
