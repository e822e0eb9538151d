import { createTestDatabase, type TestDatabase } from '@app/kernel/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BillingRef } from './billing-ref.js';
import { demoContracts, seedBillingDemo } from './demo/demo-data.js';
import { billingRefMigrations } from './migrations.js';
import type { BillingRefDb } from './tables.js';
import { pdfStructure } from './testing/pdf-structure.js';

const TODAY = '2025-06-15';

describe('reference billing over a small demo', () => {
  let database: TestDatabase<BillingRefDb>;
  let billing: BillingRef;

  beforeAll(async () => {
    database = await createTestDatabase<BillingRefDb>({ migrations: billingRefMigrations });
    const summary = await seedBillingDemo(database, { consumers: 30, today: TODAY });
    expect(summary).toMatchObject({ consumers: 30, contracts: 33 });
    billing = new BillingRef(database, { now: () => new Date(`${TODAY}T09:00:00Z`) });
  });
  afterAll(async () => {
    await database?.close();
  });

  it('seeds only an empty billing', async () => {
    expect(await seedBillingDemo(database, { consumers: 30, today: TODAY })).toBeNull();
  });

  it('finds the fixed demo contracts with their secrets', async () => {
    expect(await billing.findContractByNumber(demoContracts.organisation.number)).toEqual({
      contractId: '1',
      consumerId: '1',
      number: 'D-000001',
      status: 'active',
      linkSecret: demoContracts.organisation.secret,
    });
    expect(await billing.findContractByNumber(demoContracts.terminated.number)).toMatchObject({ status: 'terminated' });
    expect(await billing.findContractByNumber('nope')).toBeNull();
  });

  it('snapshots a consumer: contracts down to meters, a year of account card, documents and readings', async () => {
    const snapshot = (await billing.consumerSnapshot('1', '2024-06'))!;
    expect(snapshot.consumer).toMatchObject({ kind: 'organisation', name: 'ООО «Демо-Энерго»', inn: '7801234567' });
    const [contract] = snapshot.contracts;
    expect(contract!.objects.flatMap((o) => o.meteringPoints)).toHaveLength(5);
    const meters = contract!.objects.flatMap((o) => o.meteringPoints.flatMap((p) => p.meters));
    expect(meters[0]).toMatchObject({ kind: 'interval', zones: ['total'], transformationRatio: '40' });
    expect(meters[1]).toMatchObject({ kind: 'integral', zones: ['day', 'night'] });
    expect(meters[1]!.lastReadings.map((r) => [r.zone, r.date])).toEqual([['day', '2025-05-31'], ['night', '2025-05-31']]);
    expect(Number(meters[1]!.averageMonthlyKwh)).toBeGreaterThan(0);
    const [account] = snapshot.accounts;
    expect(account!.months.map((m) => m.month)).toEqual(['2024-06', '2024-07', '2024-08', '2024-09', '2024-10', '2024-11', '2024-12', '2025-01', '2025-02', '2025-03', '2025-04', '2025-05', '2025-06']);
    for (const m of account!.months) expect(m.closing).toBe(m.opening + m.charged - m.paid);
    expect(account!.debt).toBe(account!.months.at(-1)!.closing);
    expect(snapshot.invoices).toHaveLength(24);
    const invoice = snapshot.invoices.find((i) => i.period === '2025-01' && i.kind === 'invoice')!;
    expect(invoice.amount).toBe(account!.months.find((m) => m.month === '2025-01')!.charged);
    expect(snapshot.readings.length).toBeGreaterThan(40);
    expect(await billing.consumerSnapshot('999999', '2024-06')).toBeNull();
  });

  it('accepts and rejects readings with reasons, once per reading id, and recomputes charges and profiles', async () => {
    const before = (await billing.account('1'))!.months.at(-1)!;
    const last = (await billing.consumerSnapshot('1', '2025-05'))!.contracts[0]!.objects[0]!.meteringPoints[1]!.meters[0]!.lastReadings;
    const day = last.find((r) => r.zone === 'day')!.value;
    const plus = (v: string, d: number) => (Number(v) + d).toFixed(2);
    const result = await billing.submitReadings('1', [
      { readingId: 'r-1', meterId: '2', zone: 'day', date: '2025-06-10', value: plus(day, 100) },
      { readingId: 'r-2', meterId: '2', zone: 'night', date: '2025-06-10', value: '1' },
      { readingId: 'r-3', meterId: '999', zone: 'day', date: '2025-06-10', value: '1' },
      { readingId: 'r-4', meterId: '2', zone: 'peak', date: '2025-06-10', value: '1' },
      { readingId: 'r-5', meterId: '2', zone: 'day', date: '2025-06-16', value: plus(day, 200) },
    ]);
    expect(result.readings.map((r) => [r.status, r.reasonCode ?? null])).toEqual([
      ['accepted', null],
      ['rejected', 'reading_below_previous'],
      ['rejected', 'meter_not_found'],
      ['rejected', 'zone_unknown'],
      ['rejected', 'date_in_future'],
    ]);
    expect(result.readings[0]!.consumptionKwh).toBe('2000'); // 100 on the dial × ratio 20
    expect(result.accountsChanged).toEqual(['1']);
    expect(result.profilesChanged).toEqual([{ meteringPointId: '2', from: '2025-06-01', to: '2025-06-30' }]);
    const after = (await billing.account('1'))!.months.at(-1)!;
    expect(after.charged).toBeGreaterThan(before.charged);

    const again = await billing.submitReadings('1', [{ readingId: 'r-1', meterId: '2', zone: 'day', date: '2025-06-11', value: '1' }]);
    expect(again.readings).toEqual([result.readings[0]]);
    expect(again.version).toBe(result.version);
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from readings where cabinet_reading_id = 'r-1'`.execute(database.db);
    expect(rows[0]!.n).toBe(1);

    const profile = await billing.hourly('2', '2025-06-01', '2025-06-30', 'profile');
    expect(profile.map((d) => d.date)).toEqual(Array.from({ length: 10 }, (_, i) => `2025-06-${String(i + 1).padStart(2, '0')}`));
    // The day zone's 2000 kWh over 10 days: 200 kWh a day in the day hours (7–22), night hours empty (no night reading yet).
    const june1 = profile[0]!.hours.map(Number);
    expect(june1[3]).toBe(0);
    expect(june1.reduce((a, b) => a + b, 0)).toBeCloseTo(200, 3);
    expect(await billing.reading(result.readings[1]!.id)).toEqual(result.readings[1]);
  });

  it('enters a reading once when the same reading id arrives twice at the same time', async () => {
    const last = (await billing.consumerSnapshot('1', '2025-06'))!.contracts[0]!.objects[1]!.meteringPoints[0]!.meters[0]!.lastReadings;
    const day = last.find((r) => r.zone === 'day')!;
    const reading = { readingId: 'same-1', meterId: '4', zone: 'day', date: '2025-06-12', value: (Number(day.value) + 3).toFixed(2) };
    const [a, b] = await Promise.all([billing.submitReadings('1', [reading]), billing.submitReadings('1', [reading])]);
    expect(a.readings).toEqual(b.readings);
    expect(a.readings[0]!.status).toBe('accepted');
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from readings where cabinet_reading_id = 'same-1'`.execute(database.db);
    expect(rows[0]!.n).toBe(1);
  });

  it('rejects outside the reading window, a removed meter, and accepts a rollover past the dial', async () => {
    const person = (await billing.consumerSnapshot('2', '2025-05'))!;
    const meters = person.contracts[0]!.objects[0]!.meteringPoints.flatMap((p) => p.meters);
    const fiveDigit = meters.find((m) => m.id === '6')!;
    const { rows: removed } = await sql<{ id: string }>`select id::text from meters where removed_on is not null`.execute(database.db);
    const result = await billing.submitReadings('2', [
      { readingId: 'p-1', meterId: '6', zone: 'total', date: '2025-06-10', value: '99999' },
      { readingId: 'p-2', meterId: removed[0]!.id, zone: 'total', date: '2025-06-15', value: '10' },
    ]);
    expect(result.readings.map((r) => r.reasonCode)).toEqual(['outside_reading_window', 'meter_removed']);
    const lastValue = Number(fiveDigit.lastReadings[0]!.value);
    const wrapped = await billing.submitReadings('2', [{ readingId: 'p-3', meterId: '6', zone: 'total', date: '2025-06-15', value: String((lastValue + 150) % 100000) }]);
    expect(wrapped.readings[0]).toMatchObject({ status: 'accepted', consumptionKwh: '150' });
  });

  it('serves metered hourly data of interval meters, days without data left out', async () => {
    const days = await billing.hourly('1', '2025-06-10', '2025-06-20', 'metered');
    expect(days.map((d) => d.date)).toEqual(['2025-06-10', '2025-06-11', '2025-06-12', '2025-06-13', '2025-06-14']);
    expect(days[0]!.hours).toHaveLength(24);
    expect(await billing.hourly('2', '2025-06-10', '2025-06-20', 'metered')).toEqual([]);
  });

  it('runs end-of-month billing once per month and contract, and books payments once per external reference', async () => {
    const first = await billing.runMonthlyBilling('2025-06');
    expect(first.issued).toBeGreaterThan(0);
    expect((await billing.runMonthlyBilling('2025-06')).issued).toBe(0);
    const debt = (await billing.account('1'))!.debt;
    const payment = await billing.bookPayment({ contractId: '1', amount: 12_345n, paidOn: TODAY, externalRef: 'bank-1' });
    expect(payment).toMatchObject({ contractId: '1', amount: 12_345n, booked: true });
    const repeat = await billing.bookPayment({ contractId: '1', amount: 12_345n, paidOn: TODAY, externalRef: 'bank-1' });
    expect(repeat).toMatchObject({ id: payment.id, booked: false });
    expect((await billing.account('1'))!.debt).toBe(debt - 12_345n);
    const feed = await billing.changesSince(String(BigInt(payment.version) - 2n), 10);
    expect(feed.map((c) => [c.entity, c.entityId])).toEqual([
      ['payment', payment.id],
      ['account', '1'],
    ]);
  });

  it('pages the change feed in version order', async () => {
    const page1 = await billing.changesSince('0', 100);
    const page2 = await billing.changesSince(page1.at(-1)!.version, 100);
    expect(page1).toHaveLength(100);
    expect(BigInt(page2[0]!.version)).toBe(BigInt(page1.at(-1)!.version) + 1n);
    expect(page1[0]).toMatchObject({ version: '1', consumerId: '1', entity: 'contract', entityId: '1' });
    expect(await billing.changesSince(await billing.version(), 10)).toEqual([]);
  });

  it('renders invoices and acts as real PDFs', async () => {
    const invoice = (await billing.consumerSnapshot('1', '2025-05'))!.invoices.find((i) => i.kind === 'invoice')!;
    const pdf = (await billing.invoicePdf(invoice.id))!;
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdfStructure(pdf).pages).toBe(1);
    expect(Buffer.compare(pdf, (await billing.invoicePdf(invoice.id))!)).toBe(0);
    expect(await billing.invoicePdf('999999')).toBeNull();
  });
});
