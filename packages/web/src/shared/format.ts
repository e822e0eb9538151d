import i18n from 'i18next';

/** Money is integer kopecks everywhere; it becomes roubles only here, at the edge. */
export function money(kopecks: number | bigint | null | undefined): string {
  if (kopecks === null || kopecks === undefined) return '—';
  const n = typeof kopecks === 'bigint' ? Number(kopecks) : kopecks;
  return new Intl.NumberFormat(i18n.language === 'en' ? 'en-GB' : 'ru-RU', { style: 'currency', currency: 'RUB', minimumFractionDigits: 2 }).format(n / 100);
}

export function dateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Intl.DateTimeFormat(i18n.language === 'en' ? 'en-GB' : 'ru-RU', { dateStyle: 'short', timeStyle: 'medium' }).format(new Date(iso));
}

/** "123,45" or "123.45" roubles typed by a person → kopecks; null when it is not an amount. */
export function parseRoubles(text: string): number | null {
  const clean = text.replace(/\s/g, '').replace(',', '.');
  if (!/^-?\d+(\.\d{1,2})?$/.test(clean)) return null;
  const [whole, frac = ''] = clean.replace('-', '').split('.');
  const kopecks = Number(whole) * 100 + Number(frac.padEnd(2, '0'));
  return clean.startsWith('-') ? -kopecks : kopecks;
}

/** Start of a local day as an ISO timestamp (the journal's and reports' period bounds). */
export const dayStart = (date: string) => new Date(`${date}T00:00:00`).toISOString();
export const nextDayStart = (date: string) => {
  const d = new Date(`${date}T00:00:00`);
  d.setDate(d.getDate() + 1);
  return d.toISOString();
};
export const today = () => new Date().toLocaleDateString('sv-SE');
