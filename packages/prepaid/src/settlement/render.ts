import { createHash, type Hash } from 'node:crypto';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import type ExcelJS from 'exceljs';
import type { SettlementKind } from '../tables.js';
import { CSV_COLUMNS, csvLine, csvTotals, KIND_TITLES, localDateTime, OPERATION_TITLES, rublesCell, type SettlementLine, type Totals } from './format.js';

/**
 * The registry files, written line page by line page as the journal is read: a CSV (UTF-8 with BOM,
 * `;`, CRLF — what a Russian Excel opens without asking) and an .xlsx (ExcelJS's streaming writer, so a
 * period of a million lines never sits in memory). The CSV's bytes are also its identity: their SHA-256
 * is stored with the registry and recomputed on every rendering of either format.
 */
export interface LineSink {
  lines(batch: SettlementLine[], firstLineNo: number): Promise<void>;
  /** After the last line; `verify` throws before anything final is written when the content is not what was stored. */
  end(totals: Totals, verify: () => void): Promise<void>;
}

export interface RegistryHeading {
  id: string | null;
  kind: SettlementKind;
  partyCode: string;
  partyName: string;
  from: Date;
  to: Date;
  timeZone: string;
}

const CSV_OPTIONS = { delimiter: ';', record_delimiter: 'windows' } as const;
const BOM = '\uFEFF';

async function write(out: Writable, chunk: string | Buffer) {
  if (!out.write(chunk)) await once(out, 'drain');
}

/** Hashes the canonical CSV and, given `out`, writes it there. `sha256` is set once `end` ran. */
export class CsvSink implements LineSink {
  private readonly hash: Hash = createHash('sha256');
  sha256: string | undefined;

  constructor(private readonly out?: Writable) {}

  private async emit(text: string) {
    this.hash.update(text);
    if (this.out) await write(this.out, text);
  }

  async lines(batch: SettlementLine[], firstLineNo: number) {
    const header = firstLineNo === 1 ? BOM + stringify([[...CSV_COLUMNS]], CSV_OPTIONS) : '';
    await this.emit(header + stringify(batch.map((l, i) => csvLine(firstLineNo + i, l)), CSV_OPTIONS));
  }

  async end(totals: Totals, verify: () => void) {
    // A registry without lines still has its header.
    const header = totals.lineCount === 0 ? BOM + stringify([[...CSV_COLUMNS]], CSV_OPTIONS) : '';
    const tail = header + stringify(csvTotals(totals), CSV_OPTIONS);
    this.hash.update(tail);
    this.sha256 = this.hash.digest('hex');
    verify();
    if (this.out) {
      await write(this.out, tail);
      this.out.end();
    }
  }
}

const HEADER_ROW = 5;
const MONEY = '#,##0.00';
const COLUMNS = [
  { header: '№', width: 8 },
  { header: 'Дата и время', width: 20 },
  { header: 'Операция', width: 11 },
  { header: 'ТСП', width: 16 },
  { header: 'Терминал', width: 14 },
  { header: 'Идентификатор', width: 16 },
  { header: 'Лицевой счёт', width: 16 },
  { header: 'Продукт', width: 12 },
  { header: 'Сумма, ₽', width: 14 },
  { header: 'Операция (id)', width: 38 },
  { header: 'Исходная операция', width: 38 },
];
const AMOUNT_COLUMN = 'I';

type Workbook = ExcelJS.stream.xlsx.WorkbookWriter;
type Worksheet = ExcelJS.Worksheet;

/**
 * The .xlsx: sheet "Реестр" (a heading, one row per line, a totals row summing the amounts) and sheet
 * "Итоги" (per product: lines, purchases, returns, net; and all products). Amounts are numbers of
 * roubles with two decimals, made from kopecks by bigint division.
 */
export class XlsxSink implements LineSink {
  private constructor(
    private readonly workbook: Workbook,
    private readonly sheet: Worksheet,
    private readonly heading: RegistryHeading,
  ) {}

  static async open(out: Writable, heading: RegistryHeading): Promise<XlsxSink> {
    // Loaded on first use, like the registry reader: a process that never writes xlsx does not carry ExcelJS.
    const { default: ExcelJS } = await import('exceljs');
    const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
    workbook.creator = 'prepaid settlement';
    const sheet = workbook.addWorksheet('Реестр', { views: [{ state: 'frozen', ySplit: HEADER_ROW }] });
    sheet.columns = COLUMNS.map((c) => ({ width: c.width }));
    const z = heading.timeZone;
    const title = sheet.addRow([`Реестр расчётов с ${KIND_TITLES[heading.kind]} ${heading.partyName} (${heading.partyCode})`]);
    title.font = { bold: true, size: 13 };
    title.commit();
    sheet.addRow([`Период: с ${localDateTime(heading.from, z)} по ${localDateTime(heading.to, z)} (${z}), конец периода не включается`]).commit();
    sheet.addRow([heading.id ? `Реестр ${heading.id}` : '']).commit();
    sheet.addRow([]).commit();
    const header = sheet.addRow(COLUMNS.map((c) => c.header));
    header.font = { bold: true };
    header.commit();
    return new XlsxSink(workbook, sheet, heading);
  }

  async lines(batch: SettlementLine[], firstLineNo: number) {
    batch.forEach((l, i) => {
      const row = this.sheet.addRow([
        firstLineNo + i,
        localDateTime(l.createdAt, this.heading.timeZone),
        OPERATION_TITLES[l.type],
        l.merchantCode,
        l.terminalCode ?? '',
        l.identifier ?? '',
        l.accountNumber ?? '',
        l.product,
        rublesCell(l.amount),
        l.operationId,
        l.originalOperationId ?? '',
      ]);
      row.getCell(AMOUNT_COLUMN).numFmt = MONEY;
      row.commit();
    });
  }

  async end(totals: Totals, verify: () => void) {
    const first = HEADER_ROW + 1;
    const last = HEADER_ROW + totals.lineCount;
    const total = this.sheet.addRow(['Итого', '', '', '', '', '', '', `строк: ${totals.lineCount}`]);
    const net = rublesCell(totals.net);
    total.getCell(AMOUNT_COLUMN).value = totals.lineCount ? { formula: `SUM(${AMOUNT_COLUMN}${first}:${AMOUNT_COLUMN}${last})`, result: net } : net;
    total.getCell(AMOUNT_COLUMN).numFmt = MONEY;
    total.font = { bold: true };
    total.commit();
    this.sheet.commit();

    const summary = this.workbook.addWorksheet('Итоги');
    summary.columns = [{ width: 14 }, { width: 10 }, { width: 16 }, { width: 16 }, { width: 18 }];
    const head = summary.addRow(['Продукт', 'Строк', 'Покупки, ₽', 'Возвраты, ₽', 'К перечислению, ₽']);
    head.font = { bold: true };
    head.commit();
    const money = (row: ExcelJS.Row) => ['C', 'D', 'E'].forEach((c) => (row.getCell(c).numFmt = MONEY));
    for (const t of totals.products()) {
      const row = summary.addRow([t.product, t.lines, rublesCell(t.purchases), rublesCell(t.returns), rublesCell(t.net)]);
      money(row);
      row.commit();
    }
    const all = summary.addRow(['Всего', totals.lineCount, rublesCell(totals.purchases), rublesCell(totals.returns), net]);
    money(all);
    all.font = { bold: true };
    all.commit();
    summary.commit();
    // Nothing final (the zip's directory) is written before the content is known to be the registry's.
    verify();
    await this.workbook.commit();
  }
}
