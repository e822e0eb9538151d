import type { Database, ServiceRuntime } from '@app/kernel';
import type { BillingAdapter } from './billing/billing-adapter.js';
import { consumeCommands, type CommandConsumerOptions } from './commands/command-consumer.js';
import { ImportFolder, type ImportFolderOptions } from './metering-import/import-folder.js';
import { supplierToday } from './metering-import/metering-import.js';
import type { BackContext } from './commands/context.js';
import { defaultSnapshotOptions, type SnapshotOptions } from './snapshot.js';
import { answerStatusRequests } from './status.js';
import { startSyncPoller } from './sync/sync-poller.js';
import type { CabinetBackDb } from './tables.js';

export interface CabinetBackWorkerOptions {
  /** How often billing's change feed is polled (BILLING_SYNC_INTERVAL_MS). Default 5 s. */
  syncIntervalMs?: number;
  /** Changes read per sync round. Default 500. */
  syncBatchSize?: number;
  /** false: no sync poller (e.g. a second role of instance). Default true. */
  sync?: boolean;
  /** false: do not answer the front's status requests here. Default true. */
  status?: boolean;
  /** Months of history in a full snapshot, the current one included. Default 13. */
  historyMonths?: number;
  /** Attach invoice PDFs to snapshots and `invoice.issued`. Default true. */
  attachPdfs?: boolean;
  commands?: CommandConsumerOptions;
  /** Called after events were committed: pass the outbox relay's nudge to publish at once. */
  nudge?: () => void;
  /** Clock for the history window (tests). */
  now?: () => Date;
  /** The watched 80020 import folder (METERING_IMPORT_DIR); off without `root`. */
  importFolder?: Partial<Omit<ImportFolderOptions, 'logger'>>;
}

export function createBackContext(runtime: ServiceRuntime, adapter: BillingAdapter, options: BackContextOptions = {}): BackContext {
  return { ...backContextWithoutBilling(runtime, options), adapter };
}

export type BackContextOptions = Pick<CabinetBackWorkerOptions, 'historyMonths' | 'attachPdfs' | 'nudge' | 'now'>;

export function backContextWithoutBilling(runtime: ServiceRuntime, options: BackContextOptions = {}): Omit<BackContext, 'adapter'> {
  const snapshotOptions = (): SnapshotOptions => {
    const defaults = defaultSnapshotOptions(options.now?.() ?? new Date());
    return { ...defaults, historyMonths: options.historyMonths ?? defaults.historyMonths, attachPdfs: options.attachPdfs ?? defaults.attachPdfs };
  };
  return {
    database: runtime.database as Database<CabinetBackDb>,
    bus: runtime.bus,
    logger: runtime.logger.child({ component: 'billing-integration' }),
    snapshotOptions,
    nudge: options.nudge ?? (() => {}),
  };
}

/**
 * The back's background work: the command consumer (queue `cabinet-back.commands`), the billing sync
 * poller, the status responder, and the 80020 import folder when one is set. Every instance may run it; see README.md for why that is safe.
 * Returns one stopper that stops them all (waiting for work in progress).
 */
export async function startCabinetBackWorkers(runtime: ServiceRuntime, adapter: BillingAdapter, options: CabinetBackWorkerOptions = {}): Promise<() => Promise<void>> {
  const ctx = createBackContext(runtime, adapter, options);
  const stoppers: Array<() => Promise<void>> = [];
  try {
    const commands = await consumeCommands(ctx, options.commands);
    stoppers.push(() => commands.close());
    if (options.status !== false) {
      const status = await answerStatusRequests(runtime, adapter);
      stoppers.push(() => status.close());
    }
    if (options.sync !== false) {
      const poller = startSyncPoller(ctx, { intervalMs: options.syncIntervalMs ?? 5_000, batchSize: options.syncBatchSize });
      stoppers.push(() => poller.stop());
    }
    if (options.importFolder?.root) {
      const folder = new ImportFolder(ctx.database, adapter, { today: supplierToday, ...options.importFolder, root: options.importFolder.root, logger: runtime.logger.child({ component: 'metering-import-folder' }) });
      folder.start();
      stoppers.push(() => folder.stop());
    }
  } catch (err) {
    await stopAll(stoppers);
    throw err;
  }
  return () => stopAll(stoppers);
}

async function stopAll(stoppers: Array<() => Promise<void>>) {
  for (const stop of [...stoppers].reverse()) await stop().catch(() => undefined);
}
