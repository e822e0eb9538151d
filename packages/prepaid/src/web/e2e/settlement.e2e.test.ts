import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '@app/kernel';
import type { Page } from 'playwright-core';
import type { PrepaidDb } from '../../tables.js';
import { forced, loginAs, screenshot, startBench, type Bench } from './harness.js';

let bench: Bench;
let accounts: string[];
beforeAll(async () => {
  bench = await startBench();
  const { db } = bench.runtime.database as unknown as Database<PrepaidDb>;
  accounts = (await db.selectFrom('accounts').select('number').orderBy('number').execute()).map((a) => a.number);
}, 240_000); // migrations and demo data on PGlite take long on a loaded box
afterAll(async () => bench?.close());

/** A credit registry of the demo accounts: `valid` good lines, then one line of an account nobody has. */
function creditRegistry(valid: number) {
  const lines = ['line_id;account_number;product;amount;comment'];
  for (let i = 1; i <= valid; i++) lines.push(`${i};${accounts[i % accounts.length]};meals;${(10 + (i % 7)).toFixed(2)};зачисление ${i}`);
  lines.push(`${valid + 1};0000000000;meals;5.00;нет такого счёта`);
  return Buffer.from(`\uFEFF${lines.join('\r\n')}\r\n`);
}

async function uploadCredits(page: Page, name: string, valid: number) {
  await page.getByRole('link', { name: 'Реестры', exact: true }).click();
  await page.getByRole('heading', { name: 'Реестры', exact: true }).waitFor();
  const form = page.getByRole('form', { name: 'Загрузить' });
  await form.getByLabel('Вид реестра').selectOption('credits');
  await form.getByLabel('Файл CSV или Excel').setInputFiles({ name, mimeType: 'text/csv', buffer: creditRegistry(valid) });
  await form.getByRole('button', { name: 'Загрузить' }).click();
  await page.getByRole('heading', { name: /Реестр № .* \(зачислений\)/ }).waitFor({ timeout: 30_000 });
}

describe('workplace in the browser: settlement specialist', () => {
  it('uploads a credit registry, previews its lines, applies it and reads each line’s result', async () => {
    const page = await loginAs(bench, 'settlement');
    await uploadCredits(page, 'credits-2026-12-01.csv', 40);
    const status = page.getByTestId('registry-status');
    await expect.poll(() => status.textContent(), { timeout: 30_000 }).toBe('проверен');
    // Preview: every line with what it would do; the bad one says why it cannot be applied.
    await page.getByText('строк 41, с ошибками 1, проведено 0').waitFor();
    await page.getByLabel('Статус строки').selectOption('invalid');
    const bad = page.getByRole('row').filter({ hasText: 'нет такого счёта' });
    await bad.getByRole('cell', { name: 'ошибка' }).waitFor();
    await expect.poll(() => page.getByRole('table', { name: 'Строки' }).getByRole('row').count()).toBe(2); // header + the bad line
    await page.getByLabel('Статус строки').selectOption('');
    await screenshot(page, 'settlement-registry-preview');

    await page.getByRole('button', { name: 'Провести (40 строк)' }).click();
    await expect.poll(() => status.textContent(), { timeout: 60_000 }).toBe('проведён');
    // Per-line results: the 40 good lines posted, the bad one skipped with its reason kept.
    await page.getByText('проведено 40, не проведено 0, пропущено 1').waitFor();
    const lines = page.getByRole('table', { name: 'Строки' });
    await page.getByLabel('Статус строки').selectOption('applied');
    await expect.poll(() => lines.locator('tbody tr').count()).toBe(40);
    expect(new Set(await lines.locator('tbody td[data-label="Статус"]').allTextContents())).toEqual(new Set(['проведена']));
    await page.getByLabel('Статус строки').selectOption('skipped');
    await expect.poll(() => lines.locator('tbody tr').count()).toBe(1);
    await lines.getByRole('cell', { name: 'пропущена' }).waitFor();
    expect(await lines.locator('tbody td[data-label="Результат"]').textContent()).toBe('Счёт не найден');
    await page.getByLabel('Статус строки').selectOption('');
    expect(await page.getByRole('button', { name: /Провести/ }).count()).toBe(0);
    await screenshot(page, 'settlement-registry-applied');

    // The money is in the ledger: the journal lists the 40 credits, newest first.
    await page.getByRole('link', { name: 'Журнал операций' }).click();
    await page.getByLabel('Операция').selectOption('credit');
    const journal = page.getByRole('table', { name: 'Журнал операций' });
    await expect.poll(() => journal.locator('tbody tr').count()).toBe(50);
    const by = await journal.locator('tbody td[data-label="Кто"]').allTextContents();
    expect(new Set(by.slice(0, 40)).size).toBe(1); // the registry's credits, newest first, all by whoever applied it
    expect(by[0]).not.toBe('demo');
    expect(by.slice(40)).toContain('demo');
  });

  it('reads the operations journal filtered by type and period, paging on', async () => {
    const page = await loginAs(bench, 'settlement');
    await page.getByRole('link', { name: 'Журнал операций' }).click();
    await page.getByRole('heading', { name: 'Журнал операций' }).waitFor();
    const table = page.getByRole('table', { name: 'Журнал операций' });
    await table.getByRole('cell', { name: 'Пополнение' }).first().waitFor();
    await page.getByLabel('Операция').selectOption('refund');
    await expect.poll(async () => (await table.locator('tbody tr').allTextContents()).length).toBe(1);
    await table.getByRole('cell', { name: 'Возврат' }).waitFor();
    await page.getByLabel('Операция').selectOption('purchase');
    await expect.poll(async () => new Set(await table.locator('tbody td[data-label="Операция"]').allTextContents())).toEqual(new Set(['Покупка']));
    const today = new Date().toISOString().slice(0, 10);
    await page.getByLabel('С', { exact: true }).fill('2020-01-01');
    await page.getByLabel('По', { exact: true }).fill('2020-01-31');
    await page.getByText('Ничего не найдено').waitFor();
    await page.getByLabel('По', { exact: true }).fill(today);
    await table.getByRole('cell', { name: 'Покупка' }).first().waitFor();
    await page.getByLabel('Операция').selectOption('');
    await screenshot(page, 'settlement-journal');
  });

  it('sees the directories read-only: no edit control, and a forced edit is refused (403)', async () => {
    const page = await loginAs(bench, 'settlement');
    await page.getByRole('link', { name: 'Продукты и лимиты' }).click();
    await page.getByRole('cell', { name: 'Питание' }).waitFor();
    await page.getByText('Только просмотр').waitFor();
    expect(await page.getByRole('button', { name: 'Изменить лимиты' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Добавить продукт' }).count()).toBe(0);
    await page.getByRole('link', { name: 'Торговые точки' }).click();
    await page.getByRole('cell', { name: 'Столовая № 1' }).waitFor();
    expect(await page.getByRole('button', { name: 'Заблокировать' }).count()).toBe(0);
    expect(await page.getByRole('form', { name: 'Добавить точку' }).count()).toBe(0);

    expect(await forced(page, 'PATCH', '/api/products/meals', { dailyDebitLimit: 1 })).toMatchObject({ status: 403, body: { code: 'forbidden' } });
    expect(await forced(page, 'POST', '/api/merchants', { code: 'x-1', name: 'x', products: ['meals'] })).toMatchObject({ status: 403, body: { code: 'forbidden' } });
    const products = await forced(page, 'GET', '/api/products');
    expect(products.status).toBe(200);
    expect(JSON.stringify(products.body)).toContain('"dailyDebitLimit":150000');
  });

  it('is refused the users screen and the user admin API', async () => {
    const page = await loginAs(bench, 'settlement');
    expect(await page.getByRole('navigation', { name: 'Меню' }).getByRole('link', { name: 'Пользователи и роли' }).count()).toBe(0);
    await page.goto(`${bench.url}/users`);
    await page.getByTestId('access-denied').waitFor();
    expect(await forced(page, 'POST', '/api/staff/users', { login: 'intruder', displayName: 'x', password: 'Intruder-2026!', roles: ['manager'] })).toMatchObject({ status: 403, body: { code: 'forbidden' } });
    expect((await forced(page, 'GET', '/api/staff/users?limit=5&offset=0')).status).toBe(403);
  });

  it('works on a phone: the journal and the registry upload', async () => {
    const page = await loginAs(bench, 'settlement', { mobile: true });
    await page.getByRole('button', { name: 'Меню' }).click();
    await page.getByRole('link', { name: 'Журнал операций' }).click();
    await page.getByRole('cell', { name: 'Пополнение' }).first().waitFor();
    await screenshot(page, 'settlement-journal-phone');
    await page.getByRole('button', { name: 'Меню' }).click();
    await uploadCredits(page, 'credits-phone.csv', 3);
    await expect.poll(() => page.getByTestId('registry-status').textContent(), { timeout: 30_000 }).toBe('проверен');
    await screenshot(page, 'settlement-registry-phone');
  });
});
