import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * T-Bank (Tinkoff) Internet Acquiring API v2 — the parts the cabinet uses, pure (no I/O).
 *
 * Why this protocol: the issue asks for "a notification callback with signature check". T-Bank signs every
 * request and every notification with a Token (SHA-256 over the fields and the terminal password), so a
 * forged notification is refused on its own; YooKassa's notifications carry no signature (trust comes from
 * the source IP and a re-fetch). T-Bank also takes amounts in kopecks as integers, which is our money model.
 * We still re-fetch the state with GetState (on the return from the payment page and in reconciliation).
 *
 * Checked against the public documentation (developer.tbank.ru/eacq, "Токен"): the token is built from the
 * root object's primitive fields only (nested objects and arrays such as Receipt and DATA are left out),
 * plus `Password`, sorted by key, the values concatenated and hashed with SHA-256 (hex). Also confirmed in
 * public integrations: Init takes TerminalKey, Amount (kopecks), OrderId, Description, NotificationURL,
 * SuccessURL, FailURL and answers PaymentId and PaymentURL; GetState takes PaymentId and answers Status;
 * notifications are JSON POSTs to NotificationURL carrying a Token to verify and the Amount in kopecks.
 * From memory of the documentation, not re-checked here: the base URL https://securepay.tinkoff.ru/v2/,
 * `ErrorCode` "0" for success, the status names below, that a notification is acknowledged by answering
 * HTTP 200 with the body `OK` (the bank repeats it otherwise), and that booleans enter the token as
 * "true"/"false".
 */
export const TBANK_PRODUCTION_URL = 'https://securepay.tinkoff.ru/v2';

/** Payment statuses of API v2. One-stage payments (PayType "O") end in CONFIRMED or REJECTED. */
export type TbankStatus =
  | 'NEW'
  | 'FORM_SHOWED'
  | 'AUTHORIZING'
  | '3DS_CHECKING'
  | '3DS_CHECKED'
  | 'AUTHORIZED'
  | 'CONFIRMING'
  | 'CONFIRMED'
  | 'REVERSING'
  | 'PARTIAL_REVERSED'
  | 'REVERSED'
  | 'REFUNDING'
  | 'PARTIAL_REFUNDED'
  | 'REFUNDED'
  | 'CANCELED'
  | 'DEADLINE_EXPIRED'
  | 'REJECTED'
  | 'AUTH_FAIL';

/** What a provider status means for our payment order. */
export type Outcome = 'paid' | 'declined' | 'canceled' | 'pending';

export function outcomeOf(status: string): Outcome {
  switch (status) {
    // Money taken. Refunds after that are billing's business (a new negative payment), not a state of the order.
    case 'CONFIRMED':
    case 'PARTIAL_REFUNDED':
    case 'REFUNDED':
      return 'paid';
    case 'REJECTED':
    case 'AUTH_FAIL':
      return 'declined';
    case 'CANCELED':
    case 'DEADLINE_EXPIRED':
    case 'REVERSED':
    case 'PARTIAL_REVERSED':
      return 'canceled';
    default:
      return 'pending';
  }
}

/** The Token of a request or notification: root primitives + Password, sorted by key, values concatenated, SHA-256 hex. */
export function tbankToken(fields: Record<string, unknown>, password: string): string {
  const pairs: Array<[string, string]> = [['Password', password]];
  for (const [key, value] of Object.entries(fields)) {
    if (key === 'Token' || value === null || value === undefined || typeof value === 'object') continue;
    pairs.push([key, String(value)]);
  }
  pairs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256').update(pairs.map(([, v]) => v).join(''), 'utf8').digest('hex');
}

/** Constant-time check of a message's Token. */
export function hasValidToken(fields: Record<string, unknown>, password: string): boolean {
  const given = typeof fields.Token === 'string' ? fields.Token.toLowerCase() : '';
  if (!/^[0-9a-f]{64}$/.test(given)) return false;
  return timingSafeEqual(Buffer.from(given, 'hex'), Buffer.from(tbankToken(fields, password), 'hex'));
}

export const signed = <T extends Record<string, unknown>>(fields: T, password: string): T & { Token: string } => ({ ...fields, Token: tbankToken(fields, password) });

export interface InitRequest {
  TerminalKey: string;
  Amount: number;
  OrderId: string;
  Description?: string;
  PayType?: 'O' | 'T';
  NotificationURL?: string;
  SuccessURL?: string;
  FailURL?: string;
}

export interface TbankAnswer {
  Success: boolean;
  ErrorCode: string;
  Message?: string;
  Details?: string;
  TerminalKey?: string;
  Status?: string;
  PaymentId?: string | number;
  OrderId?: string;
  Amount?: number;
  PaymentURL?: string;
}

export interface TbankNotification {
  TerminalKey: string;
  OrderId: string;
  Success: boolean;
  Status: string;
  PaymentId: string | number;
  ErrorCode: string;
  Amount: number;
  CardId?: number | string;
  Pan?: string;
  ExpDate?: string;
  Token: string;
  [more: string]: unknown;
}
