// One prepaid instance: `PORT=3000 DATABASE_URL=… AMQP_URL=… REDIS_URL=… tsx packages/prepaid/src/main.ts`
import { loadConfigOrExit, runStandaloneService } from '@app/kernel';
import { PrepaidSettings } from './config.js';
import { prepaidMigrations } from './migrations.js';
import { createPrepaidApp } from './server.js';
import { startPrepaidWorkers } from './workers.js';

const config = loadConfigOrExit(PrepaidSettings);
await runStandaloneService({
  service: 'prepaid',
  config,
  migrations: prepaidMigrations,
  createApp: (runtime) => createPrepaidApp(runtime, config),
  // Integration adapters and scheduled jobs (settlement, balance snapshots, cleanup): src/workers.ts.
  workers: (runtime) => startPrepaidWorkers(runtime, config),
});
