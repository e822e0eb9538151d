import { Type } from 'typebox';
import { pageOf, pageQuery } from '../paging.js';

const Kopecks = Type.String({ pattern: '^[1-9][0-9]{0,15}$', description: 'kopecks, as an integer in text' });

export const CreatePaymentBody = Type.Object(
  {
    contractId: Type.String({ minLength: 1, maxLength: 64 }),
    /** Invoices to pay; without them the debt (or `amount` of it) is paid. */
    invoiceIds: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { minItems: 1, maxItems: 100 })),
    amount: Type.Optional(Kopecks),
    /** The client's key: the same key again gives the same order (a double click pays once). */
    idempotencyKey: Type.Optional(Type.String({ format: 'uuid' })),
  },
  { additionalProperties: false },
);

export const PaymentOrder = Type.Object({
  id: Type.String(),
  contractId: Type.String(),
  consumerRef: Type.String(),
  amount: Type.String(),
  invoiceIds: Type.Array(Type.String()),
  status: Type.Union([Type.Literal('new'), Type.Literal('pending'), Type.Literal('paid'), Type.Literal('declined'), Type.Literal('canceled'), Type.Literal('failed'), Type.Literal('booked'), Type.Literal('booking_refused')]),
  provider: Type.String(),
  providerStatus: Type.Optional(Type.String()),
  /** Where to send the consumer (while pending). */
  paymentUrl: Type.Optional(Type.String()),
  cardPan: Type.Optional(Type.String()),
  billingPaymentId: Type.Optional(Type.String()),
  failure: Type.Optional(Type.Object({ code: Type.String(), message: Type.Optional(Type.String()) })),
  createdAt: Type.String(),
  paidAt: Type.Optional(Type.String()),
});

export const OrdersQuery = pageQuery({
  contractId: Type.Optional(Type.String({ maxLength: 64 })),
  status: Type.Optional(Type.String({ maxLength: 32 })),
});
export const OrdersPage = pageOf(PaymentOrder);
export const OrderParams = Type.Object({ orderId: Type.String({ format: 'uuid' }) });
export const ProviderParams = Type.Object({ provider: Type.String({ pattern: '^[a-z]{2,16}$' }) });
/** Whatever the bank sends: the adapter checks its signature and fields. */
export const NotificationBody = Type.Record(Type.String(), Type.Unknown());
