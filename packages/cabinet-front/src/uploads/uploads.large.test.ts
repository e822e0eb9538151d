import { stat, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@app/kernel/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleSnapshot, startFront, type Front } from '../testing/fixture.js';
import { withIntervalPoints, writeHourlyWorkbook } from './uploads.fixture.js';

/**
 * The size the issue names: a 10 MB hourly workbook for 100 interval points (a year of days each,
 * 24 values with 6 decimals), from the upload to every point's command in the outbox, with progress on
 * the way. How long it takes is the bench's (`npm run bench:upload`); the wait here only stops a hang.
 */
describe('a 10 MB hourly upload for 100 points', () => {
  let front: Front;
  let session: Awaited<ReturnType<Front['register']>>;
  const snapshot = withIntervalPoints(sampleSnapshot('big'), 100);
  const path = join(tmpdir(), `hourly-100-points-${process.pid}.xlsx`);

  beforeAll(async () => {
    front = await startFront();
    session = await front.register({ email: 'big@upload.test' });
    await front.link(session, session.userId, snapshot);
    await writeHourlyWorkbook(path, snapshot.consumerRef, 100);
  }, 180_000);
  afterAll(async () => {
    await front?.close();
    await rm(path, { force: true });
  });

  it('processes it: every day of every point sent to billing, progress reported on the way', async () => {
    const { size } = await stat(path);
    expect(size).toBeGreaterThanOrEqual(10 * 1024 * 1024);
    const body = await readFile(path);
    const started = Date.now();
    const res = await front.app.inject({
      method: 'POST',
      url: `/api/readings/uploads?consumerRef=${snapshot.consumerRef}`,
      cookies: session.cookies,
      headers: { 'x-csrf-token': session.csrf, 'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
      payload: body,
    });
    expect(res.statusCode, res.body).toBe(202);
    const seen = new Set<number>();
    const view = await waitFor(async () => {
      const v = (await session.call('GET', `/api/readings/uploads/${res.json().id}`)).json();
      seen.add(v.progress);
      return (v.status === 'done' || v.status === 'failed') && v;
    }, { what: 'large upload done', timeoutMs: 170_000, intervalMs: 250 });
    const ms = Date.now() - started;
    if (view.status === 'failed') console.log(view.failure);
    console.log(`10 MB hourly upload: ${(size / 1024 / 1024).toFixed(1)} MiB, 100 points × 366 days, processed in ${(ms / 1000).toFixed(1)} s (job ${view.durationMs} ms)`);
    expect(view).toMatchObject({ status: 'done', errorCount: 0, hourlyDaysSent: 36_600, hourly: { points: 100 } });
    expect([...seen].some((p) => p > 10 && p < 100), 'progress between the start and the end').toBe(true);
    const commands = await front.db.selectFrom('hourly_submissions').select(['point_id', 'days']).where('upload_id', '=', view.id).execute();
    expect(commands).toHaveLength(100);
    expect(commands.every((c) => c.days === 366)).toBe(true);
  }, 180_000);
});
