import { Type } from 'typebox';

export const ContractNumber = Type.String({ minLength: 1, maxLength: 64, pattern: '\\S' });
export const LinkBySecretBody = Type.Object(
  { contractNumber: ContractNumber, secret: Type.String({ minLength: 1, maxLength: 64, description: 'the code printed on the contract\'s invoices' }) },
  { additionalProperties: false },
);
export const LinkByRequestBody = Type.Object(
  {
    contractNumber: ContractNumber,
    applicantName: Type.String({ minLength: 1, maxLength: 300, description: 'who asks, for the supplier to check' }),
    taxId: Type.Optional(Type.String({ pattern: '^[0-9]{10}$|^[0-9]{12}$', description: 'INN, 10 or 12 digits' })),
    comment: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);
export const LinkRequest = Type.Object({
  id: Type.String(),
  via: Type.Union([Type.Literal('secret'), Type.Literal('request')]),
  contractNumber: Type.String(),
  status: Type.Union([Type.Literal('pending'), Type.Literal('accepted'), Type.Literal('rejected')]),
  rejection: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() })),
  consumerRef: Type.Optional(Type.String()),
  applicantName: Type.Optional(Type.String()),
  taxId: Type.Optional(Type.String()),
  comment: Type.Optional(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  decidedAt: Type.Optional(Type.String({ format: 'date-time' })),
});
export const LinkParams = Type.Object({ linkId: Type.String({ format: 'uuid' }) });
