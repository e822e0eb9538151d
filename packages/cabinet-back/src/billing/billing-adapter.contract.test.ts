import { randomUUID } from 'node:crypto';
import { BillingRef, billingRefMigrations, demoContracts, seedBillingDemo, type BillingRefDb } from '@app/billing-ref';
import { pdfStructure } from '@app/billing-ref/testing';
import type { SubmittedReading } from '@app/cabinet-contracts';
import { ConsumerSnapshot, HourlyDay, Invoice, Payment, ProcessedReading } from '@app/cabinet-contracts';
import { createTestDatabase, type TestDatabase } from '@app/kernel/testing';
import { Value } from 'typebox/value';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BillingUnavailableError, type BillingAdapter } from './billing-adapter.js';
import { BillingRefAdapter } from './billing-ref-adapter.js';
import { FakeBilling } from './fake-billing.js';

/**
 * The behaviour every BillingAdapter owes cabinet-back (billing-adapter.ts), checked against the
 * in-memory FakeBilling and the reference billing alike; then what only a real billing can show.
 */
interface Fixture {
  adapter: BillingAdapter;
  contract: { number: string; secret: string; consumerRef: string; contractId: string };
  /** A reading billing will accept (a little above the last one). */
  goodReading(): Promise<Omit<SubmittedReading, 'readingId'>>;
  close(): Promise<void>;
}

const TODAY = '2025-06-15';

async function referenceFixture(): Promise<Fixture & { database: TestDatabase<BillingRefDb>; billing: BillingRef }> {
  const database = await createTestDatabase<BillingRefDb>({ migrations: billingRefMigrations });
  await seedBillingDemo(database, { consumers: 12, today: TODAY });
  const billing = new BillingRef(database, { now: () => new Date(`${TODAY}T09:00:00Z`) });
  const adapter = new BillingRefAdapter(billing);
  const { organisation } = demoContracts;
  let nextDay = 1;
  return {
    database,
    billing,
    adapter,
    contract: { number: organisation.number, secret: organisation.secret, consumerRef: organisation.consumerId, contractId: organisation.contractId },
    goodReading: async () => {
      const snapshot = (await adapter.consumerSnapshot(organisation.consumerId, { since: '2025-06' }))!;
      const meter = snapshot.contracts[0]!.objects[0]!.meteringPoints[1]!.meters[0]!;
      const last = meter.lastReadings.find((r) => r.zone === 'day')!;
      return { meterId: meter.id, zone: 'day', date: `2025-06-${String(nextDay++).padStart(2, '0')}`, value: (Number(last.value) + 5).toFixed(2) };
    },
    close: () => database.close(),
  };
}

async function fakeFixture(): Promise<Fixture> {
  const adapter = new FakeBilling();
  const { meterId } = adapter.addConsumer('100', 'D-100', 's3cret');
  let value = 1000;
  return {
    adapter,
    contract: { number: 'D-100', secret: 's3cret', consumerRef: '100', contractId: 'C-100' },
    goodReading: async () => ({ meterId, zone: 'day', date: '2025-02-10', value: String((value += 5)) }),
    close: async () => {},
  };
}

describe.each([
  ['FakeBilling', fakeFixture],
  ['BillingRefAdapter', referenceFixture],
])('BillingAdapter contract: %s', (_name, makeFixture) => {
  let f: Fixture;
  beforeAll(async () => {
    f = await makeFixture();
  });
  afterAll(async () => {
    await f?.close();
  });

  it('answers a ping', async () => {
    await expect(f.adapter.ping()).resolves.toBeUndefined();
  });

  it('links by contract number and secret; refuses a wrong secret and an unknown number as results', async () => {
    expect(await f.adapter.findContractForLink(f.contract.number, f.contract.secret)).toEqual({
      ok: true,
      consumerRef: f.contract.consumerRef,
      contractId: f.contract.contractId,
      contractNumber: f.contract.number,
    });
    expect(await f.adapter.findContractForLink(f.contract.number, 'wrong')).toMatchObject({ ok: false, code: 'secret_mismatch' });
    expect(await f.adapter.findContractForLink('NO-SUCH-1', f.contract.secret)).toMatchObject({ ok: false, code: 'contract_not_found' });
    expect(await f.adapter.findContractForLink(f.contract.number)).toMatchObject({ ok: true, consumerRef: f.contract.consumerRef });
  });

  it('snapshots a consumer in the published schema, without the secret; null for an unknown one', async () => {
    const snapshot = (await f.adapter.consumerSnapshot(f.contract.consumerRef, { since: '2024-06' }))!;
    expect(Value.Errors(ConsumerSnapshot, snapshot)).toEqual([]);
    expect(snapshot.contracts.map((c) => c.number)).toContain(f.contract.number);
    expect(JSON.stringify(snapshot)).not.toContain(f.contract.secret);
    expect(await f.adapter.consumerSnapshot('987654', { since: '2024-06' })).toBeNull();
  });

  it('accepts a reading, rejects one of a meter not of this consumer, and answers a repeated reading id with its first outcome', async () => {
    const good = { readingId: randomUUID(), ...(await f.goodReading()) };
    const foreign = { readingId: randomUUID(), meterId: '987654', zone: 'day', date: good.date, value: '1' };
    const first = await f.adapter.submitReadings(f.contract.consumerRef, [good, foreign]);
    expect(first.readings.map((r) => [r.readingId, r.status, r.reasonCode])).toEqual([
      [good.readingId, 'accepted', undefined],
      [foreign.readingId, 'rejected', 'meter_not_found'],
    ]);
    for (const r of first.readings) expect(Value.Errors(ProcessedReading, r)).toEqual([]);
    expect(first.accountsChanged).toEqual([f.contract.contractId]);
    const again = await f.adapter.submitReadings(f.contract.consumerRef, [good, foreign]);
    expect(again.readings).toEqual(first.readings);
    expect(await f.adapter.reading(first.readings[0]!.billingReadingId)).toEqual(first.readings[0]);
  });

  it('pages the change feed oldest first and gives back the version asked when nothing changed', async () => {
    const page1 = await f.adapter.changesSince('0', 2);
    expect(page1.changes).toHaveLength(2);
    expect(page1.version).toBe(page1.changes[1]!.version);
    const page2 = await f.adapter.changesSince(page1.version, 2);
    expect(BigInt(page2.changes[0]!.version)).toBeGreaterThan(BigInt(page1.version));
    let version = page2.version;
    for (;;) {
      const page = await f.adapter.changesSince(version, 1000);
      if (page.changes.length === 0) {
        expect(page.version).toBe(version);
        break;
      }
      version = page.version;
    }
  });

  it('concludes the contract of a signed application once: a new consumer, the same contract when asked again, a second one for a consumer it knows', async () => {
    const applicationRef = randomUUID();
    const request = {
      applicationRef,
      consumer: { kind: 'organisation' as const, name: 'ООО «Новый абонент»', inn: '7705550099', ogrn: '1157746000099', email: 'new@abonent.test' },
      objectAddress: 'г. Краснодар, ул. Новая, 1',
      requestedPowerKw: '150',
      startsOn: '2025-06-15',
    };
    const first = await f.adapter.createContract(request);
    if (!first.ok) throw new Error(first.message);
    expect(first).toMatchObject({ created: true, contractNumber: expect.any(String) });
    expect(first.consumerRef).not.toBe(f.contract.consumerRef);
    const again = await f.adapter.createContract(request);
    expect(again).toEqual({ ...first, created: false, version: again.ok ? again.version : '' });
    const snapshot = (await f.adapter.consumerSnapshot(first.consumerRef, { since: '2025-01' }))!;
    expect(Value.Errors(ConsumerSnapshot, snapshot)).toEqual([]);
    expect(snapshot.profile).toMatchObject({ name: 'ООО «Новый абонент»', inn: '7705550099' });
    expect(snapshot.contracts).toHaveLength(1);
    expect(snapshot.contracts[0]).toMatchObject({ id: first.contractId, number: first.contractNumber, status: 'active', objects: [{ address: 'г. Краснодар, ул. Новая, 1', meteringPoints: [{ maxPowerKw: '150', meters: [] }] }] });
    const feed = await f.adapter.changesSince(String(BigInt(first.version) - 5n), 20);
    expect(feed.changes.some((c) => c.entity === 'contract' && c.id === first.contractId && c.consumerRef === first.consumerRef)).toBe(true);
    // The consumer the applicant acts for gets a second contract; no new consumer.
    const second = await f.adapter.createContract({ ...request, applicationRef: randomUUID(), consumerRef: f.contract.consumerRef, objectAddress: 'г. Краснодар, ул. Вторая, 2' });
    expect(second).toMatchObject({ ok: true, created: true, consumerRef: f.contract.consumerRef });
    expect(second.ok && second.contractNumber).not.toBe(first.contractNumber);
    expect(await f.adapter.findContractForLink(second.ok ? second.contractNumber : '')).toMatchObject({ ok: true, consumerRef: f.contract.consumerRef });
  });

  it('loads the current state of changed entities', async () => {
    const found = (await f.adapter.contract(f.contract.consumerRef, f.contract.contractId))!;
    expect(found.contract.number).toBe(f.contract.number);
    expect(await f.adapter.contract('987654', f.contract.contractId)).toBeNull();
    const account = (await f.adapter.account(f.contract.contractId))!;
    expect(account.contractId).toBe(f.contract.contractId);
    expect(await f.adapter.invoice('987654')).toBeNull();
    expect(await f.adapter.payment('987654')).toBeNull();
  });
});

describe('BillingRefAdapter over the reference billing', () => {
  let f: Awaited<ReturnType<typeof referenceFixture>>;
  beforeAll(async () => {
    f = await referenceFixture();
  });
  afterAll(async () => {
    await f?.close();
  });

  it('refuses a terminated contract', async () => {
    expect(await f.adapter.findContractForLink(demoContracts.terminated.number, demoContracts.terminated.secret)).toMatchObject({ ok: false, code: 'contract_terminated' });
  });

  it('rejects readings with stable reasons and reports the recomputed account and profile', async () => {
    const good = await f.goodReading();
    const result = await f.adapter.submitReadings(f.contract.consumerRef, [
      { readingId: randomUUID(), ...good, value: '1' },
      { readingId: randomUUID(), ...good, zone: 'peak' },
      { readingId: randomUUID(), ...good, value: '123456789012' },
      { readingId: randomUUID(), ...good, date: '2025-07-01' },
      { readingId: randomUUID(), ...good },
    ]);
    expect(result.readings.map((r) => r.reasonCode ?? r.status)).toEqual(['reading_below_previous', 'zone_unknown', 'exceeds_digit_capacity', 'date_in_future', 'accepted']);
    expect(result.readings.every((r) => r.status === 'accepted' || (r.reasonText ?? '').length > 0)).toBe(true);
    expect(result.profilesChanged).toEqual([{ meteringPointId: '2', from: '2025-06-01', to: '2025-06-30' }]);
    const feed = await f.adapter.changesSince(String(BigInt(result.version) - 10n), 100);
    expect(feed.changes.map((c) => c.entity)).toEqual(expect.arrayContaining(['reading', 'contract', 'account', 'profile']));
    expect(feed.changes.find((c) => c.entity === 'profile')).toMatchObject({ id: '2', from: '2025-06-01', to: '2025-06-30', consumerRef: '1' });
  });

  it('serves hourly data of both kinds in the published schema', async () => {
    const metered = await f.adapter.hourly('1', '2025-05-01', '2025-05-31', 'metered');
    expect(metered).toHaveLength(31);
    const profile = await f.adapter.hourly('3', '2025-05-01', '2025-05-31', 'profile');
    expect(profile).toHaveLength(31);
    for (const day of [...metered, ...profile]) expect(Value.Errors(HourlyDay, day)).toEqual([]);
    expect(await f.adapter.hourly('3', '2025-05-01', '2025-05-31', 'metered')).toEqual([]);
  });

  it('gives invoices and acts with real PDFs', async () => {
    const snapshot = (await f.adapter.consumerSnapshot(f.contract.consumerRef, { since: '2025-01' }))!;
    const act = snapshot.invoices.find((i) => i.kind === 'act')!;
    expect(Value.Errors(Invoice, act)).toEqual([]);
    expect(await f.adapter.invoice(act.id)).toEqual(act);
    const pdf = (await f.adapter.invoicePdf(act.id))!;
    expect(Buffer.from(pdf.subarray(0, 5)).toString()).toBe('%PDF-');
    expect(pdfStructure(pdf)).toMatchObject({ pages: 1 });
  });

  it('shows a payment booked in billing in the feed, as a payment and on the account', async () => {
    const before = (await f.adapter.account(f.contract.contractId))!;
    const booked = await f.billing.bookPayment({ contractId: f.contract.contractId, amount: 50_000n, paidOn: TODAY, externalRef: `bank-${randomUUID()}` });
    const feed = await f.adapter.changesSince(String(BigInt(booked.version) - 2n), 10);
    expect(feed.changes.map((c) => [c.entity, c.id])).toEqual([
      ['payment', booked.id],
      ['account', f.contract.contractId],
    ]);
    const payment = (await f.adapter.payment(booked.id))!;
    expect(Value.Errors(Payment, payment)).toEqual([]);
    expect(payment).toMatchObject({ amount: '50000', paidOn: TODAY, contractId: f.contract.contractId });
    const after = (await f.adapter.account(f.contract.contractId))!;
    expect(BigInt(after.debt)).toBe(BigInt(before.debt) - 50_000n);
    expect(BigInt(after.months.at(-1)!.paid)).toBe(BigInt(before.months.at(-1)!.paid) + 50_000n);
  });

  it('issues the month when billing runs its end-of-month job, and the documents appear in the feed', async () => {
    const from = await f.billing.version();
    const run = await f.billing.runMonthlyBilling('2025-06');
    expect(run.issued).toBeGreaterThan(0);
    const feed = await f.adapter.changesSince(from, 1000);
    const invoiceId = feed.changes.find((c) => c.entity === 'invoice' && c.consumerRef === '1')!.id;
    expect(await f.adapter.invoice(invoiceId)).toMatchObject({ period: '2025-06', contractId: '1' });
  });

  it('reports billing unavailable once its database is gone', async () => {
    const other = await referenceFixture();
    await other.close();
    await expect(other.adapter.ping()).rejects.toBeInstanceOf(BillingUnavailableError);
    await expect(other.adapter.changesSince('0', 10)).rejects.toBeInstanceOf(BillingUnavailableError);
  });
});
