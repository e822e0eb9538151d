import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { apiCall, axeCheck, expectNoSideScrollOnPhone, linkContract, registerAndLogin, screenshots, startCabinetWeb, type CabinetWebBench } from './harness.js';

// A browser flow over the whole stack takes tens of seconds when the suite runs beside it, not the unit default.
vi.setConfig({ testTimeout: 180_000 });

interface Meter {
  id: string;
  serial: string;
  kind: string;
  digits: number;
  fractionDigits: number;
  transformationRatio: string;
  zones: string[];
  averageMonthlyKwh?: string;
  lastReadings: { zone: string; value: string; date: string }[];
}

let bench: CabinetWebBench;
beforeAll(async () => {
  bench = await startCabinetWeb();
}, 480_000);
afterAll(async () => bench?.close());

describe('cabinet in the browser: readings', { timeout: 300_000 }, () => {
  it('checks readings inline, sends two; billing accepts one and rejects the other, and the history shows why', async () => {
    const { page } = await registerAndLogin(bench);
    await linkContract(bench, page);
    const meters = (await apiCall<{ items: Meter[] }>(page, 'GET', '/api/meters?limit=200')).body.items;
    const meter = meters.find((m) => m.kind === 'integral' && m.zones.length >= 2 && m.lastReadings.length === m.zones.length)!;
    expect(meter, 'the demo contract has a day/night meter').toBeDefined();
    const [first, second] = meter.zones as [string, string];
    const last = (zone: string) => Number(meter.lastReadings.find((r) => r.zone === zone)!.value);

    await page.goto(`${bench.url}/readings?meter=${encodeURIComponent(meter.id)}`);
    await page.getByRole('heading', { name: `Показания счётчика № ${meter.serial}` }).waitFor();
    const firstField = page.getByLabel(`Показание, зона ${first}`);
    const secondField = page.getByLabel(`Показание, зона ${second}`);

    // Inline, before anything is sent: below the previous, more digits than the dial, letters.
    await firstField.fill(String(Math.max(0, Math.floor(last(first)) - 5)));
    await firstField.blur();
    await page.getByText(/Меньше предыдущего принятого/).waitFor();
    expect(await firstField.getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByRole('button', { name: 'Передать показания' }).isDisabled()).toBe(true);
    await firstField.fill('1'.repeat(meter.digits + 1));
    await page.getByText(`У счётчика ${meter.digits} знаков до запятой`).waitFor();
    await firstField.fill('12a');
    await page.getByText('Введите число: цифры и не больше 4 знаков после запятой').waitFor();
    await axeCheck(page);

    // A normal month on the first zone; a jump far beyond the average on the second: a warning to confirm.
    const average = Number(meter.averageMonthlyKwh ?? '1000');
    const jump = Math.ceil((average * 40) / Number(meter.transformationRatio));
    expect(last(second) + jump).toBeLessThan(10 ** meter.digits);
    await firstField.fill((last(first) + 1).toFixed(meter.fractionDigits));
    await secondField.fill((last(second) + jump).toFixed(meter.fractionDigits));
    await page.getByText(/больше обычного/).waitFor();
    expect(await page.getByRole('button', { name: 'Передать показания' }).isDisabled()).toBe(true);
    await screenshots(page, 'readings-entry');
    await expectNoSideScrollOnPhone(page);
    await page.getByLabel('Я проверил(а): потребление действительно такое').check();
    await page.getByRole('button', { name: 'Передать показания' }).click();
    await page.getByText(/Передано 2 показания/).waitFor();

    // Billing answers through the back; the history refreshes by itself.
    const today = new Date().toLocaleDateString('sv-SE');
    await page.getByTestId(`reading-${today}-${first}-accepted`).waitFor({ timeout: 60_000 });
    const rejected = page.getByTestId(`reading-${today}-${second}-rejected`);
    await rejected.waitFor({ timeout: 60_000 });
    expect(await rejected.textContent()).toContain('отклонено — потребление намного выше обычного');
    await axeCheck(page);
    await screenshots(page, 'readings-history');
    await expectNoSideScrollOnPhone(page);

    // The home page shows the last readings and whether they were accepted.
    await page.goto(bench.url);
    await page.getByRole('heading', { name: 'Последние показания' }).waitFor();
    await page.getByText('принято').first().waitFor();
    await page.getByText('отклонено').first().waitFor();
  });

  it('uploads the Excel template: downloads it, a value filled and a bad one, progress, then what was sent and the bad cell', async () => {
    const { page } = await registerAndLogin(bench);
    await linkContract(bench, page);
    const meters = (await apiCall<{ items: Meter[] }>(page, 'GET', '/api/meters?limit=200')).body.items;
    const integral = meters.filter((m) => m.kind === 'integral' && m.lastReadings.length === m.zones.length);
    expect(integral.length).toBeGreaterThanOrEqual(2);

    await page.goto(`${bench.url}/readings/upload`);
    await page.getByRole('heading', { name: 'Показания из Excel' }).waitFor();
    await axeCheck(page);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Скачать шаблон Excel' }).click()]);
    const dir = mkdtempSync(join(tmpdir(), 'cabinet-upload-'));
    const templatePath = join(dir, 'template.xlsx');
    await download.saveAs(templatePath);

    // Fill it as a consumer would: one good reading; a word where another reading goes.
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(readFileSync(templatePath) as unknown as ArrayBuffer);
    const [good, bad] = integral as [Meter, Meter];
    const fill = (meter: Meter, zone: string, value: string | number) => {
      const sheet = workbook.getWorksheet(`Показания ${zone}`)!;
      let row = 0;
      sheet.eachRow((r, n) => {
        if (String(r.getCell(3).value) === meter.id) row = n;
      });
      expect(row, `row of meter ${meter.id} on ${zone}`).toBeGreaterThan(1);
      sheet.getRow(row).getCell(9).value = value;
      return `I${row}`;
    };
    const goodZone = good.zones[0]!;
    fill(good, goodZone, Number((Number(good.lastReadings.find((r) => r.zone === goodZone)!.value) + 2).toFixed(good.fractionDigits)));
    const badCell = fill(bad, bad.zones[0]!, 'сто');
    const filled = join(dir, 'filled.xlsx');
    writeFileSync(filled, Buffer.from(await workbook.xlsx.writeBuffer()));

    // The job as the server reports it (its own messages), to name the cause if the page shows something else.
    let job: unknown = null;
    page.on('response', (r) => {
      if (/\/api\/readings\/uploads\/[^/?]+$/.test(new URL(r.url()).pathname)) void r.json().then((b: unknown) => (job = b), () => {});
    });
    await page.getByLabel('Файл .xlsx').setInputFiles(filled);
    await page.getByRole('button', { name: 'Загрузить' }).click();
    await page.getByRole('progressbar').first().waitFor();
    const result = page.getByTestId('upload-result');
    await expect.poll(async () => (await result.isVisible()) && result.textContent(), { timeout: 120_000, interval: 500 }).toMatch(/Готово|Не удалось обработать/);
    expect(await result.textContent(), JSON.stringify(job)).toMatch(/Готово.*передано показаний: 1/);
    await result.getByRole('cell', { name: badCell }).waitFor();
    expect(await result.getByRole('row').filter({ hasText: badCell }).textContent()).toContain(`Показания ${bad.zones[0]}`);
    await axeCheck(page);
    await screenshots(page, 'upload');
    await expectNoSideScrollOnPhone(page);

    // The uploaded reading is in the history and billing decides it.
    await page.getByRole('link', { name: 'К истории показаний' }).click();
    await page.goto(`${bench.url}/readings?meter=${encodeURIComponent(good.id)}`);
    await page.getByTestId(`reading-${new Date().toLocaleDateString('sv-SE')}-${goodZone}-accepted`).waitFor({ timeout: 60_000 });
  });
});
