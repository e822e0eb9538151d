import { stat, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@app/kernel/testing';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleSnapshot, startFront, type Front } from '../testing/fixture.js';
import { withIntervalPoints } from './uploads.fixture.js';

/**
 * The size the issue names: a 10 MB hourly workbook for 100 interval points (a year of days each,
 * 24 values with 6 decimals). Measures the front's job from the upload to every point's command in the
 * outbox; the time is printed and written down in the README (it is not asserted beyond a generous cap).
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
    // Written with ExcelJS's streaming writer, as a consumer's Excel would save it (shared strings off).
    const writer = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: path, useSharedStrings: false, useStyles: false });
    const sheet = writer.addWorksheet('Почасовые');
    sheet.addRow(['Точка учёта (id)', 'Код точки учёта', 'Дата', ...Array.from({ length: 24 }, (_, h) => `${h}–${h + 1}`)]).commit();
    let seed = 12345;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let p = 1; p <= 100; p++) {
      for (let d = 0; d < 366; d++) {
        const date = new Date(Date.UTC(2025, 2, 19 + d)).toISOString().slice(0, 10);
        sheet.addRow([`consumer-big-ip${p}`, `TU-H-${p}`, date, ...Array.from({ length: 24 }, () => Math.round(random() * 1e11) / 1e6)]).commit();
      }
    }
    sheet.commit();
    await writer.commit();
  }, 180_000);
  afterAll(async () => {
    await front?.close();
    await rm(path, { force: true });
  });

  it('processes it within the time budget, every day of every point sent to billing, progress reported on the way', async () => {
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
    expect(ms).toBeLessThan(170_000);
  }, 180_000);
});
