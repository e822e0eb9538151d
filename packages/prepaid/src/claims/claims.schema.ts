import { Type } from 'typebox';
import { BasketLine, IdempotencyKey, ProductCode } from '../pos/pos.schema.js';
import { MAX_AMOUNT } from '../ledger/amount.js';
import { ATTACHMENT_TYPES } from './claims.service.js';

/** Schemas of the claims API: validation, the OpenAPI document and the TS types from one place. */
export const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
export const AttachmentParams = Type.Object({ id: Type.String({ format: 'uuid' }), attachmentId: Type.String({ format: 'uuid' }) });

export const OpenBody = Type.Object(
  {
    operationId: Type.Optional(Type.String({ format: 'uuid' })),
    failedOperationId: Type.Optional(Type.String({ format: 'uuid' })),
    title: Type.String({ minLength: 1, maxLength: 200 }),
    description: Type.Optional(Type.String({ maxLength: 4000 })),
  },
  { additionalProperties: false },
);
export const AssignBody = Type.Object({ assignee: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false });
export const CommentBody = Type.Object({ text: Type.String({ minLength: 1, maxLength: 4000 }) }, { additionalProperties: false });
export const AttachBody = Type.Object(
  {
    fileName: Type.String({ minLength: 1, maxLength: 200, pattern: '^[^/\\\\\\u0000-\\u001f]+$' }),
    contentType: Type.Union(ATTACHMENT_TYPES.map((t) => Type.Literal(t))),
    content: Type.String({ minLength: 1, maxLength: 7_000_000, contentEncoding: 'base64', description: 'The file, base64; at most 5 MiB decoded' }),
  },
  { additionalProperties: false },
);

const SignedKopecks = Type.Integer({ minimum: -Number(MAX_AMOUNT), maximum: Number(MAX_AMOUNT), not: { const: 0 }, description: 'Signed integer kopecks, not zero' });
export const ResolveBody = Type.Union([
  Type.Object({ kind: Type.Literal('reversal'), idempotencyKey: IdempotencyKey, note: Type.Optional(Type.String({ maxLength: 2000 })) }, { additionalProperties: false }),
  Type.Object(
    { kind: Type.Literal('refund'), idempotencyKey: IdempotencyKey, items: Type.Optional(Type.Array(BasketLine, { minItems: 1, maxItems: 20 })), note: Type.Optional(Type.String({ maxLength: 2000 })) },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      kind: Type.Literal('correction'),
      idempotencyKey: IdempotencyKey,
      product: ProductCode,
      amount: SignedKopecks,
      reason: Type.String({ minLength: 1, maxLength: 500 }),
      accountId: Type.Optional(Type.String({ format: 'uuid' })),
      postFailedPurchase: Type.Optional(Type.Boolean({ description: 'After the correction, post the failed offline purchase (the merchant is paid)' })),
    },
    { additionalProperties: false },
  ),
  Type.Object({ kind: Type.Literal('rejected'), idempotencyKey: IdempotencyKey, note: Type.String({ minLength: 1, maxLength: 2000 }) }, { additionalProperties: false }),
]);

export const ListQuery = Type.Object(
  {
    status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('in_progress'), Type.Literal('resolved'), Type.Literal('closed')])),
    assignee: Type.Optional(Type.String({ maxLength: 100 })),
    openedBy: Type.Optional(Type.String({ maxLength: 100 })),
    resolution: Type.Optional(Type.Union([Type.Literal('reversal'), Type.Literal('refund'), Type.Literal('correction'), Type.Literal('rejected')])),
    subject: Type.Optional(Type.Union([Type.Literal('operation'), Type.Literal('failed_operation')])),
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
    offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
  },
  { additionalProperties: false },
);

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
export const ClaimSummary = Type.Object({
  id: Type.String(),
  number: Type.Integer(),
  operationId: Nullable(Type.String()),
  failedOperationId: Nullable(Type.String()),
  title: Type.String(),
  status: Type.String(),
  assignee: Nullable(Type.String()),
  openedBy: Type.String(),
  resolution: Nullable(Type.String()),
  resolutionOperationIds: Type.Array(Type.String()),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
export const ClaimList = Type.Object({ items: Type.Array(ClaimSummary), total: Type.Integer() });
export const ClaimView = Type.Intersect([
  ClaimSummary,
  Type.Object({
    description: Type.String(),
    events: Type.Array(Type.Object({ id: Type.Integer(), at: Type.String(), actor: Type.String(), kind: Type.String(), details: Type.Record(Type.String(), Type.Unknown()) })),
    attachments: Type.Array(Type.Object({ id: Type.String(), fileName: Type.String(), contentType: Type.String(), size: Type.Integer(), sha256: Type.String(), createdBy: Type.String(), createdAt: Type.String() })),
  }),
]);
export const Opened = Type.Object({ id: Type.String(), number: Type.Integer() });
export const Attached = Type.Object({ id: Type.String(), sha256: Type.String(), size: Type.Integer() });
export const Ok = Type.Object({ ok: Type.Boolean() });
