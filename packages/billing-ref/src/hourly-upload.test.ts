import { describe, expect, it } from 'vitest';
import { checkHourlyDay } from './hourly-upload.js';

const meter = { installedOn: '2024-01-10', removedOn: '2025-05-01', contractEndedOn: null };
const day = (date: string, hours: string[] = Array(24).fill('1.5')) => ({ date, hours });

describe('hourly upload rules', () => {
  it.each([
    ['a good day', day('2024-06-01'), null],
    ['23 values', day('2024-06-01', Array(23).fill('1')), 'hourly_not_24_values'],
    ['a negative value', day('2024-06-01', [...Array(23).fill('1'), '-1']), 'hourly_value_invalid'],
    ['seven decimals', day('2024-06-01', [...Array(23).fill('1'), '0.1234567']), 'hourly_value_invalid'],
    ['not a date', day('2024-02-30'), 'hourly_date_invalid'],
    ['month 13', day('2024-13-01'), 'hourly_date_invalid'],
    ['tomorrow', day('2025-06-16'), 'date_in_future'],
    ['before installation', day('2024-01-09'), 'meter_not_active'],
    ['on the removal day', day('2025-05-01'), 'meter_not_active'],
  ])('%s', (_name, input, code) => {
    expect(checkHourlyDay(input, meter, '2025-06-15')?.code ?? null).toBe(code);
  });
});
