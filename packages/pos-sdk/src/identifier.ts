import type { IdentifierKind } from './wire.js';

/**
 * The server's spelling of an identifier (upper-case hex without separators for UIDs, trimmed codes), so a
 * card read as "04:a2:…" is found in the snapshot, which holds the normalised values. What the POS read is
 * still what is sent to the server (it normalises again).
 */
export function normaliseIdentifier(kind: IdentifierKind, value: string): string {
  if (kind === 'card_uid' || kind === 'nfc') return value.replace(/[\s:-]/g, '').toUpperCase();
  if (kind === 'employee_number') return value.trim().toUpperCase();
  return value.trim();
}
