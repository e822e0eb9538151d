import { Type } from 'typebox';

const page = { limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }), offset: Type.Integer({ minimum: 0, default: 0 }) };
export const ApplicationStatus = Type.Union([Type.Literal('submitted'), Type.Literal('in_review'), Type.Literal('needs_info'), Type.Literal('contract_issued'), Type.Literal('signed'), Type.Literal('rejected'), Type.Literal('withdrawn')]);
export const RequestStatus = Type.Union([Type.Literal('new'), Type.Literal('in_progress'), Type.Literal('needs_info'), Type.Literal('answered'), Type.Literal('closed')]);
export const RequestKind = Type.Union([Type.Literal('correct_details'), Type.Literal('terminate_contract'), Type.Literal('meter_replacement'), Type.Literal('free_form'), Type.Literal('support')]);

export const ApplicationQueueQuery = Type.Object({ status: Type.Optional(ApplicationStatus), assignedTo: Type.Optional(Type.String({ maxLength: 100 })), q: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'part of the applicant’s name or address' })), ...page }, { additionalProperties: false });
export const RequestQueueQuery = Type.Object({ status: Type.Optional(RequestStatus), kind: Type.Optional(RequestKind), assignedTo: Type.Optional(Type.String({ maxLength: 100 })), ...page }, { additionalProperties: false });
export const SignatureQuery = Type.Object({ applicationId: Type.Optional(Type.String({ format: 'uuid' })), documentId: Type.Optional(Type.String({ format: 'uuid' })), ...page }, { additionalProperties: false });
export const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

export const Files = Type.Optional(Type.Array(Type.Object({ fileName: Type.String({ minLength: 1, maxLength: 255 }), contentBase64: Type.String({ minLength: 1, maxLength: 5_600_000 }) }, { additionalProperties: false }), { maxItems: 5 }));
export const TextBody = Type.Object({ text: Type.String({ minLength: 1, maxLength: 10_000 }), attachments: Files }, { additionalProperties: false });
export const ReasonBody = Type.Object({ reason: Type.String({ minLength: 1, maxLength: 2000 }) }, { additionalProperties: false });
export const EmptyBody = Type.Object({}, { additionalProperties: false });
export const IssueBody = Type.Object(
  {
    kind: Type.Union([Type.Literal('contract'), Type.Literal('agreement')]),
    title: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
    /** The supplier allows a simple electronic signature (one-time code) for this document. */
    allowSimpleSignature: Type.Boolean({ default: false }),
    terms: Type.Optional(Type.String({ maxLength: 20_000, description: 'the terms, one paragraph per line; a standard text otherwise' })),
  },
  { additionalProperties: false },
);
export const ContractParams = Type.Object({ number: Type.String({ minLength: 1, maxLength: 64, pattern: '^[^/]+$' }) });
export const AgreementBody = Type.Object(
  {
    title: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
    allowSimpleSignature: Type.Boolean({ default: false }),
    terms: Type.Optional(Type.String({ maxLength: 20_000, description: 'the terms, one paragraph per line; a standard text otherwise' })),
  },
  { additionalProperties: false },
);
/** Answers are plain JSON objects described field by field in the README (rows as the back office shows them). */
export const Any = Type.Object({}, { additionalProperties: true });
