import { auditContext, notFound, recordAudit, type Database, type HttpApp, type JobRun, type Logger, type Scheduler } from '@app/kernel';
import { registerSettlementRoutes } from '../settlement/settlement.routes.js';
import * as S from '../settlement/settlement.schema.js';
import { SettlementService } from '../settlement/settlement.service.js';
import { createPrepaidScheduler, type PrepaidJobsOptions } from './prepaid-jobs.js';

/**
 * Staff HTTP of scheduled jobs: what jobs there are with their last run, the history of runs (settlement
 * and above: they watch settlement runs), and running a job now (manager). A run asked for here runs on
 * the instance that got the request, recorded in the same history; if that instance dies, the instances'
 * schedulers take the run over when its lease ends.
 */
const settlement = { access: { roles: ['settlement'] } } as const;
const manager = { access: { roles: ['manager'] } } as const;
const tags = ['jobs'];

export function registerJobRoutes(app: HttpApp, deps: { database: Database<unknown>; scheduler: Scheduler }) {
  const { scheduler } = deps;

  app.get('/api/staff/jobs', { config: settlement, schema: { tags, summary: 'Scheduled jobs, their schedules and last runs', response: { 200: S.JobList } } }, async () => ({
    items: await Promise.all(
      scheduler.list().map(async (job) => {
        const last = (await scheduler.history({ job: job.name, limit: 1 })).items[0];
        return { ...job, schedule: job.schedule as Record<string, unknown> | null, lastRun: last ? runJson(last) : null };
      }),
    ),
  }));

  app.get(
    '/api/staff/jobs/runs',
    { config: settlement, schema: { tags, summary: 'History of job runs, newest first (filter by job, status, trigger)', querystring: S.JobRunsQuery, response: { 200: S.JobRunList } } },
    async (request) => {
      const { items, total } = await scheduler.history(request.query);
      return { items: items.map(runJson), total };
    },
  );

  app.get('/api/staff/jobs/runs/:id', { config: settlement, schema: { tags, summary: 'One job run', params: S.JobRunParams, response: { 200: S.JobRunView } } }, async (request) => {
    const run = await scheduler.findRun(request.params.id);
    if (!run) throw notFound('job_run_not_found', 'No such job run');
    return runJson(run);
  });

  app.post(
    '/api/staff/jobs/:name/runs',
    { config: manager, schema: { tags, summary: 'Run a job now (answers once it has started; follow it in the history)', params: S.JobParams, body: S.RunJobBody, response: { 200: S.JobRunView, 202: S.JobRunView } } },
    async (request, reply) => {
      const { name } = request.params;
      const params = request.body.day ? { day: request.body.day } : {};
      const run = await scheduler.runNow(name, { requestedBy: request.user!.loginKey, params, key: request.body.key });
      // A replayed key answers the run it started; that run is in the journal already.
      if (run.replayed) return reply.status(200).send(runJson(run));
      await recordAudit(deps.database.db, { ...auditContext(request), action: 'job.run', targetType: 'job_run', targetId: run.id, details: { job: name, ...params } });
      return reply.status(202).send(runJson(run));
    },
  );
}

/**
 * Settlement and jobs for the prepaid app: the settlement service, its staff routes, and a Scheduler with
 * the prepaid jobs used for runs on request and the history (the polling one runs in main.ts's workers).
 */
export function registerSettlementAndJobRoutes(app: HttpApp, deps: { database: Database<unknown>; logger: Logger; options?: PrepaidJobsOptions }) {
  const timeZone = deps.options?.timeZone ?? 'Europe/Moscow';
  const clock = deps.options?.clock;
  const service = deps.options?.settlement ?? new SettlementService(deps.database, { timeZone, logger: deps.logger, ...(clock ? { now: () => clock.now() } : {}) });
  const scheduler = createPrepaidScheduler(deps, { ...deps.options, settlement: service });
  registerSettlementRoutes(app, { database: deps.database, settlement: service, timeZone });
  registerJobRoutes(app, { database: deps.database, scheduler });
  app.addHook('onClose', () => scheduler.settled());
  return { settlement: service, scheduler };
}

export function runJson(r: JobRun) {
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  return {
    id: r.id,
    job: r.job,
    periodKey: r.periodKey,
    trigger: r.trigger,
    status: r.status,
    attempts: r.attempts,
    instanceId: r.instanceId,
    scheduledFor: r.scheduledFor.toISOString(),
    startedAt: r.startedAt.toISOString(),
    finishedAt: iso(r.finishedAt),
    lockedUntil: iso(r.lockedUntil),
    nextAttemptAt: iso(r.nextAttemptAt),
    requestedBy: r.requestedBy,
    params: r.params,
    error: r.error,
    result: r.result,
  };
}
