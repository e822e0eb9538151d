import { BillingRef, billingRefMigrations, seedBillingDemo, type BillingRefDb } from '@app/billing-ref';
import { createTestDatabase, type TestDatabase } from '@app/kernel/testing';
import { chunksOf, code15, dayPeriods, sample80020 } from '@app/metering-formats/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BillingRefAdapter } from '../billing/billing-ref-adapter.js';
import { import80020 } from './metering-import.js';

// The back office hands an 80020 file of the grid to the reference billing, through the adapter.
describe('80020 import by the back office', () => {
  let billingDb: TestDatabase<BillingRefDb>;
  let billing: BillingRef;
  let adapter: BillingRefAdapter;
  let inn: string;

  beforeAll(async () => {
    billingDb = await createTestDatabase<BillingRefDb>({ migrations: billingRefMigrations });
    await seedBillingDemo(billingDb, { consumers: 10, today: '2025-06-15' });
    billing = new BillingRef(billingDb, { now: () => new Date('2025-06-15T09:00:00Z') });
    adapter = new BillingRefAdapter(billing);
    inn = (await adapter.consumerSnapshot('1', { since: '2025-06' }))!.profile.inn!;
  }, 120_000);
  afterAll(async () => {
    await billingDb?.close();
  });

  it('stores channel 01 of the consumer\'s interval point as metered hours (half-hours summed); billing refuses its integral point; a point not the consumer\'s is reported and not sent', async () => {
    const file = sample80020({
      day: '2025-06-10',
      areaInn: inn,
      points: [
        // D-000001's point 1 (TU-0000001) has the interval meter; point 2 a day/night integral meter.
        { code: code15(1), channels: [{ code: '01', periods: dayPeriods(30, (i) => `${(i % 2) + 1}.5`) }, { code: '03', periods: dayPeriods() }] },
        { code: code15(2), channels: [{}] },
        { code: '999999999999999', channels: [{}] },
      ],
    });
    const result = await import80020(adapter, '1', chunksOf(file, 4096), '2025-06-15');
    expect(result).toMatchObject({ day: '2025-06-10', senderInn: '7701234567', channelsRead: 4, channelsIgnored: 1 });
    expect(result.problems).toMatchObject([{ code: 'unknown_point', pointCode: '999999999999999' }]);
    expect(result.points).toEqual([
      { code: code15(1), meteringPointId: '1', accepted: 1, rejected: [] },
      { code: code15(2), meteringPointId: '2', accepted: 0, rejected: [expect.objectContaining({ code: 'point_not_interval' })] },
    ]);
    const stored = await billing.hourly('1', '2025-06-10', '2025-06-10', 'metered');
    expect(stored).toEqual([{ date: '2025-06-10', hours: Array.from({ length: 24 }, () => '4') }]);
  });

  it('refuses a broken file as a whole with the parser\'s code and sends nothing', async () => {
    const before = await billing.hourly('1', '2025-06-11', '2025-06-11', 'metered');
    await expect(import80020(adapter, '1', chunksOf(sample80020({ day: '2025-06-11', declare: 'utf-8', bytesAs: 'windows-1251', points: [{ code: code15(1) }] })), '2025-06-15')).rejects.toMatchObject({ code: 'encoding_mismatch', status: 422 });
    expect(await billing.hourly('1', '2025-06-11', '2025-06-11', 'metered')).toEqual(before);
    await expect(import80020(adapter, '424242', chunksOf(sample80020({ points: [] })), '2025-06-15')).rejects.toMatchObject({ code: 'consumer_not_found' });
  });

  it('takes an area only with the consumer\'s INN: another area is one problem at its line and nothing of it is sent, even the consumer\'s own point', async () => {
    const file = sample80020({
      day: '2025-06-12',
      areaInn: inn,
      points: [{ code: code15(1), channels: [{ periods: dayPeriods(60, () => '3') }] }],
      moreAreas: [{ inn: '7700000001', points: [{ code: code15(1), channels: [{ periods: dayPeriods(60, () => '8') }] }, { code: '999999999999999' }] }],
    });
    const result = await import80020(adapter, '1', chunksOf(file, 4096), '2025-06-15');
    expect(result.problems).toEqual([expect.objectContaining({ code: 'area_inn_mismatch', element: 'area', line: expect.any(Number) })]);
    expect(result.problems[0]!.message).toContain('7700000001');
    expect(result.points).toEqual([{ code: code15(1), meteringPointId: '1', accepted: 1, rejected: [] }]);
    expect(await billing.hourly('1', '2025-06-12', '2025-06-12', 'metered')).toEqual([{ date: '2025-06-12', hours: Array.from({ length: 24 }, () => '3') }]);

    // Only someone else's area: nothing sent (billing keeps the day it had).
    const before = await billing.hourly('1', '2025-06-13', '2025-06-13', 'metered');
    const foreign = await import80020(adapter, '1', chunksOf(sample80020({ day: '2025-06-13', areaInn: '7700000001', points: [{ code: code15(1) }] })), '2025-06-15');
    expect(foreign).toMatchObject({ points: [], problems: [{ code: 'area_inn_mismatch' }] });
    expect(await billing.hourly('1', '2025-06-13', '2025-06-13', 'metered')).toEqual(before);
  });

  it('takes any area of a trusted sender (a grid company writing its own INN in the area)', async () => {
    const file = sample80020({ day: '2025-06-14', senderInn: '7701234567', areaInn: '7700000001', points: [{ code: code15(1), channels: [{ periods: dayPeriods(60, () => '5') }] }] });
    const untrusted = await import80020(adapter, '1', chunksOf(file), '2025-06-15', { trustedSenders: ['7709999999'] });
    expect(untrusted.points).toEqual([]);
    expect(untrusted.problems).toMatchObject([{ code: 'area_inn_mismatch' }]);
    const trusted = await import80020(adapter, '1', chunksOf(file), '2025-06-15', { trustedSenders: ['7709999999', '7701234567'] });
    expect(trusted).toMatchObject({ problems: [], points: [{ code: code15(1), accepted: 1 }] });
    expect(await billing.hourly('1', '2025-06-14', '2025-06-14', 'metered')).toEqual([{ date: '2025-06-14', hours: Array.from({ length: 24 }, () => '5') }]);
  });
});
