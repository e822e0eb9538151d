import { randomUUID } from 'node:crypto';
import { BillingRef, billingRefMigrations, demoContracts, seedBillingDemo, type BillingRefDb } from '@app/billing-ref';
import { commandTopics, eventTopics, ConsumerSnapshot, ProfileComputed, ReadingsProcessed, type LinkBySecret, type SubmitReadings } from '@app/cabinet-contracts';
import { createTestDatabase, createTestRuntime, waitFor, type TestDatabase } from '@app/kernel/testing';
import { sql } from 'kysely';
import { Value } from 'typebox/value';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS_CONSUMER } from '../commands/context.js';
import { cabinetBackMigrations } from '../migrations.js';
import { connected } from '../testing.js';
import { syncOnce } from '../sync/sync-poller.js';
import { createBackContext, startCabinetBackWorkers } from '../workers.js';
import { BillingRefAdapter } from './billing-ref-adapter.js';

// The back's command flow over the reference billing (not the fake): link by the demo secret, then readings.
describe('cabinet-back over the reference billing', () => {
  const now = () => new Date('2025-06-15T09:00:00Z');
  let runtime: Awaited<ReturnType<typeof createTestRuntime>>;
  let billingDb: TestDatabase<BillingRefDb>;
  let stop: () => Promise<void>;
  let billing: BillingRef;

  beforeAll(async () => {
    runtime = await createTestRuntime('cabinet-back', cabinetBackMigrations);
    billingDb = await createTestDatabase<BillingRefDb>({ migrations: billingRefMigrations });
    await seedBillingDemo(billingDb, { consumers: 10, today: '2025-06-15' });
    await connected(runtime.bus);
    billing = new BillingRef(billingDb, { now });
    stop = await startCabinetBackWorkers(runtime, new BillingRefAdapter(billing), { sync: false, commands: { backoffMs: () => 100 }, now });
  });
  afterAll(async () => {
    await stop?.();
    await runtime?.close();
    await billingDb?.close();
  });

  const db = () => runtime.database.db;
  const send = async (topic: string, payload: unknown) => {
    const id = randomUUID();
    await runtime.bus.publish(topic, payload, { id });
    await waitFor(async () => (await sql`select 1 from inbox where consumer = ${COMMANDS_CONSUMER} and message_id = ${id}`.execute(db())).rows.length > 0, { what: `command ${id} applied`, timeoutMs: 30_000 });
  };
  const outbox = async (topic: string) =>
    (await sql<{ payload: Record<string, unknown> }>`select payload from outbox where topic = ${topic} order by id`.execute(db())).rows.map((r) => r.payload);

  it('links D-000001 by its secret and sends the snapshot with invoices (PDFs) and a year of hourly data', async () => {
    const command: LinkBySecret = { commandId: randomUUID(), userRef: randomUUID(), contractNumber: demoContracts.organisation.number, secret: demoContracts.organisation.secret };
    await send(commandTopics.linkBySecret, command);
    expect(await outbox(eventTopics.linkAccepted)).toEqual([expect.objectContaining({ consumerRef: '1', contractNumber: 'D-000001', via: 'secret' })]);
    const [snapshot] = await outbox(eventTopics.consumerSnapshot);
    expect(Value.Errors(ConsumerSnapshot, snapshot)).toEqual([]);
    const invoices = (snapshot as unknown as ConsumerSnapshot).invoices;
    expect(invoices.length).toBe(24);
    expect(Buffer.from(invoices[0]!.pdfBase64!, 'base64').subarray(0, 5).toString()).toBe('%PDF-');
    const profiles = (await outbox(eventTopics.profileComputed)) as unknown as ProfileComputed[];
    for (const p of profiles) expect(Value.Errors(ProfileComputed, p)).toEqual([]);
    expect(profiles.filter((p) => p.kind === 'metered' && p.meteringPointId === '1')).toHaveLength(13);
    expect(profiles.filter((p) => p.kind === 'profile' && p.meteringPointId === '2')).toHaveLength(12);
  });

  it('submits readings: billing accepts one and rejects another with its reason', async () => {
    const [snapshot] = (await outbox(eventTopics.consumerSnapshot)) as unknown as ConsumerSnapshot[];
    const meter = snapshot!.contracts[0]!.objects[0]!.meteringPoints[1]!.meters[0]!;
    const day = meter.lastReadings.find((r) => r.zone === 'day')!;
    const command: SubmitReadings = {
      submissionId: randomUUID(),
      userRef: randomUUID(),
      consumerRef: '1',
      readings: [
        { readingId: randomUUID(), meterId: meter.id, zone: 'day', date: '2025-06-14', value: (Number(day.value) + 10).toFixed(2) },
        { readingId: randomUUID(), meterId: meter.id, zone: 'night', date: '2025-06-14', value: '1' },
      ],
    };
    await send(commandTopics.submitReadings, command);
    const [processed] = (await outbox(eventTopics.readingsProcessed)) as unknown as ReadingsProcessed[];
    expect(Value.Errors(ReadingsProcessed, processed)).toEqual([]);
    expect(processed!.readings.map((r) => [r.readingId, r.status, r.reasonCode])).toEqual([
      [command.readings[0]!.readingId, 'accepted', undefined],
      [command.readings[1]!.readingId, 'rejected', 'reading_below_previous'],
    ]);
    expect(await outbox(eventTopics.accountChanged)).toEqual([expect.objectContaining({ consumerRef: '1' })]);
  });

  it('syncs what billing did on its own: a payment, then the month issued, for the linked consumer only', async () => {
    const ctx = createBackContext(runtime, new BillingRefAdapter(billing), { now });
    while ((await syncOnce(ctx)).changes > 0); // up to date with the snapshot and the readings
    const payment = await billing.bookPayment({ contractId: '1', amount: 77_000n, paidOn: '2025-06-15', externalRef: 'bank-77' });
    await billing.bookPayment({ contractId: '4', amount: 1_000n, paidOn: '2025-06-15', externalRef: 'bank-other' });
    await billing.runMonthlyBilling('2025-06');
    while ((await syncOnce(ctx)).changes > 0);
    expect((await outbox(eventTopics.paymentBooked)).map((p) => (p.payment as { id: string }).id)).toEqual([payment.id]);
    const issued = (await outbox(eventTopics.invoiceIssued)).map((p) => p.invoice as { number: string; contractId: string; pdfBase64?: string });
    expect(issued.map((i) => i.number).sort()).toEqual(['D-000001/202506', 'D-000001/202506/A']);
    expect(Buffer.from(issued[0]!.pdfBase64!, 'base64').subarray(0, 5).toString()).toBe('%PDF-');
    const accounts = (await outbox(eventTopics.accountChanged)).map((p) => p.account as { contractId: string; debt: string });
    expect(accounts.every((a) => a.contractId === '1')).toBe(true);
  });
});
