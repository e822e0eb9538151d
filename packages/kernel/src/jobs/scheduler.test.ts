import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../db/database.js';
import { createLogger } from '../log/logger.js';
import { createTestDatabase, type TestDatabase } from '../testing/database.js';
import { waitFor } from '../testing/wait-for.js';
import { listJobRuns, pruneJobRuns } from './job-runs.repo.js';
import { Scheduler, type JobDefinition, type SchedulerOptions } from './scheduler.js';
import type { JobTables } from './tables.js';

const logger = createLogger({ service: 'scheduler-test', level: 'silent' });
const HOUR = 3_600_000;
const MINUTE = 60_000;

function fakeClock(start: string) {
  let t = new Date(start).getTime();
  return {
    now: () => new Date(t),
    advance(ms: number) {
      t += ms;
    },
  };
}

/** A job that counts its executions per period and instance, and otherwise does what `body` says. */
function recorder() {
  const executions: Array<{ job: string; periodKey: string; instance: string; attempt: number }> = [];
  const job = (name: string, schedule: JobDefinition['schedule'], instance: string, extra: Partial<JobDefinition> = {}): JobDefinition => ({
    name,
    schedule,
    run: async (ctx) => {
      executions.push({ job: ctx.job, periodKey: ctx.periodKey, instance, attempt: ctx.attempt });
      return { periodKey: ctx.periodKey };
    },
    ...extra,
  });
  return { executions, job };
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('scheduler', () => {
  let database: TestDatabase<JobTables>;
  // A second connection pool stands for a second instance of the service (on PGlite: the same database).
  let other: Database<JobTables>;
  const schedulers: Array<Scheduler<JobTables>> = [];
  const scheduler = (options: Partial<SchedulerOptions<JobTables>> & { instanceId: string }, db: Database<JobTables> = database) => {
    const s = new Scheduler<JobTables>({ database: db, logger, pollIntervalMs: 5, ...options });
    schedulers.push(s);
    return s;
  };

  beforeAll(async () => {
    database = await createTestDatabase<JobTables>();
    other = database.url ? await createDatabase<JobTables>({ url: database.url, poolSize: 3 }) : database;
  });
  afterAll(async () => {
    await Promise.all(schedulers.map((s) => s.stop()));
    if (other && other !== database) await other.close();
    await database?.close();
  });
  beforeEach(async () => {
    await Promise.all(schedulers.splice(0).map((s) => s.stop()));
    await sql`delete from job_runs`.execute(database.db);
  });

  const runs = (job?: string) => database.db.selectFrom('job_runs').selectAll().$if(job !== undefined, (q) => q.where('job', '=', job!)).orderBy('id').execute();

  it('runs each job once per period with two instances polling at the same moments', async () => {
    const clock = fakeClock('2026-11-24T20:00:00Z');
    const { executions, job } = recorder();
    const instances = ['a', 'b'].map((id, i) =>
      scheduler({ instanceId: id, clock }, i === 0 ? database : other)
        .register(job('test.hourly', { every: '1h' }, id))
        .register(job('test.daily', { daily: '02:00', timeZone: 'Europe/Moscow' }, id))
        .register(job('test.quarter', { every: '15m' }, id)),
    );
    // Three days in 5-minute steps; at every step both instances poll concurrently.
    const steps = (3 * 24 * 60) / 5;
    for (let step = 0; step < steps; step++) {
      await Promise.all(instances.map((s) => s.poll()));
      await Promise.all(instances.map((s) => s.settled()));
      clock.advance(5 * MINUTE);
    }

    // On a real server the two pools race for every period and both win some; PGlite has one session, so the first poll always wins.
    if (database.url) expect(new Set(executions.map((e) => e.instance))).toEqual(new Set(['a', 'b']));
    const count = (name: string) => executions.filter((e) => e.job === name);
    const once = (name: string) => {
      const keys = count(name).map((e) => e.periodKey);
      expect(new Set(keys).size).toBe(keys.length);
      return keys;
    };
    expect(once('test.hourly')).toHaveLength(72);
    expect(once('test.quarter')).toHaveLength(288);
    // From 23:00 Moscow on the 24th to 23:00 on the 27th: the 24th's run (due 02:00 that day) and those of the 25th–27th.
    expect(once('test.daily')).toEqual(['2026-11-24', '2026-11-25', '2026-11-26', '2026-11-27']);
    const rows = await runs();
    expect(rows).toHaveLength(72 + 288 + 4);
    expect(rows.every((r) => r.status === 'succeeded' && r.attempts === 1 && r.locked_until === null)).toBe(true);
    expect(rows.find((r) => r.job === 'test.daily' && r.period_key === '2026-11-26')).toMatchObject({
      scheduled_for: new Date('2026-11-25T23:00:00Z'),
      trigger: 'schedule',
      result: { periodKey: '2026-11-26' },
    });
  });

  it('runs each period once with two schedulers started on their own polling loops', async () => {
    const clock = fakeClock('2026-11-25T10:30:00Z');
    const { executions, job } = recorder();
    for (const [id, db] of [
      ['a', database],
      ['b', other],
    ] as const) {
      scheduler({ instanceId: id, clock, pollIntervalMs: 2 }, db).register(job('test.loop', { every: '1h' }, id)).start();
    }
    for (let hour = 0; hour < 6; hour++) {
      await waitFor(async () => (await runs('test.loop')).filter((r) => r.status === 'succeeded').length === hour + 1, { what: `run of hour ${hour}` });
      // Let both loops poll a few more times inside the same period: nothing new may start.
      await new Promise((r) => setTimeout(r, 20));
      clock.advance(HOUR);
    }
    await Promise.all(schedulers.map((s) => s.stop()));
    const keys = executions.map((e) => e.periodKey);
    expect(keys).toHaveLength(6);
    expect(new Set(keys).size).toBe(6);
    expect(keys[0]).toBe('2026-11-25T10:00:00.000Z');
  });

  it('takes over a run whose instance died (lease expired) once, and ignores the dead instance if it comes back', async () => {
    const clock = fakeClock('2026-11-25T10:00:00Z');
    const stuck = deferred();
    let deadRan = 0;
    // Instance a never heart-beats (its process is as good as dead) and its job never ends by itself.
    const a = scheduler({ instanceId: 'a', clock, leaseMs: MINUTE, heartbeatMs: 10 * HOUR }).register({
      name: 'test.crash',
      schedule: { every: '1d' },
      run: async () => {
        deadRan++;
        await stuck.promise;
        return { by: 'a' };
      },
    });
    const { executions, job } = recorder();
    const b = scheduler({ instanceId: 'b', clock, leaseMs: MINUTE }, other).register(job('test.crash', { every: '1d' }, 'b'));

    expect(await a.poll()).toHaveLength(1);
    expect(await b.tick()).toEqual([]); // the lease is live: nothing to take
    clock.advance(MINUTE - 1);
    expect(await b.tick()).toEqual([]);
    clock.advance(2);
    const [retaken] = await b.tick();
    expect(retaken).toMatchObject({ status: 'succeeded', attempts: 2, instanceId: 'b', periodKey: '2026-11-25T00:00:00.000Z' });
    clock.advance(10 * MINUTE);
    expect(await b.tick()).toEqual([]);

    stuck.resolve();
    await a.settled();
    const [row] = await runs('test.crash');
    expect(row).toMatchObject({ status: 'succeeded', attempts: 2, instance_id: 'b', result: { periodKey: '2026-11-25T00:00:00.000Z' } });
    expect([deadRan, executions.length]).toEqual([1, 1]);
  });

  it('keeps a long run its own while it heart-beats', async () => {
    const clock = fakeClock('2026-11-25T10:00:00Z');
    const slow = deferred();
    const a = scheduler({ instanceId: 'a', clock, leaseMs: MINUTE, heartbeatMs: 5 }).register({ name: 'test.slow', schedule: { every: '1d' }, run: () => slow.promise });
    const { job } = recorder();
    const b = scheduler({ instanceId: 'b', clock, leaseMs: MINUTE }, other).register(job('test.slow', { every: '1d' }, 'b'));
    await a.poll();
    for (let i = 0; i < 5; i++) {
      clock.advance(40_000);
      const after = clock.now().getTime();
      await waitFor(async () => (await runs('test.slow'))[0]!.locked_until!.getTime() > after, { what: 'heartbeat' });
      expect(await b.tick()).toEqual([]);
    }
    slow.resolve();
    await a.settled();
    expect(await runs('test.slow')).toMatchObject([{ status: 'succeeded', attempts: 1, instance_id: 'a' }]);
  });

  it('tells a job that lost its run to stop', async () => {
    const clock = fakeClock('2026-11-25T10:00:00Z');
    let aborted: unknown;
    const a = scheduler({ instanceId: 'a', clock, leaseMs: MINUTE, heartbeatMs: 300 }).register({
      name: 'test.lost',
      schedule: { every: '1d' },
      run: (ctx) =>
        new Promise((_resolve, reject) =>
          ctx.signal.addEventListener('abort', () => {
            aborted = ctx.signal.reason;
            reject(ctx.signal.reason as Error);
          }),
        ),
    });
    const { job } = recorder();
    const b = scheduler({ instanceId: 'b', clock, leaseMs: MINUTE }, other).register(job('test.lost', { every: '1d' }, 'b'));
    await a.poll();
    clock.advance(MINUTE + 1); // a was paused (GC, network) past its lease before its next heartbeat
    expect(await b.tick()).toMatchObject([{ status: 'succeeded', attempts: 2 }]);
    await a.settled();
    expect(aborted).toBeInstanceOf(Error);
    expect(await runs('test.lost')).toMatchObject([{ status: 'succeeded', instance_id: 'b', attempts: 2 }]);
  });

  it('leaves a run failed when its instance died on the last attempt', async () => {
    const clock = fakeClock('2026-11-25T10:00:00Z');
    const never = deferred();
    const a = scheduler({ instanceId: 'a', clock, leaseMs: MINUTE, heartbeatMs: 10 * HOUR }).register({ name: 'test.once', schedule: { every: '1d' }, maxAttempts: 1, run: () => never.promise });
    const { executions, job } = recorder();
    const b = scheduler({ instanceId: 'b', clock, leaseMs: MINUTE }, other).register(job('test.once', { every: '1d' }, 'b', { maxAttempts: 1 }));
    await a.poll();
    clock.advance(2 * MINUTE);
    expect(await b.tick()).toEqual([]);
    expect(executions).toEqual([]);
    expect(await runs('test.once')).toMatchObject([{ status: 'failed', attempts: 1, error: expect.stringMatching(/lease expired on a/) }]);
    never.resolve();
    await a.settled();
    expect(await runs('test.once')).toMatchObject([{ status: 'failed', finished_at: new Date('2026-11-25T10:02:00Z') }]);
  });

  it('records failures and retries them after the delay until the attempts are used up', async () => {
    const clock = fakeClock('2026-11-25T10:00:00Z');
    let flaky = 0;
    const s = scheduler({ instanceId: 'a', clock })
      .register({
        name: 'test.flaky',
        schedule: { every: '1d' },
        retryDelay: '5m',
        run: async (ctx) => {
          flaky++;
          if (ctx.attempt < 3) throw new Error(`billing is down (try ${ctx.attempt})`);
          return { ok: true };
        },
      })
      .register({ name: 'test.broken', schedule: { every: '1d' }, maxAttempts: 2, retryDelay: (attempt) => attempt * MINUTE, run: () => Promise.reject(new Error('always')) });

    const first = await s.tick();
    expect(first.map((r) => [r.job, r.status, r.attempts])).toEqual([
      ['test.flaky', 'failed', 1],
      ['test.broken', 'failed', 1],
    ]);
    expect(first[0]).toMatchObject({ error: 'Error: billing is down (try 1)', nextAttemptAt: new Date('2026-11-25T10:05:00Z') });
    expect(first[1]).toMatchObject({ nextAttemptAt: new Date('2026-11-25T10:01:00Z') });
    expect(await s.tick()).toEqual([]); // nothing is due yet

    clock.advance(MINUTE);
    expect(await s.tick()).toMatchObject([{ job: 'test.broken', status: 'failed', attempts: 2, nextAttemptAt: null }]);
    clock.advance(4 * MINUTE);
    expect(await s.tick()).toMatchObject([{ job: 'test.flaky', status: 'failed', attempts: 2 }]);
    clock.advance(5 * MINUTE);
    expect(await s.tick()).toMatchObject([{ job: 'test.flaky', status: 'succeeded', attempts: 3, error: 'Error: billing is down (try 2)', result: { ok: true } }]);
    clock.advance(HOUR);
    expect(await s.tick()).toEqual([]);
    expect(flaky).toBe(3);
  });

  it('runs the missed periods of a job with catch-up, oldest first, one at a time', async () => {
    const clock = fakeClock('2026-11-25T12:00:00Z');
    const { executions, job } = recorder();
    const s = scheduler({ instanceId: 'a', clock }).register(job('test.catchup', { daily: '02:00' }, 'a', { catchUp: 2 }));
    await s.tick();
    await s.tick();
    await s.tick();
    expect(await s.tick()).toEqual([]);
    expect(executions.map((e) => e.periodKey)).toEqual(['2026-11-23', '2026-11-24', '2026-11-25']);
  });

  it('runs a job on request once per request key and shows it in the paged history', async () => {
    const clock = fakeClock('2026-11-25T10:00:00Z');
    const { executions, job } = recorder();
    const s = scheduler({ instanceId: 'a', clock }).register(job('test.manual', undefined, 'a'));
    const run = await s.runNow('test.manual', { requestedBy: 'manager', key: 'k1', params: { day: '2026-11-24' }, wait: true });
    expect(run).toMatchObject({ trigger: 'manual', status: 'succeeded', periodKey: 'manual:k1', requestedBy: 'manager', params: { day: '2026-11-24' } });
    expect(await s.runNow('test.manual', { key: 'k1', params: { day: '2026-11-24' } })).toMatchObject({ id: run.id, replayed: true });
    await expect(s.runNow('test.manual', { key: 'k1', params: { day: '2026-11-25' } })).rejects.toMatchObject({ code: 'idempotency_conflict', status: 409 });
    await s.runNow('test.manual', { wait: true });
    expect(executions).toHaveLength(2);
    await expect(s.runNow('test.nope')).rejects.toMatchObject({ code: 'job_not_found', status: 404 });

    const page = await listJobRuns(database.db, { job: 'test.manual', trigger: 'manual', limit: 1 });
    expect(page.total).toBe(2);
    expect(page.items).toHaveLength(1);
    expect(page.items[0]!.id).not.toBe(run.id); // newest first
    expect((await listJobRuns(database.db, { status: 'failed' })).total).toBe(0);
    expect(await s.tick()).toEqual([]); // a job without a schedule never runs by itself
  });

  it('prunes finished runs older than the retention and keeps the running ones', async () => {
    const clock = fakeClock('2026-01-01T00:00:00Z');
    const hold = deferred();
    const { job } = recorder();
    const s = scheduler({ instanceId: 'a', clock }).register(job('test.old', { every: '1d' }, 'a')).register({ name: 'test.hold', schedule: { every: '1d' }, run: () => hold.promise });
    await s.poll();
    await waitFor(async () => (await runs('test.old'))[0]?.status === 'succeeded');
    expect(await pruneJobRuns(database.db, new Date('2026-02-01T00:00:00Z'))).toBe(1);
    expect((await runs()).map((r) => r.job)).toEqual(['test.hold']);
    hold.resolve();
    await s.settled();
  });

  it('refuses a duplicate job or a bad schedule when registering', () => {
    const s = new Scheduler({ database, logger });
    s.register({ name: 'test.one', run: async () => {} });
    expect(() => s.register({ name: 'test.one', run: async () => {} })).toThrow(/twice/);
    expect(() => s.register({ name: 'test.two', schedule: { daily: '2am' }, run: async () => {} })).toThrow(/HH:MM/);
    expect(() => s.register({ name: 'Bad Name', run: async () => {} })).toThrow(/dotted/);
  });
});
