// One prepaid instance: `PORT=3000 DATABASE_URL=… AMQP_URL=… REDIS_URL=… tsx packages/prepaid/src/main.ts`
import { loadConfigOrExit, runStandaloneService, type Database } from '@app/kernel';
import { PrepaidSettings } from './config.js';
import { startExchangeWorkers } from './exchange/workers.js';
import { createPrepaidScheduler } from './jobs/prepaid-jobs.js';
import { prepaidMigrations } from './migrations.js';
import { createPrepaidApp } from './server.js';
import type { PrepaidDb } from './tables.js';

const config = loadConfigOrExit(PrepaidSettings);
await runStandaloneService({
  service: 'prepaid',
  config,
  migrations: prepaidMigrations,
  createApp: (runtime) => createPrepaidApp(runtime, config),
  // File exchange (EXCHANGE_DIR) and exchange tables (EXCHANGE_TABLES): docs/exchange.md.
  // Scheduled jobs (settlement, balance snapshots, cleanup): every instance runs the scheduler, each period runs once.
  workers: async (runtime) => {
    const exchange = await startExchangeWorkers({ database: runtime.database as Database<PrepaidDb>, logger: runtime.logger }, config);
    const scheduler = createPrepaidScheduler(runtime);
    scheduler.start();
    return [...exchange, () => scheduler.stop()];
  },
});
