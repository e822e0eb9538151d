import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import type { RegistryKind } from '../tables.js';
import { columnsOf } from './columns.js';

/**
 * Downloadable templates, made from the same column list the parser reads. The CSV is what Excel
 * opens correctly in a Russian locale: UTF-8 with a BOM, semicolons. The workbook has the header on
 * its first sheet (the one that is read; identifier and account columns are text so leading zeros
 * survive) and a second sheet describing every column.
 */
export function csvTemplate(kind: RegistryKind): Buffer {
  return Buffer.from(`\uFEFF${stringify([columnsOf(kind).map((c) => c.name)], { delimiter: ';', record_delimiter: '\r\n' })}`);
}

const TEXT_COLUMNS = new Set(['client_id', 'account_number', 'line_id', 'card_uid', 'nfc', 'qr', 'employee_number', 'phone', 'products', 'product']);

export async function xlsxTemplate(kind: RegistryKind): Promise<Buffer> {
  const columns = columnsOf(kind);
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Prepaid processing';
  const sheet = workbook.addWorksheet(kind === 'clients' ? 'Клиенты' : 'Зачисления', { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = columns.map((c) => ({ header: c.name, key: c.name, width: Math.max(14, c.name.length + 4), style: TEXT_COLUMNS.has(c.name) ? { numFmt: '@' } : {} }));
  sheet.getRow(1).font = { bold: true };
  columns.forEach((c, i) => {
    sheet.getRow(1).getCell(i + 1).note = `${c.title}${c.required ? ' (обязательно)' : ''}: ${c.format}`;
  });
  const about = workbook.addWorksheet('Описание колонок');
  about.columns = [
    { header: 'column', width: 18 },
    { header: 'required', width: 10 },
    { header: 'название', width: 32 },
    { header: 'format', width: 70 },
    { header: 'example', width: 18 },
  ];
  about.getRow(1).font = { bold: true };
  for (const c of columns) about.addRow([c.name, c.required ? 'yes' : 'no', c.title, c.format, c.example]);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
