import ExcelJS from 'exceljs';

/**
 * The readings template and the rules for its cells (pure, no I/O). Layout, chosen so that every value has
 * a fixed cell and a row names what it is about by an id the cabinet gave:
 *
 * - one integral sheet per tariff zone, named `Показания <zone>` (the seed's "sheet per tariff zone"): a row
 *   per meter that has the zone — A point code, B point name, C meter id (the key), D zone, E meter serial,
 *   F last accepted reading, G its date, H reading date (today, pre-filled), I reading (to fill);
 * - one hourly sheet `Почасовые` for interval meters: a row per metering point and day — A point id (the
 *   key), B point code, C date, D…AA the 24 hours (kWh, hour 1 = 00:00–01:00).
 *
 * Rows whose value cells are empty are left alone; ids are checked against the consumer's own points and
 * meters on upload, so a row copied from another consumer's template is refused cell by cell.
 */
export const INTEGRAL_PREFIX = 'Показания ';
export const HOURLY_SHEET = 'Почасовые';
export const integralColumns = { pointCode: 1, pointName: 2, meterId: 3, zone: 4, serial: 5, lastValue: 6, lastDate: 7, date: 8, value: 9 } as const;
export const hourlyColumns = { pointId: 1, pointCode: 2, date: 3, firstHour: 4 } as const;

export interface TemplateMeter {
  meterId: string;
  pointCode: string;
  pointName: string;
  serial: string;
  zones: string[];
  lastReadings: Array<{ zone: string; date: string; value: string }>;
}
export interface TemplatePoint {
  pointId: string;
  pointCode: string;
}

export async function buildTemplate(input: { meters: TemplateMeter[]; points: TemplatePoint[]; days: string[]; today: string }): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Личный кабинет потребителя';
  const zones = [...new Set(input.meters.flatMap((m) => m.zones))].sort();
  for (const zone of zones) {
    const sheet = workbook.addWorksheet(`${INTEGRAL_PREFIX}${zone}`.slice(0, 31));
    sheet.addRow(['Код точки учёта', 'Точка учёта', 'Счётчик (id)', 'Зона', 'Заводской номер', 'Последнее показание', 'Дата последнего', 'Дата показания', 'Показание']);
    for (const m of input.meters.filter((x) => x.zones.includes(zone))) {
      const last = m.lastReadings.find((r) => r.zone === zone);
      sheet.addRow([m.pointCode, m.pointName, m.meterId, zone, m.serial, last?.value ?? '', last?.date ?? '', input.today, null]);
    }
    sheet.getRow(1).font = { bold: true };
    sheet.columns.forEach((c, i) => (c.width = [16, 24, 14, 8, 16, 18, 14, 14, 14][i] ?? 12));
  }
  if (input.points.length > 0) {
    const sheet = workbook.addWorksheet(HOURLY_SHEET);
    sheet.addRow(['Точка учёта (id)', 'Код точки учёта', 'Дата', ...Array.from({ length: 24 }, (_, h) => `${String(h).padStart(2, '0')}–${String(h + 1).padStart(2, '0')}`)]);
    sheet.getRow(1).font = { bold: true };
    for (const p of input.points) for (const day of input.days) sheet.addRow([p.pointId, p.pointCode, day]);
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** A1 address of a cell (column 1 = A). */
export function cellAddress(column: number, row: number): string {
  let name = '';
  for (let c = column; c > 0; c = Math.floor((c - 1) / 26)) name = String.fromCharCode(65 + ((c - 1) % 26)) + name;
  return `${name}${row}`;
}

/** A date cell: YYYY-MM-DD (Excel dates arrive so) or DD.MM.YYYY as people type it; null otherwise. */
export function parseDateCell(text: string): string | null {
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const ru = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(text);
  const [y, m, d] = iso ? [iso[1]!, iso[2]!, iso[3]!] : ru ? [ru[3]!, ru[2]!.padStart(2, '0'), ru[1]!.padStart(2, '0')] : [];
  if (!y) return null;
  const date = `${y}-${m}-${d}`;
  const parsed = new Date(`${date}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === date ? date : null;
}

/**
 * A non-negative decimal as text (a comma is a decimal point, as Russian Excel writes it), at most
 * `maxFraction` digits after the point; null when it is not one. Numbers come from the reader in their
 * shortest exact spelling, so no float rounding creeps in.
 */
export function parseDecimalCell(text: string, maxFraction: number): string | null {
  const normal = text.replace(/\s/g, '').replace(',', '.');
  const match = /^(\d{1,12})(?:\.(\d+))?$/.exec(normal);
  if (!match) return null;
  const fraction = (match[2] ?? '').replace(/0+$/, '');
  if (fraction.length > maxFraction) return null;
  const integer = match[1]!.replace(/^0+(?=\d)/, '');
  return fraction ? `${integer}.${fraction}` : integer;
}
