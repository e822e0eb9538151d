import { describe, expect, it } from 'vitest';
import { checkReading, inReadingWindow, type ReadingFacts } from './reading-rules.js';

const base: ReadingFacts = {
  reading: { zone: 'day', date: '2025-03-25', value: '1100' },
  meter: { digits: 6, fractionDigits: 1, transformationRatio: '1', zones: ['day', 'night'], installedOn: '2020-01-01', removedOn: null },
  contract: { endedOn: null, readingWindow: { fromDay: 20, toDay: 31 } },
  previous: { date: '2025-02-25', value: '1000' },
  acceptedOnSameDate: false,
  averageDailyKwh: '3.5',
  today: '2025-03-26',
};
const facts = (patch: Partial<ReadingFacts> & { value?: string; date?: string; zone?: string }): ReadingFacts => {
  const { value, date, zone, ...rest } = patch;
  return { ...base, ...rest, reading: { ...base.reading, ...(value ? { value } : {}), ...(date ? { date } : {}), ...(zone ? { zone } : {}) } };
};

describe('reading acceptance rules', () => {
  it.each<[string, ReadingFacts, string]>([
    ['meter not of this consumer', facts({ meter: null }), 'meter_not_found'],
    ['meter removed before the date', facts({ meter: { ...base.meter!, removedOn: '2025-03-01' } }), 'meter_removed'],
    ['meter removed on the date', facts({ meter: { ...base.meter!, removedOn: '2025-03-25' } }), 'meter_removed'],
    ['date before installation', facts({ meter: { ...base.meter!, installedOn: '2025-03-26' } }), 'meter_not_active'],
    ['date after the contract ended', facts({ contract: { ...base.contract, endedOn: '2025-03-20' } }), 'meter_not_active'],
    ['zone the meter does not have', facts({ zone: 'peak' }), 'zone_unknown'],
    ['more whole digits than the dial', facts({ value: '1000000' }), 'exceeds_digit_capacity'],
    ['more fraction digits than the dial', facts({ value: '1100.25' }), 'exceeds_digit_capacity'],
    ['date after today', facts({ date: '2025-03-27' }), 'date_in_future'],
    ['day before the window', facts({ date: '2025-03-19' }), 'outside_reading_window'],
    ['same date accepted already', facts({ acceptedOnSameDate: true }), 'duplicate_reading'],
    ['older than the last accepted', facts({ date: '2025-03-20', previous: { date: '2025-03-22', value: '1000' } }), 'date_before_previous'],
    ['below the previous reading', facts({ value: '999' }), 'reading_below_previous'],
    ['below, and too far for a rollover', facts({ value: '10', previous: { date: '2025-02-25', value: '500000' } }), 'reading_below_previous'],
    ['ten times the usual consumption', facts({ value: '2200' }), 'abnormal_consumption'],
  ])('rejects: %s', (_name, input, code) => {
    const verdict = checkReading(input);
    expect(verdict).toMatchObject({ status: 'rejected', reasonCode: code });
    if (verdict.status === 'rejected') expect(verdict.reasonText.length).toBeGreaterThan(5);
  });

  it.each<[string, ReadingFacts, string | null, boolean]>([
    ['a normal month', facts({}), '100', false],
    ['equal to the previous one', facts({ value: '1000' }), '0', false],
    ['the first reading of a zone (base, no consumption)', facts({ previous: null, averageDailyKwh: null }), null, false],
    ['a rollover past the dial capacity', facts({ value: '20', previous: { date: '2025-02-25', value: '999950' }, averageDailyKwh: null }), '70', true],
    ['a jump with no history to compare', facts({ value: '9000', averageDailyKwh: null }), '8000', false],
    ['a small consumer above 10x but under the 100 kWh floor', facts({ value: '1090', averageDailyKwh: '0.1' }), '90', false],
    ['with a transformation ratio', facts({ value: '1002.5', meter: { ...base.meter!, transformationRatio: '40' } }), '100', false],
    ['trailing zeros in the fraction', facts({ value: '1100.50' }), '100.5', false],
    ['leading zeros as on the dial', facts({ value: '001100' }), '100', false],
  ])('accepts: %s', (_name, input, consumption, rollover) => {
    expect(checkReading(input)).toEqual({ status: 'accepted', previousDate: input.previous?.date ?? null, consumptionKwh: consumption, rollover });
  });

  it.each<[string, { fromDay: number; toDay: number }, boolean]>([
    ['2025-02-28', { fromDay: 20, toDay: 31 }, true],
    ['2025-02-28', { fromDay: 29, toDay: 31 }, true],
    ['2025-03-03', { fromDay: 25, toDay: 5 }, true],
    ['2025-03-10', { fromDay: 25, toDay: 5 }, false],
    ['2025-03-01', { fromDay: 1, toDay: 31 }, true],
    ['2025-03-26', { fromDay: 20, toDay: 25 }, false],
  ])('reading window: %s in %o is %s', (date, window, inside) => {
    expect(inReadingWindow(date, window)).toBe(inside);
  });
});
