import { blindIndex, decryptField, encryptField, type KeyRing } from '@app/kernel';

/**
 * Personal data in and out of the front's tables. Every value is bound to its place
 * (`<table>.<column>:<row id>`), so a ciphertext copied to another row or column does not decrypt.
 */
export class Pii {
  constructor(readonly ring: KeyRing) {}

  seal(table: string, column: string, rowId: string, value: string): string;
  seal(table: string, column: string, rowId: string, value: string | null | undefined): string | null;
  seal(table: string, column: string, rowId: string, value: string | null | undefined): string | null {
    if (value === null || value === undefined) return null;
    return encryptField(this.ring, value, associatedData(table, column, rowId));
  }

  open(table: string, column: string, rowId: string, token: string): string;
  open(table: string, column: string, rowId: string, token: string | null | undefined): string | undefined;
  open(table: string, column: string, rowId: string, token: string | null | undefined): string | undefined {
    if (token === null || token === undefined) return undefined;
    return decryptField(this.ring, token, associatedData(table, column, rowId));
  }

  /** Deterministic digest for equality lookups; `purpose` keeps indexes of different fields unrelated. */
  index(purpose: string, normalizedValue: string): string {
    return blindIndex(this.ring, purpose, normalizedValue);
  }
}

export const associatedData = (table: string, column: string, rowId: string) => `${table}.${column}:${rowId}`;
