import { randomBytes, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Kysely } from 'kysely';
import { errorText } from '../bus/bus.js';
import type { Database } from '../db/database.js';
import { AppError, notFound } from '../errors/app-error.js';
import type { Logger } from '../log/logger.js';
import * as repo from './job-runs.repo.js';
import { checkSchedule, duePeriods, parseDuration, type Duration, type Schedule } from './schedule.js';
import type { JobTables, JobTrigger } from './tables.js';
import { Pause } from '../service/pause.js';

/**
 * Scheduled jobs that run once per period across every instance of a service.
 *
 * Each instance runs a Scheduler with the same jobs. On every poll it works out which periods are due
 * (schedule.ts) and claims each with one INSERT … ON CONFLICT DO NOTHING into `job_runs`: the UNIQUE
 * (job, period_key) lets exactly one instance have it, whatever the number of instances or their timing.
 * The claimant holds the run under a lease it renews while the job works (heartbeat); if the instance
 * dies, the lease runs out and the next instance to poll takes the run over (attempts + 1). A job that
 * throws is recorded as failed and tried again after a delay while its attempts allow.
 *
 * Delivery is therefore "once, and again only after a crash or failure": a job's effect must be
 * idempotent per period (write with a unique key, as settlement does), which makes a retaken run safe.
 */
export interface JobDefinition {
  /** 'settlement.daily': a dotted name, stable — it is the key of the history. */
  name: string;
  description?: string;
  /** When it runs by itself; without one the job runs only on request. */
  schedule?: Schedule;
  run(context: JobContext): Promise<Record<string, unknown> | void>;
  /** Starts of one run (first try + retries, crashes included) before it is left failed. Default 3. */
  maxAttempts?: number;
  /** Delay before the retry after `attempt` failed; default 1 min doubling, capped at an hour. */
  retryDelay?: Duration | ((attempt: number) => number);
  /** How many earlier periods are still run if every instance missed them (down for a while). Default 0. */
  catchUp?: number;
}

export interface JobContext {
  runId: string;
  job: string;
  /** '2026-11-25' (daily), '2026-11' (monthly), the period's ISO start (interval), 'manual:…'. */
  periodKey: string;
  /** When the period became due (a manual run: when it was asked for). */
  scheduledFor: Date;
  trigger: JobTrigger;
  /** 1 on the first try. */
  attempt: number;
  requestedBy: string | null;
  params: Record<string, unknown>;
  /** Aborted when this instance learns that it lost the run (lease expired and taken over): stop early, the new holder redoes it. */
  signal: AbortSignal;
  logger: Logger;
  now(): Date;
}

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export interface SchedulerOptions<DB = unknown> {
  database: Database<DB>;
  logger: Logger;
  /** Shown in the history; host:pid:random by default. */
  instanceId?: string;
  clock?: Clock;
  /** How often the scheduler looks for due periods and expired leases. Default 15 s. */
  pollIntervalMs?: number;
  /** How long a claimed run is reserved without a heartbeat. Default 2 min. */
  leaseMs?: number;
  /** How often a running job renews its lease. Default a quarter of the lease. */
  heartbeatMs?: number;
}

export const defaultRetryDelay = (attempt: number) => Math.min(60_000 * 2 ** Math.max(0, attempt - 1), 3_600_000);

export interface JobInfo {
  name: string;
  description: string | null;
  schedule: Schedule | null;
  maxAttempts: number;
}

export class Scheduler<DB = unknown> {
  readonly instanceId: string;
  private readonly db: Kysely<JobTables>;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly pollIntervalMs: number;
  private readonly leaseMs: number;
  private readonly heartbeatMs: number;
  private readonly jobs = new Map<string, JobDefinition>();
  /** Runs of each job in progress on this instance: the schedule starts a job only when none is. */
  private readonly busy = new Map<string, number>();
  private readonly inflight = new Set<Promise<unknown>>();
  private loop: Promise<void> | undefined;
  private running = false;
  private readonly pause = new Pause();

  constructor(options: SchedulerOptions<DB>) {
    this.db = repo.asJobTables(options.database.db);
    this.clock = options.clock ?? systemClock;
    this.instanceId = options.instanceId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
    this.logger = options.logger.child({ component: 'scheduler', instance: this.instanceId });
    this.pollIntervalMs = options.pollIntervalMs ?? 15_000;
    this.leaseMs = options.leaseMs ?? 120_000;
    this.heartbeatMs = options.heartbeatMs ?? Math.max(1, Math.floor(this.leaseMs / 4));
  }

  /** Adds a job; a bad schedule or a duplicate name throws here, at start, not at 2 a.m. */
  register(job: JobDefinition): this {
    if (!/^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)*$/.test(job.name)) throw new Error(`job name must be dotted lower-case words, got "${job.name}"`);
    if (this.jobs.has(job.name)) throw new Error(`job ${job.name} is registered twice`);
    if (job.schedule) checkSchedule(job.schedule);
    if (job.maxAttempts !== undefined && (!Number.isInteger(job.maxAttempts) || job.maxAttempts < 1)) throw new Error(`maxAttempts of ${job.name} must be a positive integer`);
    if (typeof job.retryDelay === 'string' || typeof job.retryDelay === 'number') parseDuration(job.retryDelay);
    this.jobs.set(job.name, job);
    return this;
  }

  list(): JobInfo[] {
    return [...this.jobs.values()].map((j) => ({ name: j.name, description: j.description ?? null, schedule: j.schedule ?? null, maxAttempts: j.maxAttempts ?? 3 }));
  }

  has(name: string): boolean {
    return this.jobs.has(name);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops polling and waits for the runs in progress on this instance to finish. */
  async stop(): Promise<void> {
    this.running = false;
    this.pause.wake();
    await this.loop;
    this.loop = undefined;
    await this.settled();
  }

  /** Resolves when every run this instance started so far has finished. */
  async settled(): Promise<void> {
    while (this.inflight.size) await Promise.allSettled([...this.inflight]);
  }

  /**
   * One poll: takes over runs whose lease expired or whose retry is due, claims the due periods nobody
   * has claimed, starts what it got. Returns the runs started (still running when the promise resolves;
   * `settled()` waits for them).
   */
  async poll(): Promise<repo.JobRun[]> {
    const now = this.clock.now();
    const started: repo.JobRun[] = [];
    for (const seen of await repo.pendingRuns(this.db, [...this.jobs.keys()], now)) {
      const job = this.jobs.get(seen.job)!;
      if (this.busy.has(job.name)) continue;
      if (seen.status === 'running' && seen.attempts >= maxAttemptsOf(job)) {
        const reason = `lease expired on ${seen.instance_id} (attempt ${seen.attempts} of ${maxAttemptsOf(job)}); not tried again`;
        if (await repo.abandonRun(this.db, seen, now, reason)) this.logger.error({ job: job.name, runId: String(seen.id), periodKey: seen.period_key }, 'job run abandoned');
        continue;
      }
      const row = await repo.retakeRun(this.db, seen, this.instanceId, now, this.leaseEnd(now));
      if (!row) continue;
      this.logger.warn({ job: job.name, runId: String(row.id), periodKey: row.period_key, attempt: row.attempts, previous: seen.status === 'running' ? 'lease expired' : 'failed' }, 'job run taken again');
      started.push(this.launch(job, row));
    }
    for (const job of this.jobs.values()) {
      if (!job.schedule || this.busy.has(job.name)) continue;
      const periods = duePeriods(job.schedule, now, 1 + (job.catchUp ?? 0));
      const known = await repo.existingPeriodKeys(this.db, job.name, periods.map((p) => p.key));
      // Oldest first, so a catch-up runs the periods in order.
      for (const period of periods.filter((p) => !known.has(p.key)).reverse()) {
        if (this.busy.has(job.name)) break;
        const row = await repo.claimRun(this.db, {
          job: job.name,
          periodKey: period.key,
          trigger: 'schedule',
          instanceId: this.instanceId,
          scheduledFor: period.dueAt,
          now,
          lockedUntil: this.leaseEnd(now),
          exclusive: true,
        });
        if (row) started.push(this.launch(job, row));
      }
    }
    return started;
  }

  /** One poll and the runs it started, to the end: what tests and one-off tools call. */
  async tick(): Promise<repo.JobRun[]> {
    const started = await this.poll();
    await this.settled();
    return Promise.all(started.map(async (r) => repo.toJobRun((await repo.findJobRun(this.db, r.id))!)));
  }

  /**
   * Runs a job now, outside its schedule, on this instance. `key` makes the request idempotent (the same key
   * answers the run it started before, marked `replayed`; the same key with other params is a 409); without
   * one every call is a new run. Resolves once the run is recorded as started, or with its outcome when
   * `wait` is set.
   */
  async runNow(name: string, options: { requestedBy?: string; params?: Record<string, unknown>; key?: string; wait?: boolean } = {}): Promise<repo.JobRun & { replayed?: true }> {
    const job = this.jobs.get(name);
    if (!job) throw notFound('job_not_found', `No job named ${name}`);
    const periodKey = `manual:${options.key ?? randomUUID()}`;
    const now = this.clock.now();
    const row = await repo.claimRun(this.db, {
      job: name,
      periodKey,
      trigger: 'manual',
      instanceId: this.instanceId,
      scheduledFor: now,
      now,
      lockedUntil: this.leaseEnd(now),
      requestedBy: options.requestedBy ?? null,
      params: options.params ?? {},
      exclusive: false,
    });
    if (!row) {
      const existing = await repo.findRunByKey(this.db, name, periodKey);
      if (!existing) throw new AppError('job_run_conflict', 409, 'The run could not be recorded');
      const run = repo.toJobRun(existing);
      if (JSON.stringify(run.params) !== JSON.stringify(options.params ?? {})) {
        throw new AppError('idempotency_conflict', 409, 'This key started a run with other parameters');
      }
      return { ...run, replayed: true };
    }
    // Started at once, even beside a scheduled run of the same job: jobs are idempotent per period anyway.
    const started = this.launch(job, row);
    if (options.wait) await this.settled();
    return options.wait ? repo.toJobRun((await repo.findJobRun(this.db, started.id))!) : started;
  }

  history(query: repo.JobRunQuery = {}) {
    return repo.listJobRuns(this.db, query);
  }

  async findRun(id: string): Promise<repo.JobRun | undefined> {
    const row = await repo.findJobRun(this.db, id);
    return row && repo.toJobRun(row);
  }

  private launch(job: JobDefinition, row: repo.JobRunRow): repo.JobRun {
    this.busy.set(job.name, (this.busy.get(job.name) ?? 0) + 1);
    const execution = this.execute(job, row).finally(() => {
      const left = (this.busy.get(job.name) ?? 1) - 1;
      if (left) this.busy.set(job.name, left);
      else this.busy.delete(job.name);
      this.inflight.delete(execution);
    });
    this.inflight.add(execution);
    return repo.toJobRun(row);
  }

  private async execute(job: JobDefinition, row: repo.JobRunRow): Promise<void> {
    const held: repo.Held = { id: row.id, instanceId: this.instanceId, attempts: row.attempts };
    const runId = String(row.id);
    const logger = this.logger.child({ job: job.name, runId, periodKey: row.period_key, attempt: row.attempts });
    const controller = new AbortController();
    let beating = false;
    const timer = setInterval(() => {
      if (beating) return;
      beating = true;
      const now = this.clock.now();
      repo
        .heartbeat(this.db, held, now, this.leaseEnd(now))
        .then((ours) => {
          if (!ours && !controller.signal.aborted) {
            logger.error('lost the job run to another instance (lease expired); asking the job to stop');
            controller.abort(new Error('job run lease lost'));
          }
        })
        .catch((err: unknown) => logger.warn({ err }, 'job heartbeat failed'))
        .finally(() => (beating = false));
    }, this.heartbeatMs);
    const startedAt = Date.now();
    logger.info('job run started');
    try {
      const result = await job.run({
        runId,
        job: job.name,
        periodKey: row.period_key,
        scheduledFor: row.scheduled_for,
        trigger: row.trigger,
        attempt: row.attempts,
        requestedBy: row.requested_by,
        params: row.params ?? {},
        signal: controller.signal,
        logger,
        now: () => this.clock.now(),
      });
      clearInterval(timer);
      const finished = await repo.finishRun(this.db, held, { status: 'succeeded', now: this.clock.now(), result: result ?? null });
      if (finished) logger.info({ durationMs: Date.now() - startedAt, result }, 'job run succeeded');
      else logger.warn('job run finished, but another instance had taken it over meanwhile; its outcome stands');
    } catch (err) {
      clearInterval(timer);
      const retry = row.attempts < maxAttemptsOf(job);
      const now = this.clock.now();
      const nextAttemptAt = retry ? new Date(now.getTime() + retryDelayOf(job, row.attempts)) : null;
      try {
        const finished = await repo.finishRun(this.db, held, { status: 'failed', now, error: errorText(err), nextAttemptAt });
        if (finished) logger[retry ? 'warn' : 'error']({ err, nextAttemptAt }, retry ? 'job run failed; will try again' : 'job run failed; attempts used up');
        else logger.warn({ err }, 'job run failed after another instance had taken it over');
      } catch (recordError) {
        // The lease runs out and another instance retries: the failure is not lost, only its text.
        logger.error({ err, recordError }, 'job run failed and its failure could not be recorded');
      }
    } finally {
      clearInterval(timer);
    }
  }

  private leaseEnd(now: Date) {
    return new Date(now.getTime() + this.leaseMs);
  }

  private async run() {
    while (this.running) {
      try {
        await this.poll();
      } catch (err) {
        this.logger.error({ err }, 'scheduler poll failed');
      }
      if (!this.running) break;
      await this.pause.for(this.pollIntervalMs);
    }
  }

}

const maxAttemptsOf = (job: JobDefinition) => job.maxAttempts ?? 3;

function retryDelayOf(job: JobDefinition, attempt: number): number {
  const delay = job.retryDelay;
  if (delay === undefined) return defaultRetryDelay(attempt);
  return typeof delay === 'function' ? delay(attempt) : parseDuration(delay);
}
