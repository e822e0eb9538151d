import type { ColumnType, Generated } from 'kysely';

/** Kysely types of migrations/0003_payments_uploads.sql (payment orders, reading uploads). */
export type PaymentOrderStatus = 'new' | 'pending' | 'paid' | 'declined' | 'canceled' | 'failed' | 'booked' | 'booking_refused';

export interface PaymentOrdersTable {
  id: string;
  user_id: string;
  consumer_ref: string;
  contract_id: string;
  idempotency_key: string;
  amount: ColumnType<bigint, bigint, bigint>;
  invoice_ids: ColumnType<string[], string[] | undefined, string[]>;
  provider: string;
  provider_payment_id: string | null;
  provider_status: string | null;
  payment_url: string | null;
  status: Generated<PaymentOrderStatus>;
  pan_enc: string | null;
  billing_payment_id: string | null;
  failure_code: string | null;
  failure_message: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  paid_at: Date | null;
  checked_at: Date | null;
}

export interface PaymentOrderEventsTable {
  id: Generated<string>;
  order_id: string;
  source: 'create' | 'notification' | 'return' | 'reconcile' | 'billing';
  provider_status: string | null;
  status: string;
  changed: boolean;
  at: Generated<Date>;
}

export interface CellError {
  sheet: string;
  /** A1-style address; the row's first cell when the problem is the row. */
  cell: string;
  code: string;
  message: string;
}

export interface ReadingUploadsTable {
  id: string;
  user_id: string;
  consumer_ref: string | null;
  file_name_enc: string | null;
  bytes: ColumnType<bigint, bigint | number, bigint | number>;
  status: Generated<'queued' | 'processing' | 'done' | 'failed'>;
  progress: Generated<number>;
  rows_read: Generated<number>;
  readings_sent: Generated<number>;
  hourly_days_sent: Generated<number>;
  error_count: Generated<number>;
  /** jsonb, written as JSON text. */
  errors: ColumnType<CellError[], string | undefined, string>;
  confirm_jump: Generated<boolean>;
  /** migrations/0010: the Excel template or an 80020 XML file. */
  format: Generated<'xlsx' | '80020'>;
  submission_id: string | null;
  failure_code: string | null;
  failure_message: string | null;
  duration_ms: number | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  finished_at: Date | null;
}

export interface HourlySubmissionsTable {
  id: string;
  upload_id: string;
  consumer_ref: string;
  point_id: string;
  days: number;
  status: Generated<'sent' | 'processed'>;
  accepted: number | null;
  rejected: ColumnType<unknown, string | null | undefined, string | null>;
  processed_at: Date | null;
}

export interface SelfServiceTables {
  payment_orders: PaymentOrdersTable;
  payment_order_events: PaymentOrderEventsTable;
  reading_uploads: ReadingUploadsTable;
  hourly_submissions: HourlySubmissionsTable;
}
