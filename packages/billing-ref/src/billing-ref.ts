import { sql, type Transaction } from 'kysely';
import type { Database, Executor } from '@app/kernel';
import { accountCard, trimKwh, type AccountCard } from './accounts.js';
import { changesSince, currentVersion, lockChangeFeed, recordChanges, type ChangeRecord, type ChangeRow } from './changes.js';
import { recomputeCharges } from './charges.js';
import { addDays, isoDate, lastDayOf, monthsBetween } from './months.js';
import { renderInvoicePdf } from './pdf/invoice-pdf.js';
import { ensureProfiles, recomputeProfiles } from './profiles.js';
import { formatScaled, parseScaled } from './decimal.js';
import { checkReading } from './readings/reading-rules.js';
import { concludeContract, type ConcludeContractInput, type ConcludedContract } from './conclude.js';
import { storeHourly, type HourlyDayInput, type HourlyUploadResult } from './hourly-upload.js';
import type { ConsumerRecord, ContractRecord, HourlyRecord, InvoiceRecord, MeterRecord, PaymentRecord, ReadingRecord } from './records.js';
import type { BillingRefDb } from './tables.js';

export interface SubmittedReadingInput {
  /** The caller's id of the reading: the idempotency key (a repeat gets the first outcome). */
  readingId: string;
  meterId: string;
  zone: string;
  date: string;
  value: string;
}

export interface SubmitResult {
  version: string;
  readings: ReadingRecord[];
  /** Contracts whose charges (account card) were recomputed. */
  accountsChanged: string[];
  profilesChanged: Array<{ meteringPointId: string; from: string; to: string }>;
}

export interface BookPaymentInput {
  contractId: string;
  amount: bigint;
  paidOn?: string;
  document?: string;
  source?: string;
  /** The bank's or acquirer's id: a payment booked twice with it is booked once. */
  externalRef?: string;
}

export interface ContractForLink {
  contractId: string;
  consumerId: string;
  number: string;
  status: 'active' | 'terminated';
  linkSecret: string;
}

const ID = /^[0-9]{1,18}$/;
const isId = (value: string) => ID.test(value);

/**
 * The reference billing's operations: what cabinet-back's adapter calls, plus the back-office jobs a
 * billing runs on its own (end-of-month billing, booking a bank payment). Every write is one
 * transaction that ends by recording its changes in the feed.
 */
export class BillingRef {
  private readonly now: () => Date;

  constructor(
    readonly database: Database<BillingRefDb>,
    options: { now?: () => Date } = {},
  ) {
    this.now = options.now ?? (() => new Date());
  }

  private get db() {
    return this.database.db;
  }

  today(): string {
    return isoDate(this.now());
  }

  ping(): Promise<void> {
    return this.database.ping();
  }

  async version(): Promise<string> {
    return String(await currentVersion(this.db));
  }

  async findContractByNumber(number: string): Promise<ContractForLink | null> {
    const row = await this.db
      .selectFrom('contracts')
      .select(['id', 'consumer_id', 'number', 'status', 'link_secret'])
      .where('number', '=', number)
      .executeTakeFirst();
    return row ? { contractId: String(row.id), consumerId: String(row.consumer_id), number: row.number, status: row.status, linkSecret: row.link_secret } : null;
  }

  async consumer(consumerId: string, db: Executor<BillingRefDb> = this.db): Promise<ConsumerRecord | null> {
    if (!isId(consumerId)) return null;
    const row = await db.selectFrom('consumers').selectAll().where('id', '=', BigInt(consumerId)).executeTakeFirst();
    if (!row) return null;
    return compact({ id: String(row.id), kind: row.kind, name: row.name, inn: row.inn, ogrn: row.ogrn, snils: row.snils, email: row.email, phone: row.phone, address: row.address }) as ConsumerRecord;
  }

  /** Everything of one consumer at one version (one repeatable-read transaction), documents and readings from `sinceMonth`. */
  async consumerSnapshot(consumerId: string, sinceMonth: string) {
    if (!isId(consumerId)) return null;
    return this.db
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute(async (trx) => {
        const consumer = await this.consumer(consumerId, trx);
        if (!consumer) return null;
        const version = String(await currentVersion(trx));
        const contracts = await this.contractTree(trx, consumerId);
        const today = this.today();
        const accounts: AccountCard[] = [];
        for (const contract of contracts) accounts.push((await accountCard(trx, contract.id, today))!);
        const since = `${sinceMonth}-01`;
        const invoices = await this.invoicesWhere(trx, sql`c.consumer_id = ${consumerId}::int8 and i.period >= ${since}::date`);
        const payments = await this.paymentsWhere(trx, sql`c.consumer_id = ${consumerId}::int8 and p.paid_on >= ${since}::date`);
        const readings = await this.readingsWhere(trx, sql`r.consumer_id = ${consumerId}::int8 and r.reading_date >= ${since}::date`);
        return { version, consumer, contracts, accounts, invoices, payments, readings };
      });
  }

  async contract(contractId: string): Promise<{ contract: ContractRecord; consumer: ConsumerRecord } | null> {
    if (!isId(contractId)) return null;
    const row = await this.db.selectFrom('contracts').select('consumer_id').where('id', '=', BigInt(contractId)).executeTakeFirst();
    if (!row) return null;
    const [contract] = await this.contractTree(this.db, String(row.consumer_id), contractId);
    const consumer = await this.consumer(String(row.consumer_id));
    return contract && consumer ? { contract, consumer } : null;
  }

  async account(contractId: string): Promise<AccountCard | null> {
    return isId(contractId) ? accountCard(this.db, contractId, this.today()) : null;
  }

  async invoice(invoiceId: string): Promise<InvoiceRecord | null> {
    if (!isId(invoiceId)) return null;
    return (await this.invoicesWhere(this.db, sql`i.id = ${invoiceId}::int8`))[0] ?? null;
  }

  async payment(paymentId: string): Promise<PaymentRecord | null> {
    if (!isId(paymentId)) return null;
    return (await this.paymentsWhere(this.db, sql`p.id = ${paymentId}::int8`))[0] ?? null;
  }

  async reading(readingId: string): Promise<ReadingRecord | null> {
    if (!isId(readingId)) return null;
    return (await this.readingsWhere(this.db, sql`r.id = ${readingId}::int8`))[0] ?? null;
  }

  async changesSince(version: string, limit: number): Promise<ChangeRecord[]> {
    return changesSince(this.db, BigInt(version), limit);
  }

  /** Hourly values of a point, days without data left out. `profile` months not stored yet are computed first. */
  async hourly(pointId: string, from: string, to: string, kind: 'metered' | 'profile'): Promise<HourlyRecord[]> {
    if (!isId(pointId) || from > to) return [];
    const read = async (db: Executor<BillingRefDb>) => {
      const { rows } = await sql<{ day: string; hours: string[] }>`
        select day::text as day, hours::text[] as hours from hourly
        where metering_point_id = ${pointId}::int8 and kind = ${kind} and day between ${from}::date and ${to}::date
        order by day`.execute(db);
      return rows.map((r) => ({ date: r.day, hours: r.hours.map(trimKwh) }));
    };
    if (kind === 'metered') return read(this.db);
    const last = [to.slice(0, 7), this.today().slice(0, 7)].sort()[0]!;
    const months = monthsBetween(from.slice(0, 7), last);
    return this.database.transaction(async (trx) => {
      await ensureProfiles(trx, pointId, months);
      return read(trx);
    });
  }

  /**
   * Enters integral readings through the acceptance rules (readings/reading-rules.ts), in order. A
   * reading id seen before is answered with its first outcome. Accepted readings recompute the charges of
   * the months they cover and the points' profiles. The consumer's meters are locked (in id order) so that
   * two submissions for one meter run one after the other.
   */
  async submitReadings(consumerId: string, readings: SubmittedReadingInput[], options: { source?: string } = {}): Promise<SubmitResult> {
    const source = options.source ?? 'cabinet';
    const today = this.today();
    if (!isId(consumerId)) throw new Error(`not a consumer id: ${consumerId}`);
    return this.database.transaction(async (trx) => {
      if (!(await trx.selectFrom('consumers').select('id').where('id', '=', BigInt(consumerId)).executeTakeFirst())) throw new Error(`no consumer ${consumerId}`);
      const meterIds = [...new Set(readings.map((r) => r.meterId).filter(isId))];
      const { rows: meterRows } = await sql<{
        id: bigint;
        point_id: bigint;
        contract_id: bigint;
        digits: number;
        fraction_digits: number;
        ratio: string;
        zones: string[];
        installed_on: string;
        removed_on: string | null;
        ended_on: string | null;
        from_day: number;
        to_day: number;
      }>`
        select me.id, mp.id as point_id, c.id as contract_id, me.digits, me.fraction_digits, me.transformation_ratio::text as ratio, me.zones,
          me.installed_on::text as installed_on, me.removed_on::text as removed_on, c.ended_on::text as ended_on,
          c.reading_from_day as from_day, c.reading_to_day as to_day
        from meters me
        join metering_points mp on mp.id = me.metering_point_id
        join supply_objects so on so.id = mp.supply_object_id
        join contracts c on c.id = so.contract_id
        where c.consumer_id = ${consumerId}::int8 and me.id = any(${meterIds}::int8[])
        order by me.id
        for update of me`.execute(trx);
      const meters = new Map(meterRows.map((m) => [String(m.id), m]));
      const known = new Map(
        (await this.readingsWhere(trx, sql`r.cabinet_reading_id = any(${readings.map((r) => r.readingId)}::text[])`)).map((r) => [r.cabinetReadingId!, r]),
      );
      const lastAccepted = await this.lastAccepted(trx, [...meters.keys()]);
      const averages = await this.averageDaily(trx, [...meters.keys()], today);

      const out: ReadingRecord[] = [];
      const changes: ChangeRow[] = [];
      const contractMonths = new Map<string, { from: string; to: string }>();
      const pointMonths = new Map<string, Set<string>>();
      // The contract shows each meter's last accepted readings: an accepted reading changes it.
      const contractsTouched = new Set<string>();
      for (const reading of readings) {
        const seen = known.get(reading.readingId);
        if (seen) {
          out.push(seen);
          continue;
        }
        const meter = meters.get(reading.meterId);
        const key = `${reading.meterId}:${reading.zone}`;
        const previous = lastAccepted.get(key) ?? null;
        let acceptedOnSameDate = previous?.date === reading.date;
        if (meter && previous && reading.date < previous.date) {
          const { rows } = await sql`select 1 from readings where meter_id = ${reading.meterId}::int8 and zone = ${reading.zone} and reading_date = ${reading.date}::date and status = 'accepted'`.execute(trx);
          acceptedOnSameDate = rows.length > 0;
        }
        const verdict = checkReading({
          reading,
          meter: meter
            ? { digits: meter.digits, fractionDigits: meter.fraction_digits, transformationRatio: meter.ratio, zones: meter.zones, installedOn: meter.installed_on, removedOn: meter.removed_on }
            : null,
          contract: { endedOn: meter?.ended_on ?? null, readingWindow: { fromDay: meter?.from_day ?? 1, toDay: meter?.to_day ?? 31 } },
          previous,
          acceptedOnSameDate,
          averageDailyKwh: averages.get(key) ?? null,
          today,
        });
        const accepted = verdict.status === 'accepted';
        const inserted = await trx
          .insertInto('readings')
          .values({
            consumer_id: BigInt(consumerId),
            meter_id: meter ? meter.id : null,
            meter_ref: reading.meterId,
            zone: reading.zone,
            reading_date: reading.date,
            value: reading.value,
            source,
            cabinet_reading_id: reading.readingId,
            status: verdict.status,
            reason_code: accepted ? null : verdict.reasonCode,
            reason_text: accepted ? null : verdict.reasonText,
            previous_date: accepted ? verdict.previousDate : null,
            consumption_kwh: accepted ? verdict.consumptionKwh : null,
          })
          .onConflict((oc) => oc.column('cabinet_reading_id').doNothing())
          .returning('id')
          .executeTakeFirst();
        if (!inserted) {
          // Entered meanwhile by a concurrent submission of the same reading (not locked: its meter was unknown).
          const [first] = await this.readingsWhere(trx, sql`r.cabinet_reading_id = ${reading.readingId}`);
          out.push(first!);
          known.set(reading.readingId, first!);
          continue;
        }
        const [record] = await this.readingsWhere(trx, sql`r.id = ${inserted.id}`);
        out.push(record!);
        known.set(reading.readingId, record!);
        changes.push({ consumerId, entity: 'reading', entityId: inserted.id });
        if (verdict.status === 'accepted' && meter) {
          lastAccepted.set(key, { date: reading.date, value: reading.value });
          contractsTouched.add(String(meter.contract_id));
          if (verdict.previousDate === null) continue;
          const from = addDays(verdict.previousDate, 1).slice(0, 7);
          const to = reading.date.slice(0, 7);
          const contractId = String(meter.contract_id);
          const range = contractMonths.get(contractId);
          contractMonths.set(contractId, { from: range && range.from < from ? range.from : from, to: range && range.to > to ? range.to : to });
          const months = pointMonths.get(String(meter.point_id)) ?? new Set<string>();
          for (const m of monthsBetween(from, to)) months.add(m);
          pointMonths.set(String(meter.point_id), months);
        }
      }
      for (const contractId of contractsTouched) changes.push({ consumerId, entity: 'contract', entityId: contractId });
      for (const [contractId, range] of contractMonths) {
        await recomputeCharges(trx, [contractId], range.from, range.to);
        changes.push({ consumerId, entity: 'account', entityId: contractId });
      }
      const profilesChanged: SubmitResult['profilesChanged'] = [];
      for (const [pointId, monthSet] of pointMonths) {
        const months = [...monthSet].sort();
        await recomputeProfiles(trx, [pointId], months);
        const change = { meteringPointId: pointId, from: `${months[0]}-01`, to: lastDayOf(months.at(-1)!) };
        profilesChanged.push(change);
        changes.push({ consumerId, entity: 'profile', entityId: pointId, from: change.from, to: change.to });
      }
      await recordChanges(trx, changes);
      return { version: String(await currentVersion(trx)), readings: out, accountsChanged: [...contractMonths.keys()], profilesChanged };
    });
  }

  /**
   * End-of-month billing for `month` (YYYY-MM): recomputes every contract's charges of the month, then
   * issues an invoice and an act per contract that has charges (numbers `<contract>/<YYYYMM>` and
   * `…/A`), issued on the 1st of the next month, due on the 15th. Re-running it is safe: unchanged
   * documents stay as they are, changed amounts are updated and fed again.
   */
  async runMonthlyBilling(month: string, options: { contractIds?: string[] } = {}): Promise<{ issued: number; updated: number; version: string }> {
    return this.database.transaction(async (trx) => {
      const result = await issueDocuments(trx, month, month, options.contractIds ?? null, { recompute: true, feed: true });
      return { ...result, version: String(await currentVersion(trx)) };
    });
  }

  /** Hourly readings of an interval point loaded from outside (cabinet upload): see hourly-upload.ts for the rules. */
  submitHourly(consumerId: string, pointId: string, days: HourlyDayInput[]): Promise<HourlyUploadResult> {
    if (!isId(consumerId) || !isId(pointId)) return Promise.resolve({ version: '0', accepted: 0, rejected: [{ code: 'point_not_found', message: 'No such metering point of this consumer' }], accountsChanged: [] });
    return storeHourly(this.database, consumerId, pointId, days, this.today());
  }

  /** A contract concluded from a signed cabinet application, once per application (conclude.ts). */
  concludeContract(input: ConcludeContractInput): Promise<ConcludedContract> {
    return concludeContract(this.database, input, this.today());
  }

  /** Books a payment (bank statement, acquiring); with `externalRef` booking it again returns the first one. */
  async bookPayment(input: BookPaymentInput): Promise<PaymentRecord & { version: string; booked: boolean }> {
    if (!isId(input.contractId)) throw new Error(`not a contract id: ${input.contractId}`);
    if (input.amount <= 0n) throw new Error('a payment amount must be positive');
    return this.database.transaction(async (trx) => {
      const contract = await trx.selectFrom('contracts').select(['id', 'consumer_id', 'number']).where('id', '=', BigInt(input.contractId)).executeTakeFirst();
      if (!contract) throw new Error(`no contract ${input.contractId}`);
      const inserted = await trx
        .insertInto('payments')
        .values({
          contract_id: contract.id,
          paid_on: input.paidOn ?? this.today(),
          amount: input.amount,
          document: input.document ?? `ПП ${contract.number}`,
          source: input.source ?? 'bank',
          external_ref: input.externalRef ?? null,
        })
        .onConflict((oc) => oc.column('external_ref').doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!inserted) {
        const [first] = await this.paymentsWhere(trx, sql`p.external_ref = ${input.externalRef!}`);
        return { ...first!, version: String(await currentVersion(trx)), booked: false };
      }
      await recordChanges(trx, [
        { consumerId: contract.consumer_id, entity: 'payment', entityId: inserted.id },
        { consumerId: contract.consumer_id, entity: 'account', entityId: contract.id },
      ]);
      const [payment] = await this.paymentsWhere(trx, sql`p.id = ${inserted.id}`);
      return { ...payment!, version: String(await currentVersion(trx)), booked: true };
    });
  }

  async invoicePdf(invoiceId: string): Promise<Buffer | null> {
    if (!isId(invoiceId)) return null;
    const { rows } = await sql<{
      kind: 'invoice' | 'act';
      number: string;
      period: string;
      issued_on: string;
      due_on: string | null;
      amount: bigint;
      kwh: string;
      contract_id: bigint;
      contract_number: string;
      link_secret: string;
      name: string;
      inn: string | null;
      address: string | null;
    }>`
      select i.kind, i.number, to_char(i.period, 'YYYY-MM') as period, i.issued_on::text as issued_on, i.due_on::text as due_on, i.amount, i.kwh::text as kwh,
        c.id as contract_id, c.number as contract_number, c.link_secret, k.name, k.inn, k.address
      from invoices i join contracts c on c.id = i.contract_id join consumers k on k.id = c.consumer_id
      where i.id = ${invoiceId}::int8`.execute(this.db);
    const invoice = rows[0];
    if (!invoice) return null;
    const { rows: lines } = await sql<{ zone: string; zone_name: string; kwh: string; price: string; amount: bigint }>`
      select ch.zone, z.name as zone_name, ch.kwh::text as kwh, ch.price_kopecks::text as price, ch.amount
      from charges ch join tariff_zones z on z.code = ch.zone
      where ch.contract_id = ${invoice.contract_id} and ch.month = ${`${invoice.period}-01`}::date order by ch.zone`.execute(this.db);
    return renderInvoicePdf({
      kind: invoice.kind,
      number: invoice.number,
      period: invoice.period,
      issuedOn: invoice.issued_on,
      dueOn: invoice.due_on,
      amount: invoice.amount,
      kwh: trimKwh(invoice.kwh),
      contract: { number: invoice.contract_number, linkSecret: invoice.link_secret },
      consumer: { name: invoice.name, inn: invoice.inn, address: invoice.address },
      lines: lines.map((l) => ({ zone: l.zone, zoneName: l.zone_name, kwh: trimKwh(l.kwh), priceKopecks: l.price, amount: l.amount })),
    });
  }

  // ---- reads shared by the operations above ----

  private async contractTree(db: Executor<BillingRefDb>, consumerId: string, contractId?: string): Promise<ContractRecord[]> {
    const today = this.today();
    const contracts = await db
      .selectFrom('contracts')
      .select(['id', 'consumer_id', 'number', 'status', sql<string>`started_on::text`.as('started_on'), sql<string | null>`ended_on::text`.as('ended_on'), 'reading_from_day', 'reading_to_day'])
      .where('consumer_id', '=', BigInt(consumerId))
      .$if(contractId !== undefined, (q) => q.where('id', '=', BigInt(contractId!)))
      .orderBy('id')
      .execute();
    if (contracts.length === 0) return [];
    const objects = await db.selectFrom('supply_objects').selectAll().where('contract_id', 'in', contracts.map((c) => c.id)).orderBy('id').execute();
    const points = objects.length
      ? await db
          .selectFrom('metering_points')
          .select(['id', 'supply_object_id', 'code', 'name', 'voltage', sql<string | null>`max_power_kw::text`.as('max_power_kw')])
          .where('supply_object_id', 'in', objects.map((o) => o.id))
          .orderBy('id')
          .execute()
      : [];
    const { rows: meterRows } = points.length
      ? await sql<{
          id: bigint;
          metering_point_id: bigint;
          serial: string;
          model: string;
          kind: 'integral' | 'interval';
          digits: number;
          fraction_digits: number;
          ratio: string;
          zones: string[];
          installed_on: string;
          verified_on: string | null;
          next_verification_on: string | null;
        }>`
          select id, metering_point_id, serial, model, kind, digits, fraction_digits, transformation_ratio::text as ratio, zones,
            installed_on::text as installed_on, verified_on::text as verified_on, next_verification_on::text as next_verification_on
          from meters
          where metering_point_id = any(${points.map((p) => String(p.id))}::int8[]) and (removed_on is null or removed_on > ${today}::date)
          order by id`.execute(db)
      : { rows: [] };
    const meterIds = meterRows.map((m) => String(m.id));
    const last = await this.lastAcceptedList(db, meterIds);
    const averages = await this.averageMonthly(db, meterIds, today);
    const meters: Array<MeterRecord & { pointId: string }> = meterRows.map((m) =>
      compact({
        pointId: String(m.metering_point_id),
        id: String(m.id),
        serial: m.serial,
        model: m.model,
        kind: m.kind,
        digits: m.digits,
        fractionDigits: m.fraction_digits,
        transformationRatio: trimKwh(m.ratio),
        zones: m.zones,
        installedOn: m.installed_on,
        verifiedOn: m.verified_on,
        nextVerificationOn: m.next_verification_on,
        lastReadings: last.get(String(m.id)) ?? [],
        averageMonthlyKwh: averages.get(String(m.id)) ?? null,
      }) as MeterRecord & { pointId: string },
    );
    return contracts.map((c) =>
      compact({
        id: String(c.id),
        consumerId: String(c.consumer_id),
        number: c.number,
        status: c.status,
        startedOn: c.started_on,
        endedOn: c.ended_on,
        readingWindow: { fromDay: c.reading_from_day, toDay: c.reading_to_day },
        objects: objects
          .filter((o) => o.contract_id === c.id)
          .map((o) => ({
            id: String(o.id),
            name: o.name,
            address: o.address,
            meteringPoints: points
              .filter((p) => p.supply_object_id === o.id)
              .map((p) =>
                compact({
                  id: String(p.id),
                  code: p.code,
                  name: p.name,
                  voltage: p.voltage,
                  maxPowerKw: p.max_power_kw === null ? null : trimKwh(p.max_power_kw),
                  meters: meters.filter((m) => m.pointId === String(p.id)).map(({ pointId: _pointId, ...m }) => m),
                }),
              ),
          })),
      }) as ContractRecord,
    );
  }

  private async lastAcceptedList(db: Executor<BillingRefDb>, meterIds: string[]) {
    const map = new Map<string, Array<{ zone: string; date: string; value: string }>>();
    for (const [key, value] of await this.lastAccepted(db, meterIds)) {
      const [meterId, zone] = key.split(':') as [string, string];
      map.set(meterId, [...(map.get(meterId) ?? []), { zone, ...value }]);
    }
    return map;
  }

  /** The latest accepted reading per `meter:zone`. */
  private async lastAccepted(db: Executor<BillingRefDb>, meterIds: string[]): Promise<Map<string, { date: string; value: string }>> {
    if (meterIds.length === 0) return new Map();
    const { rows } = await sql<{ meter_id: bigint; zone: string; date: string; value: string }>`
      select distinct on (meter_id, zone) meter_id, zone, reading_date::text as date, value::text as value
      from readings where meter_id = any(${meterIds}::int8[]) and status = 'accepted'
      order by meter_id, zone, reading_date desc`.execute(db);
    return new Map(rows.map((r) => [`${r.meter_id}:${r.zone}`, { date: r.date, value: trimKwh(r.value) }]));
  }

  /** kWh per day per `meter:zone` over the year before `today`, where it has at least 28 days of history. */
  private async averageDaily(db: Executor<BillingRefDb>, meterIds: string[], today: string): Promise<Map<string, string>> {
    if (meterIds.length === 0) return new Map();
    const { rows } = await sql<{ meter_id: bigint; zone: string; daily: string }>`
      select meter_id, zone, round(sum(consumption_kwh) / sum(reading_date - previous_date), 6)::text as daily
      from readings
      where meter_id = any(${meterIds}::int8[]) and status = 'accepted' and previous_date is not null and reading_date > ${today}::date - 365
      group by meter_id, zone having sum(reading_date - previous_date) >= 28`.execute(db);
    return new Map(rows.map((r) => [`${r.meter_id}:${r.zone}`, r.daily]));
  }

  /** Average monthly kWh of one zone (mean over the meter's zones), over the last year; 30.4375 days a month. */
  private async averageMonthly(db: Executor<BillingRefDb>, meterIds: string[], today: string): Promise<Map<string, string>> {
    const byMeter = new Map<string, bigint[]>();
    for (const [key, value] of await this.averageDaily(db, meterIds, today)) {
      const meterId = key.split(':')[0]!;
      byMeter.set(meterId, [...(byMeter.get(meterId) ?? []), parseScaled(value, 6)]);
    }
    const out = new Map<string, string>();
    for (const [meterId, values] of byMeter) {
      const sum = values.reduce((a, b) => a + b, 0n);
      const monthly = (sum * 304_375n) / (BigInt(values.length) * 10_000n); // scale 6
      out.set(meterId, formatScaled((monthly + 500n) / 1000n, 3));
    }
    return out;
  }

  private async invoicesWhere(db: Executor<BillingRefDb>, where: ReturnType<typeof sql>): Promise<InvoiceRecord[]> {
    const { rows } = await sql<{ id: bigint; contract_id: bigint; consumer_id: bigint; kind: 'invoice' | 'act'; number: string; period: string; issued_on: string; due_on: string | null; amount: bigint; kwh: string }>`
      select i.id, i.contract_id, c.consumer_id, i.kind, i.number, to_char(i.period, 'YYYY-MM') as period, i.issued_on::text as issued_on, i.due_on::text as due_on, i.amount, i.kwh::text as kwh
      from invoices i join contracts c on c.id = i.contract_id
      where ${where} order by i.period, i.contract_id, i.kind desc, i.id`.execute(db);
    return rows.map(
      (r) =>
        compact({ id: String(r.id), contractId: String(r.contract_id), consumerId: String(r.consumer_id), kind: r.kind, number: r.number, period: r.period, issuedOn: r.issued_on, dueOn: r.due_on, amount: r.amount, kwh: trimKwh(r.kwh) }) as InvoiceRecord,
    );
  }

  private async paymentsWhere(db: Executor<BillingRefDb>, where: ReturnType<typeof sql>): Promise<PaymentRecord[]> {
    const { rows } = await sql<{ id: bigint; contract_id: bigint; consumer_id: bigint; paid_on: string; amount: bigint; document: string; source: string }>`
      select p.id, p.contract_id, c.consumer_id, p.paid_on::text as paid_on, p.amount, p.document, p.source
      from payments p join contracts c on c.id = p.contract_id
      where ${where} order by p.paid_on, p.id`.execute(db);
    return rows.map((r) => ({ id: String(r.id), contractId: String(r.contract_id), consumerId: String(r.consumer_id), paidOn: r.paid_on, amount: r.amount, document: r.document, source: r.source }));
  }

  private async readingsWhere(db: Executor<BillingRefDb>, where: ReturnType<typeof sql>): Promise<ReadingRecord[]> {
    const { rows } = await sql<{
      id: bigint;
      consumer_id: bigint;
      cabinet_reading_id: string | null;
      meter_ref: string;
      zone: string;
      date: string;
      value: string;
      source: string;
      status: 'accepted' | 'rejected';
      reason_code: string | null;
      reason_text: string | null;
      consumption_kwh: string | null;
      processed_at: Date;
    }>`
      select r.id, r.consumer_id, r.cabinet_reading_id, r.meter_ref, r.zone, r.reading_date::text as date, r.value::text as value, r.source, r.status,
        r.reason_code, r.reason_text, r.consumption_kwh::text as consumption_kwh, r.processed_at
      from readings r where ${where} order by r.reading_date, r.id`.execute(db);
    return rows.map(
      (r) =>
        compact({
          id: String(r.id),
          consumerId: String(r.consumer_id),
          cabinetReadingId: r.cabinet_reading_id,
          meterId: r.meter_ref,
          zone: r.zone,
          date: r.date,
          value: trimKwh(r.value),
          source: r.source,
          status: r.status,
          reasonCode: r.reason_code,
          reasonText: r.reason_text,
          consumptionKwh: r.consumption_kwh === null ? null : trimKwh(r.consumption_kwh),
          processedAt: new Date(r.processed_at),
        }) as ReadingRecord,
    );
  }
}

/**
 * Invoices and acts for the months [fromMonth, toMonth] from their charges, set-based (the demo issues a
 * year for every contract in one statement). With `recompute`, the charges are recomputed first; with
 * `feed`, each issued or changed document and its contract's account get a version.
 */
export async function issueDocuments(
  trx: Transaction<BillingRefDb>,
  fromMonth: string,
  toMonth: string,
  contractIds: string[] | null,
  options: { recompute: boolean; feed: boolean },
): Promise<{ issued: number; updated: number }> {
  if (options.recompute) await recomputeCharges(trx, contractIds, fromMonth, toMonth);
  if (options.feed) await lockChangeFeed(trx);
  const { rows } = await sql<{ issued: number; updated: number }>`
    with docs as (
      insert into invoices (contract_id, kind, number, period, issued_on, due_on, amount, kwh)
      select ch.contract_id, k.kind,
        c.number || '/' || to_char(ch.month, 'YYYYMM') || case when k.kind = 'act' then '/A' else '' end,
        ch.month, (ch.month + interval '1 month')::date,
        case when k.kind = 'invoice' then (ch.month + interval '1 month 14 days')::date end,
        sum(ch.amount), sum(ch.kwh)
      from charges ch
      join contracts c on c.id = ch.contract_id
      cross join (values ('invoice'), ('act')) as k(kind)
      where ch.month between ${`${fromMonth}-01`}::date and ${`${toMonth}-01`}::date
        and (${contractIds}::int8[] is null or ch.contract_id = any(${contractIds}::int8[]))
      group by ch.contract_id, c.number, ch.month, k.kind
      order by ch.contract_id, ch.month, k.kind
      on conflict (contract_id, period, kind) do update set amount = excluded.amount, kwh = excluded.kwh
        where invoices.amount <> excluded.amount or invoices.kwh <> excluded.kwh
      returning id, contract_id, (xmax = 0) as inserted
    ),
    fed as (
      insert into changes (consumer_id, entity, entity_id)
      select consumer_id, entity, entity_id from (
        select c.consumer_id, 'invoice' as entity, d.id::text as entity_id, 1 as ord, d.id as sort from docs d join contracts c on c.id = d.contract_id
        union all
        select distinct c.consumer_id, 'account', c.id::text, 2, c.id from docs d join contracts c on c.id = d.contract_id
      ) as x
      where ${options.feed}
      order by ord, sort
    )
    select count(*) filter (where inserted)::int as issued, count(*) filter (where not inserted)::int as updated from docs`.execute(trx);
  return rows[0]!;
}

/** Drops null and undefined fields, so optional fields are absent rather than null. */
function compact<T extends Record<string, unknown>>(value: T): { [K in keyof T]: Exclude<T[K], null> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null && v !== undefined)) as { [K in keyof T]: Exclude<T[K], null> };
}
