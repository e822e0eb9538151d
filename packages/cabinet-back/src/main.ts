// One cabinet-back instance (LAN): `PORT=3200 DATABASE_URL=… AMQP_URL=… tsx packages/cabinet-back/src/main.ts`
import { createBus, createCache, createLogger, loadConfigOrExit, openServiceDatabase, startOutboxRelay, stopOnSignals } from '@app/kernel';
import { CabinetBackSettings } from './config.js';
import { cabinetBackMigrations } from './migrations.js';
import { createCabinetBackApp } from './server.js';
import { answerStatusRequests } from './status.js';

const config = loadConfigOrExit(CabinetBackSettings);
const logger = createLogger({ service: 'cabinet-back', level: config.LOG_LEVEL });
const database = await openServiceDatabase({ service: 'cabinet-back', url: config.DATABASE_URL, dataDir: config.DATA_DIR, migrations: cabinetBackMigrations });
const bus = createBus({ url: config.AMQP_URL, logger, service: 'cabinet-back' });
const cache = createCache({ url: config.REDIS_URL, prefix: 'cabinet-back:' });
const runtime = { service: 'cabinet-back', logger, database, bus, cache };
const relay = startOutboxRelay(runtime);
const status = await answerStatusRequests(runtime);
const app = await createCabinetBackApp(runtime, config);
await app.listen({ port: config.PORT, host: config.HOST });
stopOnSignals(logger, [() => database.close(), () => cache.close(), () => bus.close(), () => relay.stop(), () => status.close(), () => app.close()]);
