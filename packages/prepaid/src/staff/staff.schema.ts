import { Type } from 'typebox';
import { IdentifierKind, Kopecks, ProductCode } from '../pos/pos.schema.js';

/** Schemas of the staff API (validation, OpenAPI and types from one place). */
export const Uuid = Type.String({ format: 'uuid' });
export const IdParams = Type.Object({ id: Uuid });
export const OptionalKopecks = Type.Optional(Type.Union([Kopecks, Type.Null()]));
export const StaffKey = Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9._:-]+$', description: 'Idempotency key of this money request' });

export const ProductBody = Type.Object(
  {
    code: ProductCode,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    minBalance: Type.Optional(Type.Integer({ maximum: 0, minimum: -10_000_000_000, description: 'Allowed overdraft as a negative number of kopecks' })),
    maxBalance: OptionalKopecks,
    perOperationLimit: OptionalKopecks,
    dailyDebitLimit: OptionalKopecks,
    monthlyDebitLimit: OptionalKopecks,
  },
  { additionalProperties: false },
);

export const MerchantBody = Type.Object(
  {
    code: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._-]+$' }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    products: Type.Array(ProductCode, { maxItems: 50, uniqueItems: true }),
    providerId: Type.Optional(Uuid),
  },
  { additionalProperties: false },
);

export const TerminalBody = Type.Object({ code: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._-]+$' }), merchantId: Uuid }, { additionalProperties: false });

export const ClientBody = Type.Object(
  {
    fullName: Type.String({ minLength: 1, maxLength: 300 }),
    externalId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    phone: Type.Optional(Type.String({ pattern: '^\\+?[0-9]{10,15}$' })),
    email: Type.Optional(Type.String({ format: 'email', maxLength: 254 })),
  },
  { additionalProperties: false },
);

export const AccountBody = Type.Object({ clientId: Uuid, products: Type.Array(ProductCode, { minItems: 1, maxItems: 20, uniqueItems: true }) }, { additionalProperties: false });
export const BlockBody = Type.Object({ blocked: Type.Boolean() }, { additionalProperties: false });
export const CloseBody = Type.Object({ idempotencyKey: StaffKey, disposition: Type.Union([Type.Literal('returned'), Type.Literal('writeoff')]) }, { additionalProperties: false });

export const BindBody = Type.Object({ kind: IdentifierKind, value: Type.String({ minLength: 1, maxLength: 128 }) }, { additionalProperties: false });
export const BlockReason = Type.Union([Type.Literal('lost'), Type.Literal('stolen'), Type.Literal('destroyed'), Type.Literal('other')]);
export const IdentifierBlockBody = Type.Object({ reason: BlockReason }, { additionalProperties: false });
export const ReissueBody = Type.Object({ reason: BlockReason, replacement: BindBody }, { additionalProperties: false });

export const CreditBody = Type.Object({ idempotencyKey: StaffKey, product: ProductCode, amount: Kopecks }, { additionalProperties: false });
export const CorrectionBody = Type.Object(
  { idempotencyKey: StaffKey, product: ProductCode, amount: Type.Integer({ minimum: -10_000_000_000, maximum: 10_000_000_000, not: { const: 0 } }), reason: Type.String({ minLength: 3, maxLength: 500 }) },
  { additionalProperties: false },
);
export const TransferBody = Type.Object({ idempotencyKey: StaffKey, toAccountId: Uuid, product: ProductCode, amount: Kopecks }, { additionalProperties: false });

export const LedgerAnswer = Type.Union([
  Type.Object({ status: Type.Literal('approved'), operationId: Type.String(), amount: Type.Integer(), balances: Type.Array(Type.Object({ product: Type.String(), balance: Type.Integer() })) }),
  Type.Object({ status: Type.Literal('declined'), code: Type.String(), product: Type.Optional(Type.String()), limit: Type.Optional(Type.String()), available: Type.Optional(Type.Integer()), remaining: Type.Optional(Type.Integer()) }),
]);

export const Paging = Type.Object(
  { limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }), offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }) },
  { additionalProperties: false },
);

export const ClientSearch = Type.Object(
  {
    q: Type.String({ minLength: 2, maxLength: 100 }),
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
    offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
  },
  { additionalProperties: false },
);

export const ProviderBody = Type.Object(
  { code: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._-]+$' }), name: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);

export const WalletParams = Type.Object({ id: Uuid, product: ProductCode });
export const WalletLimitsBody = Type.Object(
  {
    minBalance: Type.Optional(Type.Integer({ maximum: 0, minimum: -10_000_000_000 })),
    maxBalance: OptionalKopecks,
    perOperationLimit: OptionalKopecks,
    dailyDebitLimit: OptionalKopecks,
    monthlyDebitLimit: OptionalKopecks,
  },
  { additionalProperties: false, minProperties: 1 },
);

export const ProductParams = Type.Object({ code: ProductCode });
export const ProductPatch = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    maxBalance: OptionalKopecks,
    perOperationLimit: OptionalKopecks,
    dailyDebitLimit: OptionalKopecks,
    monthlyDebitLimit: OptionalKopecks,
    // Offline mode (docs/offline.md): no floor limit = never authorized offline.
    offlineFloorLimit: OptionalKopecks,
    offlineTotalLimit: OptionalKopecks,
    offlineCountLimit: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 1000 }), Type.Null()])),
  },
  { additionalProperties: false, minProperties: 1 },
);
export const StatusPatch = Type.Object({ status: Type.Union([Type.Literal('active'), Type.Literal('blocked')]) }, { additionalProperties: false });
export const MerchantPatch = Type.Object(
  { status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('blocked')])), products: Type.Optional(Type.Array(ProductCode, { maxItems: 50, uniqueItems: true })) },
  { additionalProperties: false, minProperties: 1 },
);
export const ClientPatch = Type.Object(
  {
    fullName: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
    phone: Type.Optional(Type.Union([Type.String({ pattern: '^\\+?[0-9]{10,15}$' }), Type.Null()])),
    email: Type.Optional(Type.Union([Type.String({ format: 'email', maxLength: 254 }), Type.Null()])),
  },
  { additionalProperties: false, minProperties: 1 },
);
export const StaffRefundBody = Type.Object(
  { idempotencyKey: StaffKey, items: Type.Optional(Type.Array(Type.Object({ product: ProductCode, amount: Kopecks }, { additionalProperties: false }), { minItems: 1, maxItems: 20 })) },
  { additionalProperties: false },
);
export const StaffReversalBody = Type.Object({ idempotencyKey: StaffKey }, { additionalProperties: false });
