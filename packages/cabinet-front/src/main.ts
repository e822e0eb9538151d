// One cabinet-front instance (DMZ): `PORT=3100 DATABASE_URL=… AMQP_URL=… REDIS_URL=… FIELD_KEYS=… FIELD_KEY_CURRENT=… BLIND_INDEX_KEY=… tsx packages/cabinet-front/src/main.ts`
// The app consumes the back's events itself (queue cabinet-front.events) and stops doing so on close.
import { loadConfigOrExit, runStandaloneService } from '@app/kernel';
import { CabinetFrontSettings } from './config.js';
import { resolveKeyRing } from './crypto/keys.js';
import { cabinetFrontMigrations } from './migrations.js';
import { createCabinetFrontApp } from './server.js';

const config = loadConfigOrExit(CabinetFrontSettings);
let keys;
try {
  // Production refuses to start without its own keys; elsewhere the development keys are used.
  keys = resolveKeyRing(config, {});
} catch (err) {
  console.error(`config: ${(err as Error).message}`);
  process.exit(1);
}
const runtime = await runStandaloneService({ service: 'cabinet-front', config, migrations: cabinetFrontMigrations, createApp: (r) => createCabinetFrontApp(r, config, { keys }) });
if (!config.AMQP_URL) runtime.logger.warn('AMQP_URL is not set: a standalone front cannot reach cabinet-back; set a broker, or run every service in one process with npm start');
if (!config.FIELD_KEYS) runtime.logger.warn('FIELD_KEYS is not set: personal data is encrypted with the public development keys');
