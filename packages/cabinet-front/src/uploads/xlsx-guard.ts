import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '@app/kernel';
import yauzl from 'yauzl';

/**
 * An uploaded workbook is checked before ExcelJS reads it: spooled to a temporary file with a size cap,
 * then its zip directory read and every part inflated once into nothing, counting bytes (declared sizes can
 * lie), so a zip bomb, a truncated file or a file that is no workbook is a file error with a stable code,
 * never an exhausted process. The approach (and most of the code) is prepaid's registries/reader.ts; it is
 * not moved to the kernel now because prepaid is being changed by others and the kernel would gain yauzl —
 * worth doing once both packages are quiet. While inflating, the `<row ` tags of each worksheet are counted,
 * which gives the upload job its total for the progress bar.
 */
export interface XlsxLimits {
  maxFileBytes: number;
  maxUnzippedBytes: number;
  ratioFloorBytes: number;
  maxRatio: number;
}

export const uploadLimits: XlsxLimits = { maxFileBytes: 50 * 1024 * 1024, maxUnzippedBytes: 400 * 1024 * 1024, ratioFloorBytes: 1024 * 1024, maxRatio: 100 };

export const fileError = (code: string, message: string, status = 422) => new AppError(code, status, message, { errors: [{ field: 'file', code, message }] });

export async function spool(input: Readable, path: string, maxBytes: number): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  let bytes = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      if (bytes > maxBytes) return done(fileError('file_too_large', `The file is larger than ${Math.floor(maxBytes / 1024 / 1024)} MiB`, 413));
      hash.update(chunk);
      done(null, chunk);
    },
  });
  try {
    await pipeline(input, meter, createWriteStream(path));
  } catch (error) {
    await rm(path, { force: true });
    throw error;
  }
  if (bytes === 0) {
    await rm(path, { force: true });
    throw fileError('empty_file', 'The file is empty');
  }
  return { bytes, sha256: hash.digest('hex') };
}

/** Checks the workbook; answers the number of rows of each worksheet part (by part name). */
export async function inspectXlsx(path: string, limits: XlsxLimits = uploadLimits): Promise<{ rows: number }> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(path, { lazyEntries: true, autoClose: false, validateEntrySizes: true, strictFileNames: false }, (err, file) => (err ? reject(err) : resolve(file))),
  ).catch(async (error: Error) => {
    throw (await startsLikeZip(path)) ? fileError('truncated_file', `The workbook is incomplete (cut off during transfer?): ${error.message}`) : fileError('not_excel', 'The file is not an Excel workbook (.xlsx)');
  });
  let rows = 0;
  try {
    const entries: yauzl.Entry[] = [];
    let declared = 0;
    await new Promise<void>((resolve, reject) => {
      zip.on('error', reject);
      zip.on('end', resolve);
      zip.on('entry', (entry: yauzl.Entry) => {
        declared += entry.uncompressedSize;
        if (entries.length >= 10_000) return reject(fileError('zip_bomb', 'The workbook has too many parts'));
        if (declared > limits.maxUnzippedBytes) return reject(fileError('zip_bomb', `The workbook unpacks to more than ${mib(limits.maxUnzippedBytes)} MiB`));
        if (entry.uncompressedSize > limits.ratioFloorBytes && entry.uncompressedSize > entry.compressedSize * limits.maxRatio) {
          return reject(fileError('zip_bomb', `A part of the workbook is compressed more than ${limits.maxRatio} times`));
        }
        entries.push(entry);
        zip.readEntry();
      });
      zip.readEntry();
    }).catch((error: Error) => {
      if (error instanceof AppError) throw error;
      throw fileError('not_excel', `The workbook is damaged: ${error.message}`);
    });
    const names = new Set(entries.map((e) => e.fileName));
    if (!names.has('[Content_Types].xml') || !names.has('xl/workbook.xml')) throw fileError('not_excel', 'The file is a zip but not an Excel workbook (.xlsx)');
    let inflated = 0;
    for (const entry of entries) {
      if (entry.fileName.endsWith('/')) continue;
      const sheet = /^xl\/worksheets\/[^/]+\.xml$/.test(entry.fileName);
      const stream = await new Promise<Readable>((resolve, reject) => zip.openReadStream(entry, (err, s) => (err ? reject(err) : resolve(s))));
      let tail = '';
      await new Promise<void>((resolve, reject) => {
        stream.on('data', (chunk: Buffer) => {
          inflated += chunk.length;
          if (inflated > limits.maxUnzippedBytes) stream.destroy(fileError('zip_bomb', `The workbook unpacks to more than ${mib(limits.maxUnzippedBytes)} MiB`));
          if (sheet) {
            // Count "<row " across chunk borders: keep the last 4 characters of the previous chunk.
            const text = tail + chunk.toString('latin1');
            for (let i = text.indexOf('<row '); i >= 0; i = text.indexOf('<row ', i + 5)) rows++;
            tail = text.slice(-4);
          }
        });
        stream.on('error', reject);
        stream.on('end', resolve);
      }).catch((error: Error) => {
        if (error instanceof AppError) throw error;
        if (/too many bytes|expected \d+ bytes/i.test(error.message)) throw fileError('zip_bomb', 'A part of the workbook unpacks to more than its header declares');
        throw fileError('not_excel', `The workbook is damaged: ${error.message}`);
      });
    }
  } finally {
    zip.close();
  }
  return { rows };
}

async function startsLikeZip(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(4);
    await handle.read(head, 0, 4, 0);
    return head.equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]));
  } finally {
    await handle.close();
  }
}

/** A cell as the text a person sees: numbers in their shortest exact spelling, dates as YYYY-MM-DD, formulas by their result. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString().slice(0, 10);
  if (typeof value === 'object') {
    const v = value as { richText?: Array<{ text: string }>; result?: unknown; text?: unknown; error?: string };
    if (Array.isArray(v.richText)) return v.richText.map((r) => r.text).join('').trim();
    if ('result' in v) return cellText(v.result);
    if (typeof v.text === 'string') return v.text.trim();
    if (typeof v.error === 'string') return v.error;
  }
  return String(value);
}

const mib = (n: number) => Math.floor(n / 1024 / 1024);
