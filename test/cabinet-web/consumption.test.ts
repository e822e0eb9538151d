import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCall, axeCheck, linkContract, registerAndLogin, screenshots, startCabinetWeb, type CabinetWebBench } from './harness.js';

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
    const yesterday = new Date(Date.now() - 86_400_000).toLocaleDateString('sv-SE');
    const expected = (await apiCall<{ days: { hours: string[] }[] }>(page, 'GET', `/api/metering-points/${encodeURIComponent(pointId)}/hourly?kind=metered&from=${yesterday}&to=${yesterday}`)).body;
    expect(expected.days).toHaveLength(1);

    await page.goto(`${bench.url}/consumption?point=${encodeURIComponent(pointId)}`);
    await page.getByRole('heading', { name: 'Потребление' }).waitFor();
    await page.getByLabel('Данные').selectOption('metered');
    await page.getByLabel('День', { exact: true }).fill(yesterday);
    const chart = page.getByRole('img', { name: /График потребления/ });
    await chart.waitFor();
    // The table says the same as billing's hourly data: 24 rows, the day's total.
    await page.getByText('Данные таблицей').click();
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
    await page.getByText(/Consumption chart|No data for this period/).first().waitFor();
    await axeCheck(page);
  });
});
