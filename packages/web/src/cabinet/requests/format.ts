import i18n from 'i18next';

/** A moment as the consumer reads it (local time, their language). */
export function dateTimeOf(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Intl.DateTimeFormat(i18n.language === 'en' ? 'en-GB' : 'ru-RU', { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}

/** Today in the browser's calendar, YYYY-MM-DD. */
export const todayIso = () => new Date().toLocaleDateString('sv-SE');
