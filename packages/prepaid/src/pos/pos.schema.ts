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
    limit: Type.Optional(Type.String()),
    available: Type.Optional(Type.Integer()),
    remaining: Type.Optional(Type.Integer()),
  }),
]);
export type AuthorizationResult = Static<typeof AuthorizationResult>;

export const BalanceQuery = Type.Object({ kind: IdentifierKind, value: Type.String({ minLength: 1, maxLength: 128 }) }, { additionalProperties: false });
export const BalanceAnswer = Type.Union([
  Type.Object({ status: Type.Literal('found'), accountNumber: Type.String(), wallets: Type.Array(WalletBalance) }),
  Type.Object({ status: Type.Literal('declined'), code: DeclineCode }),
]);
