// One prepaid instance: `PORT=3000 DATABASE_URL=… AMQP_URL=… REDIS_URL=… tsx packages/prepaid/src/main.ts`
import { loadConfigOrExit, runStandaloneService, type Database } from '@app/kernel';
import { PrepaidSettings } from './config.js';
import { startExchangeWorkers } from './exchange/workers.js';
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
  workers: (runtime) => startExchangeWorkers({ database: runtime.database as Database<PrepaidDb>, logger: runtime.logger }, config),
});
