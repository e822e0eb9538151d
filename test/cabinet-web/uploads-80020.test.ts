import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pointCode80020 } from '@app/metering-formats';
import { code15, dayPeriods, sample80020 } from '@app/metering-formats/testing';
import { waitFor } from '@app/kernel/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { apiCall, axeCheck, linkContract, registerAndLogin, screenshots, startCabinetWeb, type CabinetWebBench } from './harness.js';

// A browser flow over the whole stack takes tens of seconds when the suite runs beside it, not the unit default.
vi.setConfig({ testTimeout: 180_000 });

let bench: CabinetWebBench;
beforeAll(async () => {
  bench = await startCabinetWeb();
}, 600_000);
afterAll(async () => bench?.close());

const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
const files = mkdtempSync(join(tmpdir(), 'cabinet-80020-'));

describe('cabinet in the browser: hourly data uploaded as an 80020 file', () => {
  it('uploads a file for the own interval point with one foreign point: progress, the per-point problem, billing\'s acceptance, then the hours in consumption', async () => {
    const { page } = await registerAndLogin(bench);
    await linkContract(bench, page);
    const meters = (await apiCall<{ items: { pointId: string; kind: string }[] }>(page, 'GET', '/api/meters?limit=200')).body.items;
    const points = (await apiCall<{ items: { id: string; code: string }[] }>(page, 'GET', '/api/metering-points?limit=200&offset=0')).body.items;
    const pointId = meters.find((m) => m.kind === 'interval')!.pointId;
    const code = pointCode80020(points.find((p) => p.id === pointId)!.code)!;
    expect(code).toMatch(/^\d{15}$/);
    // The file's area is the consumer's (its INN as billing has it), as a metering company writes it.
    const consumer = (await apiCall<{ items: { inn?: string }[] }>(page, 'GET', '/api/consumers')).body.items[0]!;
    const foreign = code15(987_654_321);
    const day = daysAgo(3);
    // Half-hours 1.25 + 0.5: every hour of the day is 1.75 kWh, 42 kWh the day.
    const file = join(files, `80020_7701234567_${day.replaceAll('-', '')}_1.xml`);
    writeFileSync(file, sample80020({ day, areaInn: consumer.inn!, points: [{ code, channels: [{ periods: dayPeriods(30, (i) => (i % 2 === 0 ? '1.25' : '0.5')) }] }, { code: foreign }] }));

    await page.goto(`${bench.url}/readings/upload`);
    await page.getByRole('heading', { name: 'Показания из Excel' }).waitFor();
    await page.getByLabel('Макет 80020 (XML, почасовые или получасовые данные)').check();
    await expect.poll(() => page.getByLabel('Необычно большой расход проверен').count()).toBe(0);
    await page.getByLabel('Файл .xml в формате 80020').setInputFiles(file);
    await axeCheck(page);
    await page.getByRole('button', { name: 'Загрузить' }).click();

    const result = page.getByTestId('upload-result');
    await result.getByText('Прочитано каналов: 2; передано суток почасовых данных: 1; проблем: 1.').waitFor();
    const problems = result.getByRole('table', { name: 'Ошибки по точкам измерения (1)' });
    const row = problems.locator('tbody tr');
    expect(await row.count()).toBe(1);
    expect(await row.textContent()).toContain(foreign);
    expect(await row.textContent()).toContain('Точка измерения не относится к вашим точкам учёта — её данные не переданы');
    expect(await row.textContent()).toMatch(/\d+:C\d+/);
    await result.getByTestId('upload-billing').getByText('Биллинг принял дней почасовых данных: 1; отклонено: 0.').waitFor({ timeout: 60_000 });
    await axeCheck(page);
    await screenshots(page, 'upload-80020');

    // The day's hours came back from billing (in the front's copy, over the demo's own metered day) into the consumption screen.
    const uploaded = [{ date: day, hours: Array.from({ length: 24 }, () => '1.75') }];
    await waitFor(
      async () => JSON.stringify((await apiCall<{ days: unknown[] }>(page, 'GET', `/api/metering-points/${pointId}/hourly?kind=metered&from=${day}&to=${day}`)).body.days) === JSON.stringify(uploaded) || undefined,
      { what: 'the uploaded day in the front', timeoutMs: 60_000 },
    );
    await result.getByRole('link', { name: 'Смотреть почасовое потребление' }).click();
    await page.getByRole('heading', { name: 'Потребление' }).waitFor();
    await page.getByLabel('Точка учёта').selectOption(pointId);
    await page.getByLabel('Данные').selectOption('metered');
    await page.getByLabel('День', { exact: true }).fill(day);
    await page.getByRole('img', { name: /График потребления/ }).waitFor({ timeout: 60_000 });
    await page.locator('summary', { hasText: 'Данные таблицей' }).click();
    const table = page.getByTestId('consumption-table');
    expect(await table.locator('tbody tr').count()).toBe(24);
    const cells = await table.locator('tbody tr td:first-of-type').allTextContents();
    expect(cells.map((c) => c.replace(',', '.'))).toEqual(Array.from({ length: 24 }, () => '1.75'));
  });

  it('says why a whole file is refused (another encoding than declared), in English on a phone', async () => {
    const { page } = await registerAndLogin(bench, { lang: 'en', phone: true });
    await linkContract(bench, page);
    const file = join(files, 'wrong-encoding.xml');
    writeFileSync(file, sample80020({ declare: 'windows-1251', bytesAs: 'utf-8', points: [{ code: code15(1) }] }));
    await page.goto(`${bench.url}/readings/upload`);
    await page.getByLabel('80020 message (XML, hourly or half-hourly data)').check();
    await page.getByLabel('80020 .xml file').setInputFiles(file);
    await page.getByRole('button', { name: 'Upload' }).click();
    await page.getByTestId('upload-result').getByText('The file\'s encoding differs from the one it declares').waitFor();
    await axeCheck(page);
    await screenshots(page, 'upload-80020-refused', { only: 'phone' });
  });
});
