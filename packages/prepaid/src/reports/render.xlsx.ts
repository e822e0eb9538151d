import ExcelJS from 'exceljs';
import { formatDateTime, type Report, type ReportLang } from './model.js';
import { textsFor } from './texts.js';

/**
 * A report as an .xlsx workbook: one sheet, the same tables as the PDF; money as numbers in roubles
 * with a two-decimal format (so Excel sums them), totals in bold.
 */
export async function renderXlsx(report: Report, lang: ReportLang = 'ru'): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.created = report.generatedAt;
  const sheet = workbook.addWorksheet(report.title.slice(0, 31));
  sheet.addRow([report.title]).font = { bold: true, size: 14 };
  for (const line of report.lines) sheet.addRow([line]);
  sheet.addRow([`${textsFor(lang).generated}: ${formatDateTime(report.generatedAt, lang)}`]);
  let widest = 0;
  for (const table of report.tables) {
    sheet.addRow([]);
    if (table.title) sheet.addRow([table.title]).font = { bold: true };
    sheet.addRow(table.columns.map((c) => c.title)).font = { bold: true };
    widest = Math.max(widest, table.columns.length);
    const add = (values: Record<string, unknown>, bold: boolean) => {
      const row = sheet.addRow(
        table.columns.map((c) => {
          const v = values[c.key];
          if (v === null || v === undefined) return null;
          if (c.kind === 'money') return Number(v as bigint) / 100;
          if (c.kind === 'int') return Number(v);
          return v instanceof Date ? v : String(v);
        }),
      );
      table.columns.forEach((c, i) => {
        const cell = row.getCell(i + 1);
        if (c.kind === 'money') cell.numFmt = '#,##0.00';
        if (c.kind === 'datetime') cell.numFmt = 'dd.mm.yyyy hh:mm:ss';
      });
      if (bold) row.font = { bold: true };
    };
    for (const r of table.rows) add(r, false);
    if (table.totals) add(table.totals, true);
  }
  for (let i = 1; i <= widest; i++) sheet.getColumn(i).width = i === 1 ? 24 : 18;
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
