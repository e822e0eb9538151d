import { readFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import { hourlyValues, parse80020, pointCode80020, type ChannelDay } from '@app/metering-formats';
import { dayPeriods, sample80020 } from '@app/metering-formats/testing';
import { waitFor } from '@app/kernel/testing';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import yauzl from 'yauzl';
import { apiCall, axeCheck, linkContract, registerAndLogin, screenshots, startCabinetWeb, type CabinetWebBench } from './harness.js';

// A browser flow over the whole stack takes tens of seconds when the suite runs beside it, not the unit default.
vi.setConfig({ testTimeout: 180_000 });

let bench: CabinetWebBench;
beforeAll(async () => {
  bench = await startCabinetWeb();
}, 600_000);
afterAll(async () => bench?.close());

const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
type Day = { date: string; hours: string[] };

/** Set-up, not the subject: a day of metered hours for the interval point, uploaded as 80020 through the API. */
async function uploadDay(page: Page, consumerRef: string, areaInn: string, code: string, day: string, value: (i: number) => string) {
  const file = sample80020({ day, areaInn, points: [{ code, channels: [{ periods: dayPeriods(60, value) }] }] });
  const id = await page.evaluate(
    async ({ b64, url }) => {
      const doc = (globalThis as unknown as { document: { cookie: string } }).document;
      const csrf = decodeURIComponent(doc.cookie.split('; ').find((c) => c.startsWith('cabinet_csrf='))!.slice('cabinet_csrf='.length));
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/xml', 'x-csrf-token': csrf }, body: Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)) });
      return ((await res.json()) as { id: string }).id;
    },
    { b64: file.toString('base64'), url: `/api/readings/uploads/80020?consumerRef=${encodeURIComponent(consumerRef)}` },
  );
  await waitFor(async () => (await apiCall<{ status: string }>(page, 'GET', `/api/readings/uploads/${id}`)).body.status === 'done' || undefined, { what: `upload of ${day}` });
}

/** What the browser downloaded when the form's button was pressed: its name and bytes. */
async function downloaded(page: Page) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Скачать' }).click()]);
  return { name: download.suggestedFilename(), bytes: readFileSync((await download.path())!) };
}

async function channelsOf(bytes: Buffer): Promise<ChannelDay[]> {
  const channels: ChannelDay[] = [];
  for await (const event of parse80020((async function* () { yield bytes; })())) {
    if (event.type === 'problem') throw new Error(`${event.problem.code}: ${event.problem.message}`);
    if (event.type === 'channel') channels.push(event.channel);
  }
  return channels;
}

function unzip(zip: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    const entries = new Map<string, Buffer>();
    yauzl.fromBuffer(zip, { lazyEntries: true }, (err, file) => {
      if (err || !file) return reject(err);
      file.on('entry', (entry: yauzl.Entry) =>
        file.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e);
          const parts: Buffer[] = [];
          stream.on('data', (b: Buffer) => parts.push(b));
          stream.on('end', () => {
            entries.set(entry.fileName, Buffer.concat(parts));
            file.readEntry();
          });
        }),
      );
      file.on('end', () => resolve(entries));
      file.on('error', reject);
      file.readEntry();
    });
  });
}

describe('cabinet in the browser: hourly data export for a date range', () => {
  it('downloads CSV, Excel and 80020 of the chosen point(s) and dates, each saying what the API says', async () => {
    const { page } = await registerAndLogin(bench);
    await linkContract(bench, page);
    const consumer = (await apiCall<{ items: { consumerRef: string; inn?: string }[] }>(page, 'GET', '/api/consumers')).body.items[0]!;
    const meters = (await apiCall<{ items: { pointId: string; kind: string }[] }>(page, 'GET', '/api/meters?limit=200')).body.items;
    const points = (await apiCall<{ items: { id: string; code: string; name: string; contractId: string }[] }>(page, 'GET', '/api/metering-points?limit=200&offset=0')).body.items;
    const point = points.find((p) => p.id === meters.find((m) => m.kind === 'interval')!.pointId)!;
    const code = pointCode80020(point.code)!;
    const [from, to] = [daysAgo(5), daysAgo(4)];
    const values = [(i: number) => `${i + 1}.25`, (i: number) => `${(i % 5) + 0.5}`];
    await uploadDay(page, consumer.consumerRef, consumer.inn!, code, from, values[0]!);
    await uploadDay(page, consumer.consumerRef, consumer.inn!, code, to, values[1]!);
    const uploaded = [from, to].map((date, d) => ({ date, hours: Array.from({ length: 24 }, (_, i) => values[d]!(i)) }));
    const api = async (pointId: string, kind: 'metered' | 'profile') => (await apiCall<{ days: Day[] }>(page, 'GET', `/api/metering-points/${pointId}/hourly?kind=${kind}&from=${from}&to=${to}`)).body.days;
    // Billing stores the uploaded hours over the demo's own metered ones; the front has them when its copy says so.
    const metered = await waitFor(async () => {
      const days = await api(point.id, 'metered');
      return JSON.stringify(days) === JSON.stringify(uploaded) ? days : undefined;
    }, { what: 'both uploaded days back from billing', timeoutMs: 60_000 });

    await page.goto(`${bench.url}/readings/export`);
    await page.getByRole('heading', { name: 'Выгрузка почасовых данных' }).waitFor();
    await page.getByLabel('Что выгрузить').selectOption(`point:${point.id}`);
    await page.getByLabel('С', { exact: true }).fill(from);
    await page.getByLabel('По', { exact: true }).fill(to);
    await axeCheck(page);
    await screenshots(page, 'hourly-export', { only: 'desktop' });

    // CSV: `;`-separated, a BOM, a header, a line per day with 24 hours and the total.
    const csv = await downloaded(page);
    expect(csv.name).toBe(`hourly-${point.code}-${from}-${to}.csv`);
    const lines = csv.bytes.toString('utf8').replace(/^\ufeff/, '').trimEnd().split('\r\n').map((l) => l.split(';'));
    expect(lines[0]!.slice(0, 3)).toEqual(['Код точки', 'Точка учёта', 'Дата']);
    expect(lines.slice(1).map((l) => ({ date: l[2], hours: l.slice(3, 27) }))).toEqual(metered);
    expect(lines.slice(1).map((l) => l[0])).toEqual([point.code, point.code]);
    expect(Number(lines[1]![27])).toBeCloseTo(metered[0]!.hours.reduce((s, h) => s + Number(h), 0), 6);

    // Excel of every point of the contract: metered hours for the interval point, billing's profile for the others.
    await page.getByLabel('Что выгрузить').selectOption(`contract:${point.contractId}`);
    await page.getByLabel('Excel (.xlsx)').check();
    const xlsx = await downloaded(page);
    expect(xlsx.name).toMatch(/^hourly-D-000001-.*\.xlsx$/);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsx.bytes as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0]!;
    const rows: { code: string; date: string; hours: number[] }[] = [];
    sheet.eachRow((row, n) => {
      if (n === 1) return;
      const v = row.values as unknown[];
      rows.push({ code: String(v[1]), date: String(v[3]), hours: v.slice(4, 28).map(Number) });
    });
    const expected: typeof rows = [];
    for (const p of [...points].sort((a, b) => (a.code < b.code ? -1 : 1))) {
      const days = p.id === point.id ? metered : await api(p.id, 'profile');
      for (const d of days) expected.push({ code: p.code, date: d.date, hours: d.hours.map(Number) });
    }
    expect(rows).toEqual(expected);
    expect(rows.filter((r) => r.code === point.code)).toHaveLength(2);

    // 80020 of the point: one day is the XML message itself, the range a ZIP of daily messages.
    await page.getByLabel('Что выгрузить').selectOption(`point:${point.id}`);
    await page.getByLabel(/Макет 80020/).check();
    await page.getByLabel('По', { exact: true }).fill(from);
    const single = await downloaded(page);
    expect(single.name).toMatch(/^80020_\d{10,12}_\d{8}_\d+\.xml$/);
    const [channel] = await channelsOf(single.bytes);
    expect(channel).toMatchObject({ day: from, point: { code }, channel: { code: '01' } });
    expect(hourlyValues(channel!)).toEqual(metered[0]!.hours);

    await page.getByLabel('По', { exact: true }).fill(to);
    const range = await downloaded(page);
    expect(range.name).toBe(`hourly-${point.code}-${from}-${to}-80020.zip`);
    const entries = await unzip(range.bytes);
    expect(entries.size).toBe(2);
    const days = (await Promise.all([...entries.values()].map(channelsOf))).flat().sort((a, b) => (a.day < b.day ? -1 : 1));
    expect(days.map((c) => ({ date: c.day, hours: hourlyValues(c) }))).toEqual(metered);

    // The server's limit, said in Russian: 80020 takes at most 31 days.
    await page.getByLabel('С', { exact: true }).fill(daysAgo(60));
    await page.getByRole('button', { name: 'Скачать' }).click();
    await page.getByRole('alert').getByText('Слишком длинный период для этого формата').waitFor();
  });

  it('reads in English on a phone', async () => {
    const { page } = await registerAndLogin(bench, { lang: 'en', phone: true });
    await linkContract(bench, page);
    await page.goto(`${bench.url}/readings/export`);
    await page.getByRole('heading', { name: 'Hourly data export' }).waitFor();
    await page.getByLabel('What to export').locator('option', { hasText: 'All points of contract D-000001' }).waitFor({ state: 'attached' });
    await axeCheck(page);
    await screenshots(page, 'hourly-export', { only: 'phone' });
  });
});
