import { Type, type Static } from 'typebox';
import { MAX_AMOUNT } from '../ledger/amount.js';
import { MAX_BASKET_LINES } from '../ledger/ledger.service.js';

/** The POS API's schemas: the single source for validation, the OpenAPI document and the TS types. */
export const Kopecks = Type.Integer({ minimum: 1, maximum: Number(MAX_AMOUNT), description: 'Integer kopecks' });
export const IdentifierKind = Type.Union([Type.Literal('card_uid'), Type.Literal('qr'), Type.Literal('nfc'), Type.Literal('employee_number')]);
export const Identifier = Type.Object({ kind: IdentifierKind, value: Type.String({ minLength: 1, maxLength: 128 }) }, { additionalProperties: false });
export const IdempotencyKey = Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9._:-]+$', description: "The terminal's unique key for this request; a retry sends the same key" });
export const ProductCode = Type.String({ minLength: 2, maxLength: 32, pattern: '^[a-z][a-z0-9_]*$' });
export const BasketLine = Type.Object({ product: ProductCode, amount: Kopecks }, { additionalProperties: false });

export const PurchaseBody = Type.Object(
  { idempotencyKey: IdempotencyKey, identifier: Identifier, basket: Type.Array(BasketLine, { minItems: 1, maxItems: MAX_BASKET_LINES }) },
  { additionalProperties: false },
);
export type PurchaseBody = Static<typeof PurchaseBody>;

export const ReversalBody = Type.Object({ idempotencyKey: IdempotencyKey }, { additionalProperties: false });
export const RefundBody = Type.Object(
  { idempotencyKey: IdempotencyKey, items: Type.Optional(Type.Array(BasketLine, { minItems: 1, maxItems: MAX_BASKET_LINES })) },
  { additionalProperties: false },
);
export const OperationParams = Type.Object({ operationId: Type.String({ format: 'uuid' }) });

export const WalletBalance = Type.Object({ product: Type.String(), balance: Type.Integer(), available: Type.Optional(Type.Integer()), accepted: Type.Optional(Type.Boolean()) });

export const declineCodes = [
  'unknown_identifier',
  'identifier_blocked',
  'terminal_not_allowed',
  'insufficient_funds',
  'limit_exceeded',
  'product_not_accepted',
  'account_blocked',
  'account_closed',
  'wallet_not_found',
  'merchant_blocked',
  'merchant_not_found',
  'operation_not_found',
  'not_a_purchase',
  'already_reversed',
  'refund_exceeds_purchase',
  'velocity_exceeded',
  'hold_not_found',
  'hold_not_active',
  'hold_expired',
  'completion_exceeds_hold',
] as const;
/** Stable decline codes: terminals program against these, the message texts may change. */
export const DeclineCode = Type.Unsafe<(typeof declineCodes)[number]>(Type.String({ enum: [...declineCodes] }));

export const AuthorizationResult = Type.Union([
  Type.Object({
    status: Type.Literal('approved'),
    operationId: Type.String(),
    amount: Type.Integer(),
    balances: Type.Array(WalletBalance),
  }),
  Type.Object({
    status: Type.Literal('declined'),
    code: DeclineCode,
    product: Type.Optional(Type.String()),
    limit: Type.Optional(Type.String({ description: 'Which limit: per_operation, daily, monthly, …; velocity_count, velocity_amount, identifier_velocity_count, identifier_velocity_amount' })),
    available: Type.Optional(Type.Integer()),
    remaining: Type.Optional(Type.Integer()),
    windowSeconds: Type.Optional(Type.Integer({ description: 'The rolling window of the velocity limit refused' })),
    holdStatus: Type.Optional(Type.String({ description: 'hold_not_active: what became of the hold (completed, voided, expired)' })),
  }),
]);
export type AuthorizationResult = Static<typeof AuthorizationResult>;

// ---- Two-phase purchases (holds) ----
export const HoldBody = Type.Object(
  {
    idempotencyKey: IdempotencyKey,
    identifier: Identifier,
    product: ProductCode,
    amount: Kopecks,
    ttlSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 7 * 86_400, description: 'How long the hold lives unless completed or voided; the server default otherwise' })),
  },
  { additionalProperties: false },
);
export type HoldBody = Static<typeof HoldBody>;
export const HoldParams = Type.Object({ holdId: Type.String({ format: 'uuid' }) });
export const CompletionBody = Type.Object(
  { idempotencyKey: IdempotencyKey, amount: Type.Optional(Type.Integer({ minimum: 1, maximum: Number(MAX_AMOUNT), description: 'The final amount in kopecks, at most the held one; all of it when absent' })) },
  { additionalProperties: false },
);
export const VoidBody = Type.Object({ idempotencyKey: IdempotencyKey }, { additionalProperties: false });
export const HoldStatus = Type.Union([Type.Literal('active'), Type.Literal('completed'), Type.Literal('voided'), Type.Literal('expired')]);
const Declined = AuthorizationResult.anyOf[1];
/**
 * A hold, completion or void answer. `operationId`: the hold's own operation (= holdId) for a hold, the purchase
 * for a completion (what a refund or reversal names), the release for a void.
 */
export const HoldResult = Type.Union([
  Type.Object({
    status: Type.Literal('approved'),
    operationId: Type.String(),
    holdId: Type.String(),
    holdStatus: HoldStatus,
    amount: Type.Integer({ description: 'Held (hold), completed (completion) or given back (void)' }),
    heldAmount: Type.Integer(),
    expiresAt: Type.String({ format: 'date-time' }),
    balances: Type.Array(WalletBalance),
  }),
  Declined,
]);
export type HoldResult = Static<typeof HoldResult>;
export const HoldView = Type.Union([
  Type.Object({
    status: Type.Literal('found'),
    holdId: Type.String(),
    holdStatus: HoldStatus,
    product: Type.String(),
    amount: Type.Integer(),
    completedAmount: Type.Optional(Type.Integer()),
    purchaseOperationId: Type.Optional(Type.String()),
    createdAt: Type.String({ format: 'date-time' }),
    expiresAt: Type.String({ format: 'date-time' }),
    closedAt: Type.Optional(Type.String({ format: 'date-time' })),
  }),
  Type.Object({ status: Type.Literal('declined'), code: DeclineCode }),
]);

export const BalanceQuery = Type.Object({ kind: IdentifierKind, value: Type.String({ minLength: 1, maxLength: 128 }) }, { additionalProperties: false });
export const BalanceAnswer = Type.Union([
  Type.Object({ status: Type.Literal('found'), accountNumber: Type.String(), wallets: Type.Array(WalletBalance) }),
  Type.Object({ status: Type.Literal('declined'), code: DeclineCode }),
]);
