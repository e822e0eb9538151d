/**
 * A report as data, before it is a PDF or a workbook: a title, header lines, one or more tables, each
 * with typed columns, rows and an optional totals row. Money stays integer kopecks here (bigint); only
 * the renderers format it. Both renderers take the same model, so PDF and Excel always agree.
 */
export type ColumnKind = 'text' | 'money' | 'int' | 'datetime';
export type Cell = string | number | bigint | Date | null;

export interface ReportColumn {
  key: string;
  title: string;
  kind: ColumnKind;
  /** Relative width in the PDF. */
  width?: number;
}

export interface ReportTable {
  title?: string;
  columns: ReportColumn[];
  rows: Array<Record<string, Cell>>;
  totals?: Record<string, Cell>;
}

export interface Report {
  title: string;
  lines: string[];
  tables: ReportTable[];
  /** When the data was read (the document's date). */
  generatedAt: Date;
  fileStem: string;
}

export type ReportKind = 'purchase_diary' | 'account_statement' | 'money_movement' | 'operations_journal' | 'merchant_turnover' | 'balances_summary';
export const reportKinds: ReportKind[] = ['purchase_diary', 'account_statement', 'money_movement', 'operations_journal', 'merchant_turnover', 'balances_summary'];
export type ReportLang = 'ru' | 'en';

export interface ReportParams {
  kind: ReportKind;
  from: string;
  to: string;
  accountId?: string;
  clientId?: string;
  merchantId?: string;
  lang?: ReportLang;
}

/** 123456 kopecks → "1 234,56" (ru) or "1,234.56" (en); plain spaces so copied text stays a number. */
export function formatMoney(kopecks: bigint, lang: ReportLang = 'ru'): string {
  const negative = kopecks < 0n;
  const abs = negative ? -kopecks : kopecks;
  const whole = (abs / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, lang === 'ru' ? ' ' : ',');
  return `${negative ? '-' : ''}${whole}${lang === 'ru' ? ',' : '.'}${(abs % 100n).toString().padStart(2, '0')}`;
}

export function formatDateTime(date: Date, lang: ReportLang = 'ru'): string {
  return new Intl.DateTimeFormat(lang === 'ru' ? 'ru-RU' : 'en-GB', { dateStyle: 'short', timeStyle: 'medium', timeZone: 'Europe/Moscow' }).format(date);
}
