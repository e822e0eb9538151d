/** Periods of the consumption screen: a day (24 hours), a month (its days), a year (its months); and the one before. */
export type View = 'day' | 'month' | 'year';

const iso = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
const parse = (s: string) => new Date(Number(s.slice(0, 4)), Number(s.slice(5, 7) || '1') - 1, Number(s.slice(8, 10) || '1'));

/** `anchor`: a day (YYYY-MM-DD) for every view; the month and year views take its month and year. */
export function period(view: View, anchor: string): { from: string; to: string } {
  const d = parse(anchor);
  if (view === 'day') return { from: iso(d), to: iso(d) };
  if (view === 'month') return { from: iso(new Date(d.getFullYear(), d.getMonth(), 1)), to: iso(new Date(d.getFullYear(), d.getMonth() + 1, 0)) };
  return { from: iso(new Date(d.getFullYear(), 0, 1)), to: iso(new Date(d.getFullYear(), 11, 31)) };
}

export function previousAnchor(view: View, anchor: string): string {
  const d = parse(anchor);
  if (view === 'day') return iso(new Date(d.getFullYear(), d.getMonth(), d.getDate() - 1));
  if (view === 'month') return iso(new Date(d.getFullYear(), d.getMonth() - 1, 1));
  return iso(new Date(d.getFullYear() - 1, 0, 1));
}

export interface Day {
  date: string;
  hours: string[];
}

/** Buckets of a period: 24 hours, the days of the month, or 12 months; a bucket without data is null. */
export function buckets(view: View, anchor: string, days: Day[]): (number | null)[] {
  const { from } = period(view, anchor);
  if (view === 'day') {
    const day = days.find((d) => d.date === from);
    return Array.from({ length: 24 }, (_, h) => (day && day.hours[h] !== undefined && day.hours[h] !== '' ? Number(day.hours[h]) : null));
  }
  const sum = (hours: string[]) => hours.reduce((n, h) => n + (Number(h) || 0), 0);
  if (view === 'month') {
    const length = Number(period(view, anchor).to.slice(8, 10));
    const byDate = new Map(days.map((d) => [d.date, sum(d.hours)]));
    return Array.from({ length }, (_, i) => byDate.get(`${from.slice(0, 8)}${String(i + 1).padStart(2, '0')}`) ?? null);
  }
  const months: (number | null)[] = Array.from({ length: 12 }, () => null);
  for (const d of days) {
    const m = Number(d.date.slice(5, 7)) - 1;
    months[m] = (months[m] ?? 0) + sum(d.hours);
  }
  return months;
}

export const round3 = (n: number | null) => (n === null ? null : Math.round(n * 1000) / 1000);
