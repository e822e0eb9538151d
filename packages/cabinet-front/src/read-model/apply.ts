import { randomUUID } from 'node:crypto';
import type { Account, ConsumerProfile, ConsumerSnapshot, Contract, HourlyDay, Invoice, Payment, ProcessedReading } from '@app/cabinet-contracts';
import { sql, type SqlBool, type Transaction } from 'kysely';
import type { Pii } from '../crypto/pii.js';
import type { CabinetFrontDb } from '../tables.js';

/**
 * The read model: billing data as cabinet-back's events carry it, stored keyed by consumerRef.
 * Rule for every entity: the row keeps billing's version, and an event is applied only where its
 * version is newer than the row's. So events may come in any order (the back keeps order per topic
 * only) and any number of times, and the newest state always wins.
 */
type Trx = Transaction<CabinetFrontDb>;
const newer = (table: string) => sql<SqlBool>`${sql.ref(`${table}.version`)} < excluded.version`;

export async function applyProfile(trx: Trx, pii: Pii, consumerRef: string, version: string, profile: ConsumerProfile) {
  const seal = (column: string, value: string | undefined) => pii.seal('consumers', column, consumerRef, value ?? null);
  const values = {
    version,
    kind: profile.kind,
    name_enc: pii.seal('consumers', 'name_enc', consumerRef, profile.name),
    inn_enc: seal('inn_enc', profile.inn),
    ogrn_enc: seal('ogrn_enc', profile.ogrn),
    snils_enc: seal('snils_enc', profile.snils),
    email_enc: seal('email_enc', profile.email),
    phone_enc: seal('phone_enc', profile.phone),
    address_enc: seal('address_enc', profile.address),
  };
  await trx
    .insertInto('consumers')
    .values({ consumer_ref: consumerRef, ...values })
    .onConflict((oc) => oc.column('consumer_ref').doUpdateSet({ ...values, updated_at: sql`now()` }).where(newer('consumers')))
    .execute();
}

/** A contract with its objects, points and meters, which come inside it and are replaced with it. */
export async function applyContract(trx: Trx, pii: Pii, consumerRef: string, version: string, contract: Contract) {
  const values = {
    consumer_ref: consumerRef,
    version,
    number: contract.number,
    status: contract.status,
    started_on: contract.startedOn,
    ended_on: contract.endedOn ?? null,
    window_from_day: contract.readingWindow.fromDay,
    window_to_day: contract.readingWindow.toDay,
  };
  const changed = await trx
    .insertInto('contracts')
    .values({ id: contract.id, ...values })
    .onConflict((oc) => oc.column('id').doUpdateSet({ ...values, updated_at: sql`now()` }).where(newer('contracts')))
    .returning('id')
    .executeTakeFirst();
  if (!changed) return false;
  // Cascades to points and meters; anything billing moved here from another contract is taken over below.
  await trx.deleteFrom('supply_objects').where('contract_id', '=', contract.id).execute();
  for (const object of contract.objects) {
    const objectRow = { contract_id: contract.id, consumer_ref: consumerRef, name: object.name, address_enc: pii.seal('supply_objects', 'address_enc', object.id, object.address) };
    await trx.insertInto('supply_objects').values({ id: object.id, ...objectRow }).onConflict((oc) => oc.column('id').doUpdateSet(objectRow)).execute();
    for (const point of object.meteringPoints) {
      const pointRow = { object_id: object.id, contract_id: contract.id, consumer_ref: consumerRef, code: point.code, name: point.name, voltage: point.voltage ?? null, max_power_kw: point.maxPowerKw ?? null };
      await trx.insertInto('metering_points').values({ id: point.id, ...pointRow }).onConflict((oc) => oc.column('id').doUpdateSet(pointRow)).execute();
      for (const meter of point.meters) {
        const meterRow = {
          point_id: point.id,
          contract_id: contract.id,
          consumer_ref: consumerRef,
          serial: meter.serial,
          model: meter.model,
          kind: meter.kind,
          digits: meter.digits,
          fraction_digits: meter.fractionDigits,
          transformation_ratio: meter.transformationRatio,
          zones: meter.zones,
          installed_on: meter.installedOn,
          verified_on: meter.verifiedOn ?? null,
          next_verification_on: meter.nextVerificationOn ?? null,
          average_monthly_kwh: meter.averageMonthlyKwh ?? null,
          last_readings: JSON.stringify(meter.lastReadings),
        };
        await trx.insertInto('meters').values({ id: meter.id, ...meterRow }).onConflict((oc) => oc.column('id').doUpdateSet(meterRow)).execute();
      }
    }
  }
  return true;
}

export async function applyAccount(trx: Trx, consumerRef: string, version: string, account: Account) {
  const values = { consumer_ref: consumerRef, version, debt: BigInt(account.debt), as_of: account.asOf };
  const changed = await trx
    .insertInto('accounts')
    .values({ contract_id: account.contractId, ...values })
    .onConflict((oc) => oc.column('contract_id').doUpdateSet(values).where(newer('accounts')))
    .returning('contract_id')
    .executeTakeFirst();
  if (!changed) return;
  await trx.deleteFrom('account_months').where('contract_id', '=', account.contractId).execute();
  if (account.months.length === 0) return;
  await trx
    .insertInto('account_months')
    .values(account.months.map((m) => ({ contract_id: account.contractId, month: m.month, opening: BigInt(m.opening), charged: BigInt(m.charged), paid: BigInt(m.paid), closing: BigInt(m.closing), kwh: m.kwh })))
    .execute();
}

export async function applyInvoice(trx: Trx, pii: Pii, consumerRef: string, version: string, invoice: Invoice) {
  const values = {
    contract_id: invoice.contractId,
    consumer_ref: consumerRef,
    version,
    kind: invoice.kind,
    number: invoice.number,
    period: invoice.period,
    issued_on: invoice.issuedOn,
    due_on: invoice.dueOn ?? null,
    amount: BigInt(invoice.amount),
    kwh: invoice.kwh ?? null,
    pdf_enc: pii.seal('invoices', 'pdf_enc', invoice.id, invoice.pdfBase64 ?? null),
  };
  await trx
    .insertInto('invoices')
    .values({ id: invoice.id, ...values })
    // An update without the PDF (a snapshot sent without attachments) keeps the one we have.
    .onConflict((oc) => oc.column('id').doUpdateSet({ ...values, pdf_enc: sql`coalesce(excluded.pdf_enc, invoices.pdf_enc)` }).where(newer('invoices')))
    .execute();
}

export async function applyPayment(trx: Trx, consumerRef: string, version: string, payment: Payment) {
  const values = { contract_id: payment.contractId, consumer_ref: consumerRef, version, paid_on: payment.paidOn, amount: BigInt(payment.amount), document: payment.document, source: payment.source };
  await trx.insertInto('payments').values({ id: payment.id, ...values }).onConflict((oc) => oc.column('id').doUpdateSet(values).where(newer('payments'))).execute();
}

/**
 * A processed reading finds its row by the front's reading id (entered in the cabinet), else by
 * billing's id (seen before from another source, or the cabinet's own again without our id); a
 * reading never seen is added. Each is updated only by a newer version.
 */
export async function applyReadings(trx: Trx, consumerRef: string, version: string, submissionId: string | undefined, readings: ProcessedReading[]) {
  for (const r of readings) {
    const values = {
      status: r.status,
      reason_code: r.reasonCode ?? null,
      reason_text: r.reasonText ?? null,
      consumption_kwh: r.consumptionKwh ?? null,
      billing_reading_id: r.billingReadingId,
      version,
      processed_at: r.processedAt,
    };
    const stale = sql<SqlBool>`(version is null or version < ${version}::numeric)`;
    const byOurs = r.readingId
      ? await trx.selectFrom('readings').select(['id']).where('id', '=', r.readingId).executeTakeFirst()
      : undefined;
    const existing = byOurs ?? (await trx.selectFrom('readings').select(['id']).where('billing_reading_id', '=', r.billingReadingId).executeTakeFirst());
    if (existing) {
      // The cabinet's own reading may have been seen first without our id (the sync poller's copy, on
      // another topic): that copy gives way to our row, which then takes billing's id.
      if (byOurs) await trx.deleteFrom('readings').where('billing_reading_id', '=', r.billingReadingId).where('id', '<>', byOurs.id).execute();
      await trx.updateTable('readings').set(values).where('id', '=', existing.id).where(stale).execute();
      continue;
    }
    await trx
      .insertInto('readings')
      .values({
        id: r.readingId && isUuid(r.readingId) ? r.readingId : randomUUID(),
        consumer_ref: consumerRef,
        meter_id: r.meterId,
        zone: r.zone,
        reading_date: r.date,
        value: r.value,
        source: r.source,
        submission_id: submissionId && isUuid(submissionId) && r.readingId ? submissionId : null,
        submitted_by: null,
        sent_at: null,
        ...values,
      })
      .execute();
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const isUuid = (value: string) => UUID.test(value);

export async function applyHourly(trx: Trx, consumerRef: string, version: string, pointId: string, kind: 'metered' | 'profile', days: HourlyDay[]) {
  for (let i = 0; i < days.length; i += 500) {
    const chunk = days.slice(i, i + 500);
    await trx
      .insertInto('hourly_days')
      .values(chunk.map((d) => ({ point_id: pointId, kind, day: d.date, consumer_ref: consumerRef, version, hours: d.hours })))
      .onConflict((oc) => oc.columns(['point_id', 'kind', 'day']).doUpdateSet({ hours: sql`excluded.hours`, version: sql`excluded.version`, consumer_ref: sql`excluded.consumer_ref` }).where(newer('hourly_days')))
      .execute();
  }
}

/**
 * A full snapshot: everything in it is applied by the same newer-version rule; contracts of the
 * consumer that the snapshot no longer has (and that are older than it) are gone from billing.
 */
export async function applySnapshot(trx: Trx, pii: Pii, snapshot: ConsumerSnapshot) {
  const { consumerRef, version } = snapshot;
  await applyProfile(trx, pii, consumerRef, version, snapshot.profile);
  for (const contract of snapshot.contracts) await applyContract(trx, pii, consumerRef, version, contract);
  const kept = snapshot.contracts.map((c) => c.id);
  let gone = trx.deleteFrom('contracts').where('consumer_ref', '=', consumerRef).where(sql<SqlBool>`version < ${version}::numeric`);
  if (kept.length > 0) gone = gone.where('id', 'not in', kept);
  await gone.execute();
  for (const account of snapshot.accounts) await applyAccount(trx, consumerRef, version, account);
  for (const invoice of snapshot.invoices) await applyInvoice(trx, pii, consumerRef, version, invoice);
  for (const payment of snapshot.payments) await applyPayment(trx, consumerRef, version, payment);
  await applyReadings(trx, consumerRef, version, undefined, snapshot.readings);
}
