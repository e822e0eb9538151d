import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { hourlyTopics, type SubmitHourly } from '@app/cabinet-contracts';
import { AppError, badRequest, enqueueMessage, notFound, type Database, type Logger } from '@app/kernel';
import { sql } from 'kysely';
import type { Pii } from '../crypto/pii.js';
import { requireRight } from '../members/scope.js';
import { day } from '../paging.js';
import type { ReadingEntry, Readings } from '../readings/readings.service.js';
import type { CellError } from '../self-service.tables.js';
import type { CabinetFrontDb, LastReading } from '../tables.js';
import { buildTemplate, cellAddress, HOURLY_SHEET, hourlyColumns, INTEGRAL_PREFIX, integralColumns, parseDateCell, parseDecimalCell } from './readings-workbook.js';
import { cellText, fileError, prepareXlsx, spool, uploadLimits } from './xlsx-guard.js';
import { points80020, read80020Upload } from './upload-80020.js';
import type { UploadCellCode, UploadErrorCode } from './upload-problems.js';

/**
 * Readings by Excel template: the template of the consumer's own points and meters, and upload jobs.
 * An upload is spooled and checked (xlsx-guard.ts), then read row by row in the background while the SPA
 * polls its status and progress. Integral rows go through the same rules as the form (Readings.checkEach)
 * and the same command (cabinet.cmd.readings.submit); hourly rows of interval points are checked here
 * (24 non-negative values, no future day, the point an interval point of the consumer) and go to billing
 * as cabinet.cmd.hourly.submit, one command per point. Every problem is reported at its cell; rows without
 * problems are sent, rows with one are not (a file is not all-or-nothing: the consumer fixes the rest and
 * uploads again — a row sent twice is refused by billing as a duplicate, or replaces the day for hourly data).
 *
 * The job runs on the instance that took the upload (the file is in its temporary folder); any instance
 * answers the status from the database. An instance that dies mid-job leaves it `processing`: a job not
 * updated for 10 minutes is shown as failed (`upload_interrupted`) and the consumer uploads again.
 */
export interface UploadsDeps {
  database: Database<CabinetFrontDb>;
  pii: Pii;
  readings: Readings;
  today: () => string;
  nudge: () => void;
  logger: Logger;
}

const MAX_ERRORS = 1000;
const MAX_DAYS = 400;
const HOURLY_VALUE = 6;

export class ReadingUploads {
  /** Jobs running in this process (tests wait for them; close waits for them). */
  readonly running = new Map<string, Promise<void>>();

  constructor(private readonly deps: UploadsDeps) {}

  private get db() {
    return this.deps.database.db;
  }

  async template(userId: string, consumerRef: string, period: { from?: string; to?: string }) {
    await requireRight(this.db, userId, consumerRef, 'submit_readings', 'consumer_not_found');
    const today = this.deps.today();
    const to = period.to ?? lastDayOfPreviousMonth(today);
    const from = period.from ?? `${to.slice(0, 7)}-01`;
    if (from > to) throw badRequest('period_invalid', 'from is after to', 'from');
    const days = daysBetween(from, to);
    if (days.length > 366) throw badRequest('period_too_long', 'At most 366 days', 'to');
    const meters = await this.db
      .selectFrom('meters')
      .innerJoin('metering_points', 'metering_points.id', 'meters.point_id')
      .innerJoin('contracts', 'contracts.id', 'meters.contract_id')
      .select(['meters.id', 'meters.kind', 'meters.serial', 'meters.zones', 'meters.last_readings', 'metering_points.id as point_id', 'metering_points.code', 'metering_points.name'])
      .where('meters.consumer_ref', '=', consumerRef)
      .where('contracts.status', '=', 'active')
      .orderBy('metering_points.code')
      .orderBy('meters.id')
      .execute();
    const integral = meters.filter((m) => m.kind === 'integral').map((m) => ({ meterId: m.id, pointCode: m.code, pointName: m.name, serial: m.serial, zones: m.zones, lastReadings: (m.last_readings ?? []) as LastReading[] }));
    const points = [...new Map(meters.filter((m) => m.kind === 'interval').map((m) => [m.point_id, { pointId: m.point_id, pointCode: m.code }])).values()];
    return buildTemplate({ meters: integral, points, days, today });
  }

  async start(userId: string, input: { consumerRef: string; file: Readable; fileName?: string; confirmJump?: boolean }) {
    await requireRight(this.db, userId, input.consumerRef, 'submit_readings', 'consumer_not_found');
    const id = randomUUID();
    const path = join(tmpdir(), `cabinet-upload-${id}.xlsx`);
    const { bytes } = await spool(input.file, path, uploadLimits.maxFileBytes);
    await this.db
      .insertInto('reading_uploads')
      .values({ id, user_id: userId, consumer_ref: input.consumerRef, file_name_enc: this.deps.pii.seal('reading_uploads', 'file_name_enc', id, input.fileName ?? null), bytes, confirm_jump: input.confirmJump ?? false, submission_id: null, failure_code: null, failure_message: null, duration_ms: null, finished_at: null })
      .execute();
    const job = this.process(id, userId, input.consumerRef, path, input.confirmJump ?? false)
      .catch((error) => this.deps.logger.error({ err: error, uploadId: id }, 'upload job failed'))
      .finally(() => {
        this.running.delete(id);
        void rm(path, { force: true });
      });
    this.running.set(id, job);
    return this.get(userId, id);
  }

  async get(userId: string, id: string) {
    const row = await this.db.selectFrom('reading_uploads').selectAll().where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
    if (!row) throw notFound('upload_not_found', 'No such upload');
    const hourly = await this.db
      .selectFrom('hourly_submissions')
      .select(['point_id', 'days', 'status', 'accepted', 'rejected'])
      .where('upload_id', '=', id)
      .orderBy('point_id')
      .execute();
    const stale = (row.status === 'processing' || row.status === 'queued') && row.updated_at.getTime() < Date.now() - 10 * 60_000;
    return {
      id: row.id,
      consumerRef: row.consumer_ref,
      format: row.format,
      ...(row.file_name_enc ? { fileName: this.deps.pii.open('reading_uploads', 'file_name_enc', row.id, row.file_name_enc) } : {}),
      bytes: Number(row.bytes),
      status: stale ? ('failed' as const) : row.status,
      progress: row.progress,
      rowsRead: row.rows_read,
      readingsSent: row.readings_sent,
      hourlyDaysSent: row.hourly_days_sent,
      errorCount: row.error_count,
      errors: row.errors,
      ...(row.submission_id ? { submissionId: row.submission_id } : {}),
      ...(stale ? { failure: { code: 'upload_interrupted', message: 'The upload stopped; upload the file again' } } : row.failure_code ? { failure: { code: row.failure_code, message: row.failure_message ?? '' } } : {}),
      ...(row.duration_ms !== null ? { durationMs: row.duration_ms } : {}),
      hourly: {
        points: hourly.length,
        processed: hourly.filter((h) => h.status === 'processed').length,
        daysAccepted: hourly.reduce((s, h) => s + (h.accepted ?? 0), 0),
        rejected: hourly.flatMap((h) => ((h.rejected as Array<{ date?: string; code: string; message: string }> | null) ?? []).map((r) => ({ pointId: h.point_id, ...r }))).slice(0, MAX_ERRORS),
      },
      createdAt: row.created_at.toISOString(),
      ...(row.finished_at ? { finishedAt: row.finished_at.toISOString() } : {}),
    };
  }

  private async progress(id: string, values: { progress?: number; rows_read?: number; status?: 'processing' }) {
    await this.db.updateTable('reading_uploads').set({ ...values, updated_at: sql`now()` }).where('id', '=', id).execute();
  }

  private async process(id: string, userId: string, consumerRef: string, path: string, confirmJump: boolean) {
    const started = Date.now();
    const errors: CellError[] = [];
    let errorCount = 0;
    const problem = (sheet: string, column: number, row: number, code: UploadErrorCode, message: string) => {
      errorCount++;
      if (errors.length < MAX_ERRORS) errors.push({ sheet, cell: cellAddress(column, row), code, message });
    };
    const finish = (values: Record<string, unknown>) =>
      this.db
        .updateTable('reading_uploads')
        .set({ ...values, errors: JSON.stringify(errors), error_count: errorCount, duration_ms: Date.now() - started, finished_at: sql`now()`, updated_at: sql`now()` })
        .where('id', '=', id)
        .execute();
    try {
      await this.progress(id, { status: 'processing', progress: 1 });
      const { rows: totalRows } = await prepareXlsx(path);
      await this.progress(id, { progress: 10 });

      const points = await this.intervalPoints(consumerRef);
      const today = this.deps.today();
      const integral: Array<ReadingEntry & { sheet: string; row: number }> = [];
      const hourly = new Map<string, Map<string, { hours: string[]; row: number }>>();
      let rowsRead = 0;
      let sheets = 0;
      const { default: ExcelJS } = await import('exceljs');
      const reader = new ExcelJS.stream.xlsx.WorkbookReader(path, { worksheets: 'emit', sharedStrings: 'cache', styles: 'cache', hyperlinks: 'ignore', entries: 'ignore' });
      try {
        for await (const sheet of reader) {
          const name = (sheet as unknown as { name: string }).name ?? '';
          const kind = name === HOURLY_SHEET ? 'hourly' : name.startsWith(INTEGRAL_PREFIX) ? 'integral' : null;
          if (kind) sheets++;
          for await (const row of sheet) {
            rowsRead++;
            if (rowsRead % 2000 === 0) await this.progress(id, { rows_read: rowsRead, progress: Math.min(89, 10 + Math.floor((79 * rowsRead) / Math.max(totalRows, 1))) });
            if (!kind || row.number === 1) continue;
            const cells = (row.values as unknown[]).map(cellText);
            const at = (column: number) => cells[column] ?? '';
            if (kind === 'integral') {
              const valueText = at(integralColumns.value);
              if (valueText === '') continue;
              const meterId = at(integralColumns.meterId);
              const zone = at(integralColumns.zone) || name.slice(INTEGRAL_PREFIX.length);
              const value = parseDecimalCell(valueText, 4);
              const dateText = at(integralColumns.date);
              const date = parseDateCell(dateText);
              if (!meterId) problem(name, integralColumns.meterId, row.number, 'meter_required', 'The meter id is empty');
              if (value === null) problem(name, integralColumns.value, row.number, 'reading_value_invalid', `"${valueText.slice(0, 20)}" is not a reading (digits, at most 4 after the point)`);
              if (date === null) problem(name, integralColumns.date, row.number, 'date_invalid', `"${dateText.slice(0, 20)}" is not a date (YYYY-MM-DD or DD.MM.YYYY)`);
              if (meterId && value !== null && date !== null) integral.push({ meterId, zone, date, value, sheet: name, row: row.number });
              continue;
            }
            const hours = Array.from({ length: 24 }, (_, h) => at(hourlyColumns.firstHour + h));
            if (hours.every((h) => h === '')) continue;
            const pointId = at(hourlyColumns.pointId);
            const point = points.get(pointId);
            let ok = true;
            if (!point) {
              problem(name, hourlyColumns.pointId, row.number, 'point_not_found', 'Not an interval metering point of this consumer');
              ok = false;
            }
            const dateText = at(hourlyColumns.date);
            const date = parseDateCell(dateText);
            const refuse = (column: number, code: UploadCellCode, message: string) => {
              ok = false;
              problem(name, column, row.number, code, message);
              return '';
            };
            if (date === null) refuse(hourlyColumns.date, 'date_invalid', `"${dateText.slice(0, 20)}" is not a date (YYYY-MM-DD or DD.MM.YYYY)`);
            else if (date > today) refuse(hourlyColumns.date, 'date_in_future', `${date} is after today`);
            else if (point && date < point.installedOn) refuse(hourlyColumns.date, 'meter_not_active', `The interval meter was installed on ${point.installedOn}`);
            const values = hours.map((h, i) => {
              const column = hourlyColumns.firstHour + i;
              if (h === '') return refuse(column, 'hourly_value_missing', `Hour ${i + 1} is empty: a day has 24 values`);
              return parseDecimalCell(h, HOURLY_VALUE) ?? refuse(column, 'hourly_value_invalid', `"${h.slice(0, 20)}" is not a non-negative kWh value (at most 6 digits after the point)`);
            });
            if (!ok || !date) continue;
            const days = hourly.get(pointId) ?? new Map<string, { hours: string[]; row: number }>();
            const seen = days.get(date);
            if (seen) {
              problem(name, hourlyColumns.date, row.number, 'duplicate_day', `This point's ${date} is also on row ${seen.row}`);
              continue;
            }
            days.set(date, { hours: values, row: row.number });
            hourly.set(pointId, days);
          }
        }
      } catch (error) {
        if (error instanceof AppError) throw error;
        throw fileError('not_excel', `The workbook cannot be read: ${(error as Error).message}`);
      }
      if (sheets === 0) throw fileError('not_a_template', `No sheet named "${INTEGRAL_PREFIX}<zone>" or "${HOURLY_SHEET}": download the template and fill it`);
      await this.progress(id, { rows_read: rowsRead, progress: 90 });

      // Integral readings: the form's rules; a cell with a problem keeps its row back.
      const verdicts = await this.deps.readings.checkEach(consumerRef, integral);
      const sendable: ReadingEntry[] = [];
      const kept: typeof verdicts = [];
      const cellOf: Record<string, number> = { meterId: integralColumns.meterId, zone: integralColumns.zone, date: integralColumns.date, value: integralColumns.value };
      integral.forEach((entry, i) => {
        const verdict = verdicts[i]!;
        const jumps = verdict.warnings.filter((w) => w.code === 'abnormal_jump');
        for (const e of verdict.errors) problem(entry.sheet, cellOf[e.field.split('/').pop()!] ?? integralColumns.value, entry.row, e.code, e.message);
        if (!confirmJump) for (const w of jumps) problem(entry.sheet, integralColumns.value, entry.row, 'confirmation_required', `${w.message} (upload again with "confirm unusual consumption")`);
        if (verdict.errors.length === 0 && (confirmJump || jumps.length === 0)) {
          sendable.push({ meterId: entry.meterId, zone: entry.zone, date: entry.date, value: entry.value });
          kept.push(verdict);
        }
      });
      let submissionId: string | null = null;
      for (let i = 0; i < sendable.length; i += 5000) {
        const sent = await this.deps.readings.send(userId, consumerRef, sendable.slice(i, i + 5000), kept.slice(i, i + 5000));
        submissionId ??= sent.submissionId;
      }

      const hourlyDays = await this.sendHourly(id, userId, consumerRef, hourly);
      await finish({ status: 'done', progress: 100, rows_read: rowsRead, readings_sent: sendable.length, hourly_days_sent: hourlyDays, submission_id: submissionId });
    } catch (error) {
      const known = error instanceof AppError;
      if (!known) this.deps.logger.error({ err: error, uploadId: id }, 'upload processing failed');
      await finish({ status: 'failed', progress: 100, failure_code: known ? error.code : 'upload_failed', failure_message: known ? error.message.slice(0, 500) : 'The file could not be processed' });
    }
  }

  /**
   * An 80020 XML file of hourly (or half-hourly) data: the same job, status and progress as the Excel upload,
   * the same command to billing per point (upload-80020.ts reads it). Errors keep the cell-error shape:
   * `sheet` is the measuring point's 80020 code ("80020" for the file), `cell` the line and column.
   */
  async start80020(userId: string, input: { consumerRef: string; file: Readable; fileName?: string }) {
    await requireRight(this.db, userId, input.consumerRef, 'submit_readings', 'consumer_not_found');
    const id = randomUUID();
    const path = join(tmpdir(), `cabinet-upload-${id}.xml`);
    const { bytes } = await spool(input.file, path, uploadLimits.maxFileBytes);
    await this.db
      .insertInto('reading_uploads')
      .values({ id, user_id: userId, consumer_ref: input.consumerRef, format: '80020', file_name_enc: this.deps.pii.seal('reading_uploads', 'file_name_enc', id, input.fileName ?? null), bytes, confirm_jump: false, submission_id: null, failure_code: null, failure_message: null, duration_ms: null, finished_at: null })
      .execute();
    const job = this.process80020(id, userId, input.consumerRef, path, bytes)
      .catch((error) => this.deps.logger.error({ err: error, uploadId: id }, 'upload job failed'))
      .finally(() => {
        this.running.delete(id);
        void rm(path, { force: true });
      });
    this.running.set(id, job);
    return this.get(userId, id);
  }

  private async process80020(id: string, userId: string, consumerRef: string, path: string, bytes: number) {
    const started = Date.now();
    const errors: CellError[] = [];
    let errorCount = 0;
    const finish = (values: Record<string, unknown>) =>
      this.db
        .updateTable('reading_uploads')
        .set({ ...values, errors: JSON.stringify(errors), error_count: errorCount, duration_ms: Date.now() - started, finished_at: sql`now()`, updated_at: sql`now()` })
        .where('id', '=', id)
        .execute();
    try {
      await this.progress(id, { status: 'processing', progress: 1 });
      const rows = await this.db
        .selectFrom('metering_points as p')
        .leftJoin('meters as m', 'm.point_id', 'p.id')
        .select(['p.id as point_id', 'p.code', 'm.kind', sql<string | null>`to_char(m.installed_on, 'YYYY-MM-DD')`.as('installed')])
        .where('p.consumer_ref', '=', consumerRef)
        .execute();
      const points = points80020(rows.map((r) => ({ pointId: r.point_id, code: r.code, interval: r.kind === 'interval', installedOn: r.installed })));
      const consumer = await this.db.selectFrom('consumers').select('inn_enc').where('consumer_ref', '=', consumerRef).executeTakeFirst();
      const read = await read80020Upload(path, {
        points,
        consumerInn: this.deps.pii.open('consumers', 'inn_enc', consumerRef, consumer?.inn_enc) ?? null,
        today: this.deps.today(),
        bytes,
        problem: (where, code, message) => {
          errorCount++;
          if (errors.length < MAX_ERRORS) errors.push({ sheet: where.pointCode ?? '80020', cell: `L${where.line}:C${where.column}`, code, message });
        },
        onProgress: (read) => this.progress(id, { progress: Math.min(89, 1 + Math.floor((88 * read) / Math.max(bytes, 1))) }),
      });
      await this.progress(id, { rows_read: read.channelsRead, progress: 90 });
      const hourlyDays = await this.sendHourly(id, userId, consumerRef, read.hourly);
      await finish({ status: 'done', progress: 100, rows_read: read.channelsRead, readings_sent: 0, hourly_days_sent: hourlyDays, submission_id: null });
    } catch (error) {
      const known = error instanceof AppError;
      if (!known) this.deps.logger.error({ err: error, uploadId: id }, 'upload processing failed');
      await finish({ status: 'failed', progress: 100, failure_code: known ? error.code : 'upload_failed', failure_message: known ? error.message.slice(0, 500) : 'The file could not be processed' });
    }
  }

  /** Hourly days: one command per point (and per 400 days), all written with their rows in one transaction. */
  private async sendHourly(id: string, userId: string, consumerRef: string, hourly: Map<string, Map<string, { hours: string[]; row: number }>>): Promise<number> {
    let hourlyDays = 0;
    if (hourly.size === 0) return 0;
    await this.deps.database.transaction(async (trx) => {
      for (const [pointId, days] of hourly) {
        const sorted = [...days.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([date, d]) => ({ date, hours: d.hours }));
        for (let i = 0; i < sorted.length; i += MAX_DAYS) {
          const chunk = sorted.slice(i, i + MAX_DAYS);
          const submission: SubmitHourly = { submissionId: randomUUID(), uploadId: id, userRef: userId, consumerRef, meteringPointId: pointId, days: chunk };
          await trx.insertInto('hourly_submissions').values({ id: submission.submissionId, upload_id: id, consumer_ref: consumerRef, point_id: pointId, days: chunk.length, accepted: null, rejected: null, processed_at: null }).execute();
          await enqueueMessage(trx, hourlyTopics.submit, submission, { id: submission.submissionId });
          hourlyDays += chunk.length;
        }
      }
    });
    this.deps.nudge();
    return hourlyDays;
  }

  /** The consumer's interval metering points (from the front's copy of billing), with the meter's installation date. */
  private async intervalPoints(consumerRef: string) {
    const rows = await this.db
      .selectFrom('meters')
      .select(['point_id', day('installed_on').as('installed')])
      .where('consumer_ref', '=', consumerRef)
      .where('kind', '=', 'interval')
      .execute();
    const points = new Map<string, { installedOn: string }>();
    for (const r of rows) {
      const known = points.get(r.point_id);
      if (!known || r.installed < known.installedOn) points.set(r.point_id, { installedOn: r.installed });
    }
    return points;
  }
}

function lastDayOfPreviousMonth(today: string): string {
  const first = new Date(`${today.slice(0, 7)}-01T00:00:00Z`);
  return new Date(first.getTime() - 86_400_000).toISOString().slice(0, 10);
}

function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`) && days.length <= 400; t += 86_400_000) days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}
