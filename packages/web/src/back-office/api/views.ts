/**
 * The answers of cabinet-back's application, request and signature routes, field by field as the
 * server writes them (back-office.routes.ts: applicationView, requestView, fileView, documentView,
 * signatureView). Those routes declare no response schema, so the generated document cannot type them;
 * everything the SPA sends is typed by the document (api/back-office.d.ts).
 */
export type ApplicationStatus = 'submitted' | 'in_review' | 'needs_info' | 'contract_issued' | 'signed' | 'rejected' | 'withdrawn';
export type RequestStatus = 'new' | 'in_progress' | 'needs_info' | 'answered' | 'closed';
export type RequestKind = 'link_contract' | 'correct_details' | 'terminate_contract' | 'meter_replacement' | 'free_form' | 'support';

export interface Applicant {
  kind: 'organisation' | 'person';
  name: string;
  inn?: string;
  ogrn?: string;
  snils?: string;
  email?: string;
  phone?: string;
}

export interface FileView {
  id: string;
  direction: 'consumer' | 'supplier';
  fileName: string;
  mediaType: string;
  sizeBytes: number;
  sha256: string;
  createdAt: string;
}

export interface MessageView {
  id: string;
  author: 'consumer' | 'supplier';
  authorName: string;
  text: string;
  at: string;
  attachments: FileView[];
}

export interface ApplicationView {
  id: string;
  userRef: string;
  consumerRef: string | null;
  applicant: Applicant;
  objectAddress: string;
  requestedPowerKw: string;
  comment: string | null;
  status: ApplicationStatus;
  seq: number;
  assignedTo: string | null;
  statusNote: string | null;
  submittedAt: string;
  updatedAt: string;
}

export interface SignerIdentity {
  subject: string;
  issuer: string;
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  commonName?: string;
  inn?: string;
  innle?: string;
  ogrn?: string;
  snils?: string;
}

export interface VerificationReport {
  ok: boolean;
  code?: string;
  method: 'cms' | 'simple';
  algorithm: string;
  digestAlgorithm?: string;
  signer?: SignerIdentity;
  chain: string[];
  signingTime?: string;
  verifiedAt: string;
  checks: Array<{ check: string; ok: boolean; detail: string }>;
}

export interface SignatureView {
  id: string;
  documentId: string;
  applicationId: string;
  userRef: string;
  signedBy: { name: string; login: string };
  method: 'cms' | 'simple';
  algorithm: string;
  hasCms: boolean;
  report: VerificationReport;
  signedAt: string;
  receivedAt: string;
}

export interface DocumentView {
  id: string;
  kind: 'contract' | 'agreement';
  number: string;
  title: string;
  fileName: string;
  sha256: string;
  allowSimpleSignature: boolean;
  status: string;
  issuedBy: string;
  issuedAt: string;
  signedAt: string | null;
  signatures: SignatureView[];
}

export interface ApplicationDetails extends ApplicationView {
  attachments: FileView[];
  messages: MessageView[];
  documents: DocumentView[];
}

export interface RequestView {
  id: string;
  userRef: string;
  consumerRef: string | null;
  kind: RequestKind;
  subject: string;
  text: string;
  fields: Record<string, unknown>;
  author: { name: string; contact: string };
  status: RequestStatus;
  seq: number;
  assignedTo: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface RequestDetails extends RequestView {
  attachments: FileView[];
  messages: MessageView[];
}

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

export interface DeadCommand {
  messageId: string;
  topic: string;
  payload: unknown;
  errors: Array<{ code?: string; message?: string; field?: string }>;
  receivedAt: string;
}

export interface BillingStatus {
  billing: 'online' | 'offline';
  adapter: string | null;
}
