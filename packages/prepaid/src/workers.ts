import type { Database, Logger } from '@app/kernel';
import { startExchangeWorkers, type ExchangeSettings } from './exchange/workers.js';
import { createPrepaidScheduler, settlementFormats } from './jobs/prepaid-jobs.js';
import type { PrepaidDb } from './tables.js';
import type { NotificationSettings } from './notifications/worker.js';
import { startWorkplaceWorkers } from './web/workers.js';

export interface PrepaidWorkerSettings extends ExchangeSettings, NotificationSettings {
  REPORTS_POLL_MS?: number;
  SETTLEMENT_FORMATS: string;
  /** Signs the terminal snapshots built by the offline.snapshot job (docs/offline.md). */
  OFFLINE_SIGNING_KEY?: string;
  NODE_ENV?: string;
}

/**
 * Everything a prepaid instance runs besides HTTP: the integration adapters (file exchange when
 * EXCHANGE_DIR is set, exchange tables; docs/exchange.md) and the scheduler of the prepaid jobs. Every
 * instance runs them all: files are claimed by rename, rows with SKIP LOCKED, job periods by a unique
 * claim, so N instances do each piece of work once. Returns the stoppers.
 */
export async function startPrepaidWorkers(runtime: { database: Database<unknown>; logger: Logger }, settings: PrepaidWorkerSettings): Promise<Array<() => Promise<unknown>>> {
  const exchange = await startExchangeWorkers({ database: runtime.database as Database<PrepaidDb>, logger: runtime.logger }, settings);
  const scheduler = createPrepaidScheduler(runtime, {
    ...(settings.EXCHANGE_DIR ? { exportTo: { root: settings.EXCHANGE_DIR, formats: settlementFormats(settings.SETTLEMENT_FORMATS) } } : {}),
    offlineSigningKey: settings.OFFLINE_SIGNING_KEY,
    nodeEnv: settings.NODE_ENV,
  });
  scheduler.start();
  // The workplace: background reports and client notifications (src/web/workers.ts).
  const workplace = startWorkplaceWorkers(runtime, settings);
  return [...exchange, () => scheduler.stop(), ...workplace];
}
