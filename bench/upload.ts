// npm run bench:upload — the cabinet's Excel readings upload at the size the issue names: an hourly
// workbook for 100 interval points × 366 days (≈10 MB), from the upload to every point's command in the
// outbox. Prints the file size, the time from upload to done, the job's own time, rows/s and the peak RSS.
// On PGlite and the in-process bus by default; DATABASE_URL / AMQP_URL make it run on real servers
// (the test runtime creates and drops its own database). BENCH_UPLOAD_POINTS, BENCH_UPLOAD_DAYS change the size.
import { readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@app/kernel/testing';
import { sampleSnapshot, startFront, withIntervalPoints, writeHourlyWorkbook } from '@app/cabinet-front/testing';

const points = Number(process.env.BENCH_UPLOAD_POINTS ?? 100);
const days = Number(process.env.BENCH_UPLOAD_DAYS ?? 366);
const mib = (n: number) => (n / 1024 / 1024).toFixed(1);
const path = join(tmpdir(), `bench-upload-${process.pid}.xlsx`);

const front = await startFront();
try {
  const snapshot = withIntervalPoints(sampleSnapshot('bench'), points);
  const session = await front.register({ email: 'bench@upload.test' });
  await front.link(session, session.userId, snapshot);
  let t = performance.now();
  await writeHourlyWorkbook(path, snapshot.consumerRef, points, days);
  const { size } = await stat(path);
  console.log(`workbook: ${mib(size)} MiB, ${points} points × ${days} days (${(points * days).toLocaleString('en')} rows of 24 values), written in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  const body = await readFile(path);
  const baseRss = process.memoryUsage().rss;
  let peakRss = baseRss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
  t = performance.now();
  const res = await front.app.inject({
    method: 'POST',
    url: `/api/readings/uploads?consumerRef=${snapshot.consumerRef}`,
    cookies: session.cookies,
    headers: { 'x-csrf-token': session.csrf, 'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
    payload: body,
  });
  if (res.statusCode !== 202) throw new Error(`upload refused: ${res.statusCode} ${res.body}`);
  const view = await waitFor(async () => {
    const v = (await session.call('GET', `/api/readings/uploads/${res.json().id}`)).json();
    return (v.status === 'done' || v.status === 'failed') && v;
  }, { what: 'upload done', timeoutMs: 900_000, intervalMs: 250 });
  const seconds = (performance.now() - t) / 1000;
  clearInterval(sampler);
  if (view.status !== 'done' || view.hourlyDaysSent !== points * days) throw new Error(`upload ended ${view.status}: ${JSON.stringify(view).slice(0, 500)}`);
  console.log(`processed in ${seconds.toFixed(1)} s (job ${(view.durationMs / 1000).toFixed(1)} s): ${Math.round((points * days) / seconds).toLocaleString('en')} rows/s, ${(size / 1024 / 1024 / seconds).toFixed(2)} MiB/s, ${view.hourlyDaysSent.toLocaleString('en')} point-days sent`);
  console.log(`peak RSS ${mib(peakRss)} MiB, ${mib(peakRss - baseRss)} MiB above the process before the upload (which holds the file once itself)`);
} finally {
  await front.close();
  await rm(path, { force: true });
}
