import { Type } from 'typebox';
import { MonthParam, pageOf, pageQuery, DateOnlyParam } from '../paging.js';

const Id = Type.String({ minLength: 1, maxLength: 64 });
export const InvoiceParams = Type.Object({ invoiceId: Id });
export const AccountQuery = Type.Object({ from: Type.Optional(MonthParam), to: Type.Optional(MonthParam) }, { additionalProperties: false });
export const Account = Type.Object({
  contractId: Type.String(),
  consumerRef: Type.String(),
  /** Kopecks as decimal text; positive: owed, negative: paid in advance. */
  debt: Type.String(),
  asOf: Type.String(),
  dueOn: Type.Optional(Type.String()),
  months: Type.Array(Type.Object({ month: Type.String(), opening: Type.String(), charged: Type.String(), paid: Type.String(), closing: Type.String(), kwh: Type.String() })),
});
export const Invoice = Type.Object({
  id: Type.String(),
  contractId: Type.String(),
  consumerRef: Type.String(),
  kind: Type.String(),
  number: Type.String(),
  period: Type.String(),
  issuedOn: Type.String(),
  dueOn: Type.Optional(Type.String()),
  amount: Type.String(),
  kwh: Type.Optional(Type.String()),
  hasPdf: Type.Boolean(),
});
export const InvoicesQuery = pageQuery({
  contractId: Type.Optional(Id),
  kind: Type.Optional(Type.Union([Type.Literal('invoice'), Type.Literal('act')])),
  from: Type.Optional(MonthParam),
  to: Type.Optional(MonthParam),
});
export const InvoicesPage = pageOf(Invoice);
export const Payment = Type.Object({ id: Type.String(), contractId: Type.String(), consumerRef: Type.String(), paidOn: Type.String(), amount: Type.String(), document: Type.String(), source: Type.String() });
export const PaymentsQuery = pageQuery({ contractId: Type.Optional(Id), from: Type.Optional(DateOnlyParam), to: Type.Optional(DateOnlyParam) });
export const PaymentsPage = pageOf(Payment);
