import { createReadStream } from 'node:fs';
import { ACTIVE_IMPORT_CHANNEL, Format80020Error, hourlyValues, parse80020, pointCode80020 } from '@app/metering-formats';
import { fileError } from './xlsx-guard.js';
import type { UploadErrorCode } from './upload-problems.js';

/**
 * An uploaded 80020 file, read as it streams from its spool file (never whole in memory): channel 01
 * (active energy received) of each measuring point becomes that point's hourly day, half-hours summed.
 * Points are matched to the consumer's own interval metering points by their 80020 code
 * (`pointCode80020`); a point that is not one of them is a per-point problem (`unknown_point`) and nothing
 * of it is sent. The other checks are the Excel upload's: no day in the future, none before the meter was
 * installed, a point's day once. A problem with the whole file (bad XML, encoding, not 80020) is a file
 * error with the parser's code.
 *
 * Each area of the message carries the INN of the organisation its points belong to: it must be the
 * consumer's own INN (billing's, as the read model keeps it). An area with another INN — or any area when
 * billing knows no INN for the consumer — is refused once (`area_inn_mismatch`, at the area's line) and
 * nothing of it is taken, even points whose codes are the consumer's.
 */
export interface Points80020 {
  /** 80020 code → the consumer's metering point. */
  byCode: Map<string, { pointId: string; interval: boolean; installedOn: string | null }>;
}

export interface Read80020Result {
  hourly: Map<string, Map<string, { hours: string[]; row: number }>>;
  channelsRead: number;
  /** Channels other than 01 (export, reactive energy): read and checked, not sent. */
  channelsIgnored: number;
}

export type Problem = (where: { pointCode?: string; line: number; column: number }, code: UploadErrorCode, message: string) => void;

export async function read80020Upload(path: string, input: { points: Points80020; consumerInn: string | null; today: string; bytes: number; problem: Problem; onProgress: (bytesRead: number) => Promise<void> }): Promise<Read80020Result> {
  const hourly: Read80020Result['hourly'] = new Map();
  let channelsRead = 0;
  let channelsIgnored = 0;
  let bytesRead = 0;
  let reported = 0;
  const unknown = new Set<string>();
  const refusedAreas = new Set<number>();
  const stream = createReadStream(path, { highWaterMark: 64 * 1024 });
  async function* counted() {
    for await (const chunk of stream) {
      bytesRead += (chunk as Buffer).length;
      yield chunk as Buffer;
    }
  }
  try {
    for await (const event of parse80020(counted(), { maxProblems: 5000 })) {
      if (bytesRead - reported > 1024 * 1024) {
        reported = bytesRead;
        await input.onProgress(bytesRead);
      }
      if (event.type === 'problem') {
        const p = event.problem;
        input.problem({ ...(p.pointCode ? { pointCode: p.pointCode } : {}), line: p.line, column: p.column }, p.code, p.message);
        continue;
      }
      if (event.type !== 'channel') continue;
      const c = event.channel;
      channelsRead++;
      if (!input.consumerInn || c.area.inn !== input.consumerInn) {
        if (!refusedAreas.has(c.area.line)) {
          refusedAreas.add(c.area.line);
          const why = input.consumerInn ? `is not the consumer's INN ${input.consumerInn}` : 'cannot be checked: billing has no INN for this consumer';
          input.problem({ line: c.area.line, column: 1 }, 'area_inn_mismatch', `Area INN "${c.area.inn}" ${why}: nothing of this area is taken`);
        }
        continue;
      }
      if (c.channel.code !== ACTIVE_IMPORT_CHANNEL) {
        channelsIgnored++;
        continue;
      }
      const where = { pointCode: c.point.code, line: c.line, column: 1 };
      const point = input.points.byCode.get(c.point.code);
      if (!point) {
        if (!unknown.has(c.point.code)) input.problem(where, 'unknown_point', `Measuring point ${c.point.code} is not a metering point of this consumer: nothing of it is sent`);
        unknown.add(c.point.code);
        continue;
      }
      if (!point.interval || !point.installedOn) {
        input.problem(where, 'point_not_interval', `Metering point ${c.point.code} has no interval meter: hourly data is not taken for it`);
        continue;
      }
      if (c.day > input.today) {
        input.problem(where, 'date_in_future', `${c.day} is after today`);
        continue;
      }
      if (c.day < point.installedOn) {
        input.problem(where, 'meter_not_active', `The interval meter was installed on ${point.installedOn}`);
        continue;
      }
      const days = hourly.get(point.pointId) ?? new Map<string, { hours: string[]; row: number }>();
      const seen = days.get(c.day);
      if (seen) {
        input.problem(where, 'duplicate_day', `Point ${c.point.code}, ${c.day} is also on line ${seen.row}`);
        continue;
      }
      days.set(c.day, { hours: hourlyValues(c), row: c.line });
      hourly.set(point.pointId, days);
    }
  } catch (error) {
    if (error instanceof Format80020Error) throw fileError(error.code, `${error.message} (line ${error.line}, column ${error.column}, <${error.element}>)`);
    throw error;
  } finally {
    stream.destroy();
  }
  return { hourly, channelsRead, channelsIgnored };
}

/** The consumer's metering points by their 80020 code (rows: one per point and meter); a code two points share is left out (ambiguous). */
export function points80020(rows: Array<{ pointId: string; code: string; interval: boolean; installedOn: string | null }>): Points80020 {
  const points = new Map<string, { code: string; interval: boolean; installedOn: string | null }>();
  for (const r of rows) {
    const p = points.get(r.pointId) ?? { code: r.code, interval: false, installedOn: null };
    if (r.interval && r.installedOn) {
      p.interval = true;
      if (!p.installedOn || r.installedOn < p.installedOn) p.installedOn = r.installedOn;
    }
    points.set(r.pointId, p);
  }
  const byCode = new Map<string, { pointId: string; interval: boolean; installedOn: string | null }>();
  const shared = new Set<string>();
  for (const [pointId, p] of points) {
    const code = pointCode80020(p.code);
    if (!code) continue;
    if (byCode.has(code)) shared.add(code);
    byCode.set(code, { pointId, interval: p.interval, installedOn: p.installedOn });
  }
  for (const code of shared) byCode.delete(code);
  return { byCode };
}
