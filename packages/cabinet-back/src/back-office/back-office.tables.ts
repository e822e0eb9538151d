import type { Applicant, RequestKind, RequestStatus, VerificationReport } from '@app/cabinet-contracts';
import type { ColumnType, Generated } from 'kysely';

/**
 * Kysely types of migrations/0002_back_office_documents.sql, merged into CabinetBackTables by module
 * augmentation so this area needs no edit of tables.ts.
 */
type Json<T> = ColumnType<T, string, string>;
type Default<T> = ColumnType<T, T | undefined, T>;
type Numeric = ColumnType<string, string | number, string | number>;
export type BackApplicationStatus = 'submitted' | 'in_review' | 'needs_info' | 'contract_issued' | 'signed' | 'rejected' | 'withdrawn';

declare module '../tables.js' {
  interface CabinetBackTables {
    applications: {
      id: string;
      user_ref: string;
      consumer_ref: string | null;
      applicant: Json<Applicant>;
      applicant_name: string;
      object_address: string;
      requested_power_kw: Numeric;
      comment: string | null;
      status: BackApplicationStatus;
      seq: Generated<number>;
      assigned_to: string | null;
      status_note: string | null;
      /** The contract billing concluded when the contract document was signed (0003). */
      contract_number: Default<string | null>;
      contract_ref: Default<string | null>;
      billing_note: Default<string | null>;
      submitted_at: ColumnType<Date, Date | string, Date | string>;
      updated_at: Generated<Date>;
      received_at: Generated<Date>;
    };
    requests: {
      id: string;
      user_ref: string;
      consumer_ref: string | null;
      kind: Exclude<RequestKind, 'link_contract'>;
      subject: string;
      text: string;
      fields: Json<Record<string, unknown>>;
      author_name: string;
      author_contact: string;
      status: RequestStatus;
      seq: Generated<number>;
      assigned_to: string | null;
      created_at: ColumnType<Date, Date | string, Date | string>;
      updated_at: Generated<Date>;
    };
    thread_messages: {
      id: string;
      thread_kind: 'application' | 'request';
      thread_id: string;
      author: 'consumer' | 'supplier';
      author_name: string | null;
      text: string;
      created_at: ColumnType<Date, Date | string, Date | string>;
    };
    back_attachments: {
      id: string;
      owner_kind: 'application' | 'request' | 'message';
      owner_id: string;
      direction: 'consumer' | 'supplier';
      file_name: string;
      media_type: string;
      size_bytes: number;
      sha256: string;
      content: Buffer;
      created_at: Generated<Date>;
    };
    documents: {
      id: string;
      /** Null for an additional agreement to a contract in force (0004): then the consumer and contract say whose. */
      application_id: string | null;
      consumer_ref: Default<string | null>;
      contract_number: Default<string | null>;
      kind: 'contract' | 'agreement';
      number: string;
      title: string;
      file_name: string;
      sha256: string;
      pdf: Buffer;
      allow_simple_signature: boolean;
      status: Generated<'issued' | 'signed'>;
      issued_by: string;
      issued_at: Date;
      signed_at: Date | null;
    };
    signatures: {
      id: string;
      document_id: string;
      application_id: string | null;
      user_ref: string;
      signed_by: Json<{ name: string; login: string }>;
      method: 'cms' | 'simple';
      algorithm: string;
      signature: Buffer | null;
      report: Json<VerificationReport>;
      signed_at: ColumnType<Date, Date | string, Date | string>;
      received_at: Generated<Date>;
    };
  }
}
