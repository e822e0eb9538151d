import { badRequest } from '@app/kernel';
import type { IdentifierKind } from '../tables.js';

/**
 * One spelling per physical identifier: card and NFC UIDs are 4, 7 or 10 bytes written as hex in any
 * case with or without separators ("04:A2:…"), QR payloads are URL-safe tokens, employee numbers are
 * short codes. A malformed value is refused with the field named.
 */
const RULES: Record<IdentifierKind, { normalise: (v: string) => string; valid: RegExp; hint: string }> = {
  card_uid: { normalise: hex, valid: /^([0-9A-F]{8}|[0-9A-F]{14}|[0-9A-F]{20})$/, hint: '4, 7 or 10 bytes in hex' },
  nfc: { normalise: hex, valid: /^([0-9A-F]{8}|[0-9A-F]{14}|[0-9A-F]{20})$/, hint: '4, 7 or 10 bytes in hex' },
  qr: { normalise: (v) => v.trim(), valid: /^[A-Za-z0-9_-]{16,128}$/, hint: '16–128 URL-safe characters' },
  employee_number: { normalise: (v) => v.trim().toUpperCase(), valid: /^[A-Z0-9-]{1,20}$/, hint: '1–20 letters, digits or dashes' },
};

function hex(value: string) {
  return value.replace(/[\s:-]/g, '').toUpperCase();
}

export function normaliseIdentifier(kind: IdentifierKind, value: string, field = 'identifier/value'): string {
  const rule = RULES[kind];
  const normalised = rule.normalise(value);
  if (!rule.valid.test(normalised)) throw badRequest('identifier_malformed', `A ${kind} identifier must be ${rule.hint}`, field);
  return normalised;
}

export const identifierKinds = Object.keys(RULES) as IdentifierKind[];
