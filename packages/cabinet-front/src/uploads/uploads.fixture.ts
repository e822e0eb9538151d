import type { ConsumerSnapshot } from '@app/cabinet-contracts';
import ExcelJS from 'exceljs';

/** A consumer's snapshot with an interval meter on a second metering point (hourly data). */
export function withIntervalPoints(snapshot: ConsumerSnapshot, count: number): ConsumerSnapshot {
  const copy = structuredClone(snapshot);
  const object = copy.contracts[0]!.objects[0]!;
  for (let i = 1; i <= count; i++) {
    const tag = `${copy.consumerRef}-ip${i}`;
    object.meteringPoints.push({
      id: tag,
      code: `TU-H-${i}`,
      name: `Ввод почасовой ${i}`,
      meters: [{ id: `${tag}-m`, serial: `SN-H-${i}`, model: 'Меркурий 234', kind: 'interval', digits: 7, fractionDigits: 2, transformationRatio: '1', zones: ['T1'], installedOn: '2024-01-01', lastReadings: [] }],
    });
  }
  return copy;
}

/**
 * An hourly workbook for the points of `withIntervalPoints(snapshot 'consumer-<tag>', points)`: a row
 * per point and day from 2025-03-19, 24 values with 6 decimals (about 10 MB for 100 points × 366 days),
 * written with ExcelJS's streaming writer as a consumer's Excel would save it (shared strings off).
 */
export async function writeHourlyWorkbook(path: string, consumerRef: string, points: number, days = 366): Promise<void> {
  const writer = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: path, useSharedStrings: false, useStyles: false });
  const sheet = writer.addWorksheet('Почасовые');
  sheet.addRow(['Точка учёта (id)', 'Код точки учёта', 'Дата', ...Array.from({ length: 24 }, (_, h) => `${h}–${h + 1}`)]).commit();
  let seed = 12345;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let p = 1; p <= points; p++) {
    for (let d = 0; d < days; d++) {
      const date = new Date(Date.UTC(2025, 2, 19 + d)).toISOString().slice(0, 10);
      sheet.addRow([`${consumerRef}-ip${p}`, `TU-H-${p}`, date, ...Array.from({ length: 24 }, () => Math.round(random() * 1e11) / 1e6)]).commit();
    }
  }
  sheet.commit();
  await writer.commit();
}
