import type { ColumnType, Generated } from 'kysely';

/**
 * Kysely types of migrations/0002_applications_requests_signatures.sql. Merged into CabinetFrontDb by
 * module augmentation, so the areas of this migration need no edit of tables.ts (others add theirs there).
 */
type Numeric = ColumnType<string, string | number, string | number>;

export interface ApplicationsTable {
  id: string;
  user_id: string;
  consumer_ref: string | null;
  status: Generated<'draft' | 'submitted' | 'in_review' | 'needs_info' | 'contract_issued' | 'signed' | 'rejected' | 'withdrawn'>;
  seq: Generated<number>;
  status_note_enc: string | null;
  applicant_kind: 'organisation' | 'person';
  applicant_name_enc: string;
  inn_enc: string | null;
  ogrn_enc: string | null;
  snils_enc: string | null;
  email_enc: string | null;
  phone_enc: string | null;
  object_address_enc: string;
  requested_power_kw: Numeric;
  comment_enc: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  submitted_at: Date | null;
}

export interface ThreadMessagesTable {
  id: string;
  author: 'consumer' | 'supplier';
  author_name: string | null;
  text_enc: string;
  created_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface RequestsTable {
  id: string;
  user_id: string;
  consumer_ref: string | null;
  kind: 'link_contract' | 'correct_details' | 'terminate_contract' | 'meter_replacement' | 'free_form' | 'support';
  status: Generated<'new' | 'in_progress' | 'needs_info' | 'answered' | 'closed'>;
  seq: Generated<number>;
  subject_enc: string;
  text_enc: string;
  fields_enc: string;
  link_request_id: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export type AttachmentOwnerKind = 'application' | 'application_message' | 'request' | 'request_message';

export interface AttachmentsTable {
  id: string;
  user_id: string;
  direction: 'consumer' | 'supplier';
  owner_kind: AttachmentOwnerKind | null;
  owner_id: string | null;
  file_name_enc: string;
  media_type: string;
  size_bytes: number;
  sha256: string;
  content_enc: string;
  created_at: Generated<Date>;
}

export interface DocumentsTable {
  id: string;
  /** Null for an additional agreement to a contract in force (0006): consumer_ref and contract_number say whose. */
  application_id: string | null;
  consumer_ref: ColumnType<string | null, string | null | undefined, string | null>;
  contract_number: ColumnType<string | null, string | null | undefined, string | null>;
  kind: 'contract' | 'agreement';
  title: string;
  file_name: string;
  sha256: string;
  pdf_enc: string;
  allow_simple_signature: boolean;
  status: Generated<'issued' | 'signed'>;
  issued_at: ColumnType<Date, Date | string, Date | string>;
  signed_at: Date | null;
  received_at: Generated<Date>;
}

export interface DocumentSignaturesTable {
  id: string;
  document_id: string;
  user_id: string;
  method: 'cms' | 'simple';
  algorithm: string;
  signature_enc: string | null;
  report_enc: string;
  signed_at: Generated<Date>;
}

export interface NotificationsTable {
  id: string;
  user_id: string;
  subject_kind: 'application' | 'request';
  subject_id: string;
  event: string;
  status: Generated<'pending' | 'sent' | 'skipped' | 'failed'>;
  attempts: Generated<number>;
  next_at: Generated<Date>;
  last_error: string | null;
  sent_at: Date | null;
  created_at: Generated<Date>;
}

declare module './tables.js' {
  interface CabinetFrontDb {
    applications: ApplicationsTable;
    application_messages: ThreadMessagesTable & { application_id: string };
    requests: RequestsTable;
    request_messages: ThreadMessagesTable & { request_id: string };
    attachments: AttachmentsTable;
    documents: DocumentsTable;
    document_signatures: DocumentSignaturesTable;
    notifications: NotificationsTable;
  }
}
