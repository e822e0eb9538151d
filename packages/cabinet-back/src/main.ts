// One cabinet-back instance (LAN): `PORT=3200 DATABASE_URL=… AMQP_URL=… tsx packages/cabinet-back/src/main.ts`
// Billing: the reference billing in its own database (BILLING_DATABASE_URL, else PGlite in DATA_DIR/billing),
// with demo data when BILLING_DEMO=true and it is empty.
import { createLogger, loadConfigOrExit, runStandaloneService } from '@app/kernel';
import { openReferenceBilling } from './billing/billing-ref-adapter.js';
import { CabinetBackSettings, trustedSenders } from './config.js';
import { cabinetBackMigrations } from './migrations.js';
import { createCabinetBackApp } from './server.js';
import { startCabinetBackWorkers } from './workers.js';

const config = loadConfigOrExit(CabinetBackSettings);
const billing = await openReferenceBilling({
  url: config.BILLING_DATABASE_URL,
  dataDir: config.DATA_DIR,
  demo: config.BILLING_DEMO,
  logger: createLogger({ service: 'cabinet-back', level: config.LOG_LEVEL }),
});
await runStandaloneService({
  service: 'cabinet-back',
  config,
  migrations: cabinetBackMigrations,
  createApp: (runtime) => createCabinetBackApp(runtime, config, { billing: billing.adapter, meteringImport: { trustedSenders: trustedSenders(config) } }),
  workers: async (runtime) => {
    const stop = await startCabinetBackWorkers(runtime, billing.adapter, {
      syncIntervalMs: config.BILLING_SYNC_INTERVAL_MS,
      importFolder: { root: config.METERING_IMPORT_DIR, pollMs: config.METERING_IMPORT_POLL_MS, import: { trustedSenders: trustedSenders(config) } },
    });
    // Listed first, stopped last: the workers finish their billing calls before billing closes.
    return [() => billing.close(), stop];
  },
});
