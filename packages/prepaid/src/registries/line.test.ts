import { describe, expect, it } from 'vitest';
import { mapHeader, rowRecord } from './header.js';
import { parseDate, parseLine, parseRoubles } from './line.js';

describe('registry line parsing', () => {
  it.each([
    ['1234.56', 123_456n],
    ['1234,56', 123_456n],
    ['1 234,5', 123_450n],
    ['1\u00a0000', 100_000n],
    ['0.01', 1n],
    ['007', 700n],
  ])('reads roubles %j as %s kopecks', (raw, kopecks) => {
    expect(parseRoubles(raw)).toBe(kopecks);
  });

  it.each([
    ['1e3', 'bad_amount'],
    ['12.345', 'bad_amount'],
    ['+5', 'bad_amount'],
    ['.5', 'bad_amount'],
    ['1.', 'bad_amount'],
    ['0', 'bad_amount'],
    ['-5', 'bad_amount'],
    ['NaN', 'bad_amount'],
    ['1,234.56', 'bad_amount'],
    ['', 'missing_value'],
    ['100000000.01', 'amount_too_large'],
  ])('refuses the amount %j with %s', (raw, code) => {
    expect(parseRoubles(raw)).toMatchObject({ code });
  });

  it('allows a negative amount only in a correction', () => {
    expect(parseRoubles('-10.50', { allowNegative: true })).toBe(-1050n);
    expect(parseLine('credits', { line_id: '1', client_id: 'C', product: 'meals', amount: '-1', kind: 'correction' })).toMatchObject({ ok: true, line: { amount: -100n } });
    expect(parseLine('credits', { line_id: '1', client_id: 'C', product: 'meals', amount: '-1' })).toMatchObject({ ok: false, key: '1', error: { code: 'bad_amount', field: 'amount' } });
  });

  it.each([
    ['2026-02-28', '2026-02-28'],
    ['28.02.2026', '2026-02-28'],
    ['2026-02-30', null],
    ['2026-2-3', null],
    ['3000-01-01', null],
  ])('reads the date %j as %j', (raw, iso) => {
    expect(parseDate(raw)).toBe(iso);
  });

  it('composes the client name, normalises phone and identifiers, and refuses what is malformed with the column named', () => {
    const ok = parseLine('clients', { action: 'Create', client_id: 'X-1', last_name: 'Иванов', first_name: 'Иван', phone: '+7 (900) 123-45-67', products: 'meals, own|meals', card_uid: '04:a2:b3:c4 04A2B3C4', employee_number: 't-1' });
    expect(ok).toEqual({
      ok: true,
      line: { action: 'create', key: 'X-1', clientId: 'X-1', fullName: 'Иванов Иван', phone: '+79001234567', email: null, accountNumber: null, products: ['meals', 'own'], identifiers: [{ kind: 'card_uid', value: '04A2B3C4' }, { kind: 'employee_number', value: 'T-1' }] },
    });
    expect(parseLine('clients', { action: 'create', client_id: 'X-2', last_name: 'Иванов' })).toMatchObject({ ok: false, error: { code: 'missing_value', field: 'first_name' } });
    expect(parseLine('clients', { action: 'merge', client_id: 'X-3' })).toMatchObject({ ok: false, error: { code: 'bad_action' } });
    expect(parseLine('clients', { action: 'update', client_id: 'X-4', card_uid: 'XYZ' })).toMatchObject({ ok: false, error: { code: 'identifier_malformed', field: 'card_uid' } });
    expect(parseLine('clients', { action: 'update', client_id: 'X-5', email: 'nope' })).toMatchObject({ ok: false, error: { code: 'bad_email' } });
    expect(parseLine('clients', { action: 'update', client_id: 'X-6', account_number: '1234567' })).toMatchObject({ ok: false, error: { code: 'field_not_allowed' } });
    expect(parseLine('clients', { action: 'delete', client_id: 'X-7', last_name: 'ignored' })).toMatchObject({ ok: true, line: { action: 'delete', fullName: null } });
  });

  it('maps the header case-insensitively and names what is missing, unknown or repeated', () => {
    expect(mapHeader('credits', ['\uFEFFLine_ID', ' Client_Id ', 'PRODUCT', 'amount', ''])).toEqual(['line_id', 'client_id', 'product', 'amount']);
    expect(() => mapHeader('credits', ['line_id', 'amount'])).toThrow(expect.objectContaining({ code: 'missing_columns', extra: { missing: ['product'] } }));
    expect(() => mapHeader('credits', ['line_id', 'product', 'amount', 'sum'])).toThrow(expect.objectContaining({ code: 'unknown_columns' }));
    expect(() => mapHeader('clients', ['action', 'client_id', 'action'])).toThrow(expect.objectContaining({ code: 'duplicate_columns' }));
  });

  it('refuses a CSV row with the wrong number of values, and a row carrying NUL characters', () => {
    expect(rowRecord(['a', 'b'], ['1'], true)).toMatchObject({ error: { code: 'column_count' } });
    expect(rowRecord(['a', 'b'], ['1'], false)).toEqual({ record: { a: '1', b: '' } });
    expect(rowRecord(['a', 'b'], ['1', '2', 'x'], false)).toMatchObject({ error: { code: 'column_count' } });
    expect(rowRecord(['a'], [`x${String.fromCharCode(0)}y`], true)).toMatchObject({ error: { code: 'bad_encoding' }, record: { a: 'xy' } });
  });
});
