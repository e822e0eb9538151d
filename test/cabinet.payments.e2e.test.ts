import { randomBytes } from 'node:crypto';
import type { BillingRefDb } from '@app/billing-ref';
import { demoBillingContracts } from '@app/cabinet-back';
import type { MemoryOtpSender, TbankEmulator } from '@app/cabinet-front';
import type { HttpApp } from '@app/kernel';
import { waitFor, type TestDatabase } from '@app/kernel/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCabinetStack, type CabinetStack } from './support/cabinet-stack.js';

/**
 * A card payment across the whole cabinet: cabinet-front (its own database, listening on a port for the
 * bank), the T-Bank emulator (payment page, signed notifications), the bus (RabbitMQ when AMQP_URL is set,
 * each side on its own connection; in-process otherwise), cabinet-back and the reference billing. The
 * consumer pays an invoice on the bank's page; the payment is booked in billing once, comes back as
 * `payment.booked` and `account.changed`, and the order shows as booked — also after a duplicate
 * notification.
 */
let stack: CabinetStack;
let app: HttpApp;
let bank: TbankEmulator;
let billingDb: TestDatabase<BillingRefDb>;
let otp: MemoryOtpSender;

beforeAll(async () => {
  stack = await startCabinetStack();
  ({ front: app, bank, billingDb, otp } = stack);
}, 120_000);

afterAll(() => stack?.close());

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are read field by field, as a client would
type Call = (method: 'GET' | 'POST', url: string, payload?: unknown) => Promise<{ statusCode: number; json: () => any; body: string }>;

async function registerAndLogin(email: string, password: string): Promise<Call> {
  const start = await app.inject({ method: 'POST', url: '/auth/register', payload: { email }, remoteAddress: '10.9.1.1' });
  const code = otp.lastCodeFor(email);
  await app.inject({ method: 'POST', url: `/auth/register/${start.json().challengeId}/confirm`, payload: { code, password } });
  const login = await app.inject({ method: 'POST', url: '/auth/login', payload: { login: email, password }, remoteAddress: '10.9.1.2' });
  expect(login.statusCode).toBe(200);
  const cookies = Object.fromEntries(login.cookies.map((c) => [c.name, c.value]));
  const csrf = login.json().csrfToken as string;
  return (method, url, payload) => app.inject({ method, url, cookies, headers: { 'x-csrf-token': csrf }, ...(payload !== undefined ? { payload: payload as object } : {}) });
}

const billingPayments = (externalRef: string) => billingDb.db.selectFrom('payments').select(['id', 'amount', 'source', 'contract_id']).where('external_ref', '=', externalRef).execute();

describe('card payment end to end: front ⇄ bank emulator, front ⇄ bus ⇄ back ⇄ billing', () => {
  it('pays an invoice by card; billing books it once; the front shows the payment, the new debt and the order booked', async () => {
    const consumer = await registerAndLogin(`pay-${randomBytes(3).toString('hex')}@consumer.test`, 'Pay-Strong-Pass-2026');
    const link = await consumer('POST', '/api/links/by-secret', { contractNumber: demoBillingContracts.organisation.number, secret: demoBillingContracts.organisation.secret });
    expect(link.statusCode).toBe(202);
    const contract = await waitFor(async () => (await consumer('GET', '/api/contracts')).json().items[0], { what: 'contract in the front', timeoutMs: 30_000 });
    const debtBefore = BigInt((await consumer('GET', `/api/contracts/${contract.id}/account`)).json().debt);
    const invoice = (await consumer('GET', `/api/invoices?contractId=${contract.id}&kind=invoice&limit=1`)).json().items[0];
    expect(invoice, 'the demo contract has invoices').toBeDefined();

    const created = await consumer('POST', '/api/payments/orders', { contractId: contract.id, invoiceIds: [invoice.id] });
    expect(created.statusCode, created.body).toBe(201);
    const order = created.json();
    expect(order.amount).toBe(invoice.amount);

    // The payer on the bank's page presses "Pay"; the bank notifies the front, then redirects back.
    const page = await fetch(order.paymentUrl);
    expect(await page.text()).toContain('Оплатить');
    const pressed = await fetch(order.paymentUrl, { method: 'POST', body: new URLSearchParams({ action: 'pay' }), headers: { 'content-type': 'application/x-www-form-urlencoded' }, redirect: 'manual' });
    expect(pressed.status).toBe(303);
    // The bank sends the browser to the cabinet's page of the order; the page asks the return route.
    expect(new URL(pressed.headers.get('location')!).pathname).toBe(`/money/payments/${order.id}`);
    const returned = await consumer('GET', `/api/payments/orders/${order.id}/return`);
    expect(returned.json().status).toMatch(/^(paid|booked)$/);

    const booked = await waitFor(async () => {
      const view = (await consumer('GET', `/api/payments/orders/${order.id}`)).json();
      return view.status === 'booked' && view;
    }, { what: 'order booked by billing', timeoutMs: 30_000 });
    const paymentId = order.paymentUrl.split('/').pop() as string;
    const inBilling = await billingPayments(`tbank:${paymentId}`);
    expect(inBilling).toHaveLength(1);
    expect(String(inBilling[0]!.amount)).toBe(invoice.amount);
    expect(String(inBilling[0]!.id)).toBe(booked.billingPaymentId);

    const payments = (await consumer('GET', `/api/payments?contractId=${contract.id}&limit=200`)).json().items as Array<{ id: string; source: string; amount: string }>;
    expect(payments.find((p) => p.id === booked.billingPaymentId)).toMatchObject({ source: 'cabinet', amount: invoice.amount });
    const debtAfter = await waitFor(async () => {
      const debt = BigInt((await consumer('GET', `/api/contracts/${contract.id}/account`)).json().debt);
      return debt !== debtBefore && debt;
    }, { what: 'account changed', timeoutMs: 30_000 });
    expect(debtAfter).toBe(debtBefore - BigInt(invoice.amount));

    // The bank repeats its notification: nothing changes, in the front or in billing.
    await bank.renotify(paymentId);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await billingPayments(`tbank:${paymentId}`)).toHaveLength(1);
    expect((await consumer('GET', `/api/payments/orders/${order.id}`)).json()).toMatchObject({ status: 'booked', billingPaymentId: booked.billingPaymentId });
    // And the invoice cannot be paid by card a second time.
    const again = await consumer('POST', '/api/payments/orders', { contractId: contract.id, invoiceIds: [invoice.id] });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('invoice_already_paid');
  }, 90_000);
});
