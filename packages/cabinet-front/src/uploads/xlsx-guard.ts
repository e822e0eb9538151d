import { prepareXlsx as prepareWorkbook, spoolUpload, uploadFailure, AppError, type XlsxLimits } from '@app/kernel';
import type { Readable } from 'node:stream';

/**
 * An uploaded workbook is spooled with a size cap and its zip checked before ExcelJS reads it — the
 * kernel's upload guard (zip bombs, truncated and foreign files get stable codes; the parts put in the
 * order ExcelJS's streaming reader needs). The count of `<row>`s it answers is the upload job's total for
 * the progress bar.
 */
export type { XlsxLimits };

export const uploadLimits: XlsxLimits = { maxFileBytes: 50 * 1024 * 1024, maxUnzippedBytes: 400 * 1024 * 1024, ratioFloorBytes: 1024 * 1024, maxRatio: 100 };

export const fileError = (code: string, message: string, status = 422) => new AppError(code, status, message, { errors: [{ field: 'file', code, message }] });

export const spool = (input: Readable, path: string, maxBytes: number) => spoolUpload(input, path, maxBytes, uploadFailure);

export const prepareXlsx = (path: string, limits: XlsxLimits = uploadLimits) => prepareWorkbook(path, limits, uploadFailure);

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

