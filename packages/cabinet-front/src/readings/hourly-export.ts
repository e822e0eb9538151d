import { PassThrough, type Readable } from 'node:stream';
import { badRequest, notFound, spreadsheetSafe, AppError, type Database } from '@app/kernel';
import { fileName80020, pointCode80020, sumKwh, write80020, zip80020, type Encoding80020 } from '@app/metering-formats';
import { sql } from 'kysely';
import type { Pii } from '../crypto/pii.js';
import { inScope } from '../members/scope.js';
import { day } from '../paging.js';
import type { CabinetFrontDb } from '../tables.js';

/**
 * Hourly data export (issue 11, points 1–2): a metering point's or a whole contract's hourly data for a
 * date range as CSV, Excel or 80020, from the front's copy. Only points the caller may view (404 otherwise).
 * CSV and Excel stream as they are written (a page of days at a time from the database; ExcelJS's
 * streaming writer), so a long range never sits in memory. 80020 is one message per day: a single day is
 * the XML file itself, a range a ZIP of the days' files (the market's exchange sends a file per day).
 *
 * Limits (problem+json `period_too_long` naming `to`): CSV and Excel 1,096 days for a point (three years),
 * 366 for a contract; 80020 31 days. Which data: `kind` when given, else `metered` for a point with an
 * interval meter and billing's calculated `profile` for the others.
 */
export type ExportFormat = 'csv' | 'xlsx' | '80020';
export const exportLimits = { pointDays: 1096, contractDays: 366, days80020: 31 } as const;
const PAGE_DAYS = 92;

export interface ExportRequest {
  from: string;
  to: string;
  format: ExportFormat;
  kind?: 'metered' | 'profile';
  encoding?: Encoding80020;
}

export interface ExportFile {
  contentType: string;
  fileName: string;
  body: Readable | Buffer;
}

interface PointRow {
  id: string;
  code: string;
  name: string;
  consumer_ref: string;
  interval: boolean;
}

export class HourlyExport {
  constructor(private readonly deps: { database: Database<CabinetFrontDb>; pii: Pii }) {}

  private get db() {
    return this.deps.database.db;
  }

  async point(userId: string, pointId: string, request: ExportRequest): Promise<ExportFile> {
    this.checkPeriod(request, exportLimits.pointDays);
    const points = await this.points(userId, { pointId });
    if (points.length === 0) throw notFound('metering_point_not_found', 'No such metering point');
    return this.render(points, request, `hourly-${safeName(points[0]!.code)}`);
  }

  async contract(userId: string, contractId: string, request: ExportRequest): Promise<ExportFile> {
    this.checkPeriod(request, exportLimits.contractDays);
    const contract = await this.db.selectFrom('contracts').select(['id', 'number']).where('id', '=', contractId).where(inScope(userId, 'view')).executeTakeFirst();
    if (!contract) throw notFound('contract_not_found', 'No such contract');
    const points = await this.points(userId, { contractId });
    return this.render(points, request, `hourly-${safeName(contract.number)}`);
  }

  private checkPeriod(request: ExportRequest, maxDays: number) {
    if (request.to < request.from) throw badRequest('period_reversed', '`to` is before `from`', 'to');
    const days = daysBetween(request.from, request.to);
    const limit = request.format === '80020' ? Math.min(maxDays, exportLimits.days80020) : maxDays;
    if (days > limit) throw badRequest('period_too_long', `At most ${limit} days in one ${request.format} export (asked: ${days})`, 'to');
  }

  private async points(userId: string, where: { pointId?: string; contractId?: string }): Promise<PointRow[]> {
    let q = this.db
      .selectFrom('metering_points as p')
      .select(['p.id', 'p.code', 'p.name', 'p.consumer_ref', sql<boolean>`exists (select 1 from meters m where m.point_id = p.id and m.kind = 'interval')`.as('interval')])
      .where(inScope(userId, 'view', 'p.consumer_ref'));
    if (where.pointId) q = q.where('p.id', '=', where.pointId);
    if (where.contractId) q = q.where('p.contract_id', '=', where.contractId);
    return q.orderBy('p.code').orderBy('p.id').execute();
  }

  /** Days of one point in [from, to], a page at a time. */
  private async *days(point: PointRow, request: ExportRequest): AsyncGenerator<{ date: string; hours: string[] }> {
    const kind = request.kind ?? (point.interval ? 'metered' : 'profile');
    let after: string | null = null;
    for (;;) {
      let q = this.db.selectFrom('hourly_days').select([day('day').as('date'), 'hours']).where('point_id', '=', point.id).where('kind', '=', kind).where('day', '>=', request.from).where('day', '<=', request.to);
      if (after) q = q.where('day', '>', after);
      const rows = await q.orderBy('day').limit(PAGE_DAYS).execute();
      for (const r of rows) yield { date: r.date, hours: r.hours.map(String) };
      if (rows.length < PAGE_DAYS) return;
      after = rows.at(-1)!.date;
    }
  }

  private async render(points: PointRow[], request: ExportRequest, base: string): Promise<ExportFile> {
    const name = `${base}-${request.from}-${request.to}`;
    if (request.format === 'csv') return { contentType: 'text/csv; charset=utf-8', fileName: `${name}.csv`, body: this.csv(points, request) };
    if (request.format === 'xlsx') return { contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', fileName: `${name}.xlsx`, body: await this.xlsx(points, request) };
    return this.export80020(points, request, name);
  }

  private csv(points: PointRow[], request: ExportRequest): Readable {
    const out = new PassThrough();
    const line = (cells: string[]) => `${cells.map(csvCell).join(';')}\r\n`;
    void (async () => {
      // A BOM, so Excel opens the UTF-8 file with its Cyrillic intact; `;` as Russian Excel expects.
      out.write(`\ufeff${line(['Код точки', 'Точка учёта', 'Дата', ...hourHeaders, 'Итого, кВт·ч'])}`);
      for (const point of points) {
        for await (const d of this.days(point, request)) {
          if (!out.write(line([spreadsheetSafe(point.code), spreadsheetSafe(point.name), d.date, ...d.hours, sumKwh(d.hours)]))) await new Promise((r) => out.once('drain', r));
        }
      }
      out.end();
    })().catch((err) => out.destroy(err as Error));
    return out;
  }

  private async xlsx(points: PointRow[], request: ExportRequest): Promise<Readable> {
    const { default: ExcelJS } = await import('exceljs');
    const out = new PassThrough();
    const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: false, useSharedStrings: false });
    const sheet = workbook.addWorksheet('Почасовые');
    sheet.addRow(['Код точки', 'Точка учёта', 'Дата', ...hourHeaders, 'Итого, кВт·ч']).commit();
    void (async () => {
      for (const point of points) {
        for await (const d of this.days(point, request)) {
          sheet.addRow([spreadsheetSafe(point.code), spreadsheetSafe(point.name), d.date, ...d.hours.map(Number), Number(sumKwh(d.hours))]).commit();
        }
      }
      sheet.commit();
      await workbook.commit();
    })().catch((err) => out.destroy(err as Error));
    return out;
  }

  private async export80020(points: PointRow[], request: ExportRequest, name: string): Promise<ExportFile> {
    const coded = points.map((p) => ({ ...p, code80020: pointCode80020(p.code) })).filter((p) => p.code80020);
    if (coded.length === 0) throw new AppError('point_has_no_80020_code', 422, 'No metering point here has a code of the market\'s registry (15 digits), so none can be written in 80020', { errors: [{ field: 'format', code: 'point_has_no_80020_code', message: 'No 80020 code' }] });
    const consumerRef = coded[0]!.consumer_ref;
    const consumer = await this.db.selectFrom('consumers').select(['name_enc', 'inn_enc']).where('consumer_ref', '=', consumerRef).executeTakeFirst();
    const consumerName = this.deps.pii.open('consumers', 'name_enc', consumerRef, consumer?.name_enc) ?? '';
    const inn = this.deps.pii.open('consumers', 'inn_enc', consumerRef, consumer?.inn_enc) ?? '';
    const senderInn = /^[0-9]{10}([0-9]{2})?$/.test(inn) ? inn : '000000000000';
    // At most 31 days × the contract's points: small enough to gather by day before writing.
    const byDay = new Map<string, Array<{ code: string; name: string; values: string[] }>>();
    for (const point of coded) {
      for await (const d of this.days(point, request)) {
        const list = byDay.get(d.date) ?? [];
        list.push({ code: point.code80020!, name: point.name, values: d.hours });
        byDay.set(d.date, list);
      }
    }
    const encoding = request.encoding ?? 'windows-1251';
    const stamp = timestamp(new Date());
    const files = [...byDay.keys()].sort().map((date, i) => ({
      name: fileName80020(senderInn, date, String(i + 1)),
      bytes: write80020(
        {
          number: String(i + 1),
          timestamp: stamp,
          day: date,
          sender: { inn: senderInn, name: consumerName },
          areas: [{ inn: senderInn, name: consumerName, points: byDay.get(date)!.map((p) => ({ code: p.code, name: p.name, channels: [{ code: '01', desc: 'Активная энергия, приём', values: p.values }] })) }],
        },
        { encoding },
      ),
    }));
    if (files.length === 0) throw notFound('no_hourly_data', `No hourly data from ${request.from} to ${request.to}`);
    if (request.from === request.to) return { contentType: `application/xml; charset=${encoding}`, fileName: files[0]!.name, body: files[0]!.bytes };
    return { contentType: 'application/zip', fileName: `${name}-80020.zip`, body: zip80020(files) };
  }
}

const hourHeaders = Array.from({ length: 24 }, (_, h) => `${String(h).padStart(2, '0')}–${String(h + 1).padStart(2, '0')}`);

function csvCell(text: string) {
  return /[";\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function safeName(text: string) {
  return text.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 60);
}

function daysBetween(from: string, to: string) {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1;
}

/** YYYYMMDDhhmmss in the supplier's zone (Moscow time, UTC+3 all year). */
function timestamp(now: Date) {
  return new Date(now.getTime() + 3 * 3_600_000).toISOString().replace(/[-:T]/g, '').slice(0, 14);
}
