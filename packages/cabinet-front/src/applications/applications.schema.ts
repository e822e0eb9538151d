import { Applicant } from '@app/cabinet-contracts';
import { Type } from 'typebox';
import { AttachmentIds, AttachmentView } from '../attachments/attachments.schema.js';

export const ApplicationStatus = Type.Union([Type.Literal('draft'), Type.Literal('submitted'), Type.Literal('in_review'), Type.Literal('needs_info'), Type.Literal('contract_issued'), Type.Literal('signed'), Type.Literal('rejected'), Type.Literal('withdrawn')]);
const PowerKw = Type.String({ pattern: '^[0-9]{1,7}(\\.[0-9]{1,3})?$', description: 'requested power, kW' });

export const ApplicationForm = Type.Object(
  {
    applicant: Type.Object({ ...Applicant.properties }, { additionalProperties: false }),
    objectAddress: Type.String({ minLength: 1, maxLength: 500 }),
    requestedPowerKw: PowerKw,
    comment: Type.Optional(Type.String({ maxLength: 10_000 })),
    /** A consumer you already act for, when the new contract is theirs. */
    consumerRef: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    attachmentIds: Type.Optional(AttachmentIds),
  },
  { additionalProperties: false },
);
export const ApplicationPatch = Type.Partial(ApplicationForm, { additionalProperties: false });
export const MessageBody = Type.Object({ text: Type.String({ minLength: 1, maxLength: 10_000 }), attachmentIds: Type.Optional(AttachmentIds) }, { additionalProperties: false });
export const ApplicationParams = Type.Object({ applicationId: Type.String({ format: 'uuid' }) });
export const DocumentParams = Type.Object({ documentId: Type.String({ format: 'uuid' }) });

export const SignatureSummary = Type.Object({
  id: Type.String(),
  method: Type.Union([Type.Literal('cms'), Type.Literal('simple')]),
  algorithm: Type.String(),
  signedBy: Type.String(),
  signer: Type.Optional(Type.Object({}, { additionalProperties: true })),
  signedAt: Type.String({ format: 'date-time' }),
});
export const DocumentView = Type.Object({
  id: Type.String(),
  /** The application it was issued in; absent for an additional agreement to a contract in force (then contractNumber). */
  applicationId: Type.Optional(Type.String()),
  contractNumber: Type.Optional(Type.String()),
  kind: Type.Union([Type.Literal('contract'), Type.Literal('agreement')]),
  title: Type.String(),
  fileName: Type.String(),
  sha256: Type.String(),
  allowSimpleSignature: Type.Boolean(),
  status: Type.Union([Type.Literal('issued'), Type.Literal('signed')]),
  issuedAt: Type.String({ format: 'date-time' }),
  signedAt: Type.Optional(Type.String({ format: 'date-time' })),
  /** Whether the caller may sign it: the applicant, or whoever acts for the consumer with the "sign" right (the server checks again). */
  canSign: Type.Boolean(),
  signatures: Type.Array(SignatureSummary),
});
export const MessageView = Type.Object({
  id: Type.String(),
  author: Type.Union([Type.Literal('consumer'), Type.Literal('supplier')]),
  authorName: Type.Optional(Type.String()),
  text: Type.String(),
  at: Type.String({ format: 'date-time' }),
  attachments: Type.Array(AttachmentView),
});
export const ApplicationView = Type.Object({
  id: Type.String(),
  status: ApplicationStatus,
  statusNote: Type.Optional(Type.String()),
  consumerRef: Type.Optional(Type.String()),
  applicant: Type.Object({ ...Applicant.properties }),
  objectAddress: Type.String(),
  requestedPowerKw: Type.String(),
  comment: Type.Optional(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  submittedAt: Type.Optional(Type.String({ format: 'date-time' })),
});
export const ApplicationDetails = Type.Object({
  ...ApplicationView.properties,
  attachments: Type.Array(AttachmentView),
  messages: Type.Array(MessageView),
  documents: Type.Array(DocumentView),
});
export const ListQuery = Type.Object({ status: Type.Optional(ApplicationStatus) });
