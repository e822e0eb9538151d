/** Calendar helpers on YYYY-MM-DD / YYYY-MM text (the supplier's dates; no time zones involved). */

export function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** The first month of the `months`-long window ending with the month of `today` (13 → a year and the current month). */
export function windowStartMonth(today: string, months: number): string {
  const [y, m] = today.split('-').map(Number) as [number, number];
  const index = y * 12 + (m - 1) - (months - 1);
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** Month chunks [from, to] (inclusive dates) from `startMonth` up to `today`, the last one cut at today. */
export function monthChunks(startMonth: string, today: string): Array<{ month: string; from: string; to: string }> {
  const chunks: Array<{ month: string; from: string; to: string }> = [];
  let [y, m] = startMonth.split('-').map(Number) as [number, number];
  for (;;) {
    const month = `${y}-${String(m).padStart(2, '0')}`;
    const from = `${month}-01`;
    if (from > today) break;
    const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
    const end = `${month}-${String(last).padStart(2, '0')}`;
    chunks.push({ month, from, to: end < today ? end : today });
    m += 1;
    if (m > 12) {
      m = 1;
      y += 1;
    }
  }
  return chunks;
}

/** Month chunks covering [from, to]. */
export function chunksBetween(from: string, to: string): Array<{ month: string; from: string; to: string }> {
  return monthChunks(from.slice(0, 7), to).map((c) => ({ month: c.month, from: c.from < from ? from : c.from, to: c.to }));
}
