import { Type, type Static } from 'typebox';
import { DateOnly, Id, Kopecks, Kwh, Month, ReadingValue } from './primitives.js';

/**
 * Events: cabinet-back → cabinet-front, written to the back's outbox. Each carries the billing consumer
 * it concerns (`consumerRef`) and a `version` (billing's change sequence) so the front keeps the newest
 * and ignores a stale redelivery. The back publishes only for consumers linked to the cabinet.
 *
 * Data flow: a full snapshot (`consumer.snapshot`) when a contract is linked or the front asks for a
 * resync; after that, increments (`contract.changed`, `readings.processed`, `profile.computed`,
 * `invoice.issued`, `payment.booked`, `account.changed`). The front serves everything from its copy, so it
 * keeps working while the back or billing is away.
 */
export const eventTopics = {
  linkAccepted: 'cabinet.evt.link.accepted',
  linkRejected: 'cabinet.evt.link.rejected',
  consumerSnapshot: 'cabinet.evt.consumer.snapshot',
  contractChanged: 'cabinet.evt.contract.changed',
  readingsProcessed: 'cabinet.evt.readings.processed',
  profileComputed: 'cabinet.evt.profile.computed',
  invoiceIssued: 'cabinet.evt.invoice.issued',
  paymentBooked: 'cabinet.evt.payment.booked',
  accountChanged: 'cabinet.evt.account.changed',
} as const;

export const LinkAccepted = Type.Object({
  commandId: Id,
  userRef: Id,
  consumerRef: Id,
  contractNumber: Type.String(),
  /** `application`: the contract was concluded from the user's application when they signed it. */
  via: Type.Union([Type.Literal('secret'), Type.Literal('request'), Type.Literal('application')]),
});
export type LinkAccepted = Static<typeof LinkAccepted>;

export const linkRejectionCodes = ['contract_not_found', 'secret_mismatch', 'contract_terminated', 'request_declined'] as const;
export const LinkRejected = Type.Object({
  commandId: Id,
  userRef: Id,
  contractNumber: Type.String(),
  code: Type.Union([Type.Literal('contract_not_found'), Type.Literal('secret_mismatch'), Type.Literal('contract_terminated'), Type.Literal('request_declined')]),
  message: Type.String(),
});
export type LinkRejected = Static<typeof LinkRejected>;

/** Personal data: the front stores these fields encrypted. */
export const ConsumerProfile = Type.Object({
  kind: Type.Union([Type.Literal('organisation'), Type.Literal('person')]),
  name: Type.String(),
  /** INN (10 or 12 digits); OGRN for organisations; SNILS for persons. */
  inn: Type.Optional(Type.String()),
  ogrn: Type.Optional(Type.String()),
  snils: Type.Optional(Type.String()),
  email: Type.Optional(Type.String()),
  phone: Type.Optional(Type.String()),
  address: Type.Optional(Type.String()),
});
export type ConsumerProfile = Static<typeof ConsumerProfile>;

export const Meter = Type.Object({
  id: Id,
  serial: Type.String(),
  model: Type.String(),
  kind: Type.Union([Type.Literal('integral'), Type.Literal('interval')]),
  digits: Type.Integer({ minimum: 1, maximum: 12 }),
  /** Fraction digits on the dial. */
  fractionDigits: Type.Integer({ minimum: 0, maximum: 4 }),
  transformationRatio: Type.String(),
  zones: Type.Array(Type.String(), { minItems: 1 }),
  installedOn: DateOnly,
  verifiedOn: Type.Optional(DateOnly),
  nextVerificationOn: Type.Optional(DateOnly),
  /** Last accepted reading per zone, the base the cabinet validates new ones against. */
  lastReadings: Type.Array(Type.Object({ zone: Type.String(), date: DateOnly, value: ReadingValue })),
  /** Average monthly consumption per zone over recent months, for the abnormal-jump warning. */
  averageMonthlyKwh: Type.Optional(Kwh),
});
export type Meter = Static<typeof Meter>;

export const MeteringPoint = Type.Object({
  id: Id,
  code: Type.String(),
  name: Type.String(),
  voltage: Type.Optional(Type.String()),
  maxPowerKw: Type.Optional(Type.String()),
  meters: Type.Array(Meter),
});
export type MeteringPoint = Static<typeof MeteringPoint>;

export const SupplyObject = Type.Object({
  id: Id,
  name: Type.String(),
  /** Personal data when the consumer is a person: stored encrypted. */
  address: Type.String(),
  meteringPoints: Type.Array(MeteringPoint),
});
export type SupplyObject = Static<typeof SupplyObject>;

export const Contract = Type.Object({
  id: Id,
  number: Type.String(),
  status: Type.Union([Type.Literal('active'), Type.Literal('terminated')]),
  startedOn: DateOnly,
  endedOn: Type.Optional(DateOnly),
  /** Reading window: days of month from which and until which billing accepts readings. */
  readingWindow: Type.Object({ fromDay: Type.Integer({ minimum: 1, maximum: 31 }), toDay: Type.Integer({ minimum: 1, maximum: 31 }) }),
  objects: Type.Array(SupplyObject),
});
export type Contract = Static<typeof Contract>;

export const ProcessedReading = Type.Object({
  /** The front's reading id when it came from the cabinet; absent for readings from other sources. */
  readingId: Type.Optional(Id),
  billingReadingId: Id,
  meterId: Id,
  zone: Type.String(),
  date: DateOnly,
  value: ReadingValue,
  source: Type.String(),
  status: Type.Union([Type.Literal('accepted'), Type.Literal('rejected')]),
  reasonCode: Type.Optional(Type.String()),
  reasonText: Type.Optional(Type.String()),
  consumptionKwh: Type.Optional(Kwh),
  processedAt: Type.String({ format: 'date-time' }),
});
export type ProcessedReading = Static<typeof ProcessedReading>;

export const ReadingsProcessed = Type.Object({
  consumerRef: Id,
  version: Type.String(),
  submissionId: Type.Optional(Id),
  readings: Type.Array(ProcessedReading),
});
export type ReadingsProcessed = Static<typeof ReadingsProcessed>;

/** 24 hourly values of one day, kWh as decimal text (a daylight-saving-free zone: always 24). */
export const HourlyDay = Type.Object({ date: DateOnly, hours: Type.Array(Kwh, { minItems: 24, maxItems: 24 }) });
export type HourlyDay = Static<typeof HourlyDay>;

export const ProfileComputed = Type.Object({
  consumerRef: Id,
  version: Type.String(),
  meteringPointId: Id,
  /** `metered`: hourly readings of an interval meter; `profile`: billing's calculated hourly load profile. */
  kind: Type.Union([Type.Literal('metered'), Type.Literal('profile')]),
  days: Type.Array(HourlyDay),
});
export type ProfileComputed = Static<typeof ProfileComputed>;

export const Invoice = Type.Object({
  id: Id,
  contractId: Id,
  kind: Type.Union([Type.Literal('invoice'), Type.Literal('act')]),
  number: Type.String(),
  period: Month,
  issuedOn: DateOnly,
  dueOn: Type.Optional(DateOnly),
  amount: Kopecks,
  kwh: Type.Optional(Kwh),
  /** The PDF, base64: the front keeps it (encrypted) to serve downloads while billing is away. */
  pdfBase64: Type.Optional(Type.String()),
});
export type Invoice = Static<typeof Invoice>;

export const Payment = Type.Object({
  id: Id,
  contractId: Id,
  paidOn: DateOnly,
  amount: Kopecks,
  document: Type.String(),
  source: Type.String(),
});
export type Payment = Static<typeof Payment>;

export const AccountMonth = Type.Object({
  month: Month,
  opening: Kopecks,
  charged: Kopecks,
  paid: Kopecks,
  closing: Kopecks,
  kwh: Kwh,
});
export type AccountMonth = Static<typeof AccountMonth>;

export const Account = Type.Object({
  contractId: Id,
  /** Positive: the consumer owes; negative: prepaid. */
  debt: Kopecks,
  asOf: DateOnly,
  months: Type.Array(AccountMonth),
});
export type Account = Static<typeof Account>;

export const ConsumerSnapshot = Type.Object({
  consumerRef: Id,
  version: Type.String(),
  profile: ConsumerProfile,
  contracts: Type.Array(Contract),
  accounts: Type.Array(Account),
  invoices: Type.Array(Invoice),
  payments: Type.Array(Payment),
  readings: Type.Array(ProcessedReading),
  /** Hourly data is large: the snapshot carries none; it follows as `profile.computed` events per point. */
});
export type ConsumerSnapshot = Static<typeof ConsumerSnapshot>;

export const ContractChanged = Type.Object({ consumerRef: Id, version: Type.String(), profile: Type.Optional(ConsumerProfile), contract: Contract });
export type ContractChanged = Static<typeof ContractChanged>;

export const InvoiceIssued = Type.Object({ consumerRef: Id, version: Type.String(), invoice: Invoice });
export type InvoiceIssued = Static<typeof InvoiceIssued>;

export const PaymentBooked = Type.Object({ consumerRef: Id, version: Type.String(), payment: Payment });
export type PaymentBooked = Static<typeof PaymentBooked>;

export const AccountChanged = Type.Object({ consumerRef: Id, version: Type.String(), account: Account });
export type AccountChanged = Static<typeof AccountChanged>;
