import { AppError } from '@app/kernel';
import type { Account, ConsumerProfile, ConsumerSnapshot, Contract, HourlyDay, Invoice, Payment, ProcessedReading, SubmittedReading } from '@app/cabinet-contracts';

/**
 * The only door from the cabinet to a billing system. cabinet-back speaks the published language
 * (`@app/cabinet-contracts`); an adapter translates it to one billing. `BillingRefAdapter` is the one for
 * the reference billing; README.md ("How to plug another billing") is the guide for writing another.
 *
 * Error contract, for every method:
 * - billing cannot be reached or answers with a transient failure (connection refused, timeout,
 *   deadlock, 5xx) → throw `BillingUnavailableError`. The back lets the bus redeliver the command with
 *   back-off, and the sync poller retries its round; nothing is lost.
 * - a business "no" (wrong secret, reading below the previous one, unknown meter) is a *result*, never
 *   an error: it goes back to the consumer as an event.
 * - any other exception is a bug: the bus retries it a few times too, then dead-letters the command.
 *
 * Versions: billing numbers its changes with one increasing sequence. A version is its decimal text
 * (`"0"` before any change); every snapshot and event carries the version it reflects so the front keeps
 * the newest and ignores a stale redelivery.
 */
export interface BillingAdapter {
  /** For logs and the status answer, e.g. `billing-ref`. */
  readonly name: string;

  /** Resolves when billing answers; throws BillingUnavailableError otherwise. Read-only, cheap. */
  ping(): Promise<void>;

  /**
   * Which consumer holds contract `contractNumber`. With `secret` (printed on the contract's invoices) the
   * secret must match (constant-time compare is the adapter's job); without it (a link request an employee
   * confirms) only the contract is looked up. Read-only.
   */
  findContractForLink(contractNumber: string, secret?: string): Promise<LinkCheck>;

  /**
   * Everything the cabinet shows of one consumer, at one billing version: profile, contracts with objects,
   * metering points and meters (with last accepted readings), account cards, invoices and payments, and
   * processed readings — those from `since` (a month, YYYY-MM) on. No hourly data (see `hourly`) and no PDFs
   * (see `invoicePdf`). Read-only. `null` when billing does not know the consumer.
   */
  consumerSnapshot(consumerRef: string, options: { since: string }): Promise<ConsumerSnapshot | null>;

  /**
   * Hands integral readings entered in the cabinet to billing's acceptance rules.
   *
   * Idempotent by `readingId`: billing stores the cabinet's reading id with its own reading, and a reading
   * id it has seen before is not entered again — its first outcome is returned instead (same
   * billingReadingId, status and reason). The back relies on this: when it crashes after billing took
   * the readings but before its own commit, the command is delivered again and must not double them.
   *
   * Returns one ProcessedReading per submitted reading, in order, each `accepted` or `rejected` with a
   * stable `reasonCode` (a reading of a meter that is not this consumer's is rejected, `meter_not_found`),
   * plus what billing recomputed because of them, and the version after the submission.
   */
  submitReadings(consumerRef: string, readings: SubmittedReading[]): Promise<SubmitReadingsResult>;

  /** 24 hourly values per day of `meteringPointId` from `from` to `to` (inclusive dates); days without data are left out. Read-only. */
  hourly(meteringPointId: string, from: string, to: string, kind: HourlyKind): Promise<HourlyDay[]>;

  /**
   * Billing's change feed: entities changed after `version`, oldest first, at most `limit`, and the
   * version to ask from next time (the last change's, or `version` when nothing changed). The same
   * entity may appear several times; the back loads its current state once per round. Read-only.
   */
  changesSince(version: string, limit: number): Promise<ChangeFeedPage>;

  /** Current state of one entity named by a change; `null` when it no longer exists. Read-only. */
  contract(consumerRef: string, contractId: string): Promise<{ contract: Contract; profile?: ConsumerSnapshot['profile'] } | null>;
  invoice(invoiceId: string): Promise<Invoice | null>;
  payment(paymentId: string): Promise<Payment | null>;
  account(contractId: string): Promise<Account | null>;
  reading(billingReadingId: string): Promise<ProcessedReading | null>;

  /** The invoice's or act's PDF; `null` when billing has none. Read-only. */
  invoicePdf(invoiceId: string): Promise<Uint8Array | null>;

  /**
   * Books a card payment the acquirer confirmed. Idempotent by `externalRef` (the acquirer's payment id):
   * booked again, the first booking is returned (`booked: false`). A contract that is not this consumer's is a
   * refusal (`contract_not_found`), not an error.
   */
  registerPayment(consumerRef: string, payment: PaymentToBook): Promise<RegisterPaymentResult>;

  /**
   * Stores hourly readings of an interval meter's metering point as `metered` data. Checks: the point is
   * this consumer's and has an interval meter, 24 non-negative values a day, no day in the future (or before
   * the meter was installed). Days that pass are stored (a day sent again replaces its values); the others
   * come back as rejections with a stable code.
   */
  submitHourly(consumerRef: string, meteringPointId: string, days: HourlyDay[]): Promise<SubmitHourlyResult>;

  /**
   * Concludes the supply contract of an application the consumer signed: the consumer (the one the
   * applicant acts for, else one billing finds by INN/SNILS, else a new one), the contract, and its supply
   * object at the address applied for with a metering point of the power applied for. Idempotent by
   * `applicationRef`: asked again (a redelivered command, a crash before the back's commit), billing answers
   * the contract it concluded the first time (`created: false`). Billing numbers the contract. A billing
   * that will not conclude it answers a refusal with a stable code, not an error.
   */
  createContract(request: ContractRequest): Promise<CreateContractResult>;
}

export interface ContractRequest {
  /** The application's id: billing's idempotency key. */
  applicationRef: string;
  /** The billing consumer the applicant already acts for, when any. */
  consumerRef?: string;
  /** The applicant as they applied (name, INN/OGRN/SNILS, contacts). */
  consumer: ConsumerProfile;
  objectAddress: string;
  /** kW, decimal text. */
  requestedPowerKw: string;
  /** YYYY-MM-DD: the day it was signed. */
  startsOn: string;
}

export type CreateContractResult =
  | { ok: true; created: boolean; consumerRef: string; contractId: string; contractNumber: string; version: string }
  | { ok: false; code: 'contract_refused'; message: string };

export type HourlyKind = 'metered' | 'profile';

export interface PaymentToBook {
  contractId: string;
  /** Kopecks, positive. */
  amount: bigint;
  paidOn: string;
  externalRef: string;
  document: string;
}

export type RegisterPaymentResult =
  | { ok: true; booked: boolean; payment: Payment; version: string }
  | { ok: false; code: 'contract_not_found'; message: string };

export interface SubmitHourlyResult {
  version: string;
  accepted: number;
  rejected: Array<{ date?: string; code: string; message: string }>;
  /** The dates stored, for the `profile.computed` (metered) events; empty when nothing was. */
  from?: string;
  to?: string;
  /** Contracts whose charges changed (interval meters are charged by their hours). */
  accountsChanged: string[];
}

export type LinkCheck =
  | { ok: true; consumerRef: string; contractId: string; contractNumber: string }
  | { ok: false; code: 'contract_not_found' | 'secret_mismatch' | 'contract_terminated'; message: string };

export interface SubmitReadingsResult {
  version: string;
  readings: ProcessedReading[];
  /** Contracts whose account card changed (consumption charged). */
  accountsChanged: string[];
  /** Hourly profiles billing recomputed from the accepted readings. */
  profilesChanged: Array<{ meteringPointId: string; from: string; to: string }>;
}

export type ChangeEntity = 'contract' | 'invoice' | 'payment' | 'account' | 'reading' | 'profile';

export interface BillingChange {
  consumerRef: string;
  entity: ChangeEntity;
  /**
   * contract id, invoice id, payment id, contract id (account), billing reading id, or metering point id
   * (profile).
   */
  id: string;
  version: string;
  /** For `profile`: the dates recomputed (inclusive). */
  from?: string;
  to?: string;
}

export interface ChangeFeedPage {
  changes: BillingChange[];
  version: string;
}

/** Billing did not answer: try again later. The one error an adapter throws on purpose. */
export class BillingUnavailableError extends AppError {
  constructor(message: string, cause?: unknown) {
    super('billing_unavailable', 503, message);
    this.name = 'BillingUnavailableError';
    if (cause !== undefined) this.cause = cause;
  }
}

export function isBillingUnavailable(err: unknown): err is BillingUnavailableError {
  return err instanceof BillingUnavailableError || (err instanceof AppError && err.code === 'billing_unavailable');
}
