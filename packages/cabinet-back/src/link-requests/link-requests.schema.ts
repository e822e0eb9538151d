import { Type } from 'typebox';

export const LinkRequestStatus = Type.Union([Type.Literal('new'), Type.Literal('confirmed'), Type.Literal('declined')]);

export const LinkRequestView = Type.Object({
  id: Type.String({ format: 'uuid' }),
  commandId: Type.String(),
  userRef: Type.String(),
  contractNumber: Type.String(),
  applicantName: Type.String(),
  taxId: Type.Union([Type.String(), Type.Null()]),
  comment: Type.Union([Type.String(), Type.Null()]),
  status: LinkRequestStatus,
  consumerRef: Type.Union([Type.String(), Type.Null()]),
  decidedBy: Type.Union([Type.String(), Type.Null()]),
  decidedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  decisionNote: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
});

export const ListQuery = Type.Object(
  {
    status: Type.Optional(LinkRequestStatus),
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
    offset: Type.Integer({ minimum: 0, default: 0 }),
  },
  { additionalProperties: false },
);

export const ListAnswer = Type.Object({ items: Type.Array(LinkRequestView), total: Type.Integer() });

export const RequestParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

/** What billing says about the contract named in the request, for the employee to compare. */
export const BillingLookup = Type.Union([
  Type.Object({
    found: Type.Literal(true),
    consumerRef: Type.String(),
    contractNumber: Type.String(),
    consumerName: Type.Optional(Type.String()),
    taxId: Type.Optional(Type.String()),
    contractStatus: Type.Optional(Type.String()),
  }),
  Type.Object({ found: Type.Literal(false), code: Type.String(), message: Type.String() }),
  Type.Object({ found: Type.Null(), code: Type.Literal('billing_unavailable'), message: Type.String() }),
]);

export const RequestDetails = Type.Object({ request: LinkRequestView, billing: BillingLookup });

export const ConfirmBody = Type.Object({ note: Type.Optional(Type.String({ maxLength: 2000 })) }, { additionalProperties: false });
export const DeclineBody = Type.Object(
  {
    /** Shown to the consumer in the cabinet. */
    reason: Type.String({ minLength: 1, maxLength: 2000 }),
  },
  { additionalProperties: false },
);

export const DecisionAnswer = Type.Object({ id: Type.String(), status: LinkRequestStatus, consumerRef: Type.Union([Type.String(), Type.Null()]) });
