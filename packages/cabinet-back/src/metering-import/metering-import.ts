import type { Readable } from 'node:stream';
import type { HourlyDay } from '@app/cabinet-contracts';
import { AppError, unprocessable } from '@app/kernel';
import { ACTIVE_IMPORT_CHANNEL, Format80020Error, hourlyValues, parse80020, pointCode80020, type Problem80020 } from '@app/metering-formats';
import type { BillingAdapter } from '../billing/billing-adapter.js';

/**
 * An 80020 file from the grid company or the market (issue 11, point 1), taken in by the back office and
 * handed to billing through the adapter. The employee names the consumer the file is for; its measuring
 * points are matched to that consumer's metering points by their 80020 code (billing's snapshot through
 * the adapter), channel 01 becomes hourly data (half-hours summed) and goes to `submitHourly` point by
 * point, billing's own rules deciding each day. A point that is not the consumer's is reported
 * (`unknown_point`) and nothing of it is sent. The file streams through the parser; only the day's values
 * per point are kept (an 80020 message is one day). The front learns of what billing stored from billing's
 * change feed (the sync poller's `profile.computed` and `account.changed`), as for any change in billing.
 *
 * Each area of the message names, by INN, the organisation whose points it lists. An area is taken only
 * when its INN is the consumer's (billing's profile), or when the message's sender is on the configured
 * list of trusted senders (METERING_IMPORT_TRUSTED_SENDERS: a grid company or market operator whose areas
 * may carry its own INN); any other area is one problem `area_inn_mismatch` at the area's line and nothing
 * of it is sent, even points whose codes are the consumer's.
 */
/** Today in the supplier's time zone (Moscow), YYYY-MM-DD: no 80020 day after it is taken. */
export const supplierToday = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Moscow' }).format(new Date());

export interface MeteringImportOptions {
  /** INNs of senders (message/sender/inn) whose areas are taken whatever INN they carry. */
  trustedSenders?: readonly string[];
}

export interface MeteringImportResult {
  day: string;
  senderInn: string;
  points: Array<{ code: string; meteringPointId: string; accepted: number; rejected: Array<{ date?: string; code: string; message: string }> }>;
  problems: Problem80020[];
  channelsRead: number;
  channelsIgnored: number;
}

export async function import80020(adapter: BillingAdapter, consumerRef: string, file: Readable | AsyncIterable<Uint8Array>, today: string, options: MeteringImportOptions = {}): Promise<MeteringImportResult> {
  const snapshot = await adapter.consumerSnapshot(consumerRef, { since: today.slice(0, 7) });
  if (!snapshot) throw unprocessable('consumer_not_found', `Billing does not know consumer ${consumerRef}`);
  const byCode = new Map<string, string>();
  const shared = new Set<string>();
  for (const p of snapshot.contracts.flatMap((c) => c.objects.flatMap((o) => o.meteringPoints))) {
    const code = pointCode80020(p.code);
    if (!code) continue;
    if (byCode.has(code)) shared.add(code);
    byCode.set(code, p.id);
  }
  for (const code of shared) byCode.delete(code);
  const consumerInn = snapshot.profile.inn ?? null;
  const trusted = new Set(options.trustedSenders ?? []);
  const refusedAreas = new Set<number>();

  const problems: Problem80020[] = [];
  const days = new Map<string, { code: string; days: HourlyDay[] }>();
  let day = '';
  let senderInn = '';
  let channelsRead = 0;
  let channelsIgnored = 0;
  try {
    for await (const event of parse80020(file)) {
      if (event.type === 'header') {
        day = event.header.day;
        senderInn = event.header.sender.inn;
      } else if (event.type === 'problem') {
        if (problems.length < 1000) problems.push(event.problem);
      } else {
        const c = event.channel;
        channelsRead++;
        if (!trusted.has(senderInn) && (!consumerInn || c.area.inn !== consumerInn)) {
          if (!refusedAreas.has(c.area.line)) {
            refusedAreas.add(c.area.line);
            const why = consumerInn ? `is not consumer ${consumerRef}'s INN ${consumerInn}, and sender ${senderInn} is not a trusted sender` : `cannot be checked: billing has no INN for consumer ${consumerRef}`;
            problems.push({ code: 'area_inn_mismatch', message: `Area INN "${c.area.inn}" ${why}: nothing of this area is sent`, line: c.area.line, column: 1, element: 'area' });
          }
          continue;
        }
        if (c.channel.code !== ACTIVE_IMPORT_CHANNEL) {
          channelsIgnored++;
          continue;
        }
        const pointId = byCode.get(c.point.code);
        if (!pointId) {
          problems.push({ code: 'unknown_point', message: `Measuring point ${c.point.code} is not a metering point of consumer ${consumerRef}: nothing of it is sent`, line: c.line, column: 1, element: 'measuringpoint', pointCode: c.point.code });
          continue;
        }
        const entry = days.get(pointId) ?? { code: c.point.code, days: [] };
        if (entry.days.some((d) => d.date === c.day)) {
          problems.push({ code: 'duplicate_channel', message: `Point ${c.point.code} has channel 01 twice for ${c.day}`, line: c.line, column: 1, element: 'measuringchannel', pointCode: c.point.code });
          continue;
        }
        entry.days.push({ date: c.day, hours: hourlyValues(c) });
        days.set(pointId, entry);
      }
    }
  } catch (error) {
    if (error instanceof Format80020Error) throw new AppError(error.code, 422, `${error.message} (line ${error.line}, column ${error.column})`, { errors: [{ field: 'file', code: error.code, message: error.message }] });
    throw error;
  }
  const points: MeteringImportResult['points'] = [];
  for (const [meteringPointId, entry] of days) {
    const result = await adapter.submitHourly(consumerRef, meteringPointId, entry.days);
    points.push({ code: entry.code, meteringPointId, accepted: result.accepted, rejected: result.rejected });
  }
  return { day, senderInn, points, problems, channelsRead, channelsIgnored };
}
