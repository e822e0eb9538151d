import type { AuthTables, BusTables } from '@app/kernel';
import type { ColumnType, Generated } from 'kysely';
import type { SelfServiceTables } from './self-service.tables.js';

/** Kysely types of the front's database (migrations/0001_cabinet_front.sql) plus the kernel's tables. */
type Numeric = ColumnType<string, string | number, string | number>;
// `date` columns are compared with YYYY-MM-DD text and always selected through paging.ts `day()` as text:
// the drivers would otherwise hand back a Date at some time zone's midnight.
type DateCol = ColumnType<string, string, string>;
type NullableDate = ColumnType<string | null, string | null | undefined, string | null>;

export interface ConsumerUsersTable {
  user_id: string;
  contact_kind: 'email' | 'phone';
  email_enc: string | null;
  phone_enc: string | null;
  email_index: string | null;
  phone_index: string | null;
  display_name_enc: string | null;
  created_at: Generated<Date>;
}

export interface OtpChallengesTable {
  id: string;
  purpose: 'register' | 'reset' | 'sign';
  contact_kind: 'email' | 'phone';
  contact_index: string;
  contact_enc: string;
  user_id: string | null;
  code_hash: string;
  expires_at: Date;
  attempts: Generated<number>;
  max_attempts: number;
  sends: Generated<number>;
  last_sent_at: Generated<Date>;
  consumed_at: Date | null;
  created_at: Generated<Date>;
}

export type Right = 'view' | 'submit_readings' | 'pay' | 'sign';
export const allRights: readonly Right[] = ['view', 'submit_readings', 'pay', 'sign'];

export interface MembershipsTable {
  user_id: string;
  consumer_ref: string;
  /** support: a back-office employee's read-only look (support/), never listed as a member. */
  role: 'owner' | 'representative' | 'support';
  rights: ColumnType<Right[], Right[], Right[]>;
  created_at: Generated<Date>;
}

export interface LinkRequestsTable {
  id: string;
  user_id: string;
  via: 'secret' | 'request';
  contract_number: string;
  applicant_name_enc: string | null;
  tax_id_enc: string | null;
  comment_enc: string | null;
  status: Generated<'pending' | 'accepted' | 'rejected'>;
  reject_code: string | null;
  reject_message: string | null;
  consumer_ref: string | null;
  created_at: Generated<Date>;
  decided_at: Date | null;
}

export interface ConsumersTable {
  consumer_ref: string;
  version: Numeric;
  kind: 'organisation' | 'person';
  name_enc: string;
  inn_enc: string | null;
  ogrn_enc: string | null;
  snils_enc: string | null;
  email_enc: string | null;
  phone_enc: string | null;
  address_enc: string | null;
  updated_at: Generated<Date>;
}

export interface ContractsTable {
  id: string;
  consumer_ref: string;
  version: Numeric;
  number: string;
  status: 'active' | 'terminated';
  started_on: DateCol;
  ended_on: NullableDate;
  window_from_day: number;
  window_to_day: number;
  updated_at: Generated<Date>;
}

export interface SupplyObjectsTable {
  id: string;
  contract_id: string;
  consumer_ref: string;
  name: string;
  address_enc: string;
}

export interface MeteringPointsTable {
  id: string;
  object_id: string;
  contract_id: string;
  consumer_ref: string;
  code: string;
  name: string;
  voltage: string | null;
  max_power_kw: string | null;
}

export interface LastReading {
  zone: string;
  date: string;
  value: string;
}

export interface MetersTable {
  id: string;
  point_id: string;
  contract_id: string;
  consumer_ref: string;
  serial: string;
  model: string;
  kind: 'integral' | 'interval';
  digits: number;
  fraction_digits: number;
  transformation_ratio: string;
  zones: string[];
  installed_on: DateCol;
  verified_on: NullableDate;
  next_verification_on: NullableDate;
  average_monthly_kwh: ColumnType<string | null, string | null | undefined, string | null>;
  /** jsonb, written as JSON text (the driver would send a JS array as a PostgreSQL array). */
  last_readings: ColumnType<LastReading[], string, string>;
}

export type ReadingStatus = 'sent' | 'accepted' | 'rejected';

export interface ReadingsTable {
  id: string;
  consumer_ref: string;
  meter_id: string;
  zone: string;
  reading_date: DateCol;
  value: Numeric;
  source: string;
  status: ReadingStatus;
  reason_code: string | null;
  reason_text: string | null;
  consumption_kwh: ColumnType<string | null, string | null | undefined, string | null>;
  billing_reading_id: string | null;
  submission_id: string | null;
  submitted_by: string | null;
  jump_confirmed: Generated<boolean>;
  version: ColumnType<string | null, string | null | undefined, string | null>;
  sent_at: Date | null;
  processed_at: ColumnType<Date | null, string | Date | null | undefined, string | Date | null>;
  created_at: Generated<Date>;
}

export interface HourlyDaysTable {
  point_id: string;
  kind: 'metered' | 'profile';
  day: DateCol;
  consumer_ref: string;
  version: Numeric;
  hours: string[];
}

export interface AccountsTable {
  contract_id: string;
  consumer_ref: string;
  version: Numeric;
  debt: ColumnType<bigint, bigint, bigint>;
  as_of: DateCol;
}

export interface AccountMonthsTable {
  contract_id: string;
  month: string;
  opening: ColumnType<bigint, bigint, bigint>;
  charged: ColumnType<bigint, bigint, bigint>;
  paid: ColumnType<bigint, bigint, bigint>;
  closing: ColumnType<bigint, bigint, bigint>;
  kwh: Numeric;
}

export interface InvoicesTable {
  id: string;
  contract_id: string;
  consumer_ref: string;
  version: Numeric;
  kind: 'invoice' | 'act';
  number: string;
  period: string;
  issued_on: DateCol;
  due_on: NullableDate;
  amount: ColumnType<bigint, bigint, bigint>;
  kwh: ColumnType<string | null, string | null | undefined, string | null>;
  pdf_enc: string | null;
}

export interface PaymentsTable {
  id: string;
  contract_id: string;
  consumer_ref: string;
  version: Numeric;
  paid_on: DateCol;
  amount: ColumnType<bigint, bigint, bigint>;
  document: string;
  source: string;
}

export interface DeadEventsTable {
  message_id: string;
  topic: string;
  problems: ColumnType<unknown, string, string>;
  received_at: Generated<Date>;
}

export interface CabinetFrontDb extends AuthTables, BusTables, SelfServiceTables {
  consumer_users: ConsumerUsersTable;
  otp_challenges: OtpChallengesTable;
  memberships: MembershipsTable;
  link_requests: LinkRequestsTable;
  consumers: ConsumersTable;
  contracts: ContractsTable;
  supply_objects: SupplyObjectsTable;
  metering_points: MeteringPointsTable;
  meters: MetersTable;
  readings: ReadingsTable;
  hourly_days: HourlyDaysTable;
  accounts: AccountsTable;
  account_months: AccountMonthsTable;
  invoices: InvoicesTable;
  payments: PaymentsTable;
  dead_events: DeadEventsTable;
}
