import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
// Both sides of one rule set: the front's (the authority) and the browser's copy that shows reasons inline.
import { checkReading } from '../../packages/cabinet-front/src/readings/reading-rules.js';
import { check } from '../../packages/web/src/cabinet/readings/rules.js';

const day = fc.integer({ min: 0, max: 800 }).map((n) => new Date(Date.UTC(2025, 0, 1) + n * 86_400_000).toISOString().slice(0, 10));
const value = fc.oneof(
  fc.tuple(fc.bigInt({ min: 0n, max: 10n ** 9n }), fc.option(fc.integer({ min: 0, max: 99999 }))).map(([i, f]) => (f === null ? `${i}` : `${i}.${f}`)),
  fc.constantFrom('', 'abc', '1,5', '-3', '00012', '99999.9', '0.00001', '1e5'),
);
const dial = fc.record({
  digits: fc.integer({ min: 4, max: 9 }),
  fractionDigits: fc.integer({ min: 0, max: 3 }),
  zones: fc.constantFrom(['T1'], ['T1', 'T2'], ['T1', 'T2', 'T3']),
  transformationRatio: fc.constantFrom('1', '40', '0.5'),
  averageMonthlyKwh: fc.option(fc.constantFrom('100', '2500', '0'), { nil: undefined }),
});

describe('the browser copy of the reading rules', () => {
  it('gives the same errors, warnings and consumption as the front on any reading', () => {
    fc.assert(
      fc.property(dial, fc.constantFrom('T1', 'T2', 'T4'), day, value, day, fc.option(fc.tuple(day, value)), fc.record({ fromDay: fc.integer({ min: 1, max: 31 }), toDay: fc.integer({ min: 1, max: 31 }) }), (meter, zone, date, v, today, prev, window) => {
        const previous = prev && /^\d+(\.\d+)?$/.test(prev[1]) ? { date: prev[0], value: prev[1] } : undefined;
        const server = checkReading(meter, { zone, date, value: v }, { today, window, previous });
        const browser = check(meter, { zone, date, value: v }, { today, window, previous });
        expect(browser.errors.map((e) => `${e.field}:${e.code}`)).toEqual(server.errors.map((e) => `${e.field}:${e.code}`));
        expect(browser.warnings.map((e) => `${e.field}:${e.code}`)).toEqual(server.warnings.map((e) => `${e.field}:${e.code}`));
        expect(browser.consumption).toBe(server.consumption);
        expect(browser.rollover).toBe(server.rollover);
      }),
      { numRuns: 3000 },
    );
  });

  it('flags the cases a consumer meets: below the previous, a rollover, too many digits, out of the window', () => {
    const meter = { digits: 5, fractionDigits: 1, zones: ['T1'], transformationRatio: '1', averageMonthlyKwh: '300' };
    const ctx = { today: '2026-03-20', window: { fromDay: 15, toDay: 25 }, previous: { date: '2026-02-20', value: '99950' } };
    expect(check(meter, { zone: 'T1', date: '2026-03-20', value: '00010' }, ctx)).toMatchObject({ errors: [], rollover: true, consumption: '60' });
    expect(check(meter, { zone: 'T1', date: '2026-03-20', value: '50000' }, ctx).errors.map((e) => e.code)).toEqual(['reading_below_previous']);
    expect(check(meter, { zone: 'T1', date: '2026-03-20', value: '123456' }, ctx).errors.map((e) => e.code)).toEqual(['reading_exceeds_capacity']);
    expect(check(meter, { zone: 'T1', date: '2026-03-05', value: '99960' }, ctx).errors.map((e) => e.code)).toEqual(['outside_reading_window']);
  });
});
