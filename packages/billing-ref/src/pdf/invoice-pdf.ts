import { createRequire } from 'node:module';
import PDFDocument from 'pdfkit';

/**
 * The PDF of an invoice (счёт) or an act (акт приёма-передачи электроэнергии): A4, DejaVu Sans
 * embedded so Cyrillic renders everywhere. Rendered on request from the stored rows, and
 * reproducible: the document dates are the issue date, so the same invoice gives the same bytes.
 */
const require = createRequire(import.meta.url);
const FONT_REGULAR = require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf');
const FONT_BOLD = require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf');

export const SUPPLIER = { name: 'АО «Энергосбыт» (эталонный биллинг)', inn: '7800000000', address: 'Санкт-Петербург, ул. Энергетиков, 1' };

export interface InvoiceDocument {
  kind: 'invoice' | 'act';
  number: string;
  period: string;
  issuedOn: string;
  dueOn: string | null;
  amount: bigint;
  kwh: string;
  contract: { number: string; linkSecret: string };
  consumer: { name: string; inn: string | null; address: string | null };
  lines: Array<{ zone: string; zoneName: string; kwh: string; priceKopecks: string; amount: bigint }>;
}

const ZONE_RU: Record<string, string> = { total: 'круглосуточно', day: 'день', night: 'ночь', peak: 'пик', semipeak: 'полупик' };
const MONTHS_RU = ['январь', 'февраль', 'март', 'апрель', 'май', 'июнь', 'июль', 'август', 'сентябрь', 'октябрь', 'ноябрь', 'декабрь'];

export function rubles(kopecks: bigint): string {
  const negative = kopecks < 0n;
  const abs = negative ? -kopecks : kopecks;
  const whole = (abs / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
  return `${negative ? '−' : ''}${whole},${(abs % 100n).toString().padStart(2, '0')} руб.`;
}

function ruDate(date: string): string {
  const [y, m, d] = date.split('-');
  return `${d}.${m}.${y}`;
}

function ruPeriod(month: string): string {
  const [y, m] = month.split('-');
  return `${MONTHS_RU[Number(m) - 1]} ${y}`;
}

export function renderInvoicePdf(doc: InvoiceDocument): Promise<Buffer> {
  const title = doc.kind === 'invoice' ? 'Счёт на оплату электроэнергии' : 'Акт приёма-передачи электроэнергии';
  const issued = new Date(`${doc.issuedOn}T00:00:00Z`);
  const pdf = new PDFDocument({
    size: 'A4',
    margin: 50,
    info: { Title: `${title} № ${doc.number}`, Author: SUPPLIER.name, Subject: `Contract ${doc.contract.number}, ${doc.period}`, CreationDate: issued, ModDate: issued },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    pdf.on('data', (chunk: Buffer) => chunks.push(chunk));
    pdf.on('end', () => resolve(Buffer.concat(chunks)));
    pdf.on('error', reject);
  });
  pdf.registerFont('regular', FONT_REGULAR);
  pdf.registerFont('bold', FONT_BOLD);

  pdf.font('bold').fontSize(16).text(`${title} № ${doc.number}`);
  pdf.font('regular').fontSize(10).moveDown(0.3).text(`от ${ruDate(doc.issuedOn)}, расчётный период: ${ruPeriod(doc.period)}`);
  pdf.moveDown();
  pdf.font('bold').text('Поставщик: ', { continued: true }).font('regular').text(`${SUPPLIER.name}, ИНН ${SUPPLIER.inn}, ${SUPPLIER.address}`);
  pdf.font('bold').text('Потребитель: ', { continued: true }).font('regular').text([doc.consumer.name, doc.consumer.inn ? `ИНН ${doc.consumer.inn}` : null, doc.consumer.address].filter(Boolean).join(', '));
  pdf.font('bold').text('Договор энергоснабжения: ', { continued: true }).font('regular').text(doc.contract.number);
  pdf.moveDown();

  const columns = [50, 230, 330, 430];
  const header = ['Тарифная зона', 'Объём, кВт·ч', 'Цена, коп./кВт·ч', 'Сумма'];
  let y = pdf.y;
  pdf.font('bold');
  header.forEach((text, i) => pdf.text(text, columns[i]!, y, { width: 100 }));
  pdf.font('regular');
  y = pdf.y + 4;
  for (const line of doc.lines) {
    const cells = [ZONE_RU[line.zone] ?? line.zoneName, line.kwh, line.priceKopecks, rubles(line.amount)];
    cells.forEach((text, i) => pdf.text(text, columns[i]!, y, { width: 100 }));
    y = pdf.y + 2;
  }
  pdf.moveTo(50, y).lineTo(545, y).stroke();
  pdf.font('bold').text(`Итого: ${doc.kwh} кВт·ч на сумму ${rubles(doc.amount)} (без НДС в эталонном биллинге)`, 50, y + 6);
  pdf.font('regular').moveDown();
  if (doc.kind === 'invoice' && doc.dueOn) pdf.text(`Оплатить до ${ruDate(doc.dueOn)}.`);
  pdf.moveDown();
  // The secret a consumer types into the cabinet to link this contract (with the contract number).
  pdf.text(`Код подключения договора к личному кабинету: ${doc.contract.linkSecret}`);
  pdf.end();
  return done;
}
