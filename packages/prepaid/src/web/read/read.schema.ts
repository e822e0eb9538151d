import { Type } from 'typebox';

/** Schemas of the workplace's read API (lists and cards the SPA shows); also its OpenAPI types. */
const Uuid = Type.String({ format: 'uuid' });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Limit = Type.Integer({ minimum: 1, maximum: 200, default: 50 });
/** An opaque keyset cursor: the `nextCursor` of the previous page. */
const Cursor = Type.String({ pattern: '^[0-9]{1,19}$', description: 'nextCursor of the previous page' });
const Day = Type.String({ format: 'date-time', description: 'ISO timestamp; from is inclusive, to exclusive' });

export const IdParams = Type.Object({ id: Uuid });

export const Wallet = Type.Object({
  product: Type.String(),
  productName: Type.String(),
  balance: Type.Integer(),
  minBalance: Type.Integer(),
  maxBalance: Nullable(Type.Integer()),
  perOperationLimit: Nullable(Type.Integer()),
  dailyDebitLimit: Nullable(Type.Integer()),
  monthlyDebitLimit: Nullable(Type.Integer()),
  closed: Type.Boolean(),
});
export const Identifier = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  value: Type.String(),
  status: Type.String(),
  blockReason: Nullable(Type.String()),
  createdAt: Type.String(),
});
export const ClientCard = Type.Object({
  id: Type.String(),
  fullName: Type.String(),
  phone: Nullable(Type.String()),
  email: Nullable(Type.String()),
  externalId: Nullable(Type.String()),
  status: Type.String(),
  createdAt: Type.String(),
  accounts: Type.Array(
    Type.Object({ id: Type.String(), number: Type.String(), status: Type.String(), createdAt: Type.String(), wallets: Type.Array(Wallet), identifiers: Type.Array(Identifier) }),
  ),
});

export const JournalQuery = Type.Object(
  {
    from: Type.Optional(Day),
    to: Type.Optional(Day),
    type: Type.Optional(Type.Union(['credit', 'purchase', 'reversal', 'refund', 'correction', 'transfer', 'close'].map((t) => Type.Literal(t)))),
    accountId: Type.Optional(Uuid),
    merchantId: Type.Optional(Uuid),
    cursor: Type.Optional(Cursor),
    limit: Limit,
  },
  { additionalProperties: false },
);
export const JournalItem = Type.Object({
  id: Type.String(),
  seq: Type.String(),
  type: Type.String(),
  at: Type.String(),
  amount: Type.Integer(),
  accountId: Nullable(Type.String()),
  accountNumber: Nullable(Type.String()),
  merchantId: Nullable(Type.String()),
  merchantName: Nullable(Type.String()),
  terminalId: Nullable(Type.String()),
  originalOperationId: Nullable(Type.String()),
  createdBy: Nullable(Type.String()),
});
export const JournalPage = Type.Object({ items: Type.Array(JournalItem), nextCursor: Nullable(Type.String()) });

export const AuditQuery = Type.Object(
  {
    mine: Type.Optional(Type.Boolean({ description: 'only the caller\'s own actions (always so for operators and settlement specialists)' })),
    actor: Type.Optional(Type.String({ minLength: 1, maxLength: 254 })),
    action: Type.Optional(Type.String({ minLength: 1, maxLength: 100, pattern: '^[a-z_.]+$', description: 'action or its prefix, e.g. "identifier."' })),
    targetId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    cursor: Type.Optional(Cursor),
    limit: Limit,
  },
  { additionalProperties: false },
);
export const AuditItem = Type.Object({
  id: Type.String(),
  at: Type.String(),
  actor: Nullable(Type.String()),
  action: Type.String(),
  outcome: Type.String(),
  targetType: Nullable(Type.String()),
  targetId: Nullable(Type.String()),
  ip: Nullable(Type.String()),
  details: Type.Record(Type.String(), Type.Unknown()),
});
export const AuditPage = Type.Object({ items: Type.Array(AuditItem), nextCursor: Nullable(Type.String()) });

export const DirectoryQuery = Type.Object(
  { q: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })), limit: Limit, offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }) },
  { additionalProperties: false },
);
export const TerminalQuery = Type.Object(
  { merchantId: Type.Optional(Uuid), q: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })), limit: Limit, offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }) },
  { additionalProperties: false },
);
export const MerchantList = Type.Object({
  items: Type.Array(
    Type.Object({ id: Type.String(), code: Type.String(), name: Type.String(), status: Type.String(), providerId: Nullable(Type.String()), providerName: Nullable(Type.String()), products: Type.Array(Type.String()) }),
  ),
  total: Type.Integer(),
});
export const TerminalList = Type.Object({
  items: Type.Array(Type.Object({ id: Type.String(), code: Type.String(), status: Type.String(), merchantId: Type.String(), merchantName: Type.String(), createdAt: Type.String() })),
  total: Type.Integer(),
});
export const ProviderList = Type.Object({ items: Type.Array(Type.Object({ id: Type.String(), code: Type.String(), name: Type.String() })), total: Type.Integer() });
