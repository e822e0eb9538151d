import { waitFor } from '@app/kernel/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCall, axeCheck, linkContract, registerAndLogin, screenshots, startCabinetWeb, type CabinetWebBench } from './harness.js';

/**
 * Money in the browser: the debt and the account card, invoices with their PDF, and paying by card
 * through the acquiring bank — the cabinet sends the payer to the T-Bank emulator's payment page,
 * the bank sends them back to the cabinet's page of the order, which shows what the bank (not the
 * address) says: paid and booked by billing, or declined with the reason.
 */
let bench: CabinetWebBench;
beforeAll(async () => {
  bench = await startCabinetWeb();
}, 600_000);
afterAll(async () => bench?.close());

interface Invoice {
  id: string;
  number: string;
  amount: string;
  kind: string;
}

describe('cabinet in the browser: money and card payments', () => {
  it('pays a chosen invoice on the bank page and shows it paid and booked; the payment appears in the history', async () => {
    const { page } = await registerAndLogin(bench);
    await linkContract(bench, page);
    await page.getByRole('navigation', { name: 'Меню' }).getByRole('link', { name: 'Расчёты', exact: true }).click();
    await page.getByRole('heading', { name: 'Карточка лицевого счёта' }).waitFor();
    await page.getByTestId('debt').waitFor();
    await axeCheck(page);
    await screenshots(page, 'money');

    await page.getByRole('link', { name: 'Счета и акты' }).first().click();
    const invoices = await waitFor(async () => {
      const list = await apiCall<{ items: Invoice[] }>(page, 'GET', '/api/invoices?limit=50&offset=0&kind=invoice');
      return list.body.items.length ? list.body.items : undefined;
    }, { what: 'invoices of the demo contract' });
    const invoice = invoices[0]!;
    await page.getByRole('cell', { name: invoice.number, exact: true }).waitFor();
    // The PDF of an invoice downloads as a file.
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: `Скачать PDF документа ${invoice.number}`, exact: true }).click();
    expect((await download).suggestedFilename()).toMatch(/\.pdf$/);
    await axeCheck(page);
    await screenshots(page, 'money-invoices');

    await page.getByLabel(`Выбрать счёт ${invoice.number} для оплаты`, { exact: true }).check();
    await page.getByRole('button', { name: 'Оплатить выбранные картой' }).click();
    // The bank's page (the emulator, another origin); "Оплатить" alone, not the cabinet's "Оплатить выбранные картой".
    await page.waitForURL((url) => url.origin !== bench.url);
    await page.getByRole('button', { name: 'Оплатить', exact: true }).click();

    await page.waitForURL(/\/money\/payments\/[0-9a-f-]{36}$/);
    const result = page.getByTestId('payment-result');
    await result.filter({ hasText: 'Оплата прошла и зачтена' }).waitFor({ timeout: 60_000 });
    expect(await result.getAttribute('data-status')).toBe('booked');
    await result.getByText('430000******0777').waitFor();
    await axeCheck(page);
    await screenshots(page, 'payment');

    await page.getByRole('link', { name: '← К расчётам' }).click();
    await page.getByRole('link', { name: 'Платежи', exact: true }).first().click();
    await page.getByRole('table', { name: 'Оплаты картой в кабинете' }).getByText('Оплата прошла и зачтена').waitFor();
    await waitFor(async () => (await apiCall<{ items: { source: string; amount: string }[] }>(page, 'GET', '/api/payments?limit=50&offset=0')).body.items.some((p) => p.amount === invoice.amount) || undefined, { what: 'payment booked in the history', timeoutMs: 60_000 });
    await page.reload();
    await page.getByRole('table', { name: 'История платежей' }).waitFor();
    await axeCheck(page);
    await screenshots(page, 'money-payments');
  }, 300_000);

  it('a payment declined on the bank page is shown as declined with the reason, in English too', async () => {
    const { page } = await registerAndLogin(bench, { lang: 'en' });
    await linkContract(bench, page);
    await page.goto(`${bench.url}/money`);
    await page.getByRole('heading', { name: 'Account card' }).waitFor();
    await page.getByLabel('Amount, ₽').fill('12,34');
    await page.getByRole('button', { name: 'Pay by card' }).click();
    await page.getByRole('button', { name: 'Отказаться' }).click();
    await page.waitForURL(/\/money\/payments\/[0-9a-f-]{36}$/);
    const result = page.getByTestId('payment-result');
    await result.filter({ hasText: 'The bank declined the payment' }).waitFor({ timeout: 60_000 });
    expect(await result.getAttribute('data-status')).toBe('declined');
    await page.getByTestId('payment-failure').waitFor();
    const orderId = page.url().split('/').pop()!;
    const order = await apiCall<{ status: string; amount: string }>(page, 'GET', `/api/payments/orders/${orderId}`);
    expect(order.body).toMatchObject({ status: 'declined', amount: '1234' });
    await axeCheck(page);
    await screenshots(page, 'payment-declined');
  }, 300_000);
});
