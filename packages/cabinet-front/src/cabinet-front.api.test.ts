import { randomUUID } from 'node:crypto';
import type { ConsumerSnapshot, SubmitReadings, LinkByRequest } from '@app/cabinet-contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleSnapshot, startFront, type Front } from './testing/fixture.js';

type Session = Awaited<ReturnType<Front['register']>>;

// The back is played by the test: it sees the front's commands on the bus (cabinet.cmd.#) and answers
// with events in the published contract, in whatever order and as often as a real broker might.
describe('cabinet-front API driven by events from the bus', () => {
  let front: Front;
  let anna: Session;
  let snapshot: ConsumerSnapshot;

  beforeAll(async () => {
    front = await startFront();
    anna = await front.register({ email: 'anna@api.test' }, 'Anna-Strong-2026', 'Анна');
    snapshot = sampleSnapshot('a');
  });
  afterAll(() => front.close());

  it('links a contract by secret: the command goes out, the events make the contract visible to its owner', async () => {
    const before = await anna.call('GET', '/api/contracts');
    expect(before.json().total).toBe(0);
    const linkId = await front.link(anna, anna.userId, snapshot);
    const command = front.commands.find((c) => c.id === linkId)!;
    expect(command.payload).toEqual({ commandId: linkId, userRef: anna.userId, contractNumber: 'A-0001', secret: 'S3CRET' });
    expect((await anna.call('GET', `/api/links/${linkId}`)).json()).toMatchObject({ status: 'accepted', consumerRef: 'consumer-a' });
    const contracts = (await anna.call('GET', '/api/contracts')).json();
    expect(contracts).toMatchObject({ total: 1, items: [{ id: 'a-c1', number: 'A-0001', readingWindow: { fromDay: 15, toDay: 25 } }] });
    const detail = (await anna.call('GET', '/api/contracts/a-c1')).json();
    expect(detail.objects[0]).toMatchObject({ address: 'г. Тестоград, ул. Секретная-a, д. 7', meteringPoints: [{ id: 'a-p1', meters: [{ id: 'a-m1', digits: 6, fractionDigits: 2, zones: ['T1', 'T2'], nextVerificationOn: '2039-05-01' }] }] });
    const consumer = (await anna.call('GET', '/api/consumers/consumer-a')).json();
    expect(consumer).toMatchObject({ role: 'owner', rights: ['view', 'submit_readings', 'pay', 'sign'], name: 'ООО Тайное-a', inn: snapshot.profile.inn });
  });

  it('keeps the newest version whatever order events arrive in, and applies a message id once', async () => {
    const changed = structuredClone(snapshot.contracts[0]!);
    changed.status = 'active';
    changed.readingWindow = { fromDay: 1, toDay: 28 };
    changed.objects[0]!.meteringPoints[0]!.meters[0]!.serial = 'SN-NEW';
    const newer = randomUUID();
    await front.publish('cabinet.evt.contract.changed', { consumerRef: 'consumer-a', version: '120', contract: changed }, newer);
    // The snapshot again (a redelivery under a new id) and an older change: both older than 120.
    const stale = [randomUUID(), randomUUID()];
    await front.publish('cabinet.evt.consumer.snapshot', snapshot, stale[0]);
    await front.publish('cabinet.evt.contract.changed', { consumerRef: 'consumer-a', version: '110', contract: snapshot.contracts[0] }, stale[1]);
    await front.applied([newer, ...stale]);
    const detail = (await anna.call('GET', '/api/contracts/a-c1')).json();
    expect(detail.readingWindow).toEqual({ fromDay: 1, toDay: 28 });
    expect(detail.objects[0].meteringPoints[0].meters[0].serial).toBe('SN-NEW');

    const invoiceEvent = (version: string, amount: string) => ({ consumerRef: 'consumer-a', version, invoice: { ...snapshot.invoices[0]!, id: 'a-i2', number: 'СЧ-a-2', period: '2026-03', amount } });
    const id = randomUUID();
    await front.publish('cabinet.evt.invoice.issued', invoiceEvent('200', '5000'), id);
    await front.applied([id]);
    // Same message id again (a duplicate publish) even with other content: the inbox skips it.
    await front.publish('cabinet.evt.invoice.issued', invoiceEvent('300', '9999'), id);
    const marker = randomUUID();
    await front.publish('cabinet.evt.invoice.issued', invoiceEvent('150', '1'), marker);
    await front.applied([marker]);
    expect((await anna.call('GET', '/api/invoices/a-i2')).json().amount).toBe('5000');
    // Re-align with the snapshot's window for the reading tests below.
    const back = randomUUID();
    await front.publish('cabinet.evt.contract.changed', { consumerRef: 'consumer-a', version: '130', contract: { ...changed, readingWindow: { fromDay: 15, toDay: 25 } } }, back);
    await front.applied([back]);
  });

  it('refuses readings that break a rule with 422, the field and the code, and stores and sends nothing', async () => {
    const count = async () => (await front.db.selectFrom('readings').select('id').where('source', '=', 'cabinet').execute()).length;
    const outbox = async () => (await front.db.selectFrom('outbox').select('id').where('topic', '=', 'cabinet.cmd.readings.submit').execute()).length;
    const [rows, sent] = [await count(), await outbox()];
    const res = await anna.call('POST', '/api/readings', { readings: [{ meterId: 'a-m1', zone: 'T1', date: '2026-03-19', value: '999' }, { meterId: 'a-m1', zone: 'T9', date: '2026-03-19', value: '600' }] });
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ code: 'reading_invalid', errors: [{ field: 'readings/0/value', code: 'reading_below_previous' }, { field: 'readings/1/zone', code: 'zone_not_on_meter' }] });
    const future = await anna.call('POST', '/api/readings', { readings: [{ meterId: 'a-m1', zone: 'T1', date: '2026-03-21', value: '1100' }] });
    expect(future.json().errors).toEqual([expect.objectContaining({ field: 'readings/0/date', code: 'reading_date_in_future' })]);
    const window = await anna.call('POST', '/api/readings', { readings: [{ meterId: 'a-m1', zone: 'T1', date: '2026-03-10', value: '1100' }] });
    expect(window.json().errors).toEqual([expect.objectContaining({ field: 'readings/0/date', code: 'outside_reading_window' })]);
    const digits = await anna.call('POST', '/api/readings', { readings: [{ meterId: 'a-m1', zone: 'T1', date: '2026-03-19', value: '1100.123' }] });
    expect(digits.json().errors).toEqual([expect.objectContaining({ field: 'readings/0/value', code: 'reading_too_many_decimals' })]);
    expect([await count(), await outbox()]).toEqual([rows, sent]);
  });

  it('asks to confirm an abnormal jump, and takes it with the flag', async () => {
    const body = { readings: [{ meterId: 'a-m1', zone: 'T2', date: '2026-03-19', value: '5000' }] };
    const first = await anna.call('POST', '/api/readings', body);
    expect(first.statusCode).toBe(422);
    expect(first.json()).toMatchObject({ code: 'confirmation_required', warnings: [{ field: 'readings/0/value', code: 'abnormal_jump' }] });
    const confirmed = await anna.call('POST', '/api/readings', { ...body, confirmJump: true });
    expect(confirmed.statusCode).toBe(202);
    expect(confirmed.json().readings[0].warnings).toEqual(['abnormal_jump']);
  });

  it('sends readings as one command, shows them as sent, then billing\'s acceptance and rejection', async () => {
    const res = await anna.call('POST', '/api/readings', { readings: [{ meterId: 'a-m1', zone: 'T1', date: '2026-03-19', value: '1150.5' }, { meterId: 'a-m1', zone: 'T2', date: '2026-03-19', value: '520' }] });
    expect(res.statusCode).toBe(202);
    const { submissionId, readings } = res.json();
    expect(readings.map((r: { consumption: string }) => r.consumption)).toEqual(['150.5', '20']);
    const command = await front.commandOf('cabinet.cmd.readings.submit', (p: SubmitReadings) => p.submissionId === submissionId);
    expect(command.id).toBe(submissionId);
    expect(command.payload).toMatchObject({ consumerRef: 'consumer-a', userRef: anna.userId, readings: [{ readingId: readings[0].id, meterId: 'a-m1', zone: 'T1', value: '1150.5' }, { readingId: readings[1].id, zone: 'T2' }] });
    expect((await anna.call('GET', `/api/readings/${readings[0].id}`)).json().status).toBe('sent');

    const processed = randomUUID();
    const at = '2026-03-19T12:00:00.000Z';
    await front.publish('cabinet.evt.readings.processed', {
      consumerRef: 'consumer-a',
      version: '140',
      submissionId,
      readings: [
        { readingId: readings[0].id, billingReadingId: 'br-9001', meterId: 'a-m1', zone: 'T1', date: '2026-03-19', value: '1150.5', source: 'cabinet', status: 'accepted', consumptionKwh: '150.5', processedAt: at },
        { readingId: readings[1].id, billingReadingId: 'br-9002', meterId: 'a-m1', zone: 'T2', date: '2026-03-19', value: '520', source: 'cabinet', status: 'rejected', reasonCode: 'meter_replaced', reasonText: 'Счётчик заменён', processedAt: at },
        { billingReadingId: 'br-9003', meterId: 'a-m1', zone: 'T1', date: '2026-03-05', value: '1120', source: 'inspector', status: 'accepted', processedAt: at },
      ],
    }, processed);
    await front.applied([processed]);
    const history = (await anna.call('GET', '/api/readings?meterId=a-m1&limit=10')).json();
    const byValue = Object.fromEntries(history.items.map((r: { value: string }) => [r.value, r]));
    expect(byValue['1150.5']).toMatchObject({ status: 'accepted', consumptionKwh: '150.5', source: 'cabinet' });
    expect(byValue['520']).toMatchObject({ status: 'rejected', reasonCode: 'meter_replaced', reasonText: 'Счётчик заменён' });
    expect(byValue['1120']).toMatchObject({ status: 'accepted', source: 'inspector' });
    // The same answer again, as the sync poller sends the cabinet's own readings without our id: no duplicates.
    const again = randomUUID();
    await front.publish('cabinet.evt.readings.processed', { consumerRef: 'consumer-a', version: '141', readings: [{ billingReadingId: 'br-9001', meterId: 'a-m1', zone: 'T1', date: '2026-03-19', value: '1150.5', source: 'cabinet', status: 'accepted', consumptionKwh: '150.5', processedAt: at }] }, again);
    await front.applied([again]);
    expect((await anna.call('GET', '/api/readings?meterId=a-m1&status=accepted')).json().items.filter((r: { value: string }) => r.value === '1150.5')).toHaveLength(1);
    // The accepted reading is now the base: a lower one is refused.
    const lower = await anna.call('POST', '/api/readings', { readings: [{ meterId: 'a-m1', zone: 'T1', date: '2026-03-20', value: '1150' }] });
    expect(lower.json().errors[0].code).toBe('reading_below_previous');
  });

  it('merges a cabinet reading seen first without our id (another topic) with our row when billing\'s answer comes', async () => {
    const res = await anna.call('POST', '/api/readings', { readings: [{ meterId: 'a-m1', zone: 'T2', date: '2026-03-20', value: '5100' }], confirmJump: true });
    expect(res.statusCode).toBe(202);
    const ours = res.json().readings[0].id as string;
    const at = '2026-03-20T12:00:00.000Z';
    const copy = randomUUID();
    await front.publish('cabinet.evt.readings.processed', { consumerRef: 'consumer-a', version: '160', readings: [{ billingReadingId: 'br-9100', meterId: 'a-m1', zone: 'T2', date: '2026-03-20', value: '5100', source: 'cabinet', status: 'accepted', processedAt: at }] }, copy);
    await front.applied([copy]);
    const answer = randomUUID();
    await front.publish('cabinet.evt.readings.processed', { consumerRef: 'consumer-a', version: '161', readings: [{ readingId: ours, billingReadingId: 'br-9100', meterId: 'a-m1', zone: 'T2', date: '2026-03-20', value: '5100', source: 'cabinet', status: 'accepted', consumptionKwh: '100', processedAt: at }] }, answer);
    await front.applied([answer]);
    const rows = await front.db.selectFrom('readings').select(['id', 'status']).where('billing_reading_id', '=', 'br-9100').execute();
    expect(rows).toEqual([{ id: ours, status: 'accepted' }]);
  });

  it('serves hourly data and profiles for a period, at most 366 days', async () => {
    const days = Array.from({ length: 31 }, (_, i) => ({ date: `2026-01-${String(i + 1).padStart(2, '0')}`, hours: Array.from({ length: 24 }, (_, h) => `${h}.5`) }));
    const ids = [randomUUID(), randomUUID()];
    await front.publish('cabinet.evt.profile.computed', { consumerRef: 'consumer-a', version: '100', meteringPointId: 'a-p1', kind: 'profile', days }, ids[0]);
    await front.publish('cabinet.evt.profile.computed', { consumerRef: 'consumer-a', version: '100', meteringPointId: 'a-p1', kind: 'metered', days: days.slice(0, 2) }, ids[1]);
    await front.applied(ids);
    const res = (await anna.call('GET', '/api/metering-points/a-p1/hourly?kind=profile&from=2026-01-10&to=2026-01-12')).json();
    expect(res.days.map((d: { date: string }) => d.date)).toEqual(['2026-01-10', '2026-01-11', '2026-01-12']);
    expect(res.days[0].hours).toHaveLength(24);
    expect((await anna.call('GET', '/api/metering-points/a-p1/hourly?kind=metered&from=2026-01-01&to=2026-01-31')).json().days).toHaveLength(2);
    const long = await anna.call('GET', '/api/metering-points/a-p1/hourly?from=2025-01-01&to=2026-01-31');
    expect(long.json()).toMatchObject({ code: 'period_too_long', errors: [{ field: 'to' }] });
  });

  it('shows debt, the account card, invoices with the PDF, payments and the home summary', async () => {
    const account = (await anna.call('GET', '/api/contracts/a-c1/account')).json();
    expect(account).toMatchObject({ debt: '125000', asOf: '2026-03-01', dueOn: '2026-03-15', months: [{ month: '2026-02', charged: '125000', closing: '125000', kwh: '480' }] });
    const changed = randomUUID();
    await front.publish('cabinet.evt.account.changed', { consumerRef: 'consumer-a', version: '150', account: { contractId: 'a-c1', debt: '35000', asOf: '2026-03-12', months: [...snapshot.accounts[0]!.months, { month: '2026-03', opening: '125000', charged: '0', paid: '90000', closing: '35000', kwh: '0' }] } }, changed);
    const paid = randomUUID();
    await front.publish('cabinet.evt.payment.booked', { consumerRef: 'consumer-a', version: '150', payment: { id: 'a-pay2', contractId: 'a-c1', paidOn: '2026-03-12', amount: '90000', document: 'ПП-2', source: 'acquiring' } }, paid);
    await front.applied([changed, paid]);
    expect((await anna.call('GET', '/api/contracts/a-c1/account?from=2026-03')).json()).toMatchObject({ debt: '35000', months: [{ month: '2026-03', paid: '90000' }] });
    const invoices = (await anna.call('GET', '/api/invoices?contractId=a-c1&kind=invoice')).json();
    expect(invoices.total).toBe(2);
    expect(invoices.items.find((i: { id: string }) => i.id === 'a-i1')).toMatchObject({ hasPdf: true, amount: '125000' });
    const pdf = await anna.call('GET', '/api/invoices/a-i1/pdf');
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.rawPayload.toString('base64')).toBe(snapshot.invoices[0]!.pdfBase64);
    const payments = (await anna.call('GET', '/api/payments?limit=1')).json();
    expect(payments).toMatchObject({ total: 2, limit: 1, items: [{ id: 'a-pay2', amount: '90000' }] });
    const summary = (await anna.call('GET', '/api/summary')).json();
    expect(summary).toMatchObject({ consumers: [{ consumerRef: 'consumer-a', name: 'ООО Тайное-a', contracts: 1, debt: '35000' }], pendingLinks: 0 });
  });

  it('links by request: the command carries the applicant, link.rejected records code and message', async () => {
    const res = await anna.call('POST', '/api/links/by-request', { contractNumber: 'Z-404', applicantName: 'Иванов Пётр', taxId: '7701234567', comment: 'прошу подключить' });
    expect(res.statusCode).toBe(202);
    const { id } = res.json();
    const command = await front.commandOf('cabinet.cmd.link.by-request', (p: LinkByRequest) => p.commandId === id);
    expect(command.payload).toMatchObject({ applicantName: 'Иванов Пётр', taxId: '7701234567', contractNumber: 'Z-404' });
    expect((await anna.call('GET', '/api/summary')).json().pendingLinks).toBe(1);
    const rejected = randomUUID();
    await front.publish('cabinet.evt.link.rejected', { commandId: id, userRef: anna.userId, contractNumber: 'Z-404', code: 'request_declined', message: 'Договор не найден' }, rejected);
    await front.applied([rejected]);
    expect((await anna.call('GET', `/api/links/${id}`)).json()).toMatchObject({ status: 'rejected', rejection: { code: 'request_declined', message: 'Договор не найден' }, applicantName: 'Иванов Пётр' });
    const bad = await anna.call('POST', '/api/links/by-request', { contractNumber: 'Z', applicantName: 'X', taxId: '12' });
    expect(bad.json()).toMatchObject({ code: 'validation_failed', errors: [{ field: 'taxId' }] });
  });

  it('checks rights on every route: a representative with view only may look but not submit; only owners list members', async () => {
    const petr = await front.register({ phone: '+7 903 111-22-33' }, 'Petr-Strong-2026', 'Пётр');
    await front.db.insertInto('memberships').values({ user_id: petr.userId, consumer_ref: 'consumer-a', role: 'representative', rights: ['view'] }).execute();
    expect((await petr.call('GET', '/api/contracts/a-c1')).statusCode).toBe(200);
    const submit = await petr.call('POST', '/api/readings', { readings: [{ meterId: 'a-m1', zone: 'T1', date: '2026-03-20', value: '1200' }] });
    expect(submit.statusCode).toBe(403);
    expect(submit.json().code).toBe('right_required');
    expect((await petr.call('GET', '/api/consumers/consumer-a/members')).json().code).toBe('owner_only');
    const members = (await anna.call('GET', '/api/consumers/consumer-a/members')).json();
    expect(members.items).toEqual([
      expect.objectContaining({ userId: anna.userId, login: 'anna@api.test', role: 'owner' }),
      expect.objectContaining({ userId: petr.userId, login: '+79031112233', displayName: 'Пётр', role: 'representative', rights: ['view'] }),
    ]);
  });

  it('keeps an event that breaks the contract out of the data, and acknowledges it', async () => {
    const id = randomUUID();
    await front.publish('cabinet.evt.payment.booked', { consumerRef: 'consumer-a', version: 'x', payment: { id: 'bad' } }, id);
    const row = await import('@app/kernel/testing').then(({ waitFor }) => waitFor(() => front.db.selectFrom('dead_events').selectAll().where('message_id', '=', id).executeTakeFirst()));
    expect(row.topic).toBe('cabinet.evt.payment.booked');
    expect((await front.db.selectFrom('payments').select('id').where('id', '=', 'bad').execute())).toHaveLength(0);
  });
});

describe('cabinet-front while the broker and the back are away', () => {
  it('stays ready, serves its data and queues readings in the outbox', async () => {
    const front = await startFront();
    try {
      const anna = await front.register({ email: 'offline@api.test' });
      await front.link(anna, anna.userId, sampleSnapshot('off'));
      await front.runtime.bus.close();
      expect((await front.app.inject({ method: 'GET', url: '/ready' })).statusCode).toBe(200);
      expect((await anna.call('GET', '/api/contracts/off-c1')).statusCode).toBe(200);
      const res = await anna.call('POST', '/api/readings', { readings: [{ meterId: 'off-m1', zone: 'T1', date: '2026-03-19', value: '1010' }] });
      expect(res.statusCode).toBe(202);
      const waiting = await front.db.selectFrom('outbox').select(['message_id', 'published_at']).where('message_id', '=', res.json().submissionId).executeTakeFirstOrThrow();
      expect(waiting.published_at).toBeNull();
      expect((await anna.call('GET', '/api/status')).json()).toEqual({ back: 'offline', billing: 'unknown' });
    } finally {
      await front.close().catch(() => undefined);
    }
  });
});
