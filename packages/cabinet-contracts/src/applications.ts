import { Type, type Static } from 'typebox';
import { BusAttachments, threadMessageProperties } from './attachments.js';
import { Id } from './primitives.js';

/**
 * Applications for a supply contract (заявка на заключение договора). The consumer fills and submits
 * the form in the front; the back office reviews it, asks for information, issues the contract (and
 * additional agreements) as PDF documents for signature; the signed state comes back as
 * `cabinet.cmd.document.sign` (signatures.ts).
 *
 * Statuses: draft (front only) → submitted → in_review ⇄ needs_info → contract_issued → signed;
 * rejected (by the supplier) or withdrawn (by the consumer) end it. The back numbers its changes
 * (`seq`), so the front keeps the newest whatever order events arrive in.
 */
export const applicationCommandTopics = {
  submit: 'cabinet.cmd.application.submit',
  message: 'cabinet.cmd.application.message',
  withdraw: 'cabinet.cmd.application.withdraw',
} as const;

export const applicationEventTopics = {
  statusChanged: 'cabinet.evt.application.status-changed',
  messagePosted: 'cabinet.evt.application.message-posted',
  documentIssued: 'cabinet.evt.document.issued',
} as const;

export const applicationStatuses = ['draft', 'submitted', 'in_review', 'needs_info', 'contract_issued', 'signed', 'rejected', 'withdrawn'] as const;
export type ApplicationStatus = (typeof applicationStatuses)[number];
/** The statuses the back sets (draft and submitted are the front's own). */
export const BackApplicationStatus = Type.Union([
  Type.Literal('submitted'),
  Type.Literal('in_review'),
  Type.Literal('needs_info'),
  Type.Literal('contract_issued'),
  Type.Literal('signed'),
  Type.Literal('rejected'),
  Type.Literal('withdrawn'),
]);

/** Personal data: the front stores every field encrypted. */
export const Applicant = Type.Object({
  kind: Type.Union([Type.Literal('organisation'), Type.Literal('person')]),
  name: Type.String({ minLength: 1, maxLength: 300 }),
  /** INN: 10 digits (organisation) or 12 (person, sole trader). */
  inn: Type.Optional(Type.String({ pattern: '^[0-9]{10}$|^[0-9]{12}$' })),
  /** OGRN (13) or OGRNIP (15). */
  ogrn: Type.Optional(Type.String({ pattern: '^[0-9]{13}$|^[0-9]{15}$' })),
  /** SNILS, 11 digits without separators. */
  snils: Type.Optional(Type.String({ pattern: '^[0-9]{11}$' })),
  email: Type.Optional(Type.String({ maxLength: 254 })),
  phone: Type.Optional(Type.String({ maxLength: 32 })),
});
export type Applicant = Static<typeof Applicant>;

export const ApplicationSubmitted = Type.Object({
  applicationId: Id,
  userRef: Id,
  /** The billing consumer the applicant already acts for, when any. */
  consumerRef: Type.Optional(Id),
  applicant: Applicant,
  objectAddress: Type.String({ minLength: 1, maxLength: 500 }),
  /** kW, decimal text. */
  requestedPowerKw: Type.String({ pattern: '^[0-9]{1,7}(\\.[0-9]{1,3})?$' }),
  comment: Type.Optional(Type.String({ maxLength: 10_000 })),
  submittedAt: Type.String({ format: 'date-time' }),
  attachments: BusAttachments,
});
export type ApplicationSubmitted = Static<typeof ApplicationSubmitted>;

/** The consumer writes in the application's thread (answers a request for information). */
export const ApplicationMessage = Type.Object({ applicationId: Id, userRef: Id, ...threadMessageProperties });
export type ApplicationMessage = Static<typeof ApplicationMessage>;

export const ApplicationWithdrawn = Type.Object({ applicationId: Id, userRef: Id, at: Type.String({ format: 'date-time' }) });
export type ApplicationWithdrawn = Static<typeof ApplicationWithdrawn>;

export const ApplicationStatusChanged = Type.Object({
  applicationId: Id,
  userRef: Id,
  status: BackApplicationStatus,
  /** The back's change number of this application: higher wins. */
  seq: Type.Integer({ minimum: 1 }),
  /** Why (a rejection reason), shown to the consumer. */
  note: Type.Optional(Type.String({ maxLength: 2000 })),
  at: Type.String({ format: 'date-time' }),
});
export type ApplicationStatusChanged = Static<typeof ApplicationStatusChanged>;

/** The supplier writes in the thread. */
export const ApplicationMessagePosted = Type.Object({ applicationId: Id, userRef: Id, authorName: Type.String({ maxLength: 300 }), ...threadMessageProperties });
export type ApplicationMessagePosted = Static<typeof ApplicationMessagePosted>;

/**
 * A contract or an additional agreement issued for signature: the PDF itself (≤ 4 MiB) and its digest.
 * Either within an application (`applicationId`, `userRef`: the applicant) or, for an additional agreement
 * to a contract in force, to the consumer of that contract (`consumerRef`, `contractNumber`): every cabinet
 * user acting for the consumer sees it, those with the `sign` right sign it.
 */
export const DocumentIssued = Type.Object({
  documentId: Id,
  applicationId: Type.Optional(Id),
  userRef: Type.Optional(Id),
  consumerRef: Type.Optional(Id),
  contractNumber: Type.Optional(Type.String({ maxLength: 64 })),
  kind: Type.Union([Type.Literal('contract'), Type.Literal('agreement')]),
  title: Type.String({ minLength: 1, maxLength: 300 }),
  fileName: Type.String({ minLength: 1, maxLength: 255 }),
  pdfBase64: Type.String({ maxLength: Math.ceil((4 * 1024 * 1024) / 3) * 4 }),
  sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
  /** The supplier allows a simple electronic signature (one-time code) for this document. */
  allowSimpleSignature: Type.Boolean(),
  issuedAt: Type.String({ format: 'date-time' }),
});
export type DocumentIssued = Static<typeof DocumentIssued>;
