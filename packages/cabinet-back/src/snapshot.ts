import { eventTopics, type ConsumerSnapshot, type ProfileComputed } from '@app/cabinet-contracts';
import type { BillingAdapter, HourlyKind } from './billing/billing-adapter.js';
import { chunksBetween, isoDate, monthChunks, windowStartMonth } from './history.js';
import type { OutgoingEvent } from './outgoing.js';

export interface SnapshotOptions {
  /** Months of history sent (readings, documents, hourly data), the current one included. */
  historyMonths: number;
  /** Attach each invoice's PDF, so the front serves downloads while billing is away. */
  attachPdfs: boolean;
  today: string;
}

export const defaultSnapshotOptions = (now = new Date()): SnapshotOptions => ({ historyMonths: 13, attachPdfs: true, today: isoDate(now) });

const HOURLY_KINDS: HourlyKind[] = ['metered', 'profile'];

/**
 * A consumer's full data as events: one `consumer.snapshot`, then `profile.computed` per month, metering
 * point and kind (hourly data is big: one month of one point per message), the newest month first — the
 * consumer's current charts fill first after linking, the year behind them later (the front applies
 * months in any order: each day is kept by its version). Reads billing only; the caller writes the
 * events in its transaction. `null` when billing does not know the consumer.
 */
export async function snapshotEvents(adapter: BillingAdapter, consumerRef: string, options: SnapshotOptions): Promise<{ version: string; events: OutgoingEvent[] } | null> {
  const since = windowStartMonth(options.today, options.historyMonths);
  const snapshot = await adapter.consumerSnapshot(consumerRef, { since });
  if (!snapshot) return null;
  if (options.attachPdfs) await attachPdfs(adapter, snapshot);
  const events: OutgoingEvent[] = [{ topic: eventTopics.consumerSnapshot, payload: snapshot }];
  const points = meteringPointsOf(snapshot);
  for (const chunk of monthChunks(since, options.today).reverse()) {
    for (const meteringPointId of points) {
      events.push(...(await profileEvents(adapter, consumerRef, snapshot.version, meteringPointId, chunk.from, chunk.to)));
    }
  }
  return { version: snapshot.version, events };
}

/** `profile.computed` for one point between two dates, one message per kind and month that has data. */
export async function profileEvents(adapter: BillingAdapter, consumerRef: string, version: string, meteringPointId: string, from: string, to: string): Promise<OutgoingEvent[]> {
  const events: OutgoingEvent[] = [];
  for (const chunk of chunksBetween(from, to)) {
    for (const kind of HOURLY_KINDS) {
      const days = await adapter.hourly(meteringPointId, chunk.from, chunk.to, kind);
      if (days.length === 0) continue;
      const payload: ProfileComputed = { consumerRef, version, meteringPointId, kind, days };
      events.push({ topic: eventTopics.profileComputed, payload });
    }
  }
  return events;
}

export function meteringPointsOf(snapshot: Pick<ConsumerSnapshot, 'contracts'>): string[] {
  return [...new Set(snapshot.contracts.flatMap((c) => c.objects.flatMap((o) => o.meteringPoints.map((p) => p.id))))];
}

async function attachPdfs(adapter: BillingAdapter, snapshot: ConsumerSnapshot) {
  for (const invoice of snapshot.invoices) {
    if (invoice.pdfBase64) continue;
    const pdf = await adapter.invoicePdf(invoice.id);
    if (pdf) invoice.pdfBase64 = Buffer.from(pdf).toString('base64');
  }
}
