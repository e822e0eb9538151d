import { Type } from 'typebox';
import { partnerScopes } from './api-key.js';

const Uuid = Type.String({ format: 'uuid' });
export const PartnerCode = Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{1,31}$' });
export const Scope = Type.Union(partnerScopes.map((s) => Type.Literal(s)));

export const PartnerBody = Type.Object({ code: PartnerCode, name: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false });
export const PartnerPatch = Type.Object({ status: Type.Union([Type.Literal('active'), Type.Literal('blocked')]) }, { additionalProperties: false });
export const PartnerParams = Type.Object({ id: Uuid });
export const KeyParams = Type.Object({ id: Uuid, keyId: Type.String({ pattern: '^[A-Za-z0-9]{12}$' }) });
export const KeyBody = Type.Object(
  {
    scopes: Type.Array(Scope, { minItems: 1, uniqueItems: true }),
    label: Type.Optional(Type.String({ maxLength: 100 })),
    expiresAt: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: false },
);

export const Balance = Type.Object({ product: Type.String(), balance: Type.Integer({ description: 'kopecks' }), minBalance: Type.Integer(), maxBalance: Type.Union([Type.Integer(), Type.Null()]) });
export const AccountView = Type.Object({ number: Type.String(), status: Type.String(), wallets: Type.Array(Balance) });
export const ClientView = Type.Object({ externalId: Type.String(), fullName: Type.String(), status: Type.String(), accounts: Type.Array(AccountView) });
export const AccountParams = Type.Object({ number: Type.String({ minLength: 1, maxLength: 32, pattern: '^[0-9A-Za-z-]+$' }) });
export const ClientParams = Type.Object({ externalId: Type.String({ minLength: 1, maxLength: 100 }) });
export const PartnerCredit = Type.Object(
  {
    idempotencyKey: Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9._:-]+$', description: 'Unique per partner; a retry with the same key returns the first answer' }),
    product: Type.String({ minLength: 1, maxLength: 32 }),
    amount: Type.Integer({ minimum: 1, maximum: 10_000_000_000, description: 'kopecks' }),
  },
  { additionalProperties: false },
);
