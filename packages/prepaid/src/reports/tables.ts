import type { ColumnType, Generated } from 'kysely';
import type { PrepaidDb } from '../tables.js';
import type { ReportKind, ReportParams } from './model.js';

/** Kysely types of report_jobs (migrations/0020_workplace.sql). */
type Default<T> = ColumnType<T, T | undefined, T>;
export type ReportJobStatus = 'queued' | 'running' | 'done' | 'failed';

export interface ReportTables {
  report_jobs: {
    id: Generated<string>;
    kind: ReportKind;
    format: 'pdf' | 'xlsx';
    params: ColumnType<ReportParams, string, string>;
    status: Default<ReportJobStatus>;
    progress: Default<number>;
    rows_done: Default<number>;
    error_code: Default<string | null>;
    error_message: Default<string | null>;
    file: Default<Buffer | null>;
    file_name: Default<string | null>;
    file_sha256: Default<string | null>;
    requested_by: string;
    requested_by_id: string | null;
    owner: Default<string | null>;
    lease_until: Default<Date | null>;
    attempts: Default<number>;
    created_at: Generated<Date>;
    started_at: Default<Date | null>;
    finished_at: Default<Date | null>;
  };
}

export type ReportsDb = PrepaidDb & ReportTables;
