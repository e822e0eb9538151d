// One prepaid instance: `PORT=3000 DATABASE_URL=… AMQP_URL=… REDIS_URL=… tsx packages/prepaid/src/main.ts`
import { createBus, createCache, createLogger, loadConfigOrExit, openServiceDatabase, startOutboxRelay, stopOnSignals } from '@app/kernel';
import { PrepaidSettings } from './config.js';
import { prepaidMigrations } from './migrations.js';
import { createPrepaidApp } from './server.js';

const config = loadConfigOrExit(PrepaidSettings);
const logger = createLogger({ service: 'prepaid', level: config.LOG_LEVEL });
const database = await openServiceDatabase({ service: 'prepaid', url: config.DATABASE_URL, dataDir: config.DATA_DIR, migrations: prepaidMigrations });
const bus = createBus({ url: config.AMQP_URL, logger, service: 'prepaid' });
const cache = createCache({ url: config.REDIS_URL, prefix: 'prepaid:' });
const runtime = { service: 'prepaid', logger, database, bus, cache };
const relay = startOutboxRelay(runtime);
const app = await createPrepaidApp(runtime, config);
await app.listen({ port: config.PORT, host: config.HOST });
stopOnSignals(logger, [() => database.close(), () => cache.close(), () => bus.close(), () => relay.stop(), () => app.close()]);
