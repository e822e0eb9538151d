import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Transform, type Readable } from 'node:stream';
import { AppError, prepareXlsx as prepareWorkbook, spoolUpload, type UploadFailure, type XlsxLimits } from '@app/kernel';
import { parse as csvParse } from 'csv-parse';
import iconv from 'iconv-lite';

/**
 * Reading registry files without holding them in memory. The upload is first spooled to a temporary
 * file (hashing it on the way: the hash is the registry's identity), then read row by row: CSV through
 * a decoder and csv-parse, xlsx through ExcelJS's streaming reader after the zip has been checked.
 * Everything wrong with the file as a whole is an AppError with a stable code (a "file error"); what
 * is wrong with one row is left to the line parser.
 */
export type RegistryFormat = 'csv' | 'xlsx';
export type RegistryEncoding = 'utf-8' | 'windows-1251';

export interface Row {
  /** Line (CSV) or row (xlsx) number as the customer sees it; the header is 1 in a well-formed file. */
  lineNo: number;
  cells: string[];
}

export type ReadLimits = XlsxLimits;

export const defaultLimits: ReadLimits = {
  maxFileBytes: 200 * 1024 * 1024,
  maxUnzippedBytes: 512 * 1024 * 1024,
  ratioFloorBytes: 1024 * 1024,
  maxRatio: 100,
};

export const fileError = (code: string, message: string, extra: Record<string, unknown> = {}, status = 422) => new AppError(code, status, message, extra);

// Registries have called a file that is no workbook `bad_file` since their first release.
const registryFailure: UploadFailure = (problem, message, status) => fileError(problem === 'not_excel' ? 'bad_file' : problem, message, {}, status);

/** Writes the upload to `path`; its size and SHA-256. Over the limit: `file_too_large`, nothing kept. */
export const spool = (input: Readable, path: string, maxBytes: number) => spoolUpload(input, path, maxBytes, registryFailure);

// ---------------------------------------------------------------------------------------------- xlsx

/** The workbook's zip is checked and its parts put in reading order before ExcelJS sees it (the kernel's upload guard); codes as registries name them. */
export async function prepareXlsx(path: string, limits: ReadLimits): Promise<void> {
  await prepareWorkbook(path, limits, registryFailure);
}

/** Rows of the first worksheet, header first, cells as text (see cellText); the file has been through prepareXlsx. */
export async function* xlsxRows(path: string): AsyncGenerator<Row> {
  // Loaded on first use: a process that only ever reads CSV does not carry ExcelJS (~15 MB).
  const { default: ExcelJS } = await import('exceljs');
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(path, { worksheets: 'emit', sharedStrings: 'cache', styles: 'cache', hyperlinks: 'ignore', entries: 'ignore' });
  try {
    for await (const sheet of reader) {
      for await (const row of sheet) {
        const values = (row.values as unknown[]).slice(1);
        const cells = Array.from(values, cellText);
        if (cells.some((c) => c !== '')) yield { lineNo: row.number, cells };
      }
      // The first sheet is the registry; the others (a description, say) are not read.
      break;
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw fileError('bad_file', `The workbook cannot be read: ${(error as Error).message}`);
  }
}

/**
 * A cell as the text a person sees: numbers in their shortest exact spelling (so 1234.56 stays
 * "1234.56" and never becomes kopecks through a float), dates as YYYY-MM-DD, formulas by their result.
 */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString().slice(0, 10);
  if (typeof value === 'object') {
    const v = value as { richText?: Array<{ text: string }>; result?: unknown; text?: unknown; error?: string };
    if (Array.isArray(v.richText)) return v.richText.map((r) => r.text).join('');
    if ('result' in v) return cellText(v.result);
    if (typeof v.text === 'string') return v.text;
    if (typeof v.error === 'string') return v.error;
  }
  return String(value);
}

// ----------------------------------------------------------------------------------------------- csv

/**
 * Rows of a CSV file. UTF-8 (a BOM is allowed) unless `windows-1251` is asked for; invalid UTF-8 is a
 * file error, not mojibake in the database. The delimiter (`;`, `,` or tab) is the one the header line
 * uses most.
 */
export async function* csvRows(path: string, encoding: RegistryEncoding = 'utf-8'): AsyncGenerator<Row> {
  const delimiter = await detectDelimiter(path, encoding);
  const file = createReadStream(path);
  const decoder = encoding === 'utf-8' ? utf8Decoder() : iconv.decodeStream('win1251');
  const parser = csvParse({ delimiter, bom: true, relax_column_count: true, skip_empty_lines: true, info: true, max_record_size: 1024 * 1024 });
  file.on('error', (e) => parser.destroy(e));
  decoder.on('error', (e: Error) => parser.destroy(e));
  file.pipe(decoder).pipe(parser);
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      yield { lineNo: info.lines, cells: record };
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    const e = error as { code?: string; message: string; lines?: number };
    if (e.code?.startsWith('CSV_')) throw fileError('bad_csv', `The CSV cannot be read near line ${e.lines ?? '?'}: ${e.message}`, { line: e.lines });
    throw error;
  } finally {
    file.destroy();
  }
}

function utf8Decoder(): Transform {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let offset = 0;
  const fail = () => fileError('bad_encoding', `The file is not valid UTF-8 (near byte ${offset}); save it as "CSV UTF-8" or send it with encoding=windows-1251`, { byteOffset: offset });
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      try {
        const text = decoder.decode(chunk, { stream: true });
        offset += chunk.length;
        done(null, text);
      } catch {
        done(fail());
      }
    },
    flush(done) {
      try {
        done(null, decoder.decode());
      } catch {
        done(fail());
      }
    },
  });
}

async function detectDelimiter(path: string, encoding: RegistryEncoding): Promise<string> {
  const handle = await open(path, 'r');
  let head: Buffer;
  try {
    const buffer = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    head = buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
  const text = encoding === 'utf-8' ? head.toString('utf8') : iconv.decode(head, 'win1251');
  const firstLine = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  const counts = new Map<string, number>([[';', 0], [',', 0], ['\t', 0]]);
  let quoted = false;
  for (const ch of firstLine) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && counts.has(ch)) counts.set(ch, counts.get(ch)! + 1);
  }
  const [best] = [...counts.entries()].sort((a, b) => b[1] - a[1]);
  return best && best[1] > 0 ? best[0] : ';';
}

