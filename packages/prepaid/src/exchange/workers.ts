import type { Database, Logger } from '@app/kernel';
import { RegistryService } from '../registries/registry.service.js';
import type { PrepaidDb } from '../tables.js';
import { FileExchange } from './files/file-exchange.js';
import { ExchangeTables } from './tables/exchange-tables.js';

/** The exchange settings of PrepaidSettings (config.ts). */
export interface ExchangeSettings {
  EXCHANGE_DIR?: string | undefined;
  EXCHANGE_POLL_MS: number;
  EXCHANGE_STABLE_POLLS: number;
  EXCHANGE_LEASE_SECONDS: number;
  EXCHANGE_TABLES: boolean;
}

/**
 * Starts the integration adapters a prepaid instance runs besides HTTP: the file exchange watcher (when
 * EXCHANGE_DIR is set) and the exchange tables processor (unless EXCHANGE_TABLES=false). Every instance
 * may run them: files are claimed by rename, rows by FOR UPDATE SKIP LOCKED. Returns their stoppers.
 */
export async function startExchangeWorkers(deps: { database: Database<PrepaidDb>; logger: Logger; registries?: RegistryService }, settings: ExchangeSettings): Promise<Array<() => Promise<unknown>>> {
  const stoppers: Array<() => Promise<unknown>> = [];
  const leaseMs = settings.EXCHANGE_LEASE_SECONDS * 1000;
  if (settings.EXCHANGE_DIR) {
    const files = new FileExchange(deps.database, deps.registries ?? new RegistryService(deps.database), {
      root: settings.EXCHANGE_DIR,
      pollMs: settings.EXCHANGE_POLL_MS,
      stablePolls: settings.EXCHANGE_STABLE_POLLS,
      leaseMs,
      logger: deps.logger.child({ component: 'exchange-files' }),
    });
    files.start();
    stoppers.push(() => files.stop());
    deps.logger.info({ root: settings.EXCHANGE_DIR }, 'file exchange watching');
  }
  if (settings.EXCHANGE_TABLES) {
    const tables = new ExchangeTables(deps.database, { pollMs: settings.EXCHANGE_POLL_MS, leaseMs, logger: deps.logger.child({ component: 'exchange-tables' }) });
    tables.start();
    stoppers.push(() => tables.stop());
  }
  return stoppers;
}
