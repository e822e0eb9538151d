import { parseLine, type ClientLine, type CreditLine, type LineError, type Parsed } from '../../registries/line.js';

/**
 * Exchange-table rows as registry lines: the columns carry the registry columns' names and rules
 * (docs/registries.md), so a row is turned into the same record of text cells and parsed by the same
 * pure function. Pure, no I/O; table tests in request-rows.test.ts.
 */
export interface ClientRequestRow {
  action: string;
  client_id: string;
  last_name: string | null;
  first_name: string | null;
  middle_name: string | null;
  phone: string | null;
  email: string | null;
  account_number: string | null;
  products: string | null;
  card_uid: string | null;
  nfc: string | null;
  qr: string | null;
  employee_number: string | null;
}

export interface CreditRequestRow {
  id: bigint | string;
  client_id: string | null;
  account_number: string | null;
  product: string;
  /** numeric as text (both drivers give numeric as a string): "1500.00", "-10", "1.005". */
  amount: string;
  kind: string;
  comment: string | null;
}

const CLIENT_COLUMNS = ['action', 'client_id', 'last_name', 'first_name', 'middle_name', 'phone', 'email', 'account_number', 'products', 'card_uid', 'nfc', 'qr', 'employee_number'] as const;

export function parseClientRequest(row: ClientRequestRow): Parsed<ClientLine> {
  const record: Record<string, string> = {};
  for (const column of CLIENT_COLUMNS) record[column] = row[column] ?? '';
  return parseLine('clients', record);
}

export function parseCreditRequest(row: CreditRequestRow): Parsed<CreditLine> {
  // The line id only names the line inside a registry; a row is named by its own id.
  return parseLine('credits', {
    line_id: String(row.id),
    client_id: row.client_id ?? '',
    account_number: row.account_number ?? '',
    product: row.product,
    amount: row.amount,
    kind: row.kind,
    planned_date: '',
    comment: row.comment ?? '',
  });
}

/** The message written back for a refused row: the column named, as in a registry's line results. */
export const errorMessage = (error: LineError) => (error.field ? `${error.field}: ${error.message}` : error.message);

/** The ledger idempotency key of a credit row: one per partner and partner's row id, never reused. */
export const exchangeLedgerKey = (partnerCode: string, requestId: string) => `exchange:${partnerCode}:${requestId}`;
