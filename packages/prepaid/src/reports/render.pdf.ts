import { createRequire } from 'node:module';
import PDFDocument from 'pdfkit';
import { formatDateTime, formatMoney, type Cell, type Report, type ReportColumn, type ReportLang } from './model.js';
import { textsFor } from './texts.js';

/**
 * A report as PDF: A4 landscape, DejaVu Sans embedded (Cyrillic renders in every viewer), a header
 * repeated on each page, money right-aligned. Written for prepaid (it may not use billing-ref's).
 */
const require = createRequire(import.meta.url);
const FONT = require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf');
const FONT_BOLD = require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf');

export function cellText(value: Cell, column: ReportColumn, lang: ReportLang): string {
  if (value === null || value === undefined) return '';
  if (column.kind === 'money') return formatMoney(BigInt(value as bigint), lang);
  if (column.kind === 'datetime' && value instanceof Date) return formatDateTime(value, lang);
  return String(value);
}

export function renderPdf(report: Report, lang: ReportLang = 'ru'): Promise<Buffer> {
  const pdf = new PDFDocument({ size: 'A4', layout: 'landscape', margin: 36, bufferPages: true, info: { Title: report.title, Author: 'Prepaid processing', CreationDate: report.generatedAt } });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    pdf.on('data', (c: Buffer) => chunks.push(c));
    pdf.on('end', () => resolve(Buffer.concat(chunks)));
    pdf.on('error', reject);
  });
  pdf.registerFont('regular', FONT);
  pdf.registerFont('bold', FONT_BOLD);
  const left = pdf.page.margins.left;
  const width = pdf.page.width - left - pdf.page.margins.right;
  const bottom = () => pdf.page.height - pdf.page.margins.bottom - 14;

  pdf.font('bold').fontSize(14).text(report.title, left, pdf.page.margins.top);
  pdf.font('regular').fontSize(9);
  for (const line of report.lines) pdf.text(line);
  pdf.text(`${textsFor(lang).generated}: ${formatDateTime(report.generatedAt, lang)}`);
  pdf.moveDown(0.5);

  for (const table of report.tables) {
    const total = table.columns.reduce((s, c) => s + (c.width ?? 1), 0);
    const xs: number[] = [];
    let x = left;
    for (const c of table.columns) {
      xs.push(x);
      x += ((c.width ?? 1) / total) * width;
    }
    const w = (i: number) => ((table.columns[i]!.width ?? 1) / total) * width - 4;
    const row = (cells: string[], bold: boolean) => {
      pdf.font(bold ? 'bold' : 'regular').fontSize(8);
      const height = Math.max(...cells.map((c, i) => pdf.heightOfString(c, { width: w(i) }))) + 3;
      if (pdf.y + height > bottom()) {
        pdf.addPage();
        if (!bold) header();
        pdf.font('regular').fontSize(8);
      }
      const y = pdf.y;
      cells.forEach((c, i) => pdf.text(c, xs[i]!, y, { width: w(i), align: table.columns[i]!.kind === 'text' || table.columns[i]!.kind === 'datetime' ? 'left' : 'right', lineBreak: true }));
      pdf.y = y + height;
      pdf.x = left;
    };
    const header = () => {
      row(table.columns.map((c) => c.title), true);
      pdf.moveTo(left, pdf.y - 1).lineTo(left + width, pdf.y - 1).lineWidth(0.5).stroke();
    };
    if (table.title) {
      if (pdf.y + 40 > bottom()) pdf.addPage();
      pdf.font('bold').fontSize(10).text(table.title, left, pdf.y);
      pdf.moveDown(0.2);
    }
    header();
    for (const r of table.rows) row(table.columns.map((c) => cellText(r[c.key] ?? null, c, lang)), false);
    if (table.totals) {
      pdf.moveTo(left, pdf.y).lineTo(left + width, pdf.y).lineWidth(0.5).stroke();
      pdf.y += 2;
      row(table.columns.map((c) => cellText(table.totals![c.key] ?? null, c, lang)), true);
    }
    pdf.moveDown(0.8);
  }

  // Page numbers, once every page exists.
  const range = pdf.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    pdf.switchToPage(i);
    pdf.font('regular').fontSize(7).text(`${i + 1} / ${range.count}`, left, pdf.page.height - pdf.page.margins.bottom + 4, { width, align: 'right', lineBreak: false });
  }
  pdf.end();
  return done;
}
