import { Type, type Static } from 'typebox';
import { BasketLine, IdempotencyKey, Identifier } from '../pos/pos.schema.js';
import { MAX_BASKET_LINES } from '../ledger/ledger.service.js';

/** Schemas of the offline API (POS side: snapshot, public key, upload; staff side: snapshots, failed operations). */
export const MAX_UPLOAD_BATCH = 200;

export const SnapshotQuery = Type.Object(
  { since: Type.Optional(Type.Integer({ minimum: 1, description: 'The version the terminal holds; a delta from it when kept, else the full snapshot' })) },
  { additionalProperties: false },
);

export const PublicKeyAnswer = Type.Object({
  algorithm: Type.Literal('Ed25519'),
  keyId: Type.String(),
  publicKey: Type.String({ description: 'SubjectPublicKeyInfo (DER) in base64; provision terminals with it' }),
});

export const OfflineTransaction = Type.Object(
  {
    id: IdempotencyKey,
    seq: Type.Integer({ minimum: 1, description: "The terminal's running number of its offline transactions: the order they are applied in" }),
    at: Type.String({ format: 'date-time', description: 'When the purchase was made at the terminal' }),
    identifier: Identifier,
    basket: Type.Array(BasketLine, { minItems: 1, maxItems: MAX_BASKET_LINES }),
    snapshotVersion: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
);

export const UploadBody = Type.Object({ transactions: Type.Array(OfflineTransaction, { minItems: 1, maxItems: MAX_UPLOAD_BATCH }) }, { additionalProperties: false });
export type UploadBody = Static<typeof UploadBody>;

export const UploadAnswer = Type.Object({
  results: Type.Array(
    Type.Union([
      Type.Object({ id: Type.String(), seq: Type.Integer(), status: Type.Literal('posted'), operationId: Type.String(), operationSeq: Type.Integer() }),
      Type.Object({ id: Type.String(), seq: Type.Integer(), status: Type.Literal('failed'), failedOperationId: Type.String(), code: Type.String() }),
    ]),
  ),
});

export const SnapshotInfo = Type.Object({
  version: Type.Integer(),
  builtAt: Type.String(),
  asOfSeq: Type.Integer(),
  identifiers: Type.Integer(),
  accounts: Type.Integer(),
  stopList: Type.Integer(),
  bytes: Type.Integer(),
  buildMs: Type.Integer(),
  trigger: Type.String(),
  created: Type.Boolean(),
});

export const FailedOperationQuery = Type.Object(
  {
    status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('resolved')])),
    code: Type.Optional(Type.String({ maxLength: 64 })),
    terminalId: Type.Optional(Type.String({ format: 'uuid' })),
    accountId: Type.Optional(Type.String({ format: 'uuid' })),
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
    offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
  },
  { additionalProperties: false },
);

export const FailedOperationView = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  terminalId: Type.String(),
  merchantId: Type.String(),
  transactionId: Type.String(),
  identifier: Type.Object({ kind: Type.String(), value: Type.String() }),
  accountId: Type.Union([Type.String(), Type.Null()]),
  basket: Type.Array(Type.Object({ product: Type.String(), amount: Type.Integer() })),
  amount: Type.Integer(),
  happenedAt: Type.String(),
  code: Type.String(),
  details: Type.Record(Type.String(), Type.Unknown()),
  status: Type.String(),
  createdAt: Type.String(),
  resolvedAt: Type.Union([Type.String(), Type.Null()]),
});
export const FailedOperationList = Type.Object({ items: Type.Array(FailedOperationView), total: Type.Integer() });
export const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
