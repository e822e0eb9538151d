import type { RegistryKind } from '../tables.js';
import { columnsOf } from './columns.js';
import { fileError } from './reader.js';

/**
 * The header row: which column is which. Names are compared trimmed and lower-case (a BOM or a
 * spreadsheet's stray spaces do not matter); missing required columns, unknown and repeated ones are
 * file errors naming them, raised before a single line is read.
 */
export function mapHeader(kind: RegistryKind, cells: string[]): string[] {
  const names = cells.map((c) => c.replace(/^\uFEFF/, '').trim().toLowerCase());
  while (names.length && names[names.length - 1] === '') names.pop();
  if (names.length === 0) throw fileError('missing_columns', 'The first line must be the header with the column names', { missing: columnsOf(kind).filter((c) => c.required).map((c) => c.name) });
  const spec = columnsOf(kind);
  const known = new Set(spec.map((c) => c.name));
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length) {
    throw fileError('unknown_columns', `Unknown columns: ${unknown.map((n) => `"${n || '(empty)'}"`).join(', ')}; a ${kind} registry has: ${spec.map((c) => c.name).join(', ')}`, { unknown });
  }
  const repeated = names.filter((n, i) => names.indexOf(n) !== i);
  if (repeated.length) throw fileError('duplicate_columns', `Columns named twice: ${[...new Set(repeated)].join(', ')}`, { duplicate: [...new Set(repeated)] });
  const missing = spec.filter((c) => c.required && !names.includes(c.name)).map((c) => c.name);
  if (missing.length) throw fileError('missing_columns', `Required columns missing: ${missing.join(', ')}`, { missing });
  return names;
}

// PostgreSQL text cannot hold NUL; a line carrying one (a UTF-16 file read as UTF-8) is refused, not stored.
const NUL = String.fromCharCode(0);

/** A data row as header name → text, or why its shape is wrong (`exact`: CSV rows must have every column). */
export function rowRecord(header: string[], cells: string[], exact: boolean): { record: Record<string, string> } | { error: { code: string; message: string }; record: Record<string, string> } {
  const record: Record<string, string> = {};
  header.forEach((name, i) => (record[name] = cells[i] ?? ''));
  const extra = cells.slice(header.length).filter((c) => c.trim() !== '');
  if (extra.length || (exact && cells.length < header.length)) {
    return { record, error: { code: 'column_count', message: `The line has ${cells.length} values, the header ${header.length} columns` } };
  }
  if (Object.values(record).some((v) => v.includes(NUL))) {
    for (const name of header) record[name] = record[name]!.split(NUL).join('');
    return { record, error: { code: 'bad_encoding', message: 'The line contains NUL characters (is the file UTF-16?)' } };
  }
  return { record };
}
