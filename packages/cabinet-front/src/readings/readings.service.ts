import { randomUUID } from 'node:crypto';
import { commandTopics, type SubmitReadings } from '@app/cabinet-contracts';
import { AppError, enqueueMessage, notFound, type Database } from '@app/kernel';
import { sql, type Selectable } from 'kysely';
import { inScope, requireRight } from '../members/scope.js';
import { day } from '../paging.js';
import type { CabinetFrontDb, LastReading, ReadingsTable } from '../tables.js';
import { checkReading, type ReadingVerdict } from './reading-rules.js';

export interface ReadingEntry {
  meterId: string;
  zone: string;
  date: string;
  value: string;
}

/**
 * Entering integral readings: validated against the front's copy of the meter (reading-rules.ts),
 * then stored as `sent` and written as one cabinet.cmd.readings.submit to the outbox in one
 * transaction. Works the same while the back or the broker is away: the command waits in the outbox.
 */
export class Readings {
  constructor(private readonly deps: { database: Database<CabinetFrontDb>; today: () => string; nudge: () => void }) {}

  async submit(userId: string, input: { readings: ReadingEntry[]; confirmJump?: boolean }) {
    const db = this.deps.database.db;
    const meterIds = [...new Set(input.readings.map((r) => r.meterId))];
    const visible = await db.selectFrom('meters').select(['id', 'consumer_ref']).where('id', 'in', meterIds).where(inScope(userId, 'view')).execute();
    const byId = new Map(visible.map((m) => [m.id, m]));
    const missing = input.readings.findIndex((r) => !byId.has(r.meterId));
    if (missing >= 0) throw new AppError('meter_not_found', 404, 'No such meter', { errors: [{ field: `readings/${missing}/meterId`, code: 'meter_not_found', message: 'No such meter' }] });
    const consumerRefs = [...new Set(visible.map((m) => m.consumer_ref))];
    if (consumerRefs.length > 1) throw new AppError('readings_of_several_consumers', 422, 'Send the readings of one consumer at a time', { errors: [{ field: 'readings', code: 'readings_of_several_consumers', message: 'Meters of several consumers' }] });
    const consumerRef = consumerRefs[0]!;
    await requireRight(db, userId, consumerRef, 'submit_readings', 'meter_not_found');

    const verdicts = await this.checkEach(consumerRef, input.readings);
    const errors = verdicts.flatMap((v) => v.errors);
    const warnings = verdicts.flatMap((v) => v.warnings.filter((w) => w.code === 'abnormal_jump'));
    if (errors.length > 0) throw new AppError('reading_invalid', 422, errors.map((e) => `${e.field}: ${e.message}`).join('; '), { errors });
    if (warnings.length > 0 && !input.confirmJump) {
      throw new AppError('confirmation_required', 422, 'Unusual consumption: check the readings and send them again with confirmJump: true', { errors: warnings, warnings });
    }
    return this.send(userId, consumerRef, input.readings, verdicts);
  }

  /**
   * The rules (reading-rules.ts) for each entry against the front's copy of the consumer's meters, without
   * throwing: the verdict of entry i has fields `readings/<i>/…`. Shared by the form and the Excel upload.
   * A meter not of `consumerRef` is `meter_not_found` on `meterId`; a meter and zone twice is `duplicate_reading`.
   */
  async checkEach(consumerRef: string, entries: ReadingEntry[]): Promise<ReadingVerdict[]> {
    if (entries.length === 0) return [];
    const meterIds = [...new Set(entries.map((r) => r.meterId))];
    const meters = await this.deps.database.db
      .selectFrom('meters')
      .innerJoin('contracts', 'contracts.id', 'meters.contract_id')
      .select(['meters.id', 'meters.digits', 'meters.fraction_digits', 'meters.zones', 'meters.transformation_ratio', 'meters.average_monthly_kwh', 'meters.last_readings', 'contracts.status', 'contracts.window_from_day', 'contracts.window_to_day'])
      .where('meters.id', 'in', meterIds)
      .where('meters.consumer_ref', '=', consumerRef)
      .execute();
    const byId = new Map(meters.map((m) => [m.id, m]));
    const previous = meters.length > 0 ? await this.previousAccepted(meters.map((m) => m.id), meters) : new Map<string, { date: string; value: string }>();
    const today = this.deps.today();
    const seen = new Set<string>();
    return entries.map((r, i) => {
      const field = `readings/${i}`;
      const meter = byId.get(r.meterId);
      if (!meter) return { errors: [{ field: `${field}/meterId`, code: 'meter_not_found', message: 'No such meter of this consumer' }], warnings: [], rollover: false };
      const key = `${r.meterId}\u0000${r.zone}`;
      const extra: ReadingVerdict['errors'] = [];
      if (seen.has(key)) extra.push({ field: `${field}/zone`, code: 'duplicate_reading', message: 'This meter and zone appear twice' });
      seen.add(key);
      if (meter.status !== 'active') extra.push({ field: `${field}/meterId`, code: 'contract_terminated', message: 'The contract of this meter is terminated' });
      const verdict = checkReading(
        { digits: meter.digits, fractionDigits: meter.fraction_digits, zones: meter.zones, transformationRatio: meter.transformation_ratio, averageMonthlyKwh: meter.average_monthly_kwh },
        r,
        { today, window: { fromDay: meter.window_from_day, toDay: meter.window_to_day }, previous: previous.get(key) },
        field,
      );
      return { ...verdict, errors: [...extra, ...verdict.errors] };
    });
  }

  /** Stores checked readings as `sent` and writes one cabinet.cmd.readings.submit, in one transaction. */
  async send(userId: string, consumerRef: string, entries: ReadingEntry[], verdicts: ReadingVerdict[]) {
    const submissionId = randomUUID();
    const rows = entries.map((r) => ({ ...r, id: randomUUID() }));
    const command: SubmitReadings = { submissionId, userRef: userId, consumerRef, readings: rows.map((r) => ({ readingId: r.id, meterId: r.meterId, zone: r.zone, date: r.date, value: r.value })) };
    await this.deps.database.transaction(async (trx) => {
      await trx
        .insertInto('readings')
        .values(
          rows.map((r, i) => ({
            id: r.id,
            consumer_ref: consumerRef,
            meter_id: r.meterId,
            zone: r.zone,
            reading_date: r.date,
            value: r.value,
            source: 'cabinet',
            status: 'sent' as const,
            reason_code: null,
            reason_text: null,
            consumption_kwh: null,
            billing_reading_id: null,
            submission_id: submissionId,
            submitted_by: userId,
            jump_confirmed: verdicts[i]!.warnings.some((w) => w.code === 'abnormal_jump'),
            version: null,
            sent_at: new Date(),
            processed_at: null,
          })),
        )
        .execute();
      await enqueueMessage(trx, commandTopics.submitReadings, command, { id: submissionId });
    });
    this.deps.nudge();
    return {
      submissionId,
      readings: rows.map((r, i) => ({ id: r.id, meterId: r.meterId, zone: r.zone, date: r.date, value: r.value, status: 'sent' as const, ...(verdicts[i]!.consumption !== undefined ? { consumption: verdicts[i]!.consumption } : {}), warnings: verdicts[i]!.warnings.map((w) => w.code) })),
    };
  }

  /** Per meter and zone, the latest accepted reading: billing's (from the meter) or one accepted since. */
  private async previousAccepted(meterIds: string[], meters: Array<{ id: string; last_readings: LastReading[] }>) {
    const result = new Map<string, { date: string; value: string }>();
    const offer = (meterId: string, zone: string, date: string, value: string) => {
      const key = `${meterId}\u0000${zone}`;
      const current = result.get(key);
      if (!current || date > current.date) result.set(key, { date, value });
    };
    for (const m of meters) for (const r of m.last_readings ?? []) offer(m.id, r.zone, r.date, r.value);
    const accepted = await this.deps.database.db
      .selectFrom('readings')
      .select(['meter_id', 'zone', day('reading_date').as('date'), sql<string>`value::text`.as('value')])
      .distinctOn(['meter_id', 'zone'])
      .where('meter_id', 'in', meterIds)
      .where('status', '=', 'accepted')
      .orderBy('meter_id')
      .orderBy('zone')
      .orderBy('reading_date', 'desc')
      .execute();
    for (const r of accepted) offer(r.meter_id, r.zone, r.date, r.value);
    return result;
  }

  async list(userId: string, q: { limit: number; offset: number; meterId?: string; status?: string; source?: string; from?: string; to?: string }) {
    const db = this.deps.database.db;
    let base = db.selectFrom('readings').where(inScope(userId, 'view'));
    if (q.meterId) base = base.where('meter_id', '=', q.meterId);
    if (q.status) base = base.where('status', '=', q.status as 'sent');
    if (q.source) base = base.where('source', '=', q.source);
    if (q.from) base = base.where('reading_date', '>=', q.from);
    if (q.to) base = base.where('reading_date', '<=', q.to);
    const [rows, total] = await Promise.all([
      base.select(readingColumns).orderBy('reading_date', 'desc').orderBy('created_at', 'desc').orderBy('id').limit(q.limit).offset(q.offset).execute(),
      base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(readingView), total: Number(total.n), limit: q.limit, offset: q.offset };
  }

  async get(userId: string, id: string) {
    const row = await this.deps.database.db.selectFrom('readings').select(readingColumns).where('id', '=', id).where(inScope(userId, 'view')).executeTakeFirst();
    if (!row) throw notFound('reading_not_found', 'No such reading');
    return readingView(row);
  }
}

const readingColumns = [
  'id',
  'meter_id',
  'consumer_ref',
  'zone',
  day('reading_date').as('date'),
  sql<string>`value::text`.as('value_text'),
  'source',
  'status',
  'reason_code',
  'reason_text',
  sql<string | null>`consumption_kwh::text`.as('consumption_text'),
  'submission_id',
  'sent_at',
  'processed_at',
] as const;

type ReadingRow = Pick<Selectable<ReadingsTable>, 'id' | 'meter_id' | 'consumer_ref' | 'zone' | 'source' | 'status' | 'reason_code' | 'reason_text' | 'submission_id' | 'sent_at' | 'processed_at'> & {
  date: string;
  value_text: string;
  consumption_text: string | null;
};

function readingView(r: ReadingRow) {
  return {
    id: r.id,
    meterId: r.meter_id,
    consumerRef: r.consumer_ref,
    zone: r.zone,
    date: r.date,
    value: r.value_text,
    source: r.source,
    status: r.status,
    ...(r.reason_code ? { reasonCode: r.reason_code } : {}),
    ...(r.reason_text ? { reasonText: r.reason_text } : {}),
    ...(r.consumption_text ? { consumptionKwh: r.consumption_text } : {}),
    ...(r.submission_id ? { submissionId: r.submission_id } : {}),
    ...(r.sent_at ? { sentAt: r.sent_at.toISOString() } : {}),
    ...(r.processed_at ? { processedAt: r.processed_at.toISOString() } : {}),
  };
}
