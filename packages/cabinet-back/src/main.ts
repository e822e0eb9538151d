// One cabinet-back instance (LAN): `PORT=3200 DATABASE_URL=… AMQP_URL=… tsx packages/cabinet-back/src/main.ts`
import { loadConfigOrExit, runStandaloneService } from '@app/kernel';
import { CabinetBackSettings } from './config.js';
import { cabinetBackMigrations } from './migrations.js';
import { createCabinetBackApp } from './server.js';
import { answerStatusRequests } from './status.js';

const config = loadConfigOrExit(CabinetBackSettings);
await runStandaloneService({
  service: 'cabinet-back',
  config,
  migrations: cabinetBackMigrations,
  createApp: (runtime) => createCabinetBackApp(runtime, config),
  workers: async (runtime) => {
    const status = await answerStatusRequests(runtime);
    return [() => status.close()];
  },
});
