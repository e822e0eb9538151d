/**
 * When jobs are due: pure functions over instants, no I/O and no timers, so the scheduler and its tests
 * share one clock they choose.
 *
 * A schedule divides time into periods; each period has a key (its identity in `job_runs`) and the
 * instant it becomes due. Three kinds, kept explicit rather than cron:
 *   { every: '15m' }                                   periods aligned to the Unix epoch (UTC): key = start, ISO
 *   { daily: '02:00', timeZone: 'Europe/Moscow' }      key = the local date, due at that local time
 *   { monthly: { day: 1, at: '03:00' }, timeZone }     key = 'YYYY-MM', due on that day (clamped to the
 *                                                      month's last day) at that local time
 * Time zones come from the runtime's IANA database (Intl), so DST rules are the platform's.
 */
export type Duration = number | `${number}${'ms' | 's' | 'm' | 'h' | 'd'}`;

export type Schedule =
  | { every: Duration }
  | { daily: string; timeZone?: string }
  | { monthly: { day: number; at: string }; timeZone?: string };

export interface Period {
  key: string;
  /** The instant the period's run becomes due. */
  dueAt: Date;
}

const UNITS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** Milliseconds of '90s', '15m', '1h', '1d' or a number of ms. */
export function parseDuration(value: Duration): number {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`duration must be a positive integer of ms, got ${value}`);
    return value;
  }
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(value);
  const ms = match ? Number(match[1]) * UNITS[match[2] as keyof typeof UNITS] : 0;
  if (!ms) throw new Error(`duration must look like 500ms, 30s, 15m, 1h or 1d, got "${value}"`);
  return ms;
}

/** Throws on a schedule that cannot work (bad time, unknown time zone, zero interval), so a typo stops the start. */
export function checkSchedule(schedule: Schedule): void {
  if ('every' in schedule) {
    parseDuration(schedule.every);
    return;
  }
  checkTimeZone(schedule.timeZone ?? 'UTC');
  if ('daily' in schedule) parseTime(schedule.daily);
  else {
    parseTime(schedule.monthly.at);
    if (!Number.isInteger(schedule.monthly.day) || schedule.monthly.day < 1 || schedule.monthly.day > 31) throw new Error(`monthly day must be 1–31, got ${schedule.monthly.day}`);
  }
}

/** The latest `count` periods already due at `now`, newest first. */
export function duePeriods(schedule: Schedule, now: Date, count = 1): Period[] {
  const periods: Period[] = [];
  if ('every' in schedule) {
    const ms = parseDuration(schedule.every);
    const start = Math.floor(now.getTime() / ms) * ms;
    for (let i = 0; i < count; i++) {
      const dueAt = new Date(start - i * ms);
      periods.push({ key: dueAt.toISOString(), dueAt });
    }
    return periods;
  }
  const timeZone = schedule.timeZone ?? 'UTC';
  if ('daily' in schedule) {
    const at = schedule.daily;
    let date = localDate(now, timeZone);
    if (zonedInstant(date, at, timeZone) > now) date = addDays(date, -1);
    for (let i = 0; i < count; i++, date = addDays(date, -1)) periods.push({ key: date, dueAt: zonedInstant(date, at, timeZone) });
    return periods;
  }
  const { day, at } = schedule.monthly;
  const dueIn = (month: string) => zonedInstant(`${month}-${String(Math.min(day, daysInMonth(month))).padStart(2, '0')}`, at, timeZone);
  let month = localDate(now, timeZone).slice(0, 7);
  if (dueIn(month) > now) month = addMonths(month, -1);
  for (let i = 0; i < count; i++, month = addMonths(month, -1)) periods.push({ key: month, dueAt: dueIn(month) });
  return periods;
}

/** The calendar date ('YYYY-MM-DD') of `instant` in `timeZone`. */
export function localDate(instant: Date, timeZone: string): string {
  const p = wallClock(instant.getTime(), timeZone);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}`;
}

/** The instant at which the wall clock of `timeZone` shows `date` `time` ('YYYY-MM-DD', 'HH:MM'). */
export function zonedInstant(date: string, time: string, timeZone: string): Date {
  const [y, m, d] = parseDate(date);
  const [hh, mm] = parseTime(time);
  const asUtc = Date.UTC(y, m - 1, d, hh, mm);
  // The offset at the guess, then at the corrected instant (differs only next to a DST change).
  let instant = asUtc - offsetAt(asUtc, timeZone);
  const second = offsetAt(instant, timeZone);
  if (asUtc - second !== instant) instant = asUtc - second;
  return new Date(instant);
}

/** Local midnight of `date` in `timeZone`: the start of that day as an instant. */
export const startOfLocalDay = (date: string, timeZone: string) => zonedInstant(date, '00:00', timeZone);

export function addDays(date: string, days: number): string {
  const [y, m, d] = parseDate(date);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

function addMonths(month: string, months: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m - 1 + months, 1)).toISOString().slice(0, 7);
}

function daysInMonth(month: string): number {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

function parseTime(time: string): [number, number] {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(time);
  if (!match) throw new Error(`time must be HH:MM (24 h), got "${time}"`);
  return [Number(match[1]), Number(match[2])];
}

function parseDate(date: string): [number, number, number] {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) throw new Error(`date must be YYYY-MM-DD, got "${date}"`);
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

function checkTimeZone(timeZone: string) {
  try {
    formatter(timeZone);
  } catch {
    throw new Error(`unknown time zone "${timeZone}"`);
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string) {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(timeZone, f);
  }
  return f;
}

function wallClock(ms: number, timeZone: string) {
  const parts: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(new Date(ms))) if (part.type !== 'literal') parts[part.type] = Number(part.value);
  return parts as { year: number; month: number; day: number; hour: number; minute: number; second: number };
}

/** How far the wall clock of `timeZone` is ahead of UTC at `ms`, in ms. */
function offsetAt(ms: number, timeZone: string): number {
  const p = wallClock(ms, timeZone);
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return wall - (ms - (((ms % 1000) + 1000) % 1000));
}

const pad = (n: number) => String(n).padStart(2, '0');
