import { randomUUID } from 'node:crypto';
import { BillingRef, billingRefMigrations, demoContracts, seedBillingDemo, type BillingRefDb } from '@app/billing-ref';
import { commandTopics, eventTopics, hourlyTopics, paymentTopics, type HourlyProcessed, type PaymentRegistered, type ProfileComputed, type RegisterPayment, type SubmitHourly } from '@app/cabinet-contracts';
import { createTestDatabase, createTestRuntime, waitFor, type TestDatabase } from '@app/kernel/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BillingRefAdapter } from '../billing/billing-ref-adapter.js';
import { FakeBilling } from '../billing/fake-billing.js';
import { cabinetBackMigrations } from '../migrations.js';
import { connected } from '../testing.js';
import { startCabinetBackWorkers } from '../workers.js';
import { COMMANDS_CONSUMER } from './context.js';

/**
 * The back's handlers of issue 6's commands over the reference billing: a card payment booked once per
 * acquirer payment id (and refused on another consumer's contract), hourly uploads stored as metered data
 * with billing's rules (interval point of the consumer, 24 non-negative values, no future day).
 */
describe('cabinet-back: card payments and hourly uploads over the reference billing', () => {
  const now = () => new Date('2025-06-15T09:00:00Z');
  let runtime: Awaited<ReturnType<typeof createTestRuntime>>;
  let billingDb: TestDatabase<BillingRefDb>;
  let stop: () => Promise<void>;

  beforeAll(async () => {
    runtime = await createTestRuntime('cabinet-back', cabinetBackMigrations);
    billingDb = await createTestDatabase<BillingRefDb>({ migrations: billingRefMigrations });
    await seedBillingDemo(billingDb, { consumers: 10, today: '2025-06-15' });
    await connected(runtime.bus);
    stop = await startCabinetBackWorkers(runtime, new BillingRefAdapter(new BillingRef(billingDb, { now })), { sync: false, commands: { backoffMs: () => 100 }, now });
    const link = { commandId: randomUUID(), userRef: randomUUID(), contractNumber: demoContracts.organisation.number, secret: demoContracts.organisation.secret };
    await send(commandTopics.linkBySecret, link);
  }, 120_000);
  afterAll(async () => {
    await stop?.();
    await runtime?.close();
    await billingDb?.close();
  });

  const db = () => runtime.database.db;
  const send = async (topic: string, payload: unknown, id: string = randomUUID()) => {
    await runtime.bus.publish(topic, payload, { id });
    await waitFor(async () => (await sql`select 1 from inbox where consumer = ${COMMANDS_CONSUMER} and message_id = ${id}`.execute(db())).rows.length > 0, { what: `command ${id} applied`, timeoutMs: 30_000 });
    return id;
  };
  const outbox = async (topic: string) => (await sql<{ payload: Record<string, unknown> }>`select payload from outbox where topic = ${topic} order by id`.execute(db())).rows.map((r) => r.payload);

  it('books a card payment once per acquirer payment id and answers payment.booked, account.changed and payment.registered', async () => {
    const contract = await billingDb.db.selectFrom('contracts').select(['id']).where('number', '=', demoContracts.organisation.number).executeTakeFirstOrThrow();
    const command: RegisterPayment = { orderId: randomUUID(), userRef: randomUUID(), consumerRef: '1', contractId: String(contract.id), amount: '123456', paidOn: '2025-06-15', externalRef: 'tbank:777001', invoiceIds: [] };
    await send(paymentTopics.register, command);
    // The front sent it again under another message id (a retry after its crash): billing books nothing new.
    await send(paymentTopics.register, command);
    const booked = await billingDb.db.selectFrom('payments').selectAll().where('external_ref', '=', 'tbank:777001').execute();
    expect(booked).toHaveLength(1);
    expect(booked[0]).toMatchObject({ amount: 123456n, source: 'cabinet' });
    const registered = (await outbox(paymentTopics.registered)) as unknown as PaymentRegistered[];
    expect(registered.filter((r) => r.orderId === command.orderId)).toEqual([
      expect.objectContaining({ status: 'booked', paymentId: String(booked[0]!.id), amount: '123456' }),
      expect.objectContaining({ status: 'booked', paymentId: String(booked[0]!.id) }),
    ]);
    expect((await outbox(eventTopics.paymentBooked)).some((e) => (e.payment as { id: string }).id === String(booked[0]!.id))).toBe(true);
    expect((await outbox(eventTopics.accountChanged)).some((e) => (e.account as { contractId: string }).contractId === String(contract.id))).toBe(true);
  });

  it('refuses a payment on another consumer\'s contract: nothing booked, payment.registered refused', async () => {
    const other = await billingDb.db.selectFrom('contracts').select(['id']).where('number', '=', demoContracts.person.number).executeTakeFirstOrThrow();
    const command: RegisterPayment = { orderId: randomUUID(), userRef: randomUUID(), consumerRef: '1', contractId: String(other.id), amount: '1000', paidOn: '2025-06-15', externalRef: 'tbank:777002', invoiceIds: [] };
    await send(paymentTopics.register, command);
    expect(await billingDb.db.selectFrom('payments').select('id').where('external_ref', '=', 'tbank:777002').execute()).toEqual([]);
    expect((await outbox(paymentTopics.registered)).find((r) => r.orderId === command.orderId)).toMatchObject({ status: 'refused', code: 'contract_not_found' });
  });

  it('stores uploaded hourly days of an interval point as metered data; refuses future days, bad values and points that are not the consumer\'s interval points', async () => {
    const hours = Array.from({ length: 24 }, (_, h) => `${h}.125`);
    const command: SubmitHourly = {
      submissionId: randomUUID(),
      uploadId: randomUUID(),
      userRef: randomUUID(),
      consumerRef: '1',
      meteringPointId: '1',
      days: [
        { date: '2025-06-10', hours },
        { date: '2025-06-11', hours },
        { date: '2025-06-16', hours },
      ],
    };
    await send(hourlyTopics.submit, command, command.submissionId);
    const stored = await sql<{ day: string; hours: string[] }>`select day::text as day, hours::text[] as hours from hourly where metering_point_id = 1 and kind = 'metered' and day between '2025-06-10' and '2025-06-11' order by day`.execute(billingDb.db);
    expect(stored.rows.map((r) => [r.day, r.hours[23]])).toEqual([['2025-06-10', '23.125000'], ['2025-06-11', '23.125000']]);
    const processed = (await outbox(hourlyTopics.processed)) as unknown as HourlyProcessed[];
    expect(processed.find((p) => p.submissionId === command.submissionId)).toMatchObject({ accepted: 2, rejected: [{ date: '2025-06-16', code: 'date_in_future' }] });
    const metered = ((await outbox(eventTopics.profileComputed)) as unknown as ProfileComputed[]).filter((p) => p.kind === 'metered' && p.version === processed.at(-1)!.version);
    expect(metered).toHaveLength(1);
    expect(metered[0]!.days.find((d) => d.date === '2025-06-10')!.hours[23]).toBe('23.125');

    const point2: SubmitHourly = { ...command, submissionId: randomUUID(), meteringPointId: '2', days: [{ date: '2025-06-10', hours }] };
    const foreign: SubmitHourly = { ...command, submissionId: randomUUID(), meteringPointId: '6', days: [{ date: '2025-06-10', hours }] };
    const bad: SubmitHourly = { ...command, submissionId: randomUUID(), days: [{ date: '2025-06-09', hours: hours.map((h, i) => (i === 3 ? '-1' : h)) }] };
    for (const c of [point2, foreign, bad]) await send(hourlyTopics.submit, c, c.submissionId);
    const answers = (await outbox(hourlyTopics.processed)) as unknown as HourlyProcessed[];
    const answer = (id: string) => answers.find((p) => p.submissionId === id)!;
    expect(answer(point2.submissionId)).toMatchObject({ accepted: 0, rejected: [{ code: 'point_not_interval' }] });
    expect(answer(foreign.submissionId)).toMatchObject({ accepted: 0, rejected: [{ code: 'point_not_found' }] });
    expect(answer(bad.submissionId)).toMatchObject({ accepted: 0, rejected: [{ date: '2025-06-09', code: 'hourly_value_invalid' }] });
  });

  it('FakeBilling keeps the same contract: idempotent payments by external reference, metered hourly data read back', async () => {
    const fake = new FakeBilling();
    const ids = fake.addConsumer('9', 'D-9', 's');
    const first = await fake.registerPayment('9', { contractId: ids.contractId, amount: 500n, paidOn: '2025-02-10', externalRef: 'tbank:1', document: 'x' });
    const again = await fake.registerPayment('9', { contractId: ids.contractId, amount: 500n, paidOn: '2025-02-10', externalRef: 'tbank:1', document: 'x' });
    expect(first).toMatchObject({ ok: true, booked: true });
    expect(again).toMatchObject({ ok: true, booked: false, payment: { id: first.ok ? first.payment.id : '' } });
    expect(await fake.registerPayment('9', { contractId: 'C-other', amount: 500n, paidOn: '2025-02-10', externalRef: 'tbank:2', document: 'x' })).toMatchObject({ ok: false, code: 'contract_not_found' });
    expect(await fake.submitHourly('9', ids.meteringPointId, [{ date: '2025-02-01', hours: Array(24).fill('1') }])).toMatchObject({ accepted: 0, rejected: [{ code: 'point_not_interval' }] });
  });
});
