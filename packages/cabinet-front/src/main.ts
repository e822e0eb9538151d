// One cabinet-front instance (DMZ): `PORT=3100 DATABASE_URL=… AMQP_URL=… REDIS_URL=… tsx packages/cabinet-front/src/main.ts`
import { createBus, createCache, createLogger, loadConfigOrExit, openServiceDatabase, startOutboxRelay, stopOnSignals } from '@app/kernel';
import { CabinetFrontSettings } from './config.js';
import { cabinetFrontMigrations } from './migrations.js';
import { createCabinetFrontApp } from './server.js';

const config = loadConfigOrExit(CabinetFrontSettings);
const logger = createLogger({ service: 'cabinet-front', level: config.LOG_LEVEL });
if (!config.AMQP_URL) logger.warn('AMQP_URL is not set: a standalone front cannot reach cabinet-back; set a broker, or run every service in one process with npm start');
const database = await openServiceDatabase({ service: 'cabinet-front', url: config.DATABASE_URL, dataDir: config.DATA_DIR, migrations: cabinetFrontMigrations });
const bus = createBus({ url: config.AMQP_URL, logger, service: 'cabinet-front' });
const cache = createCache({ url: config.REDIS_URL, prefix: 'cabinet-front:' });
const runtime = { service: 'cabinet-front', logger, database, bus, cache };
const relay = startOutboxRelay(runtime);
const app = await createCabinetFrontApp(runtime, config);
await app.listen({ port: config.PORT, host: config.HOST });
stopOnSignals(logger, [() => database.close(), () => cache.close(), () => bus.close(), () => relay.stop(), () => app.close()]);
