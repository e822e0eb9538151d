import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { waitFor } from '@app/kernel/testing';
import { apiCall, axeCheck, linkContract, registerAndLogin, screenshots, startCabinetWeb, type CabinetWebBench } from './harness.js';

// A browser flow over the whole stack takes tens of seconds when the suite runs beside it, not the unit default.
vi.setConfig({ testTimeout: 180_000 });

let bench: CabinetWebBench;
beforeAll(async () => {
  bench = await startCabinetWeb();
}, 480_000);
afterAll(async () => bench?.close());

describe('cabinet in the browser: consumption charts', { timeout: 300_000 }, () => {
  it('shows a day, a month and a year of the interval point against the period before, as a chart and a table, and exports it to Excel', async () => {
    const { page } = await registerAndLogin(bench);
    await linkContract(bench, page);
    const meters = (await apiCall<{ items: { pointId: string; kind: string }[] }>(page, 'GET', '/api/meters?limit=200')).body.items;
    const pointId = meters.find((m) => m.kind === 'interval')!.pointId;
    // The contract is listed once the back's snapshot is in; the point's hourly data follows it, a message per
    // point, kind and month, oldest month first. Billing's demo has metered days up to yesterday: the test
    // waits until the front holds that day (picking a day at once found none in the last 40: the front then
    // held the months up to two before this one).
    const to = bench.stack.today;
    const yesterday = new Date(Date.parse(`${to}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    const from = new Date(Date.parse(`${to}T00:00:00Z`) - 40 * 86_400_000).toISOString().slice(0, 10);
    const hourly = async (k: 'metered' | 'profile') =>
      (await apiCall<{ days: { date: string; hours: string[] }[] }>(page, 'GET', `/api/metering-points/${encodeURIComponent(pointId)}/hourly?kind=${k}&from=${from}&to=${to}`)).body.days;
    await waitFor(async () => ((await hourly('metered')).some((d) => d.date === yesterday) ? true : undefined), { what: `hourly data of point ${pointId} up to ${yesterday}`, timeoutMs: 120_000 });
    const kind = 'metered' as const;
    const found = (await hourly(kind)).filter((d) => d.hours.some((h) => Number(h) > 0)).at(-1);
    expect(found, 'hourly data of the demo interval point in the front').toBeDefined();
    const day = found!.date;
    const expected = { days: [found!] };

    await page.goto(`${bench.url}/consumption?point=${encodeURIComponent(pointId)}`);
    await page.getByRole('heading', { name: 'Потребление' }).waitFor();
    // An interval point opens on its metered data (billing computes no profile for it).
    await expect.poll(async () => page.getByLabel('Данные').inputValue()).toBe('metered');
    await page.getByLabel('Данные').selectOption(kind);
    await page.getByLabel('День', { exact: true }).fill(day);
    const chart = page.getByRole('img', { name: /График потребления/ });
    await chart.waitFor();
    // The table says the same as billing's hourly data: 24 rows, the day's total.
    await page.locator('summary', { hasText: 'Данные таблицей' }).click();
    const table = page.getByTestId('consumption-table');
    expect(await table.locator('tbody tr').count()).toBe(24);
    const total = expected.days[0]!.hours.reduce((n, h) => n + Number(h), 0);
    const shown = (await page.getByTestId('consumption-total').textContent())!;
    expect(Number(shown.split(': ')[1]!.replace(/\s|кВт·ч/g, '').replace(',', '.'))).toBeCloseTo(total, 0);
    await axeCheck(page);
    await screenshots(page, 'consumption-day');

    // The month by days and the year by months, with the period before.
    await page.getByRole('button', { name: 'Месяц', exact: true }).click();
    await expect.poll(async () => table.locator('tbody tr').count()).toBeGreaterThanOrEqual(28);
    await page.getByRole('button', { name: 'Год', exact: true }).click();
    await expect.poll(async () => table.locator('tbody tr').count()).toBe(12);
    expect(await table.locator('thead th').count()).toBe(3);
    await axeCheck(page);
    await screenshots(page, 'consumption-year');

    // Excel of what is shown: header, 12 months, total.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Выгрузить в Excel' }).click()]);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(await download.path());
    const sheet = workbook.worksheets[0]!;
    expect(sheet.rowCount).toBe(14);
    expect(String(sheet.getRow(1).getCell(1).value)).toBe('Месяц');
    expect(String(sheet.getRow(14).getCell(1).value)).toBe('Итого');
    expect(typeof sheet.getRow(14).getCell(2).value).toBe('number');
  });

  it('reads in English on a phone', async () => {
    const { page } = await registerAndLogin(bench, { lang: 'en', phone: true });
    await linkContract(bench, page);
    await page.goto(`${bench.url}/consumption`);
    await page.getByRole('heading', { name: 'Consumption' }).waitFor();
    await page.getByRole('button', { name: 'Month', exact: true }).click();
    // The chart (an image with its spoken summary) or, while the month's hourly data is still on its way, the note.
    await page.getByRole('img', { name: /^Consumption chart, / }).or(page.getByText('No data for this period.')).first().waitFor();
    await axeCheck(page);
  });
});
