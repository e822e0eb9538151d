/**
 * How a settlement registry looks on paper: pure functions, no I/O. Money is integer kopecks all the
 * way; roubles are made only here, by bigint division, never by float arithmetic.
 */
import { spreadsheetSafe } from '@app/kernel';
import type { SettlementKind } from '../tables.js';

/** One line of a registry: one product of one operation. Purchases are positive, refunds and reversals negative. */
export interface SettlementLine {
  operationId: string;
  seq: bigint;
  type: 'purchase' | 'refund' | 'reversal';
  createdAt: Date;
  originalOperationId: string | null;
  merchantCode: string;
  terminalCode: string | null;
  /** Already masked. */
  identifier: string | null;
  accountNumber: string | null;
  product: string;
  amount: bigint;
}

export interface ProductTotal {
  product: string;
  lines: number;
  purchases: bigint;
  returns: bigint;
  net: bigint;
}

/** '1234,56' from 123456n; '-0,05' from -5n. `decimal` is ',' for people (ru) and '.' for machines. */
export function formatRubles(kopecks: bigint, decimal = ','): string {
  const sign = kopecks < 0n ? '-' : '';
  const abs = kopecks < 0n ? -kopecks : kopecks;
  return `${sign}${abs / 100n}${decimal}${String(abs % 100n).padStart(2, '0')}`;
}

/**
 * The number a spreadsheet cell holds for `kopecks` roubles: parsed from the exact decimal text, so the
 * written value is that text (any amount below 90 trillion roubles is exact in a double).
 */
export const rublesCell = (kopecks: bigint): number => Number(formatRubles(kopecks, '.'));

/** Keeps the last four characters of an identifier: '••••A1B2'. */
export function maskIdentifier(value: string | null | undefined): string | null {
  if (!value) return null;
  return value.length <= 4 ? '••••' : `••••${value.slice(-4)}`;
}

/** Running totals per product and overall, as lines go by. */
export class Totals {
  private readonly byProduct = new Map<string, ProductTotal>();
  lineCount = 0;
  operationCount = 0;
  private lastOperation: string | null = null;

  add(line: SettlementLine) {
    const t = this.byProduct.get(line.product) ?? { product: line.product, lines: 0, purchases: 0n, returns: 0n, net: 0n };
    t.lines++;
    if (line.amount >= 0n) t.purchases += line.amount;
    else t.returns -= line.amount;
    t.net += line.amount;
    this.byProduct.set(line.product, t);
    this.lineCount++;
    // Lines come ordered by operation, so a new id is a new operation.
    if (line.operationId !== this.lastOperation) this.operationCount++;
    this.lastOperation = line.operationId;
  }

  products(): ProductTotal[] {
    return [...this.byProduct.values()].sort((a, b) => (a.product < b.product ? -1 : a.product > b.product ? 1 : 0));
  }

  get purchases() {
    return this.products().reduce((s, t) => s + t.purchases, 0n);
  }
  get returns() {
    return this.products().reduce((s, t) => s + t.returns, 0n);
  }
  get net() {
    return this.products().reduce((s, t) => s + t.net, 0n);
  }
}

/** The CSV's columns (machine names; the xlsx carries the Russian titles). */
export const CSV_COLUMNS = [
  'record',
  'line_no',
  'created_at',
  'operation_type',
  'operation_id',
  'original_operation_id',
  'merchant',
  'terminal',
  'identifier',
  'account',
  'product',
  'amount_kopecks',
  'amount',
] as const;

/** A line as CSV cells: `record` = line; amount in kopecks and in roubles with a decimal comma. */
export function csvLine(lineNo: number, l: SettlementLine): string[] {
  return [
    'line',
    String(lineNo),
    l.createdAt.toISOString(),
    l.type,
    l.operationId,
    l.originalOperationId ?? '',
    spreadsheetSafe(l.merchantCode),
    spreadsheetSafe(l.terminalCode ?? ''),
    spreadsheetSafe(l.identifier ?? ''),
    l.accountNumber ?? '',
    spreadsheetSafe(l.product),
    l.amount.toString(),
    formatRubles(l.amount),
  ];
}

/** After the lines: one `total` record per product, then one for the whole registry (product empty); line_no = lines counted. */
export function csvTotals(totals: Totals): string[][] {
  const row = (product: string, lines: number, net: bigint) => ['total', String(lines), '', '', '', '', '', '', '', '', product, net.toString(), formatRubles(net)];
  return [...totals.products().map((t) => row(t.product, t.lines, t.net)), row('', totals.lineCount, totals.net)];
}

export const OPERATION_TITLES: Record<SettlementLine['type'], string> = { purchase: 'Покупка', refund: 'Возврат', reversal: 'Отмена' };
export const KIND_TITLES: Record<SettlementKind, string> = { merchant: 'торгово-сервисным предприятием', provider: 'поставщиком услуг' };

/** 'dd.mm.yyyy hh:mm:ss' on the wall clock of `timeZone`. */
export function localDateTime(instant: Date, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
      .formatToParts(instant)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.day}.${parts.month}.${parts.year} ${parts.hour}:${parts.minute}:${parts.second}`;
}
