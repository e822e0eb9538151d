import type { Account, Contract, ConsumerProfile, HourlyDay, Invoice, Payment, ProcessedReading, SubmittedReading } from '@app/cabinet-contracts';
import {
  BillingUnavailableError,
  type BillingAdapter,
  type BillingChange,
  type ChangeFeedPage,
  type ContractRequest,
  type CreateContractResult,
  type HourlyKind,
  type LinkCheck,
  type PaymentToBook,
  type RegisterPaymentResult,
  type SubmitHourlyResult,
  type SubmitReadingsResult,
} from './billing-adapter.js';

/**
 * A billing in memory that keeps the adapter's contract in its smallest form: versions, the change
 * feed, idempotency by reading id, rejections as results and `BillingUnavailableError` while "down".
 * For the back's own tests (and as a sketch for whoever writes an adapter to another billing).
 */
interface FakeConsumer {
  ref: string;
  profile: ConsumerProfile;
  contracts: Array<Contract & { secret: string }>;
  invoices: Invoice[];
  payments: Payment[];
  readings: ProcessedReading[];
}

export class FakeBilling implements BillingAdapter {
  readonly name = 'fake-billing';
  down = false;
  version = 0;
  /** How many readings billing entered (not counting repeats answered from memory). */
  readingsEntered = 0;
  private readonly consumers = new Map<string, FakeConsumer>();
  private readonly changes: BillingChange[] = [];
  private readonly byReadingId = new Map<string, ProcessedReading>();
  private nextId = 1;

  /** A consumer with one active contract (one object, one point, one two-zone meter) and one invoice. */
  addConsumer(ref: string, contractNumber: string, secret: string, name = `Consumer ${ref}`): { contractId: string; meterId: string; meteringPointId: string } {
    const contractId = `C-${ref}`;
    const meterId = `M-${ref}`;
    const meteringPointId = `MP-${ref}`;
    const contract: Contract & { secret: string } = {
      id: contractId,
      number: contractNumber,
      status: 'active',
      startedOn: '2024-01-01',
      readingWindow: { fromDay: 1, toDay: 31 },
      secret,
      objects: [
        {
          id: `O-${ref}`,
          name: 'Office',
          address: 'Moscow, Lenina 1',
          meteringPoints: [
            {
              id: meteringPointId,
              code: `MP${ref}`,
              name: 'Input 1',
              meters: [
                {
                  id: meterId,
                  serial: `SN-${ref}`,
                  model: 'Mercury 230',
                  kind: 'integral',
                  digits: 6,
                  fractionDigits: 0,
                  transformationRatio: '1',
                  zones: ['day', 'night'],
                  installedOn: '2024-01-01',
                  lastReadings: [
                    { zone: 'day', date: '2025-01-31', value: '1000' },
                    { zone: 'night', date: '2025-01-31', value: '500' },
                  ],
                },
              ],
            },
          ],
        },
      ],
    };
    const invoice: Invoice = { id: `INV-${ref}-1`, contractId, kind: 'invoice', number: `${contractNumber}/1`, period: '2025-01', issuedOn: '2025-02-01', amount: '123400' };
    this.consumers.set(ref, { ref, profile: { kind: 'organisation', name, inn: '7701234567' }, contracts: [contract], invoices: [invoice], payments: [], readings: [] });
    this.change(ref, 'contract', contractId);
    return { contractId, meterId, meteringPointId };
  }

  /** A payment booked in billing by other means (bank statement): shows up in the change feed. */
  bookPayment(ref: string, amount: string): Payment {
    const consumer = this.consumer(ref);
    const contract = consumer.contracts[0]!;
    const payment: Payment = { id: `PAY-${this.nextId++}`, contractId: contract.id, paidOn: '2025-02-10', amount, document: `PP-${this.nextId}`, source: 'bank' };
    consumer.payments.push(payment);
    this.change(ref, 'payment', payment.id);
    this.change(ref, 'account', contract.id);
    return payment;
  }

  async ping() {
    this.check();
  }

  async findContractForLink(contractNumber: string, secret?: string): Promise<LinkCheck> {
    this.check();
    for (const consumer of this.consumers.values()) {
      const contract = consumer.contracts.find((c) => c.number === contractNumber);
      if (!contract) continue;
      if (secret !== undefined && secret !== contract.secret) return { ok: false, code: 'secret_mismatch', message: 'The secret does not match the contract' };
      if (contract.status === 'terminated') return { ok: false, code: 'contract_terminated', message: 'The contract is terminated' };
      return { ok: true, consumerRef: consumer.ref, contractId: contract.id, contractNumber: contract.number };
    }
    return { ok: false, code: 'contract_not_found', message: 'No contract with this number' };
  }

  async consumerSnapshot(consumerRef: string) {
    this.check();
    const consumer = this.consumers.get(consumerRef);
    if (!consumer) return null;
    return {
      consumerRef,
      version: String(this.version),
      profile: { ...consumer.profile },
      contracts: consumer.contracts.map(publicContract),
      accounts: consumer.contracts.map((c) => this.accountOf(consumer, c.id)),
      invoices: consumer.invoices.map((i) => ({ ...i })),
      payments: consumer.payments.map((p) => ({ ...p })),
      readings: consumer.readings.map((r) => ({ ...r })),
    };
  }

  async submitReadings(consumerRef: string, readings: SubmittedReading[]): Promise<SubmitReadingsResult> {
    this.check();
    const consumer = this.consumer(consumerRef);
    const meters = new Map(consumer.contracts.flatMap((c) => c.objects.flatMap((o) => o.meteringPoints.flatMap((p) => p.meters.map((m) => [m.id, { meter: m, contractId: c.id, pointId: p.id }] as const)))));
    const out: ProcessedReading[] = [];
    const accounts = new Set<string>();
    const points = new Map<string, { from: string; to: string }>();
    for (const reading of readings) {
      const known = this.byReadingId.get(reading.readingId);
      if (known) {
        out.push({ ...known });
        continue;
      }
      const base = { readingId: reading.readingId, billingReadingId: `R-${this.nextId++}`, meterId: reading.meterId, zone: reading.zone, date: reading.date, value: reading.value, source: 'cabinet', processedAt: new Date().toISOString() };
      const found = meters.get(reading.meterId);
      let processed: ProcessedReading;
      if (!found) processed = { ...base, status: 'rejected', reasonCode: 'meter_not_found', reasonText: 'No such meter on this consumer' };
      else {
        const last = found.meter.lastReadings.find((l) => l.zone === reading.zone);
        if (!last) processed = { ...base, status: 'rejected', reasonCode: 'zone_unknown', reasonText: 'The meter has no such zone' };
        else if (Number(reading.value) < Number(last.value)) processed = { ...base, status: 'rejected', reasonCode: 'reading_below_previous', reasonText: `Below the previous reading ${last.value}` };
        else {
          processed = { ...base, status: 'accepted', consumptionKwh: String(Number(reading.value) - Number(last.value)) };
          last.value = reading.value;
          last.date = reading.date;
          accounts.add(found.contractId);
          points.set(found.pointId, { from: reading.date.slice(0, 8) + '01', to: reading.date });
        }
      }
      this.readingsEntered += 1;
      this.byReadingId.set(reading.readingId, processed);
      consumer.readings.push(processed);
      this.change(consumerRef, 'reading', processed.billingReadingId);
    }
    for (const contractId of accounts) this.change(consumerRef, 'account', contractId);
    return {
      version: String(this.version),
      readings: out.length === readings.length ? out : readings.map((r) => ({ ...this.byReadingId.get(r.readingId)! })),
      accountsChanged: [...accounts],
      profilesChanged: [...points].map(([meteringPointId, range]) => ({ meteringPointId, ...range })),
    };
  }

  async hourly(meteringPointId: string, from: string, to: string, kind: HourlyKind): Promise<HourlyDay[]> {
    this.check();
    if (kind === 'metered') {
      return [...this.metered].filter(([key]) => key.startsWith(`${meteringPointId}|`)).map(([key, hours]) => ({ date: key.split('|')[1]!, hours: [...hours] })).filter((d) => d.date >= from && d.date <= to).sort((a, b) => (a.date < b.date ? -1 : 1));
    }
    if (!meteringPointId.startsWith('MP-')) return [];
    // Two days of data at the start of every month.
    const days: HourlyDay[] = [];
    for (const day of ['01', '02']) {
      const date = `${from.slice(0, 7)}-${day}`;
      if (date >= from && date <= to) days.push({ date, hours: Array.from({ length: 24 }, (_, h) => `${h}.5`) });
    }
    return days;
  }

  async changesSince(version: string, limit: number): Promise<ChangeFeedPage> {
    this.check();
    const after = this.changes.filter((c) => Number(c.version) > Number(version)).slice(0, limit);
    return { changes: after.map((c) => ({ ...c })), version: after.at(-1)?.version ?? version };
  }

  async contract(consumerRef: string, contractId: string) {
    this.check();
    const consumer = this.consumers.get(consumerRef);
    const contract = consumer?.contracts.find((c) => c.id === contractId);
    return consumer && contract ? { contract: publicContract(contract), profile: { ...consumer.profile } } : null;
  }

  async invoice(invoiceId: string) {
    this.check();
    for (const c of this.consumers.values()) for (const i of c.invoices) if (i.id === invoiceId) return { ...i };
    return null;
  }

  async payment(paymentId: string) {
    this.check();
    for (const c of this.consumers.values()) for (const p of c.payments) if (p.id === paymentId) return { ...p };
    return null;
  }

  async account(contractId: string): Promise<Account | null> {
    this.check();
    for (const c of this.consumers.values()) if (c.contracts.some((k) => k.id === contractId)) return this.accountOf(c, contractId);
    return null;
  }

  async reading(billingReadingId: string) {
    this.check();
    for (const c of this.consumers.values()) for (const r of c.readings) if (r.billingReadingId === billingReadingId) return { ...r };
    return null;
  }

  async invoicePdf(invoiceId: string) {
    this.check();
    return new TextEncoder().encode(`%PDF-1.4 ${invoiceId}`);
  }

  /** Card payments booked, by external reference (the acquirer's payment id). */
  private readonly byExternalRef = new Map<string, Payment>();
  /** Hourly data stored by submitHourly: `point|date` → 24 values. */
  readonly metered = new Map<string, string[]>();

  async registerPayment(consumerRef: string, payment: PaymentToBook): Promise<RegisterPaymentResult> {
    this.check();
    const consumer = this.consumers.get(consumerRef);
    const contract = consumer?.contracts.find((c) => c.id === payment.contractId);
    if (!consumer || !contract) return { ok: false, code: 'contract_not_found', message: 'No such contract of this consumer' };
    const known = this.byExternalRef.get(payment.externalRef);
    if (known) return { ok: true, booked: false, payment: { ...known }, version: String(this.version) };
    const booked: Payment = { id: `PAY-${this.nextId++}`, contractId: contract.id, paidOn: payment.paidOn, amount: String(payment.amount), document: payment.document, source: 'cabinet' };
    consumer.payments.push(booked);
    this.byExternalRef.set(payment.externalRef, booked);
    this.change(consumerRef, 'payment', booked.id);
    this.change(consumerRef, 'account', contract.id);
    return { ok: true, booked: true, payment: { ...booked }, version: String(this.version) };
  }

  async submitHourly(consumerRef: string, meteringPointId: string, days: HourlyDay[]): Promise<SubmitHourlyResult> {
    this.check();
    const consumer = this.consumers.get(consumerRef);
    const point = consumer?.contracts.flatMap((c) => c.objects.flatMap((o) => o.meteringPoints.map((p) => ({ p, contractId: c.id })))).find((x) => x.p.id === meteringPointId);
    if (!point) return { version: String(this.version), accepted: 0, rejected: [{ code: 'point_not_found', message: 'No such metering point of this consumer' }], accountsChanged: [] };
    if (!point.p.meters.some((m) => m.kind === 'interval')) return { version: String(this.version), accepted: 0, rejected: [{ code: 'point_not_interval', message: 'The metering point has no interval meter' }], accountsChanged: [] };
    const rejected: SubmitHourlyResult['rejected'] = [];
    const stored: string[] = [];
    for (const day of days) {
      if (day.hours.length !== 24 || day.hours.some((h) => !/^[0-9]+(\.[0-9]+)?$/.test(h))) rejected.push({ date: day.date, code: 'hourly_value_invalid', message: '24 non-negative values' });
      else {
        this.metered.set(`${meteringPointId}|${day.date}`, [...day.hours]);
        stored.push(day.date);
      }
    }
    stored.sort();
    if (stored.length) {
      this.change(consumerRef, 'profile', meteringPointId);
      this.change(consumerRef, 'account', point.contractId);
    }
    return { version: String(this.version), accepted: stored.length, rejected, ...(stored.length ? { from: stored[0]!, to: stored.at(-1)! } : {}), accountsChanged: stored.length ? [point.contractId] : [] };
  }

  /** Contracts concluded from applications, by application id; how many times one was actually created. */
  private readonly byApplication = new Map<string, { consumerRef: string; contractId: string; contractNumber: string }>();
  contractsCreated = 0;

  async createContract(request: ContractRequest): Promise<CreateContractResult> {
    this.check();
    const known = this.byApplication.get(request.applicationRef);
    if (known) return { ok: true, created: false, ...known, version: String(this.version) };
    const sameInn = [...this.consumers.values()].find((c) => request.consumer.inn && c.profile.inn === request.consumer.inn && c.profile.kind === request.consumer.kind);
    const consumer = (request.consumerRef ? this.consumers.get(request.consumerRef) : undefined) ?? sameInn ?? this.newConsumer(request.consumer);
    this.contractsCreated += 1;
    const n = this.nextId++;
    const contract: Contract & { secret: string } = {
      id: `C-A${n}`,
      number: `D-A${n}`,
      status: 'active',
      startedOn: request.startsOn,
      readingWindow: { fromDay: 1, toDay: 31 },
      secret: `secret-${n}`,
      objects: [{ id: `O-A${n}`, name: 'Объект энергоснабжения', address: request.objectAddress, meteringPoints: [{ id: `MP-A${n}`, code: `TU-A${n}`, name: 'Ввод 1', maxPowerKw: request.requestedPowerKw, meters: [] }] }],
    };
    consumer.contracts.push(contract);
    const done = { consumerRef: consumer.ref, contractId: contract.id, contractNumber: contract.number };
    this.byApplication.set(request.applicationRef, done);
    this.change(consumer.ref, 'contract', contract.id);
    return { ok: true, created: true, ...done, version: String(this.version) };
  }

  private newConsumer(profile: ConsumerProfile): FakeConsumer {
    const ref = `N${this.nextId++}`;
    const consumer: FakeConsumer = { ref, profile: { ...profile }, contracts: [], invoices: [], payments: [], readings: [] };
    this.consumers.set(ref, consumer);
    return consumer;
  }

  private accountOf(consumer: FakeConsumer, contractId: string): Account {
    const paid = consumer.payments.filter((p) => p.contractId === contractId).reduce((sum, p) => sum + BigInt(p.amount), 0n);
    const charged = consumer.invoices.filter((i) => i.contractId === contractId).reduce((sum, i) => sum + BigInt(i.amount), 0n);
    return { contractId, debt: String(charged - paid), asOf: '2025-02-10', months: [] };
  }

  private consumer(ref: string) {
    const consumer = this.consumers.get(ref);
    if (!consumer) throw new Error(`no consumer ${ref}`);
    return consumer;
  }

  private change(consumerRef: string, entity: BillingChange['entity'], id: string) {
    this.version += 1;
    this.changes.push({ consumerRef, entity, id, version: String(this.version) });
  }

  private check() {
    if (this.down) throw new BillingUnavailableError('fake billing is down');
  }
}

function publicContract(contract: Contract & { secret: string }): Contract {
  const { secret: _secret, ...rest } = contract;
  return structuredClone(rest);
}
