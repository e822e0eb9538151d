import i18n from 'i18next';
import { money as moneyOf } from '../../shared/format.js';

/** The cabinet API gives kopecks as decimal strings (int8): roubles only here, at the edge. */
export const rub = (kopecks: string | number | bigint | null | undefined) => (kopecks === null || kopecks === undefined || kopecks === '' ? '—' : moneyOf(BigInt(kopecks)));

const locale = () => (i18n.language === 'en' ? 'en-GB' : 'ru-RU');

export function date(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = iso.length === 10 ? new Date(`${iso}T00:00:00`) : new Date(iso);
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium' }).format(d);
}

export function number(value: number | string | null | undefined, digits = 3): string {
  if (value === null || value === undefined || value === '') return '—';
  return new Intl.NumberFormat(locale(), { maximumFractionDigits: digits }).format(Number(value));
}

/** "2026-11" → "ноябрь 2026 г." / "November 2026". */
export function month(period: string): string {
  const [y, m] = period.split('-').map(Number);
  return new Intl.DateTimeFormat(locale(), { month: 'long', year: 'numeric' }).format(new Date(y!, (m ?? 1) - 1, 1));
}
