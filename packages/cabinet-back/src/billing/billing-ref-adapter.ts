import { createHash, timingSafeEqual } from 'node:crypto';
import type { Account, ConsumerProfile, ConsumerSnapshot, Contract, HourlyDay, Invoice, Payment, ProcessedReading, SubmittedReading } from '@app/cabinet-contracts';
import {
  BillingRef,
  openBillingDatabase,
  seedBillingDemo,
  type AccountCard,
  type ConsumerRecord,
  type ContractRecord,
  type DemoOptions,
  type DemoSummary,
  type InvoiceRecord,
  type PaymentRecord,
  type ReadingRecord,
} from '@app/billing-ref';
import type { Logger } from '@app/kernel';
import type { BillingAdapter, ChangeFeedPage, ContractRequest, CreateContractResult, HourlyKind, LinkCheck, PaymentToBook, RegisterPaymentResult, SubmitHourlyResult, SubmitReadingsResult } from './billing-adapter.js';
import { callBilling } from './unavailable.js';

/**
 * The BillingAdapter over the reference billing (@app/billing-ref): translates its records to the
 * cabinet's published language. Consumer refs and all ids are billing-ref's numeric ids as text.
 * Every call goes through `callBilling`, so a closed pool, a refused connection or a failover comes out
 * as BillingUnavailableError.
 */
export class BillingRefAdapter implements BillingAdapter {
  readonly name = 'billing-ref';

  constructor(readonly billing: BillingRef) {}

  ping(): Promise<void> {
    return callBilling('ping', () => this.billing.ping());
  }

  findContractForLink(contractNumber: string, secret?: string): Promise<LinkCheck> {
    return callBilling('findContractForLink', async () => {
      const contract = await this.billing.findContractByNumber(contractNumber);
      if (!contract) return { ok: false, code: 'contract_not_found', message: 'No contract with this number' };
      if (secret !== undefined && !sameSecret(secret, contract.linkSecret)) return { ok: false, code: 'secret_mismatch', message: 'The secret does not match the contract' };
      if (contract.status === 'terminated') return { ok: false, code: 'contract_terminated', message: 'The contract is terminated' };
      return { ok: true, consumerRef: contract.consumerId, contractId: contract.contractId, contractNumber: contract.number };
    });
  }

  consumerSnapshot(consumerRef: string, options: { since: string }): Promise<ConsumerSnapshot | null> {
    return callBilling('consumerSnapshot', async () => {
      const snapshot = await this.billing.consumerSnapshot(consumerRef, options.since);
      if (!snapshot) return null;
      return {
        consumerRef,
        version: snapshot.version,
        profile: toProfile(snapshot.consumer),
        contracts: snapshot.contracts.map(toContract),
        accounts: snapshot.accounts.map(toAccount),
        invoices: snapshot.invoices.map(toInvoice),
        payments: snapshot.payments.map(toPayment),
        readings: snapshot.readings.map(toReading),
      };
    });
  }

  submitReadings(consumerRef: string, readings: SubmittedReading[]): Promise<SubmitReadingsResult> {
    return callBilling('submitReadings', async () => {
      const result = await this.billing.submitReadings(consumerRef, readings, { source: 'cabinet' });
      return { version: result.version, readings: result.readings.map(toReading), accountsChanged: result.accountsChanged, profilesChanged: result.profilesChanged };
    });
  }

  hourly(meteringPointId: string, from: string, to: string, kind: HourlyKind): Promise<HourlyDay[]> {
    return callBilling('hourly', async () => (await this.billing.hourly(meteringPointId, from, to, kind)).map((d) => ({ date: d.date, hours: d.hours })));
  }

  changesSince(version: string, limit: number): Promise<ChangeFeedPage> {
    return callBilling('changesSince', async () => {
      const changes = await this.billing.changesSince(version, limit);
      return {
        changes: changes.map((c) => ({ consumerRef: c.consumerId, entity: c.entity, id: c.entityId, version: c.version, ...(c.from ? { from: c.from } : {}), ...(c.to ? { to: c.to } : {}) })),
        version: changes.at(-1)?.version ?? version,
      };
    });
  }

  contract(consumerRef: string, contractId: string): Promise<{ contract: Contract; profile?: ConsumerProfile } | null> {
    return callBilling('contract', async () => {
      const found = await this.billing.contract(contractId);
      if (!found || found.contract.consumerId !== consumerRef) return null;
      return { contract: toContract(found.contract), profile: toProfile(found.consumer) };
    });
  }

  invoice(invoiceId: string): Promise<Invoice | null> {
    return callBilling('invoice', async () => {
      const invoice = await this.billing.invoice(invoiceId);
      return invoice ? toInvoice(invoice) : null;
    });
  }

  payment(paymentId: string): Promise<Payment | null> {
    return callBilling('payment', async () => {
      const payment = await this.billing.payment(paymentId);
      return payment ? toPayment(payment) : null;
    });
  }

  account(contractId: string): Promise<Account | null> {
    return callBilling('account', async () => {
      const account = await this.billing.account(contractId);
      return account ? toAccount(account) : null;
    });
  }

  reading(billingReadingId: string): Promise<ProcessedReading | null> {
    return callBilling('reading', async () => {
      const reading = await this.billing.reading(billingReadingId);
      return reading ? toReading(reading) : null;
    });
  }

  invoicePdf(invoiceId: string): Promise<Uint8Array | null> {
    return callBilling('invoicePdf', async () => {
      const pdf = await this.billing.invoicePdf(invoiceId);
      return pdf ? new Uint8Array(pdf) : null;
    });
  }

  registerPayment(consumerRef: string, payment: PaymentToBook): Promise<RegisterPaymentResult> {
    return callBilling('registerPayment', async () => {
      // billing-ref books on any contract; whose it is is checked here, so a payment never lands on another consumer's contract.
      const found = /^[0-9]{1,18}$/.test(payment.contractId) ? await this.billing.contract(payment.contractId) : null;
      if (!found || found.contract.consumerId !== consumerRef) return { ok: false, code: 'contract_not_found', message: 'No such contract of this consumer' };
      const booked = await this.billing.bookPayment({ contractId: payment.contractId, amount: payment.amount, paidOn: payment.paidOn, document: payment.document, source: 'cabinet', externalRef: payment.externalRef });
      const { version, booked: fresh, ...record } = booked;
      return { ok: true, booked: fresh, payment: toPayment(record), version };
    });
  }

  submitHourly(consumerRef: string, meteringPointId: string, days: HourlyDay[]): Promise<SubmitHourlyResult> {
    return callBilling('submitHourly', () => this.billing.submitHourly(consumerRef, meteringPointId, days));
  }

  createContract(request: ContractRequest): Promise<CreateContractResult> {
    return callBilling('createContract', async () => {
      const done = await this.billing.concludeContract({
        applicationRef: request.applicationRef,
        ...(request.consumerRef ? { consumerId: request.consumerRef } : {}),
        consumer: request.consumer,
        objectAddress: request.objectAddress,
        maxPowerKw: request.requestedPowerKw,
        startedOn: request.startsOn,
      });
      return { ok: true, created: done.created, consumerRef: done.consumerId, contractId: done.contractId, contractNumber: done.number, version: done.version };
    });
  }
}

/** Compares secrets in constant time (hashing first makes the lengths equal). */
function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

function toProfile(consumer: ConsumerRecord): ConsumerProfile {
  const { id: _id, ...profile } = consumer;
  return profile;
}

function toContract(contract: ContractRecord): Contract {
  const { consumerId: _consumerId, objects, ...rest } = contract;
  return {
    ...rest,
    readingWindow: { ...contract.readingWindow },
    objects: objects.map((o) => ({
      id: o.id,
      name: o.name,
      address: o.address,
      meteringPoints: o.meteringPoints.map((p) => ({ ...p, meters: p.meters.map((m) => ({ ...m, zones: [...m.zones], lastReadings: m.lastReadings.map((r) => ({ ...r })) })) })),
    })),
  };
}

function toAccount(account: AccountCard): Account {
  return {
    contractId: account.contractId,
    debt: String(account.debt),
    asOf: account.asOf,
    months: account.months.map((m) => ({ month: m.month, opening: String(m.opening), charged: String(m.charged), paid: String(m.paid), closing: String(m.closing), kwh: m.kwh })),
  };
}

function toInvoice(invoice: InvoiceRecord): Invoice {
  return {
    id: invoice.id,
    contractId: invoice.contractId,
    kind: invoice.kind,
    number: invoice.number,
    period: invoice.period,
    issuedOn: invoice.issuedOn,
    ...(invoice.dueOn ? { dueOn: invoice.dueOn } : {}),
    amount: String(invoice.amount),
    kwh: invoice.kwh,
  };
}

function toPayment(payment: PaymentRecord): Payment {
  return { id: payment.id, contractId: payment.contractId, paidOn: payment.paidOn, amount: String(payment.amount), document: payment.document, source: payment.source };
}

function toReading(reading: ReadingRecord): ProcessedReading {
  return {
    ...(reading.cabinetReadingId ? { readingId: reading.cabinetReadingId } : {}),
    billingReadingId: reading.id,
    meterId: reading.meterId,
    zone: reading.zone,
    date: reading.date,
    value: reading.value,
    source: reading.source,
    status: reading.status,
    ...(reading.reasonCode ? { reasonCode: reading.reasonCode } : {}),
    ...(reading.reasonText ? { reasonText: reading.reasonText } : {}),
    ...(reading.consumptionKwh !== undefined ? { consumptionKwh: reading.consumptionKwh } : {}),
    processedAt: reading.processedAt.toISOString(),
  };
}

export interface ReferenceBilling {
  adapter: BillingRefAdapter;
  billing: BillingRef;
  /** What the demo generator made; `null` when it did not run or the billing had data already. */
  demo: DemoSummary | null;
  close(): Promise<void>;
}

/**
 * Opens the reference billing for a cabinet-back process: its own database (BILLING_DATABASE_URL; else
 * `<db>_billing` on the DATABASE_URL server when `serverUrl` is given; else PGlite under
 * DATA_DIR/billing), its migrations, and with `demo` the demo data when the billing is empty.
 */
export async function openReferenceBilling(options: {
  url?: string | undefined;
  serverUrl?: string | undefined;
  dataDir: string;
  demo?: boolean | DemoOptions;
  logger?: Logger;
  now?: () => Date;
}): Promise<ReferenceBilling> {
  const database = await openBillingDatabase({ url: options.url, serverUrl: options.serverUrl, dataDir: options.dataDir });
  try {
    let demo: DemoSummary | null = null;
    if (options.demo) {
      const demoOptions: DemoOptions = options.demo === true ? {} : options.demo;
      demo = await seedBillingDemo(database, {
        ...demoOptions,
        onProgress: demoOptions.onProgress ?? ((step, ms) => options.logger?.info({ step, ms }, `billing-ref demo: ${step} done`)),
      });
      if (demo) options.logger?.info({ demo }, `billing-ref demo data generated in ${(demo.ms / 1000).toFixed(1)} s (${database.kind})`);
    }
    const billing = new BillingRef(database, { now: options.now });
    return { adapter: new BillingRefAdapter(billing), billing, demo, close: () => database.close() };
  } catch (error) {
    await database.close();
    throw error;
  }
}
