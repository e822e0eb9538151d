import { Type, type Static } from 'typebox';
import { DateOnly, Id, Kopecks } from './primitives.js';

/**
 * Online payment by card: the front takes the money through the acquiring bank, then asks the back to
 * book it in billing. The back answers with `payment.booked` (the billing payment, as for any payment)
 * and `payment.registered` (the outcome for the front's payment order, matched by `orderId`).
 */
export const paymentTopics = {
  register: 'cabinet.cmd.payment.register',
  registered: 'cabinet.evt.payment.registered',
} as const;

/** A card payment the acquirer confirmed; billing books it once per `externalRef`. */
export const RegisterPayment = Type.Object({
  /** The front's payment order id (also the bus message id). */
  orderId: Id,
  userRef: Id,
  consumerRef: Id,
  contractId: Id,
  /** Kopecks, positive. */
  amount: Type.String({ pattern: '^[1-9][0-9]{0,17}$' }),
  paidOn: DateOnly,
  /** The acquirer and its payment id, e.g. `tbank:1234567`: billing's idempotency key. */
  externalRef: Type.String({ minLength: 1, maxLength: 128 }),
  /** The invoices the consumer chose to pay (empty: the debt). */
  invoiceIds: Type.Array(Id, { maxItems: 100 }),
});
export type RegisterPayment = Static<typeof RegisterPayment>;

export const PaymentRegistered = Type.Object({
  orderId: Id,
  consumerRef: Id,
  version: Type.String(),
  status: Type.Union([Type.Literal('booked'), Type.Literal('refused')]),
  /** Billing's payment id when booked. */
  paymentId: Type.Optional(Id),
  amount: Kopecks,
  code: Type.Optional(Type.String()),
  message: Type.Optional(Type.String()),
});
export type PaymentRegistered = Static<typeof PaymentRegistered>;
