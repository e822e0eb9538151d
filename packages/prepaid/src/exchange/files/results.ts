import type { Writable } from 'node:stream';
import { spreadsheetSafe } from '@app/kernel';
import { stringify } from 'csv-stringify/sync';
import type { LinesPage, RegistryLineView, RegistryStatus } from '../../registries/registry.service.js';

/**
 * What the exchange folder writes back: a result line per registry line (out/<stem>.result.csv), and
 * the report beside a refused file (error/<name>.error.txt). Formats are described in docs/exchange.md.
 *
 * The result CSV is for people and programs alike: UTF-8 with a BOM (Excel opens it as is), `;`
 * between fields, CRLF line ends, a header line, one line per line of the registry in line order.
 */
export interface RegistryResults {
  results(id: string, page: { offset?: number; limit?: number }): Promise<LinesPage>;
}

export const CREDIT_RESULT_COLUMNS = ['line_no', 'line_id', 'status', 'error_code', 'error_message', 'operation_id', 'balance'] as const;
export const CLIENT_RESULT_COLUMNS = ['line_no', 'client_id', 'action', 'status', 'error_code', 'error_message', 'account_number'] as const;

const PAGE = 500;
const csvOptions = { delimiter: ';', record_delimiter: '\r\n' as const };

export async function writeResultCsv(registries: RegistryResults, registry: Pick<RegistryStatus, 'id' | 'kind'>, out: Writable): Promise<void> {
  const columns = registry.kind === 'credits' ? CREDIT_RESULT_COLUMNS : CLIENT_RESULT_COLUMNS;
  await write(out, `\uFEFF${stringify([columns as unknown as string[]], csvOptions)}`);
  for (let offset = 0; ; offset += PAGE) {
    const page = await registries.results(registry.id, { offset, limit: PAGE });
    if (page.items.length === 0) break;
    const rows = page.items.map((line) => (registry.kind === 'credits' ? creditRow(line) : clientRow(line)));
    await write(out, stringify(rows, csvOptions));
    if (offset + page.items.length >= page.total) break;
  }
  out.end();
}

function creditRow(line: RegistryLineView): string[] {
  const balance = typeof line.result?.balance === 'string' ? roubles(BigInt(line.result.balance)) : '';
  return [String(line.lineNo), spreadsheetSafe(line.key ?? ''), line.status, line.error?.code ?? '', spreadsheetSafe(line.error?.message ?? ''), line.operationId ?? '', balance];
}

function clientRow(line: RegistryLineView): string[] {
  const accountNumber = typeof line.result?.accountNumber === 'string' ? line.result.accountNumber : '';
  return [String(line.lineNo), spreadsheetSafe(line.key ?? ''), line.action ?? '', line.status, line.error?.code ?? '', spreadsheetSafe(line.error?.message ?? ''), accountNumber];
}

/** Kopecks as roubles with two decimals and a dot: 123456n → "1234.56", -5n → "-0.05". */
export function roubles(kopecks: bigint): string {
  const sign = kopecks < 0n ? '-' : '';
  const abs = kopecks < 0n ? -kopecks : kopecks;
  return `${sign}${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`;
}

/** The text beside a refused file in error/: `key: value` lines, then the details as JSON. */
export function errorReport(r: { fileName: string; code: string; message: string; registryId?: string | null; details?: Record<string, unknown> | null; at?: Date }): string {
  const lines = [`file: ${r.fileName}`, `code: ${r.code}`, `message: ${oneLine(r.message)}`];
  if (r.registryId) lines.push(`registry: ${r.registryId}`);
  lines.push(`time: ${(r.at ?? new Date()).toISOString()}`);
  if (r.details && Object.keys(r.details).length) lines.push(`details: ${JSON.stringify(r.details)}`);
  return `${lines.join('\n')}\n`;
}

const oneLine = (s: string) => s.replace(/\s*[\r\n]+\s*/g, ' ');

function write(out: Writable, chunk: string): Promise<void> {
  if (out.write(chunk, 'utf8')) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const done = (error?: Error) => {
      out.off('drain', done);
      out.off('error', done);
      if (error) reject(error);
      else resolve();
    };
    out.on('drain', done);
    out.on('error', done);
  });
}
