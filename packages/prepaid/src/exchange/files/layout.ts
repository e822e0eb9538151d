import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { RegistryKind } from '../../tables.js';

/**
 * The exchange folder and its names: pure, no I/O except `ensureLayout`. docs/exchange.md is the
 * partner-facing description of the same rules; keep them together.
 *
 *   in/       the partner drops files here (upload as *.tmp / *.part, then rename — or we wait until
 *             the size and modification time stop changing)
 *   work/     taken by an instance (atomic rename from in/: the rename is the lock)
 *   out/      our results and settlement registries (written as *.tmp, fsynced, renamed)
 *   archive/  files processed
 *   error/    files refused as a whole (unreadable, unknown name, duplicate), each with <name>.error.txt
 */
export const FOLDERS = ['in', 'work', 'out', 'archive', 'error'] as const;
export type Folder = (typeof FOLDERS)[number];

export interface ExchangeLayout {
  root: string;
  in: string;
  work: string;
  out: string;
  archive: string;
  error: string;
}

export function layoutOf(root: string): ExchangeLayout {
  return { root, in: join(root, 'in'), work: join(root, 'work'), out: join(root, 'out'), archive: join(root, 'archive'), error: join(root, 'error') };
}

export async function ensureLayout(root: string): Promise<ExchangeLayout> {
  const layout = layoutOf(root);
  for (const folder of FOLDERS) await mkdir(layout[folder], { recursive: true });
  return layout;
}

export interface ExchangeFileName {
  kind: RegistryKind;
  /** The registry number: the part after `clients_` / `credits_`. */
  number: string;
  format: 'csv' | 'xlsx';
  encoding: 'utf-8' | 'windows-1251';
  /** The name without its extensions, for the result file: `credits_42` → `out/credits_42.result.csv`. */
  stem: string;
}

// clients_<number>.csv | credits_<number>.xlsx | credits_<number>.cp1251.csv (a CSV in Windows-1251).
const NAME = /^(clients|credits)_([A-Za-z0-9][A-Za-z0-9._#()-]{0,99}?)(\.cp1251)?\.(csv|xlsx)$/i;

/** What a dropped file is, from its name; null for a name that follows no convention (→ error/). */
export function parseExchangeName(name: string): ExchangeFileName | null {
  const match = NAME.exec(name);
  if (!match) return null;
  const [, kind, number, cp1251, format] = match;
  const fmt = format!.toLowerCase() as 'csv' | 'xlsx';
  if (cp1251 && fmt !== 'csv') return null;
  return {
    kind: kind!.toLowerCase() as RegistryKind,
    number: number!,
    format: fmt,
    encoding: cp1251 ? 'windows-1251' : 'utf-8',
    stem: `${kind!.toLowerCase()}_${number}`,
  };
}

/** Names still being written by the partner, or ours being written: never taken, never reported. */
export function isInProgressName(name: string): boolean {
  return name.startsWith('.') || /\.(tmp|part|partial|crdownload)$/i.test(name);
}

/**
 * A claim id: when the file was taken (UTC) and 6 random hex digits — sortable, unique, and the
 * prefix of the file's name in work/, archive/ and error/, so a name sent twice never overwrites.
 */
export function newClaimId(now = new Date()): string {
  const iso = now.toISOString();
  return `${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 19).replace(/:/g, '')}-${randomBytes(3).toString('hex')}`;
}

const CLAIMED = /^(\d{8}-\d{6}-[0-9a-f]{6})_(.+)$/;

export const claimedName = (claimId: string, fileName: string) => `${claimId}_${fileName}`;

/** The claim id and the original name of a file in work/ (null for anything else found there). */
export function parseClaimedName(workName: string): { claimId: string; fileName: string } | null {
  const match = CLAIMED.exec(workName);
  return match ? { claimId: match[1]!, fileName: match[2]! } : null;
}

export const resultFileName = (stem: string) => `${stem}.result.csv`;
export const errorReportName = (fileName: string) => `${fileName}.error.txt`;

/**
 * The name of a settlement registry in out/ (without the extension):
 * `settlement_<kind>_<party code>_<from>_<to>` with dates as YYYYMMDD, the period's last day included,
 * and `_<n>` when a second registry of the same party and period is written (a re-run on request).
 */
export function settlementFileName(s: { kind: string; partyCode: string; from: string | Date; to: string | Date; sequence?: number }): string {
  const day = (d: string | Date) => (typeof d === 'string' ? d : d.toISOString()).slice(0, 10).replace(/-/g, '');
  const party = s.partyCode.replace(/[^A-Za-z0-9-]+/g, '-');
  return `settlement_${s.kind}_${party}_${day(s.from)}_${day(s.to)}${s.sequence && s.sequence > 1 ? `_${s.sequence}` : ''}`;
}
