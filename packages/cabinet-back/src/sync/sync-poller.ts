import { eventTopics, type AccountChanged, type ContractChanged, type InvoiceIssued, type PaymentBooked, type ProcessedReading, type ReadingsProcessed } from '@app/cabinet-contracts';
import { sql } from 'kysely';
import type { BillingAdapter, BillingChange } from '../billing/billing-adapter.js';
import { isBillingUnavailable } from '../billing/billing-adapter.js';
import type { BackContext } from '../commands/context.js';
import { enqueueEvents, type OutgoingEvent } from '../outgoing.js';
import { profileEvents, snapshotEvents } from '../snapshot.js';

/**
 * Incremental sync: billing's change feed → events for the consumers linked to the cabinet.
 *
 * One round: read the watermark (`sync_state`), ask billing for the changes after it, load the current
 * state of each changed entity of a linked consumer, and in ONE transaction advance the watermark by
 * compare-and-set and write the events to the outbox. Several back instances may poll at once: the
 * compare-and-set lets exactly one of them commit a given round (the others find the watermark moved and
 * drop their work), so no change is published twice by two instances; and the events' message ids derive
 * from the round, so a copy that got out anyway is dropped by the front's inbox. No lock is held while
 * billing is being read.
 *
 * A consumer linked while a round was reading billing can miss the changes between its snapshot and the
 * round's end; its `covered_version` then lags behind the watermark, and the next round sends it a fresh
 * full snapshot instead of increments.
 */
export const SYNC_FEED = 'billing';

export interface SyncRound {
  from: string;
  to: string;
  changes: number;
  events: number;
  /** false when another instance committed this round first, or billing was unavailable. */
  committed: boolean;
}

export async function syncOnce(ctx: BackContext, options: { batchSize?: number } = {}): Promise<SyncRound> {
  const db = ctx.database.db;
  const state = await db.selectFrom('sync_state').select('version').where('feed', '=', SYNC_FEED).executeTakeFirst();
  const linked = await db.selectFrom('linked_consumers').select(['consumer_ref', 'covered_version']).execute();
  // The first round starts where the earliest snapshot left off: older changes are in the snapshots.
  const start = state?.version ?? linked.reduce<bigint | undefined>((min, l) => (min === undefined || l.covered_version < min ? l.covered_version : min), undefined) ?? 0n;
  const from = start.toString();
  const page = await ctx.adapter.changesSince(from, options.batchSize ?? 500);
  const covered = new Map(linked.map((l) => [l.consumer_ref, l.covered_version]));
  const behind = linked.filter((l) => l.covered_version < start).map((l) => l.consumer_ref);

  const events: OutgoingEvent[] = [];
  const resnapshot: Array<{ consumerRef: string; version: string }> = [];
  for (const consumerRef of behind) {
    const snapshot = await snapshotEvents(ctx.adapter, consumerRef, ctx.snapshotOptions());
    if (!snapshot) continue;
    events.push(...snapshot.events);
    resnapshot.push({ consumerRef, version: snapshot.version });
  }
  const resnapshotted = new Set(resnapshot.map((r) => r.consumerRef));
  // Changes of linked consumers newer than what their snapshot already holds.
  const relevant = page.changes.filter((c) => {
    const upTo = covered.get(c.consumerRef);
    return upTo !== undefined && BigInt(c.version) > upTo && !resnapshotted.has(c.consumerRef);
  });
  events.push(...(await changeEvents(ctx.adapter, relevant)));

  if (page.version === from && events.length === 0) return { from, to: from, changes: 0, events: 0, committed: true };
  const committed = await ctx.database.transaction(async (trx) => {
    const advanced = state
      ? await trx.updateTable('sync_state').set({ version: BigInt(page.version), updated_at: sql`now()` }).where('feed', '=', SYNC_FEED).where('version', '=', BigInt(from)).executeTakeFirst()
      : await trx.insertInto('sync_state').values({ feed: SYNC_FEED, version: BigInt(page.version) }).onConflict((oc) => oc.column('feed').doNothing()).executeTakeFirst();
    const rows = 'numUpdatedRows' in advanced ? advanced.numUpdatedRows : (advanced.numInsertedOrUpdatedRows ?? 0n);
    if (rows === 0n) return false;
    await enqueueEvents(trx, ['sync', from, page.version], events);
    // Every consumer linked when the round began is now covered up to its end.
    if (linked.length > 0) {
      await trx
        .updateTable('linked_consumers')
        .set({ covered_version: sql`greatest(covered_version, ${BigInt(page.version)})` })
        .where('consumer_ref', 'in', linked.map((l) => l.consumer_ref))
        .execute();
    }
    const touched = [...new Set([...relevant.map((c) => c.consumerRef), ...resnapshotted])];
    if (touched.length > 0) await trx.updateTable('linked_consumers').set({ last_sent_at: sql`now()` }).where('consumer_ref', 'in', touched).execute();
    return true;
  });
  if (committed && events.length > 0) ctx.nudge();
  return { from, to: page.version, changes: page.changes.length, events: events.length, committed };
}

/**
 * The current state of each changed entity as its event. An entity changed several times in the page is
 * loaded once, with the newest version; readings are grouped per consumer into one `readings.processed`.
 */
export async function changeEvents(adapter: BillingAdapter, changes: BillingChange[]): Promise<OutgoingEvent[]> {
  const latest = new Map<string, BillingChange>();
  for (const change of changes) {
    const key = change.entity === 'profile' ? `${change.consumerRef}|profile|${change.id}|${change.from}|${change.to}` : `${change.consumerRef}|${change.entity}|${change.id}`;
    latest.delete(key); // keep the order of the last occurrence
    latest.set(key, change);
  }
  const events: OutgoingEvent[] = [];
  const readings = new Map<string, { version: string; readings: ProcessedReading[] }>();
  for (const change of latest.values()) {
    const { consumerRef, version } = change;
    switch (change.entity) {
      case 'contract': {
        const found = await adapter.contract(consumerRef, change.id);
        if (found) events.push({ topic: eventTopics.contractChanged, payload: { consumerRef, version, ...found } satisfies ContractChanged });
        break;
      }
      case 'invoice': {
        const invoice = await adapter.invoice(change.id);
        if (!invoice) break;
        if (!invoice.pdfBase64) {
          const pdf = await adapter.invoicePdf(invoice.id);
          if (pdf) invoice.pdfBase64 = Buffer.from(pdf).toString('base64');
        }
        events.push({ topic: eventTopics.invoiceIssued, payload: { consumerRef, version, invoice } satisfies InvoiceIssued });
        break;
      }
      case 'payment': {
        const payment = await adapter.payment(change.id);
        if (payment) events.push({ topic: eventTopics.paymentBooked, payload: { consumerRef, version, payment } satisfies PaymentBooked });
        break;
      }
      case 'account': {
        const account = await adapter.account(change.id);
        if (account) events.push({ topic: eventTopics.accountChanged, payload: { consumerRef, version, account } satisfies AccountChanged });
        break;
      }
      case 'reading': {
        const reading = await adapter.reading(change.id);
        if (!reading) break;
        const group = readings.get(consumerRef) ?? { version, readings: [] };
        group.version = version;
        group.readings.push(reading);
        readings.set(consumerRef, group);
        break;
      }
      case 'profile': {
        if (!change.from || !change.to) break;
        events.push(...(await profileEvents(adapter, consumerRef, version, change.id, change.from, change.to)));
        break;
      }
    }
  }
  for (const [consumerRef, group] of readings) {
    events.push({ topic: eventTopics.readingsProcessed, payload: { consumerRef, version: group.version, readings: group.readings } satisfies ReadingsProcessed });
  }
  return events;
}

export interface SyncPoller {
  /** Runs one round now (tests, or a nudge after a known change). */
  runOnce(): Promise<SyncRound | undefined>;
  stop(): Promise<void>;
}

/** Polls billing's change feed every `intervalMs` (again at once while full pages keep coming). */
export function startSyncPoller(ctx: BackContext, options: { intervalMs: number; batchSize?: number }): SyncPoller {
  const logger = ctx.logger.child({ component: 'billing-sync' });
  const batchSize = options.batchSize ?? 500;
  let running = true;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<SyncRound | undefined> = Promise.resolve(undefined);
  let failures = 0;

  const round = async (): Promise<SyncRound | undefined> => {
    try {
      const result = await syncOnce(ctx, { batchSize });
      if (failures > 0) logger.info({ failures }, 'billing sync resumed');
      failures = 0;
      if (result.events > 0) logger.info(result, 'billing changes published');
      return result;
    } catch (err) {
      failures += 1;
      if (isBillingUnavailable(err)) logger[failures === 1 ? 'warn' : 'debug']({ err, failures }, 'billing unavailable; sync will retry');
      else logger.error({ err, failures }, 'billing sync round failed');
      return undefined;
    }
  };
  const schedule = (delay: number) => {
    if (!running) return;
    timer = setTimeout(() => {
      current = round().then((result) => {
        schedule(result && result.committed && result.changes >= batchSize ? 0 : options.intervalMs);
        return result;
      });
    }, delay);
  };
  schedule(0);
  return {
    runOnce: async () => {
      await current;
      current = round();
      return current;
    },
    stop: async () => {
      running = false;
      if (timer) clearTimeout(timer);
      await current;
    },
  };
}
