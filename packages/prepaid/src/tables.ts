import type { AuthTables, BusTables } from '@app/kernel';
import type { ColumnType, Generated } from 'kysely';
import type { PartnerTables } from './partners/tables.js';

/** Kysely types of the prepaid schema (migrations/*.sql) plus the kernel's tables. */
type Default<T> = ColumnType<T, T | undefined, T>;

export interface PrepaidTables {
  products: {
    code: string;
    name: string;
    min_balance: Default<bigint>;
    max_balance: bigint | null;
    per_operation_limit: bigint | null;
    daily_debit_limit: bigint | null;
    monthly_debit_limit: bigint | null;
    credit_per_operation_limit: Default<bigint | null>;
    daily_credit_limit: Default<bigint | null>;
    monthly_credit_limit: Default<bigint | null>;
    offline_floor_limit: Default<bigint | null>;
    offline_total_limit: Default<bigint | null>;
    offline_count_limit: Default<number | null>;
    created_at: Generated<Date>;
  };
  clients: {
    id: Generated<string>;
    external_id: string | null;
    full_name: string;
    phone: string | null;
    email: string | null;
    status: Default<'active' | 'deleted'>;
    created_at: Generated<Date>;
    updated_at: Generated<Date>;
  };
  merchants: { id: Generated<string>; code: string; name: string; status: Default<'active' | 'blocked'>; provider_id: Default<string | null>; created_at: Generated<Date> };
  service_providers: { id: Generated<string>; code: string; name: string; created_at: Generated<Date> };
  identifiers: {
    id: Generated<string>;
    kind: IdentifierKind;
    value: string;
    account_id: string;
    status: Default<'active' | 'blocked' | 'unbound'>;
    block_reason: Default<BlockReason | null>;
    replaces_id: Default<string | null>;
    created_at: Generated<Date>;
    updated_at: Generated<Date>;
  };
  stop_list: { kind: string; value: string; reason: string; added_at: Generated<Date> };
  terminals: { id: Generated<string>; code: string; merchant_id: string; secret_hash: string; status: Default<'active' | 'blocked'>; created_at: Generated<Date> };
  merchant_products: { merchant_id: string; product_code: string };
  accounts: {
    id: Generated<string>;
    number: string;
    client_id: string;
    status: Default<'open' | 'blocked' | 'closed'>;
    created_at: Generated<Date>;
    closed_at: Date | null;
  };
  wallets: {
    id: Generated<bigint>;
    account_id: string;
    product_code: string;
    balance: Default<bigint>;
    min_balance: Default<bigint>;
    max_balance: bigint | null;
    per_operation_limit: bigint | null;
    daily_debit_limit: bigint | null;
    monthly_debit_limit: bigint | null;
    debit_day: Generated<Date>;
    day_debit: Default<bigint>;
    debit_month: Generated<Date>;
    month_debit: Default<bigint>;
    credit_per_operation_limit: Default<bigint | null>;
    daily_credit_limit: Default<bigint | null>;
    monthly_credit_limit: Default<bigint | null>;
    credit_day: Generated<Date>;
    day_credit: Default<bigint>;
    credit_month: Generated<Date>;
    month_credit: Default<bigint>;
    /** Set by Ledger.close together with a zero balance (CHECK closed_wallet_is_empty). */
    closed: Default<boolean>;
    offline_floor_limit: Default<bigint | null>;
    offline_total_limit: Default<bigint | null>;
    offline_count_limit: Default<number | null>;
    updated_at: Generated<Date>;
  };
  ledger_accounts: { id: Generated<bigint>; kind: string; product_code: string; merchant_id: string | null };
  operations: {
    id: Generated<string>;
    seq: Generated<bigint>;
    type: OperationType;
    account_id: string | null;
    merchant_id: string | null;
    terminal_id: string | null;
    original_operation_id: string | null;
    amount: bigint;
    created_at: Generated<Date>;
    created_by: string | null;
    details: ColumnType<Record<string, unknown>, string | undefined, never>;
  };
  postings: { id: Generated<bigint>; operation_id: string; wallet_id: bigint | null; ledger_account_id: bigint | null; product_code: string; amount: bigint };
  idempotency_keys: {
    key: string;
    request_hash: string;
    response: ColumnType<unknown, string, never>;
    operation_id: string | null;
    created_at: Generated<Date>;
  };
}

export type IdentifierKind = 'card_uid' | 'qr' | 'nfc' | 'employee_number';
export type BlockReason = 'lost' | 'stolen' | 'destroyed' | 'other';

export type OperationType = 'credit' | 'purchase' | 'reversal' | 'refund' | 'correction' | 'transfer' | 'close' | 'hold' | 'hold_release';

export type PrepaidDb = PrepaidTables & PartnerTables & AuthTables & BusTables;

// ---- Registries (migrations/0005_registries.sql; packages/prepaid/src/registries) ----
// Kept out of PrepaidDb so this block only appends; registries code uses `RegistriesDb`.
export type RegistryKind = 'clients' | 'credits';
export type RegistryStatusName = 'received' | 'validated' | 'rejected' | 'applying' | 'scheduled' | 'applied' | 'failed';
export type RegistryLineStatus = 'valid' | 'invalid' | 'applied' | 'failed' | 'skipped' | 'deferred';

export interface RegistryTables {
  registries: {
    id: Generated<string>;
    kind: RegistryKind;
    number: string;
    format: 'csv' | 'xlsx';
    file_name: string | null;
    file_bytes: bigint;
    content_sha256: string;
    source: 'staff' | 'file' | 'partner';
    status: Default<RegistryStatusName>;
    error_code: Default<string | null>;
    error_message: Default<string | null>;
    error_details: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
    lines_total: Default<number>;
    lines_invalid: Default<number>;
    lines_applied: Default<number>;
    lines_failed: Default<number>;
    lines_skipped: Default<number>;
    lines_deferred: Default<number>;
    received_by: string | null;
    applied_by: Default<string | null>;
    apply_owner: Default<string | null>;
    apply_lease_until: Default<Date | null>;
    received_at: Generated<Date>;
    validated_at: Default<Date | null>;
    apply_started_at: Default<Date | null>;
    applied_at: Default<Date | null>;
    updated_at: Generated<Date>;
  };
  registry_lines: {
    registry_id: string;
    line_no: number;
    line_key: string | null;
    action: string | null;
    data: ColumnType<Record<string, unknown>, string, string>;
    client_id: Default<string | null>;
    account_id: Default<string | null>;
    product_code: string | null;
    amount: bigint | null;
    planned_date: ColumnType<Date | null, string | null, string | null>;
    status: RegistryLineStatus;
    error_code: string | null;
    error_message: string | null;
    operation_id: Default<string | null>;
    result: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
  };
}

export type RegistriesDb = PrepaidDb & RegistryTables;

// ---- Exchange adapters (migrations/0007_exchange.sql; packages/prepaid/src/exchange) ----
// Kept out of PrepaidDb like the registries block; exchange code uses `ExchangeDb`.
export type ExchangeRequestStatus = 'new' | 'processing' | 'done' | 'failed';

export interface ExchangeTables {
  exchange_files: {
    claim_id: string;
    file_name: string;
    work_name: string;
    kind: RegistryKind | null;
    number: string | null;
    status: Default<'processing' | 'archived' | 'error'>;
    registry_id: Default<string | null>;
    error_code: Default<string | null>;
    error_message: Default<string | null>;
    owner: string;
    lease_until: Date;
    attempts: Default<number>;
    claimed_at: Generated<Date>;
    finished_at: Default<Date | null>;
  };
  exchange_client_requests: {
    id: Generated<bigint>;
    partner_code: string;
    request_id: string;
    action: string;
    client_id: string;
    last_name: Default<string | null>;
    first_name: Default<string | null>;
    middle_name: Default<string | null>;
    phone: Default<string | null>;
    email: Default<string | null>;
    account_number: Default<string | null>;
    products: Default<string | null>;
    card_uid: Default<string | null>;
    nfc: Default<string | null>;
    qr: Default<string | null>;
    employee_number: Default<string | null>;
    status: Default<ExchangeRequestStatus>;
    result_code: Default<string | null>;
    result_message: Default<string | null>;
    result_client_uuid: Default<string | null>;
    result_account_number: Default<string | null>;
    result: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
    claimed_by: Default<string | null>;
    claimed_until: Default<Date | null>;
    attempts: Default<number>;
    created_at: Generated<Date>;
    processed_at: Default<Date | null>;
  };
  exchange_credit_requests: {
    id: Generated<bigint>;
    partner_code: string;
    request_id: string;
    client_id: Default<string | null>;
    account_number: Default<string | null>;
    product: string;
    /** numeric: read as a string (roubles), written as a string. */
    amount: string;
    kind: Default<string>;
    planned_date: ColumnType<Date | null, string | null | undefined, string | null>;
    comment: Default<string | null>;
    status: Default<ExchangeRequestStatus>;
    result_code: Default<string | null>;
    result_message: Default<string | null>;
    result_operation_id: Default<string | null>;
    result_account_number: Default<string | null>;
    result_balance: Default<string | null>;
    claimed_by: Default<string | null>;
    claimed_until: Default<Date | null>;
    attempts: Default<number>;
    created_at: Generated<Date>;
    processed_at: Default<Date | null>;
  };
}

export type ExchangeDb = RegistriesDb & ExchangeTables;

// ---- Settlement and scheduled jobs (migrations/0006_settlement.sql; src/settlement, src/jobs) ----
// Kept out of PrepaidDb like the blocks above; settlement and jobs code uses `SettlementDb`.
import type { JobTables } from '@app/kernel';

export type SettlementKind = 'merchant' | 'provider';

export interface SettlementTables {
  settlement_registries: {
    id: Generated<string>;
    kind: SettlementKind;
    party_id: string;
    party_code: string;
    party_name: string;
    period_from: Date;
    period_to: Date;
    line_count: number;
    operation_count: number;
    purchases: bigint;
    returns: bigint;
    net: bigint;
    totals: ColumnType<Array<{ product: string; lines: number; purchases: string; returns: string; net: string }>, string, never>;
    reconciliation: ColumnType<Record<string, unknown>, string, never>;
    csv_sha256: string;
    created_by: string;
    job_run_id: bigint | null;
    created_at: Generated<Date>;
  };
  settlement_exports: {
    registry_id: string;
    format: 'csv' | 'xlsx';
    file_name: string;
    written_at: Generated<Date>;
  };
  wallet_balance_snapshots: {
    day: ColumnType<Date, string, never>;
    wallet_id: bigint;
    account_id: string;
    product_code: string;
    balance: bigint;
    taken_at: Generated<Date>;
  };
}

export type SettlementDb = PrepaidDb & SettlementTables & JobTables;

// Offline mode and claims (migrations 0010, 0011); offline and claims code uses `OfflineDb`.
export type FailedOperationStatus = 'open' | 'resolved';
export type ClaimStatus = 'open' | 'in_progress' | 'resolved' | 'closed';
export type ClaimResolution = 'reversal' | 'refund' | 'correction' | 'rejected';
export type ClaimEventKind = 'opened' | 'assigned' | 'commented' | 'attached' | 'resolved' | 'closed';

export interface OfflineTables {
  offline_snapshots: {
    version: bigint;
    built_at: Generated<Date>;
    as_of_seq: bigint;
    content_sha256: string;
    identifiers: number;
    accounts: number;
    stop_list: number;
    body: Buffer;
    signature: string;
    key_id: string;
    build_ms: number;
    trigger: string;
  };
  offline_snapshot_deltas: { from_version: bigint; to_version: bigint; body: Buffer; signature: string };
  failed_operations: {
    id: Generated<string>;
    kind: 'offline_purchase';
    terminal_id: string;
    merchant_id: string;
    transaction_id: string;
    identifier_kind: string;
    identifier_value: string;
    account_id: string | null;
    basket: ColumnType<Array<{ product: string; amount: string }>, string, never>;
    amount: bigint;
    happened_at: Date;
    code: string;
    details: ColumnType<Record<string, unknown>, string | undefined, string>;
    status: Default<FailedOperationStatus>;
    created_at: Generated<Date>;
    resolved_at: Date | null;
  };
  offline_transactions: {
    terminal_id: string;
    transaction_id: string;
    terminal_seq: bigint;
    happened_at: Date;
    snapshot_version: bigint | null;
    status: 'posted' | 'failed';
    operation_id: string | null;
    failed_operation_id: string | null;
    received_at: Generated<Date>;
  };
  offline_upload_leases: { terminal_id: string; holder: string; until: Date };
  claims: {
    id: Generated<string>;
    number: Generated<bigint>;
    operation_id: string | null;
    failed_operation_id: string | null;
    title: string;
    description: Default<string>;
    status: Default<ClaimStatus>;
    assignee: string | null;
    opened_by: string;
    resolution: ClaimResolution | null;
    resolution_operation_ids: ColumnType<string[], string[] | undefined, string[]>;
    resolution_key: string | null;
    created_at: Generated<Date>;
    updated_at: Generated<Date>;
  };
  claim_events: { id: Generated<bigint>; claim_id: string; at: Generated<Date>; actor: string; kind: ClaimEventKind; details: ColumnType<Record<string, unknown>, string, never> };
  claim_attachments: {
    id: Generated<string>;
    claim_id: string;
    file_name: string;
    content_type: string;
    size: number;
    sha256: string;
    content: Buffer;
    created_by: string;
    created_at: Generated<Date>;
  };
}

export type OfflineDb = PrepaidDb & OfflineTables;
