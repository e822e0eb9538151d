import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import type { RegistryLineView } from '../../registries/registry.service.js';
import { memoryWritable } from '../../settlement/settlement.fixture.js';
import { writeResultCsv } from './results.js';

/** What a partner sends comes back in the result file; a spreadsheet must show it, never run it. */
describe('registry result file', () => {
  const line = (over: Partial<RegistryLineView>): RegistryLineView => ({ lineNo: 2, key: 'L-1', action: 'create', status: 'failed', error: null, data: {}, change: null, result: null, operationId: null, ...over });

  it('writes text from the partner so that a spreadsheet cannot take it for a formula, and keeps amounts signed', async () => {
    const items = [
      line({ key: '=HYPERLINK("http://evil.example","open")', error: { code: 'unknown_account', message: '@SUM(1+1) is not an account' } }),
      line({ lineNo: 3, key: 'L-3', status: 'applied', result: { balance: '-1250' } }),
    ];
    const out = memoryWritable();
    await writeResultCsv({ results: async (_id, page) => ({ items: page.offset ? [] : items, total: items.length, offset: page.offset ?? 0, limit: 500 }) }, { id: 'r', kind: 'credits' }, out.stream);
    await out.done;
    const rows: string[][] = parse(out.bytes().toString('utf8').replace(/^\uFEFF/, ''), { delimiter: ';' });
    expect(rows[1]![1]).toBe('\'=HYPERLINK("http://evil.example","open")');
    expect(rows[1]![4]).toBe("'@SUM(1+1) is not an account");
    expect(rows[2]![6]).toBe('-12.50');
  });
});
