import type { ColumnType, Generated } from 'kysely';

/** Kysely types of the reference billing's schema (migrations/0001_billing_ref.sql, 0002_contracts_from_applications.sql). */
type Default<T> = ColumnType<T, T | undefined, T>;
type DateText = ColumnType<string, string, string>;

export interface BillingRefDb {
  tariff_zones: { code: string; name: string; hours: number[] };
  tariffs: { zone: string; valid_from: DateText; price_kopecks: string };
  load_shape: { day_kind: 'workday' | 'weekend'; hour: number; weight: string };
  consumers: {
    id: Generated<bigint>;
    kind: 'organisation' | 'person';
    name: string;
    inn: string | null;
    ogrn: string | null;
    snils: string | null;
    email: string | null;
    phone: string | null;
    address: string | null;
    created_at: Generated<Date>;
  };
  contracts: {
    id: Generated<bigint>;
    consumer_id: bigint;
    number: string;
    status: Default<'active' | 'terminated'>;
    started_on: DateText;
    ended_on: DateText | null;
    reading_from_day: Default<number>;
    reading_to_day: Default<number>;
    link_secret: string;
    opening_balance: Default<bigint>;
    /** The cabinet application the contract was concluded from (0002): one contract per application. */
    application_ref: Default<string | null>;
  };
  supply_objects: { id: Generated<bigint>; contract_id: bigint; name: string; address: string };
  metering_points: { id: Generated<bigint>; supply_object_id: bigint; code: string; name: string; voltage: string | null; max_power_kw: string | null };
  meters: {
    id: Generated<bigint>;
    metering_point_id: bigint;
    serial: string;
    model: string;
    kind: 'integral' | 'interval';
    digits: number;
    fraction_digits: Default<number>;
    transformation_ratio: Default<string>;
    zones: string[];
    installed_on: DateText;
    verified_on: DateText | null;
    next_verification_on: DateText | null;
    removed_on: DateText | null;
  };
  readings: {
    id: Generated<bigint>;
    consumer_id: bigint;
    meter_id: bigint | null;
    meter_ref: string;
    zone: string;
    reading_date: DateText;
    value: string;
    source: string;
    cabinet_reading_id: string | null;
    status: 'accepted' | 'rejected';
    reason_code: string | null;
    reason_text: string | null;
    previous_date: DateText | null;
    consumption_kwh: string | null;
    processed_at: Generated<Date>;
  };
  hourly: { metering_point_id: bigint; kind: 'metered' | 'profile'; day: DateText; hours: string[] };
  profile_months: { metering_point_id: bigint; month: DateText; computed_at: Generated<Date> };
  charges: { contract_id: bigint; month: DateText; zone: string; kwh: string; price_kopecks: string; amount: bigint; computed_at: Generated<Date> };
  invoices: {
    id: Generated<bigint>;
    contract_id: bigint;
    kind: 'invoice' | 'act';
    number: string;
    period: DateText;
    issued_on: DateText;
    due_on: DateText | null;
    amount: bigint;
    kwh: string;
  };
  payments: {
    id: Generated<bigint>;
    contract_id: bigint;
    paid_on: DateText;
    amount: bigint;
    document: string;
    source: string;
    external_ref: string | null;
    created_at: Generated<Date>;
  };
  changes: {
    version: Generated<bigint>;
    consumer_id: bigint;
    entity: ChangeEntity;
    entity_id: string;
    from_day: DateText | null;
    to_day: DateText | null;
    changed_at: Generated<Date>;
  };
}

export type ChangeEntity = 'contract' | 'invoice' | 'payment' | 'account' | 'reading' | 'profile';
