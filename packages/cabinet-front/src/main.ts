// One cabinet-front instance (DMZ): `PORT=3100 DATABASE_URL=… AMQP_URL=… REDIS_URL=… tsx packages/cabinet-front/src/main.ts`
import { loadConfigOrExit, runStandaloneService } from '@app/kernel';
import { CabinetFrontSettings } from './config.js';
import { cabinetFrontMigrations } from './migrations.js';
import { createCabinetFrontApp } from './server.js';

const config = loadConfigOrExit(CabinetFrontSettings);
const runtime = await runStandaloneService({ service: 'cabinet-front', config, migrations: cabinetFrontMigrations, createApp: (r) => createCabinetFrontApp(r, config) });
if (!config.AMQP_URL) runtime.logger.warn('AMQP_URL is not set: a standalone front cannot reach cabinet-back; set a broker, or run every service in one process with npm start');
