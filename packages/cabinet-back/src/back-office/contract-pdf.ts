import { createRequire } from 'node:module';
import PDFDocument from 'pdfkit';

/**
 * The PDF of a supply contract (договор энергоснабжения) or an additional agreement issued for
 * signature: A4, DejaVu Sans embedded for Cyrillic (as billing-ref's invoices). The document's dates
 * are its issue time, so the bytes depend only on what it says: the digest the signature covers is
 * reproducible.
 */
const require = createRequire(import.meta.url);
const FONT_REGULAR = require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf');
const FONT_BOLD = require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf');

export interface ContractDocument {
  kind: 'contract' | 'agreement';
  number: string;
  title: string;
  issuedAt: Date;
  supplier: { name: string; inn: string };
  applicant: { kind: 'organisation' | 'person'; name: string; inn?: string; ogrn?: string; snils?: string };
  objectAddress: string;
  requestedPowerKw: string;
  /** The terms as the employee wrote them; a standard text otherwise. */
  terms?: string;
}

const STANDARD_TERMS = [
  'Поставщик обязуется осуществлять продажу электрической энергии (мощности), а Потребитель — оплачивать приобретаемую электрическую энергию (мощность) и оказанные услуги.',
  'Учёт электрической энергии ведётся приборами учёта, указанными в приложении к договору; показания передаются через личный кабинет ежемесячно в окно приёма показаний.',
  'Расчётный период — календарный месяц. Оплата производится по счетам Поставщика до 18-го числа месяца, следующего за расчётным.',
  'Договор вступает в силу с момента его подписания сторонами и действует до 31 декабря текущего года с ежегодной пролонгацией.',
];

export function renderContractPdf(doc: ContractDocument): Promise<Buffer> {
  const pdf = new PDFDocument({ size: 'A4', margin: 50, info: { Title: `${doc.title} № ${doc.number}`, Author: doc.supplier.name, CreationDate: doc.issuedAt, ModDate: doc.issuedAt } });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    pdf.on('data', (chunk: Buffer) => chunks.push(chunk));
    pdf.on('end', () => resolve(Buffer.concat(chunks)));
    pdf.on('error', reject);
  });
  pdf.registerFont('regular', FONT_REGULAR);
  pdf.registerFont('bold', FONT_BOLD);
  const a = doc.applicant;
  const ids = [a.inn ? `ИНН ${a.inn}` : null, a.ogrn ? `ОГРН ${a.ogrn}` : null, a.snils ? `СНИЛС ${a.snils}` : null].filter(Boolean).join(', ');
  pdf.font('bold').fontSize(15).text(`${doc.title} № ${doc.number}`, { align: 'center' });
  pdf.font('regular').fontSize(10).moveDown(0.3).text(`от ${doc.issuedAt.toISOString().slice(0, 10).split('-').reverse().join('.')}`, { align: 'center' });
  pdf.moveDown();
  pdf.text(`${doc.supplier.name} (ИНН ${doc.supplier.inn}), именуемое в дальнейшем «Поставщик», и ${a.name}${ids ? ` (${ids})` : ''}, именуемое в дальнейшем «Потребитель», заключили настоящий ${doc.kind === 'contract' ? 'договор' : 'документ'} о нижеследующем.`);
  pdf.moveDown();
  pdf.font('bold').text('Объект энергоснабжения: ', { continued: true }).font('regular').text(doc.objectAddress);
  pdf.font('bold').text('Максимальная мощность: ', { continued: true }).font('regular').text(`${doc.requestedPowerKw} кВт`);
  pdf.moveDown();
  const terms = doc.terms ? doc.terms.split(/\n+/) : STANDARD_TERMS;
  terms.forEach((t, i) => pdf.text(`${i + 1}. ${t}`).moveDown(0.3));
  pdf.moveDown();
  pdf.text('Документ подписывается Потребителем электронной подписью в личном кабинете.');
  pdf.end();
  return done;
}
