import { uploadProblems } from '@app/kernel';
import { problemCodes as format80020Codes } from '@app/metering-formats';
import { readingCheckCodes } from '../readings/reading-rules.js';

/**
 * Every code an upload job can put in its result, so the cabinet can say each in the consumer's
 * language: test/cabinet-web/upload-messages.test.ts fails when one has no Russian or English text.
 */

/** A cell of the Excel template, or a point of an 80020 file, that was refused. */
export const uploadCellCodes = [
  'meter_required',
  'date_invalid',
  'date_in_future',
  'point_not_found',
  'point_not_interval',
  'unknown_point',
  'area_inn_mismatch',
  'meter_not_active',
  'hourly_value_missing',
  'hourly_value_invalid',
  'duplicate_day',
  'confirmation_required',
] as const;
export type UploadCellCode = (typeof uploadCellCodes)[number];

/** Everything a job's error list may carry: its own cell codes, the reading rules, 80020's per-point problems. */
export const uploadErrorCodes = [...uploadCellCodes, ...readingCheckCodes, ...format80020Codes] as const;
export type UploadErrorCode = (typeof uploadErrorCodes)[number];

/** A whole file refused: by the upload guard, by the 80020 reader, or the job itself. */
export const uploadFailureCodes = [...uploadProblems, ...format80020Codes, 'not_a_template', 'upload_failed', 'upload_interrupted'] as const;
