import { randomUUID } from 'node:crypto';
import { waitFor } from '@app/kernel/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleSnapshot, startFront, type Front } from '../testing/fixture.js';
import { TbankAcquiring } from './acquiring.js';
import { startTbankEmulator, type TbankEmulator } from './emulator/tbank-emulator.js';
import { signed } from './tbank-protocol.js';

type Session = Awaited<ReturnType<Front['register']>>;

/**
 * Card payments against the T-Bank emulator over real HTTP: the front listens on a port (the emulator
 * POSTs notifications to it), the test plays the payer's browser (payment page, redirect back) and the
 * back (answers the register command on the bus).
 */
describe('card payments through the T-Bank emulator', () => {
  let front: Front;
  let bank: TbankEmulator;
  let a: Session;
  let publicUrl = '';
  const snapshot = sampleSnapshot('pay');

  beforeAll(async () => {
    bank = await startTbankEmulator();
    front = await startFront({
      selfService: {
        payments: {
          acquiring: new TbankAcquiring({ url: bank.apiUrl, terminalKey: bank.terminalKey, password: bank.password }),
          publicUrl: () => publicUrl,
          reconcileIntervalMs: 150,
          reconcileAfterMs: 400,
        },
      },
    });
    publicUrl = await front.app.listen({ port: 0, host: '127.0.0.1' });
    a = await front.register({ email: 'payer@pay.test' });
    // Debt 1250.00 ₽ and two invoices of the contract (one of them the snapshot's 1250.00 ₽).
    await front.link(a, a.userId, { ...snapshot, invoices: [...snapshot.invoices, { ...snapshot.invoices[0]!, id: 'pay-i2', number: 'СЧ-pay-2', period: '2026-01', amount: '30000' }] });
  });
  afterAll(async () => {
    await front?.close();
    await bank?.close();
  });

  const order = async (body: Record<string, unknown>) => a.call('POST', '/api/payments/orders', body);
  /** The payer on the bank's page: opens it, presses a button, and follows the redirect back to the cabinet. */
  const payOnPage = async (paymentUrl: string, action: 'pay' | 'decline') => {
    const page = await fetch(paymentUrl);
    expect(await page.text()).toContain('Оплатить');
    const res = await fetch(paymentUrl, { method: 'POST', body: new URLSearchParams({ action }), headers: { 'content-type': 'application/x-www-form-urlencoded' }, redirect: 'manual' });
    expect(res.status).toBe(303);
    return new URL(res.headers.get('location')!).pathname;
  };
  const registerCommands = (orderId: string) => front.commands.filter((c) => c.topic === 'cabinet.cmd.payment.register' && (c.payload as { orderId: string }).orderId === orderId);

  it('pays part of the debt: redirect to the bank, signed notification, return, one register command, booked by billing', async () => {
    const res = await order({ contractId: 'pay-c1', amount: '50000' });
    expect(res.statusCode).toBe(201);
    const created = res.json();
    expect(created).toMatchObject({ status: 'pending', amount: '50000', provider: 'tbank', invoiceIds: [] });
    expect(created.paymentUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/pay\/\d+$/);

    const back = await payOnPage(created.paymentUrl, 'pay');
    // Back to the cabinet's page of the order, which asks the return route.
    expect(back).toBe(`/money/payments/${created.id}`);
    // The emulator delivered (and got OK for) the notification before redirecting.
    expect(bank.deliveries.filter((d) => d.status === 'CONFIRMED').at(-1)).toMatchObject({ httpStatus: 200, body: 'OK' });
    const returned = (await a.call('GET', `/api/payments/orders/${created.id}/return`)).json();
    expect(returned).toMatchObject({ id: created.id, status: 'paid', providerStatus: 'CONFIRMED', cardPan: '430000******0777' });
    const raw = await front.db.selectFrom('payment_orders').select('pan_enc').where('id', '=', created.id).executeTakeFirstOrThrow();
    expect(raw.pan_enc).toMatch(/^v1\./);
    expect(raw.pan_enc).not.toContain('0777');

    const command = await front.commandOf('cabinet.cmd.payment.register', (p: { orderId: string }) => p.orderId === created.id);
    expect(command.id).toBe(created.id);
    expect(command.payload).toMatchObject({ consumerRef: snapshot.consumerRef, contractId: 'pay-c1', amount: '50000', paidOn: '2026-03-20', externalRef: `tbank:${created.paymentUrl.split('/').pop()}` });

    // The back answers as it would after billing booked it.
    const ids = [randomUUID(), randomUUID()];
    await front.publish('cabinet.evt.payment.booked', { consumerRef: snapshot.consumerRef, version: '300', payment: { id: 'bill-pay-1', contractId: 'pay-c1', paidOn: '2026-03-20', amount: '50000', document: 'Онлайн-оплата', source: 'cabinet' } }, ids[0]);
    await front.publish('cabinet.evt.payment.registered', { orderId: created.id, consumerRef: snapshot.consumerRef, version: '300', status: 'booked', paymentId: 'bill-pay-1', amount: '50000' }, ids[1]);
    await front.applied(ids);
    expect((await a.call('GET', `/api/payments/orders/${created.id}`)).json()).toMatchObject({ status: 'booked', billingPaymentId: 'bill-pay-1' });
    expect((await a.call('GET', '/api/payments?contractId=pay-c1')).json().items.map((p: { id: string }) => p.id)).toContain('bill-pay-1');
  });

  it('records a declined payment and sends nothing to billing', async () => {
    const created = (await order({ contractId: 'pay-c1', invoiceIds: ['pay-i2'] })).json();
    expect(created).toMatchObject({ status: 'pending', amount: '30000', invoiceIds: ['pay-i2'] });
    expect(await payOnPage(created.paymentUrl, 'decline')).toBe(`/money/payments/${created.id}`);
    expect((await a.call('GET', `/api/payments/orders/${created.id}/return`)).json()).toMatchObject({ status: 'declined', providerStatus: 'REJECTED', failure: { code: '1051' } });
    await new Promise((r) => setTimeout(r, 300));
    expect(registerCommands(created.id)).toEqual([]);
    // Declined, the invoice may be paid again.
    expect((await order({ contractId: 'pay-c1', invoiceIds: ['pay-i2'] })).statusCode).toBe(201);
  });

  it('changes nothing on a duplicate notification', async () => {
    const created = (await order({ contractId: 'pay-c1', amount: '10000' })).json();
    const paymentId = created.paymentUrl.split('/').pop() as string;
    await payOnPage(created.paymentUrl, 'pay');
    await front.commandOf('cabinet.cmd.payment.register', (p: { orderId: string }) => p.orderId === created.id);
    const before = (await a.call('GET', `/api/payments/orders/${created.id}`)).json();
    await bank.renotify(paymentId);
    await bank.renotify(paymentId);
    expect(bank.deliveries.filter((d) => d.paymentId === paymentId).map((d) => d.body)).toEqual(['OK', 'OK', 'OK']);
    await new Promise((r) => setTimeout(r, 300));
    expect(registerCommands(created.id)).toHaveLength(1);
    expect((await a.call('GET', `/api/payments/orders/${created.id}`)).json()).toEqual(before);
    const events = await front.db.selectFrom('payment_order_events').select(['source', 'changed']).where('order_id', '=', created.id).orderBy('id').execute();
    expect(events.filter((e) => e.source === 'notification')).toEqual([{ source: 'notification', changed: true }, { source: 'notification', changed: false }, { source: 'notification', changed: false }]);
  });

  it('refuses a notification with a forged signature, a foreign terminal or another amount, and changes nothing', async () => {
    const created = (await order({ contractId: 'pay-c1', amount: '20000' })).json();
    const paymentId = created.paymentUrl.split('/').pop() as string;
    const genuine = bank.notificationOf(paymentId);
    const post = (body: unknown) => front.app.inject({ method: 'POST', url: '/api/payments/notifications/tbank', payload: body as object });
    const { Token: _token, ...fields } = { ...genuine, Status: 'CONFIRMED', Success: true } as Record<string, unknown>;

    const tampered = await post({ ...genuine, Status: 'CONFIRMED', Success: true }); // the token no longer matches
    expect(tampered.statusCode).toBe(403);
    expect(tampered.json()).toMatchObject({ code: 'notification_signature_invalid' });
    const wrongKey = await post(signed(fields, 'guessed-password'));
    expect(wrongKey.statusCode).toBe(403);
    const otherTerminal = await post(signed({ ...fields, TerminalKey: 'SomeoneElse' }, bank.password));
    expect(otherTerminal.statusCode).toBe(403);
    const noToken = await post(fields);
    expect(noToken.json().code).toBe('notification_signature_invalid');
    // Correctly signed but for another amount than the order's (a bug or a replay across orders).
    const otherAmount = await post(signed({ ...fields, Amount: 1 }, bank.password));
    expect(otherAmount.statusCode).toBe(422);
    expect(otherAmount.json().code).toBe('notification_mismatch');

    expect((await a.call('GET', `/api/payments/orders/${created.id}`)).json()).toMatchObject({ status: 'pending' });
    expect(registerCommands(created.id)).toEqual([]);
    // The bank itself still says NEW/FORM_SHOWED: the return asks it and stays pending.
    expect((await a.call('GET', `/api/payments/orders/${created.id}/return`)).json()).toMatchObject({ status: 'pending' });
  });

  it('resolves the payment from the bank when the consumer returns before the notification; the late notification changes nothing', async () => {
    bank.options.notify = 'after';
    try {
      const created = (await order({ contractId: 'pay-c1', amount: '15000' })).json();
      expect(await payOnPage(created.paymentUrl, 'pay')).toBe(`/money/payments/${created.id}`);
      const returned = (await a.call('GET', `/api/payments/orders/${created.id}/return`)).json();
      expect(returned.status).toBe('paid');
      const paymentId = created.paymentUrl.split('/').pop() as string;
      await waitFor(() => bank.deliveries.some((d) => d.paymentId === paymentId && d.body === 'OK'), { what: 'late notification delivered' });
      expect(registerCommands(created.id)).toHaveLength(1);
      const sources = await front.db.selectFrom('payment_order_events').select(['source', 'changed']).where('order_id', '=', created.id).orderBy('id').execute();
      expect(sources).toEqual([{ source: 'create', changed: true }, { source: 'return', changed: true }, { source: 'notification', changed: false }]);
    } finally {
      bank.options.notify = 'before';
    }
  });

  it('reconciles a payment whose notification never came and whose payer never returned', async () => {
    bank.options.notify = 'none';
    try {
      const created = (await order({ contractId: 'pay-c1', amount: '12000' })).json();
      await payOnPage(created.paymentUrl, 'pay');
      const resolved = await waitFor(async () => {
        const view = (await a.call('GET', `/api/payments/orders/${created.id}`)).json();
        return view.status === 'paid' && view;
      }, { what: 'reconciled', timeoutMs: 10_000 });
      expect(resolved.providerStatus).toBe('CONFIRMED');
      await front.commandOf('cabinet.cmd.payment.register', (p: { orderId: string }) => p.orderId === created.id);
      const sources = await front.db.selectFrom('payment_order_events').select('source').where('order_id', '=', created.id).where('changed', '=', true).execute();
      expect(sources.map((s) => s.source)).toContain('reconcile');
    } finally {
      bank.options.notify = 'before';
    }
  });

  it('validates amounts against the debt and the invoices chosen, and answers the same order for the same idempotency key', async () => {
    const tooMuch = await order({ contractId: 'pay-c1', amount: '99999999' });
    expect(tooMuch.statusCode).toBe(422);
    expect(tooMuch.json()).toMatchObject({ code: 'amount_exceeds_debt', errors: [{ field: 'amount' }] });
    const wrongSum = await order({ contractId: 'pay-c1', invoiceIds: ['pay-i1'], amount: '1' });
    expect(wrongSum.json()).toMatchObject({ code: 'amount_mismatch', expected: '125000' });
    const unknownInvoice = await order({ contractId: 'pay-c1', invoiceIds: ['pay-i1', 'nope'] });
    expect(unknownInvoice.json()).toMatchObject({ code: 'invoice_not_found', errors: [{ field: 'invoiceIds/1' }] });
    const tiny = await order({ contractId: 'pay-c1', amount: '50' });
    expect(tiny.json().code).toBe('amount_too_small');
    const badInput = await order({ contractId: 'pay-c1', amount: '-5' });
    expect(badInput.statusCode).toBe(400);
    expect(badInput.json().errors[0].field).toBe('amount');
    expect((await order({ contractId: 'other-c1' })).statusCode).toBe(404);

    const key = randomUUID();
    const first = await order({ contractId: 'pay-c1', amount: '10000', idempotencyKey: key });
    const again = await order({ contractId: 'pay-c1', amount: '10000', idempotencyKey: key });
    expect([first.statusCode, again.statusCode]).toEqual([201, 200]);
    expect(again.json().id).toBe(first.json().id);
    expect((await order({ contractId: 'pay-c1', amount: '20000', idempotencyKey: key })).json().code).toBe('idempotency_key_reused');
  });

  it('needs the pay right', async () => {
    await front.db.updateTable('memberships').set({ rights: ['view', 'submit_readings'] }).where('user_id', '=', a.userId).execute();
    try {
      const before = await front.db.selectFrom('payment_orders').select('id').execute();
      const res = await order({ contractId: 'pay-c1', amount: '10000' });
      expect(res.statusCode).toBe(403);
      expect(res.json().code).toBe('right_required');
      expect(await front.db.selectFrom('payment_orders').select('id').execute()).toHaveLength(before.length);
    } finally {
      await front.db.updateTable('memberships').set({ rights: ['view', 'submit_readings', 'pay', 'sign'] }).where('user_id', '=', a.userId).execute();
    }
  });

  it('accepts notifications only from the networks configured: another source gets 403 and changes nothing', async () => {
    const created = (await order({ contractId: 'pay-c1', amount: '5000' })).json();
    const paymentId = created.paymentUrl.split('/').pop() as string;
    bank.payments.get(paymentId)!.status = 'CONFIRMED'; // the payer paid; the notification is to come
    const genuine = bank.notificationOf(paymentId);
    const post = (remoteAddress: string) => front.app.inject({ method: 'POST', url: '/api/payments/notifications/tbank', payload: genuine, remoteAddress });
    for (const stranger of ['203.0.113.7', '10.0.0.5', '::ffff:198.51.100.1', '2001:db8::1']) {
      const res = await post(stranger);
      expect(res.statusCode, stranger).toBe(403);
      expect(res.json()).toMatchObject({ code: 'notification_source_forbidden' });
    }
    expect((await a.call('GET', `/api/payments/orders/${created.id}`)).json()).toMatchObject({ status: 'pending' });
    expect(await front.db.selectFrom('payment_order_events').select('source').where('order_id', '=', created.id).where('source', '=', 'notification').execute()).toEqual([]);
    expect(registerCommands(created.id)).toEqual([]);
    // The same signed notification from the bank's network (here the emulator's loopback) applies.
    const fromBank = await post('127.0.0.1');
    expect([fromBank.statusCode, fromBank.body]).toEqual([200, 'OK']);
    expect((await a.call('GET', `/api/payments/orders/${created.id}`)).json()).toMatchObject({ status: 'paid' });
  });
});
