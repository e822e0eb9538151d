import { describe, expect, it } from 'vitest';
import { addDays, checkSchedule, duePeriods, localDate, parseDuration, zonedInstant, type Schedule } from './schedule.js';

const at = (iso: string) => new Date(iso);
const keys = (schedule: Schedule, now: string, count = 1) => duePeriods(schedule, at(now), count).map((p) => [p.key, p.dueAt.toISOString()]);

describe('schedules', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['15m', 900_000],
    ['1h', 3_600_000],
    ['1d', 86_400_000],
    [2_000, 2_000],
  ] as const)('reads the duration %s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['1 h', '0m', '1w', '-5s', ''])('refuses the duration "%s"', (text) => {
    expect(() => parseDuration(text as never)).toThrow(/duration/);
  });

  it('cuts interval periods on the epoch grid, keyed by their start', () => {
    expect(keys({ every: '1h' }, '2026-11-25T14:59:59.999Z', 2)).toEqual([
      ['2026-11-25T14:00:00.000Z', '2026-11-25T14:00:00.000Z'],
      ['2026-11-25T13:00:00.000Z', '2026-11-25T13:00:00.000Z'],
    ]);
  });

  it('keys a daily job by the local date and makes it due at the local time', () => {
    const moscow: Schedule = { daily: '02:00', timeZone: 'Europe/Moscow' };
    // 01:59 in Moscow (UTC+3) on the 25th: the 25th is not due yet, the 24th is.
    expect(keys(moscow, '2026-11-24T22:59:00Z')).toEqual([['2026-11-24', '2026-11-23T23:00:00.000Z']]);
    expect(keys(moscow, '2026-11-24T23:00:00Z', 3)).toEqual([
      ['2026-11-25', '2026-11-24T23:00:00.000Z'],
      ['2026-11-24', '2026-11-23T23:00:00.000Z'],
      ['2026-11-23', '2026-11-22T23:00:00.000Z'],
    ]);
  });

  it('follows daylight saving time where the zone has it', () => {
    // Berlin moves to summer time (UTC+2) at 01:00Z on 2026-03-29: 03:30 local is 01:30Z that day, 02:30Z the day before.
    expect(keys({ daily: '03:30', timeZone: 'Europe/Berlin' }, '2026-03-29T12:00:00Z', 2)).toEqual([
      ['2026-03-29', '2026-03-29T01:30:00.000Z'],
      ['2026-03-28', '2026-03-28T02:30:00.000Z'],
    ]);
  });

  it('keys a monthly job by the month and clamps the day to the month', () => {
    expect(keys({ monthly: { day: 31, at: '03:00' } }, '2026-03-01T00:00:00Z', 2)).toEqual([
      ['2026-02', '2026-02-28T03:00:00.000Z'],
      ['2026-01', '2026-01-31T03:00:00.000Z'],
    ]);
    expect(keys({ monthly: { day: 1, at: '00:00' }, timeZone: 'Europe/Moscow' }, '2026-11-30T21:00:00Z')).toEqual([['2026-12', '2026-11-30T21:00:00.000Z']]);
  });

  it('tells local dates and instants of a zone', () => {
    expect(localDate(at('2026-11-24T21:30:00Z'), 'Europe/Moscow')).toBe('2026-11-25');
    expect(zonedInstant('2026-11-25', '00:00', 'Europe/Moscow').toISOString()).toBe('2026-11-24T21:00:00.000Z');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
  });

  it.each([
    [{ daily: '25:00' }, /HH:MM/],
    [{ daily: '02:00', timeZone: 'Mars/Olympus' }, /time zone/],
    [{ monthly: { day: 0, at: '02:00' } }, /1–31/],
    [{ every: '0s' }, /duration/],
  ] as const)('refuses a broken schedule %j at registration', (schedule, message) => {
    expect(() => checkSchedule(schedule as Schedule)).toThrow(message);
  });
});
