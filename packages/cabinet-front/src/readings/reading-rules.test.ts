import { describe, expect, it } from 'vitest';
import { checkReading, inWindow, type MeterDial, type ReadingContext, type ReadingInput } from './reading-rules.js';

const meter: MeterDial = { digits: 5, fractionDigits: 1, zones: ['T1', 'T2'], transformationRatio: '1', averageMonthlyKwh: '300' };
const ctx: ReadingContext = { today: '2026-03-24', window: { fromDay: 15, toDay: 25 }, previous: { date: '2026-02-22', value: '12000' } };
const reading = (over: Partial<ReadingInput> = {}): ReadingInput => ({ zone: 'T1', date: '2026-03-23', value: '12250', ...over });

describe('reading rules', () => {
  const cases: Array<{ name: string; input?: Partial<ReadingInput>; meter?: Partial<MeterDial>; ctx?: Partial<ReadingContext>; errors?: string[]; warnings?: string[]; consumption?: string }> = [
    { name: 'accepts a normal reading and computes consumption', consumption: '250' },
    { name: 'accepts the first reading of a meter (nothing to compare)', ctx: { previous: undefined } },
    { name: 'accepts a reading equal to the previous one', input: { value: '12000' }, consumption: '0' },
    { name: 'accepts fraction digits the dial has', input: { value: '12250.7' }, consumption: '250.7' },
    { name: 'ignores trailing zeros after the point', input: { value: '12250.70' }, consumption: '250.7' },
    { name: 'refuses a zone the meter does not have', input: { zone: 'T3' }, errors: ['zone:zone_not_on_meter'] },
    { name: 'refuses more integer digits than the dial', input: { value: '123456' }, errors: ['value:reading_exceeds_capacity'] },
    { name: 'accepts leading zeros within the dial', input: { value: '012250' }, consumption: '250' },
    { name: 'refuses more fraction digits than the dial', input: { value: '12250.75' }, errors: ['value:reading_too_many_decimals'] },
    { name: 'refuses a date in the future', input: { date: '2026-03-25' }, errors: ['date:reading_date_in_future'] },
    { name: 'refuses a date outside the reading window', input: { date: '2026-03-10' }, errors: ['date:outside_reading_window'] },
    { name: 'accepts the first and last day of the window', input: { date: '2026-03-15' }, consumption: '250' },
    { name: 'accepts a window running over the month end', input: { date: '2026-03-02' }, ctx: { window: { fromDay: 25, toDay: 5 } }, consumption: '250' },
    { name: 'refuses a date before the previous accepted reading', input: { date: '2026-02-20' }, ctx: { today: '2026-02-24' }, errors: ['date:reading_date_before_previous'] },
    { name: 'refuses a reading below the previous one', input: { value: '11999' }, errors: ['value:reading_below_previous'] },
    { name: 'takes a small reading after a nearly full dial as a rollover', input: { value: '00150' }, ctx: { previous: { date: '2026-02-22', value: '99900' } }, consumption: '250', warnings: ['value:rollover'] },
    { name: 'does not take a mid-dial drop as a rollover', input: { value: '40000' }, ctx: { previous: { date: '2026-02-22', value: '60000' } }, errors: ['value:reading_below_previous'] },
    { name: 'warns about a jump over 3× the average month', input: { value: '13000' }, consumption: '1000', warnings: ['value:abnormal_jump'] },
    { name: 'scales the jump threshold by the months since the previous reading', input: { value: '13000' }, ctx: { previous: { date: '2025-11-22', value: '12000' } }, consumption: '1000' },
    { name: 'applies the transformation ratio to the jump check', input: { value: '12100' }, meter: { transformationRatio: '40' }, consumption: '100', warnings: ['value:abnormal_jump'] },
    { name: 'does not warn without an average', input: { value: '19000' }, meter: { averageMonthlyKwh: null }, consumption: '7000' },
    { name: 'reports every problem at once', input: { zone: 'X', date: '2026-04-01', value: '1234567' }, errors: ['zone:zone_not_on_meter', 'value:reading_exceeds_capacity', 'date:reading_date_in_future', 'date:outside_reading_window'] },
  ];

  for (const c of cases) {
    it(c.name, () => {
      const verdict = checkReading({ ...meter, ...c.meter }, reading(c.input), { ...ctx, ...c.ctx });
      expect(verdict.errors.map((e) => `${e.field}:${e.code}`)).toEqual(c.errors ?? []);
      if (!c.errors) {
        expect(verdict.warnings.map((e) => `${e.field}:${e.code}`)).toEqual(c.warnings ?? []);
        expect(verdict.consumption).toBe(c.consumption);
      }
    });
  }

  it('names fields under the given path', () => {
    expect(checkReading(meter, reading({ zone: 'X' }), ctx, 'readings/2').errors[0]!.field).toBe('readings/2/zone');
  });

  it('treats the window edges inclusively both ways', () => {
    expect([14, 15, 25, 26].map((d) => inWindow(d, { fromDay: 15, toDay: 25 }))).toEqual([false, true, true, false]);
    expect([24, 25, 5, 6].map((d) => inWindow(d, { fromDay: 25, toDay: 5 }))).toEqual([false, true, true, false]);
  });
});
