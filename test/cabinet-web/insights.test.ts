import { waitFor } from '@app/kernel/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { apiCall, axeCheck, linkContract, registerAndLogin, screenshots, startCabinetWeb, type CabinetWebBench } from './harness.js';

// A browser flow over the whole stack takes tens of seconds when the suite runs beside it, not the unit default.
vi.setConfig({ testTimeout: 180_000 });

let bench: CabinetWebBench;
beforeAll(async () => {
  bench = await startCabinetWeb();
}, 600_000);
afterAll(async () => bench?.close());

interface Compared {
  from: string;
  to: string;
  kwh: string;
  daysWithData: number;
  changePercent?: string;
}
interface Comparison {
  period: Compared;
  previous: Compared;
  lastYear: Compared;
}
interface Forecast {
  forecastKwh?: string;
  forecastAmount?: string;
  daysWithData: number;
}

/** A number as the page writes it in Russian (spaces and separators aside): 1 234,5. */
const ru = (value: string | number, digits: number) => new Intl.NumberFormat('ru-RU', { maximumFractionDigits: digits }).format(Number(value)).replace(/\s/g, ' ');
const plain = (text: string | null) => (text ?? '').replace(/\s/g, ' ').trim();

/**
 * Linking sends the contract and then 13 months of hourly data as many events: the insight is computed
 * from them, so the test waits until the front has applied every event the back has sent.
 */
async function backEventsApplied() {
  await waitFor(
    async () => {
      const sent = (await sql<{ id: string }>`select message_id::text as id from outbox where topic like 'cabinet.evt.%'`.execute(bench.stack.backDb.db)).rows.map((r) => r.id);
      if (sent.length === 0) return undefined;
      const applied = new Set((await sql<{ id: string }>`select message_id::text as id from inbox`.execute(bench.stack.frontDb.db)).rows.map((r) => r.id));
      return sent.every((id) => applied.has(id)) || undefined;
    },
    { what: 'every event of the back applied by the front', timeoutMs: 120_000 },
  );
}

describe('cabinet in the browser: consumption insight', () => {
  it('compares a period with the one before and last year (chart and table), forecasts this month\'s kWh and bill, and saves the alert settings', async () => {
    const { page } = await registerAndLogin(bench);
    await linkContract(bench, page);
    const contract = (await apiCall<{ items: { id: string; consumerRef: string }[] }>(page, 'GET', '/api/contracts')).body.items[0]!;
    await backEventsApplied();

    await page.goto(`${bench.url}/insights`);
    await page.getByRole('heading', { name: 'Аналитика потребления' }).waitFor();
    // The default period is the last whole month; the table says what the API says for it.
    const from = await page.getByLabel('С', { exact: true }).inputValue();
    const to = await page.getByLabel('По', { exact: true }).inputValue();
    expect(from.endsWith('-01')).toBe(true);
    const expectTable = async (c: Comparison) => {
      for (const key of ['period', 'previous', 'lastYear'] as const) {
        await expect.poll(async () => plain(await page.getByTestId(`kwh-${key}`).textContent())).toBe(ru(c[key].kwh, 1));
      }
      for (const key of ['previous', 'lastYear'] as const) {
        const p = c[key].changePercent;
        const text = p === undefined ? '' : Number(p) >= 0 ? `больше на ${ru(Math.abs(Number(p)), 1)} %` : `меньше на ${ru(Math.abs(Number(p)), 1)} %`;
        expect(plain(await page.getByTestId(`change-${key}`).textContent())).toBe(p === undefined ? '—' : text);
      }
    };
    const month = (await apiCall<Comparison>(page, 'GET', `/api/contracts/${contract.id}/insights/comparison?from=${from}&to=${to}`)).body;
    expect(Number(month.period.kwh)).toBeGreaterThan(0);
    await page.getByRole('img', { name: /^Сравнение: выбранный период/ }).waitFor();
    await expectTable(month);

    // Another period: this month so far, against the days before it and the same days last year (the
    // 13 months of history billing sent cover them).
    const thisMonth = `${bench.stack.today.slice(0, 8)}01`;
    const today = bench.stack.today;
    await page.getByLabel('С', { exact: true }).fill(thisMonth);
    await page.getByLabel('По', { exact: true }).fill(today);
    await page.getByRole('button', { name: 'Сравнить' }).click();
    const soFar = (await apiCall<Comparison>(page, 'GET', `/api/contracts/${contract.id}/insights/comparison?from=${thisMonth}&to=${today}`)).body;
    expect(Number(soFar.lastYear.kwh)).toBeGreaterThan(0);
    expect(soFar.previous.to).not.toBe(month.previous.to);
    await expectTable(soFar);
    expect(plain(await page.getByRole('table', { name: 'Сравнение периодов' }).textContent())).toContain('Тот же период год назад');

    // This month's forecast of kWh and of the bill.
    const forecast = (await apiCall<Forecast>(page, 'GET', `/api/contracts/${contract.id}/insights/forecast`)).body;
    expect(forecast.forecastKwh).toBeDefined();
    expect(plain(await page.getByTestId('forecast-kwh').textContent())).toBe(`${ru(forecast.forecastKwh!, 0)} кВт·ч`);
    expect((await page.getByTestId('forecast-amount').textContent())!.replace(/\D/g, '')).toBe(forecast.forecastAmount);
    await axeCheck(page);
    await screenshots(page, 'insights');

    // Alert settings: all on at first; two switched off, saved, still so after a reload and in the API.
    const debt = page.getByLabel('есть просроченный долг');
    await expect.poll(() => debt.isChecked()).toBe(true);
    await debt.uncheck();
    await page.getByLabel('потребление необычно выросло').uncheck();
    await page.getByRole('button', { name: 'Сохранить' }).click();
    await page.getByText('Настройки уведомлений сохранены').waitFor();
    await page.reload();
    await page.getByLabel('не переданы показания за месяц до 25-го числа').waitFor();
    expect(await page.getByLabel('есть просроченный долг').isChecked()).toBe(false);
    expect(await page.getByLabel('не переданы показания за месяц до 25-го числа').isChecked()).toBe(true);
    expect(await page.getByLabel('потребление необычно выросло').isChecked()).toBe(false);
    expect((await apiCall(page, 'GET', `/api/consumers/${contract.consumerRef}/alert-settings`)).body).toEqual({ debt: false, missing_reading: true, unusual_consumption: false });
  });

  it('reads in English on a phone', async () => {
    const { page } = await registerAndLogin(bench, { lang: 'en', phone: true });
    await linkContract(bench, page);
    await page.goto(`${bench.url}/insights`);
    await page.getByRole('heading', { name: 'Consumption insight' }).waitFor();
    await page.getByRole('heading', { name: /^Forecast for / }).waitFor();
    await page.getByLabel('there is past-due debt').waitFor();
    await axeCheck(page);
  });
});
