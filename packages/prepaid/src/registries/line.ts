import { AppError } from '@app/kernel';
import { normaliseIdentifier } from '../identifiers/identifier-value.js';
import { MAX_AMOUNT } from '../ledger/amount.js';
import type { IdentifierKind, RegistryKind } from '../tables.js';

/**
 * Parsing one registry line: pure, no I/O. A line is a record of header name → cell text; the result is
 * the typed line or the first thing wrong with it, with a stable code and the column named. What needs
 * the database (does the client exist, is the product known) is checked later, set-based, for all lines.
 */
export interface LineError {
  code: string;
  message: string;
  field?: string;
}

export interface ClientLine {
  action: 'create' | 'update' | 'delete';
  key: string;
  clientId: string;
  /** Composed "last first middle"; null = unchanged (update) or not applicable (delete). */
  fullName: string | null;
  phone: string | null;
  email: string | null;
  accountNumber: string | null;
  products: string[];
  identifiers: Array<{ kind: IdentifierKind; value: string }>;
}

export interface CreditLine {
  action: 'credit' | 'correction';
  key: string;
  clientId: string | null;
  accountNumber: string | null;
  product: string;
  amount: bigint;
  plannedDate: string | null;
  comment: string | null;
}

export type Parsed<L> = { ok: true; line: L } | { ok: false; error: LineError; key: string | null };

class Refused extends Error {
  constructor(readonly error: LineError) {
    super(error.message);
  }
}
function refuse(code: string, message: string, field?: string): never {
  throw new Refused({ code, message, ...(field ? { field } : {}) });
}

const PRODUCT = /^[a-z][a-z0-9_]{1,31}$/;
const LIST_SEPARATOR = /[\s,;|]+/;
const IDENTIFIER_COLUMNS: IdentifierKind[] = ['card_uid', 'nfc', 'qr', 'employee_number'];

export function parseLine(kind: 'clients', record: Record<string, string>): Parsed<ClientLine>;
export function parseLine(kind: 'credits', record: Record<string, string>): Parsed<CreditLine>;
export function parseLine(kind: RegistryKind, record: Record<string, string>): Parsed<ClientLine | CreditLine>;
export function parseLine(kind: RegistryKind, record: Record<string, string>): Parsed<ClientLine | CreditLine> {
  const key = (kind === 'clients' ? cell(record, 'client_id') : cell(record, 'line_id')) || null;
  try {
    return { ok: true, line: kind === 'clients' ? clientLine(record) : creditLine(record) };
  } catch (error) {
    if (error instanceof Refused) return { ok: false, error: error.error, key: key && key.length <= 100 ? key : null };
    throw error;
  }
}

function clientLine(r: Record<string, string>): ClientLine {
  const action = cell(r, 'action').toLowerCase();
  if (!action) refuse('missing_value', 'action is empty', 'action');
  if (action !== 'create' && action !== 'update' && action !== 'delete') refuse('bad_action', `action must be create, update or delete, not "${clip(action)}"`, 'action');
  const clientId = text(r, 'client_id', { required: true, max: 100 })!;
  const line: ClientLine = { action: action as ClientLine['action'], key: clientId, clientId, fullName: null, phone: null, email: null, accountNumber: null, products: [], identifiers: [] };
  if (line.action === 'delete') return line;

  const last = text(r, 'last_name', { max: 100 });
  const first = text(r, 'first_name', { max: 100 });
  const middle = text(r, 'middle_name', { max: 100 });
  if (line.action === 'create' || last || first || middle) {
    if (!last) refuse('missing_value', line.action === 'create' ? 'last_name is required to create a client' : 'a new name needs last_name', 'last_name');
    if (!first) refuse('missing_value', line.action === 'create' ? 'first_name is required to create a client' : 'a new name needs first_name', 'first_name');
    line.fullName = [last, first, middle].filter(Boolean).join(' ');
  }
  const phone = cell(r, 'phone').replace(/[\s()-]/g, '');
  if (phone) {
    if (!/^\+?[0-9]{10,15}$/.test(phone)) refuse('bad_phone', 'phone must be 10–15 digits with an optional leading +', 'phone');
    line.phone = phone;
  }
  const email = cell(r, 'email');
  if (email) {
    if (email.length > 254 || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) refuse('bad_email', 'email is not an e-mail address', 'email');
    line.email = email;
  }
  const accountNumber = cell(r, 'account_number');
  if (accountNumber) {
    if (line.action !== 'create') refuse('field_not_allowed', 'account_number is given only when a client is created', 'account_number');
    if (!/^[0-9]{6,32}$/.test(accountNumber)) refuse('bad_account_number', 'account_number must be 6–32 digits', 'account_number');
    line.accountNumber = accountNumber;
  }
  const products = list(r, 'products');
  for (const p of products) if (!PRODUCT.test(p)) refuse('unknown_product', `there is no product "${clip(p)}"`, 'products');
  line.products = [...new Set(products)];
  const seen = new Set<string>();
  for (const kind of IDENTIFIER_COLUMNS) {
    for (const raw of list(r, kind)) {
      let value: string;
      try {
        value = normaliseIdentifier(kind, raw, kind);
      } catch (error) {
        if (error instanceof AppError) refuse('identifier_malformed', `${kind} "${clip(raw)}": ${error.message}`, kind);
        throw error;
      }
      if (!seen.has(`${kind}:${value}`)) line.identifiers.push({ kind, value });
      seen.add(`${kind}:${value}`);
    }
  }
  return line;
}

function creditLine(r: Record<string, string>): CreditLine {
  const key = text(r, 'line_id', { required: true, max: 64 })!;
  const clientId = text(r, 'client_id', { max: 100 });
  const accountNumber = text(r, 'account_number', { max: 32 });
  if (!clientId && !accountNumber) refuse('missing_value', 'client_id or account_number is required', 'client_id');
  const product = text(r, 'product', { required: true, max: 32 })!;
  if (!PRODUCT.test(product)) refuse('unknown_product', `there is no product "${clip(product)}"`, 'product');
  const kindText = cell(r, 'kind').toLowerCase() || 'credit';
  if (kindText !== 'credit' && kindText !== 'correction') refuse('bad_kind', `kind must be credit or correction, not "${clip(kindText)}"`, 'kind');
  const action = kindText as CreditLine['action'];
  const amount = parseRoubles(cell(r, 'amount'), { allowNegative: action === 'correction' });
  if (typeof amount !== 'bigint') return refuse(amount.code, amount.message, 'amount');
  const planned = cell(r, 'planned_date');
  const plannedDate = planned ? parseDate(planned) : null;
  if (planned && !plannedDate) refuse('bad_date', 'planned_date must be YYYY-MM-DD or DD.MM.YYYY', 'planned_date');
  const comment = text(r, 'comment', { max: 500 });
  return { action, key, clientId, accountNumber, product, amount, plannedDate, comment };
}

/**
 * Roubles with kopecks as written by people and spreadsheets ("1 234,56", "1234.5", "-10") into
 * kopecks. Refused: exponents and other float spellings, more than two decimals, a sign other than a
 * leading minus, zero, and amounts above the ledger's maximum. Never goes through a float.
 */
export function parseRoubles(raw: string, options: { allowNegative?: boolean } = {}): bigint | LineError {
  const compact = raw.trim().replace(/[\s\u00a0\u202f]/g, '');
  if (!compact) return { code: 'missing_value', message: 'amount is empty' };
  const match = /^(-?)(\d{1,13})(?:[.,](\d+))?$/.exec(compact);
  if (!match) return { code: 'bad_amount', message: `amount "${clip(raw)}" is not a number of roubles like 1234.56` };
  const [, sign, whole, fraction = ''] = match;
  if (fraction.length > 2) return { code: 'bad_amount', message: `amount "${clip(raw)}" has more than 2 decimals` };
  const kopecks = BigInt(whole!) * 100n + BigInt(fraction.padEnd(2, '0') || '0');
  if (kopecks === 0n) return { code: 'bad_amount', message: 'amount must not be zero' };
  if (sign && !options.allowNegative) return { code: 'bad_amount', message: 'a negative amount is allowed only in a correction' };
  if (kopecks > MAX_AMOUNT) return { code: 'amount_too_large', message: `amount must not exceed ${MAX_AMOUNT / 100n} roubles` };
  return sign ? -kopecks : kopecks;
}

/** YYYY-MM-DD or DD.MM.YYYY, a real calendar day; the ISO spelling, or null. */
export function parseDate(raw: string): string | null {
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(raw);
  const ru = /^(\d{2})\.(\d{2})\.(\d{4})$/.exec(raw);
  const [y, m, d] = iso ? [iso[1], iso[2], iso[3]] : ru ? [ru[3], ru[2], ru[1]] : [];
  if (!y || !m || !d) return null;
  const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  if (date.getUTCFullYear() !== Number(y) || date.getUTCMonth() !== Number(m) - 1 || date.getUTCDate() !== Number(d)) return null;
  if (Number(y) < 2000 || Number(y) > 2100) return null;
  return `${y}-${m}-${d}`;
}

const cell = (r: Record<string, string>, name: string) => (r[name] ?? '').trim();
const list = (r: Record<string, string>, name: string) => cell(r, name).split(LIST_SEPARATOR).filter(Boolean);
const clip = (s: string) => (s.length > 40 ? `${s.slice(0, 40)}…` : s);

function text(r: Record<string, string>, name: string, o: { required?: boolean; max: number }): string | null {
  const value = cell(r, name);
  if (!value) return o.required ? refuse('missing_value', `${name} is empty`, name) : null;
  if (value.length > o.max) refuse('too_long', `${name} is longer than ${o.max} characters`, name);
  return value;
}
