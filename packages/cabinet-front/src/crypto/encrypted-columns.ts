import type { CabinetFrontDb } from '../tables.js';

/**
 * Every encrypted column of the front's database, with the column that identifies its row (the row id
 * in the associated data). Key rotation walks this list; the raw-rows test checks that nothing else
 * holds personal data. A new encrypted column must be added here.
 */
export interface EncryptedColumn {
  table: keyof CabinetFrontDb & string;
  column: string;
  rowId: string;
}

export const encryptedColumns: readonly EncryptedColumn[] = [
  { table: 'consumer_users', column: 'email_enc', rowId: 'user_id' },
  { table: 'consumer_users', column: 'phone_enc', rowId: 'user_id' },
  { table: 'consumer_users', column: 'display_name_enc', rowId: 'user_id' },
  { table: 'otp_challenges', column: 'contact_enc', rowId: 'id' },
  { table: 'link_requests', column: 'applicant_name_enc', rowId: 'id' },
  { table: 'link_requests', column: 'tax_id_enc', rowId: 'id' },
  { table: 'link_requests', column: 'comment_enc', rowId: 'id' },
  { table: 'consumers', column: 'name_enc', rowId: 'consumer_ref' },
  { table: 'consumers', column: 'inn_enc', rowId: 'consumer_ref' },
  { table: 'consumers', column: 'ogrn_enc', rowId: 'consumer_ref' },
  { table: 'consumers', column: 'snils_enc', rowId: 'consumer_ref' },
  { table: 'consumers', column: 'email_enc', rowId: 'consumer_ref' },
  { table: 'consumers', column: 'phone_enc', rowId: 'consumer_ref' },
  { table: 'consumers', column: 'address_enc', rowId: 'consumer_ref' },
  { table: 'supply_objects', column: 'address_enc', rowId: 'id' },
  { table: 'invoices', column: 'pdf_enc', rowId: 'id' },
  { table: 'payment_orders', column: 'pan_enc', rowId: 'id' },
  { table: 'reading_uploads', column: 'file_name_enc', rowId: 'id' },
  { table: 'applications', column: 'status_note_enc', rowId: 'id' },
  { table: 'applications', column: 'applicant_name_enc', rowId: 'id' },
  { table: 'applications', column: 'inn_enc', rowId: 'id' },
  { table: 'applications', column: 'ogrn_enc', rowId: 'id' },
  { table: 'applications', column: 'snils_enc', rowId: 'id' },
  { table: 'applications', column: 'email_enc', rowId: 'id' },
  { table: 'applications', column: 'phone_enc', rowId: 'id' },
  { table: 'applications', column: 'object_address_enc', rowId: 'id' },
  { table: 'applications', column: 'comment_enc', rowId: 'id' },
  { table: 'application_messages', column: 'text_enc', rowId: 'id' },
  { table: 'requests', column: 'subject_enc', rowId: 'id' },
  { table: 'requests', column: 'text_enc', rowId: 'id' },
  { table: 'requests', column: 'fields_enc', rowId: 'id' },
  { table: 'request_messages', column: 'text_enc', rowId: 'id' },
  { table: 'attachments', column: 'file_name_enc', rowId: 'id' },
  { table: 'attachments', column: 'content_enc', rowId: 'id' },
  { table: 'documents', column: 'pdf_enc', rowId: 'id' },
  { table: 'document_signatures', column: 'signature_enc', rowId: 'id' },
  { table: 'document_signatures', column: 'report_enc', rowId: 'id' },
];
