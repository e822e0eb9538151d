// `npm start`: every service in one process on the embedded defaults (PGlite, in-process bus, memory
// cache) or on the servers the environment names, with demo data; prints URLs and demo logins.
import { Type } from 'typebox';
import {
  commonSettings,
  createBus,
  createCache,
  createLogger,
  loadConfigOrExit,
  portSetting,
  stopOnSignals,
  startOutboxRelay,
  type HttpApp,
  type ServiceRuntime,
} from '@app/kernel';
import { cabinetBackMigrations, answerStatusRequests, createCabinetBackApp, demoBackOfficeStaff, seedCabinetBackDemo } from '@app/cabinet-back';
import { cabinetFrontMigrations, createCabinetFrontApp, demoConsumers, seedCabinetFrontDemo } from '@app/cabinet-front';
import { createPrepaidApp, demoStaff, prepaidMigrations, prepaidWorkerSettings, seedPrepaidDemo, startPrepaidWorkers } from '@app/prepaid';
import { openDatabaseFor } from './databases.js';

const Settings = Type.Object({
  ...commonSettings,
  PREPAID_PORT: portSetting(3000),
  CABINET_FRONT_PORT: portSetting(3100),
  CABINET_BACK_PORT: portSetting(3200),
  PREPAID_DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  CABINET_FRONT_DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  CABINET_BACK_DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  // Prepaid integration adapters and scheduled jobs, as in the standalone prepaid service.
  ...prepaidWorkerSettings,
});

const config = loadConfigOrExit(Settings);
const logger = createLogger({ service: 'all-in-one', level: config.LOG_LEVEL });
const bus = createBus({ url: config.AMQP_URL, logger, service: 'all-in-one' });
const stoppers: Array<() => Promise<unknown>> = [() => bus.close()];

async function runtimeFor(service: string, explicitUrl: string | undefined, migrations: Parameters<typeof openDatabaseFor>[0]['migrations']): Promise<ServiceRuntime> {
  const database = await openDatabaseFor({ service, explicitUrl, serverUrl: config.DATABASE_URL, dataDir: config.DATA_DIR, migrations });
  const cache = createCache({ url: config.REDIS_URL, prefix: `${service}:` });
  const runtime = { service, logger: createLogger({ service, level: config.LOG_LEVEL }), database, bus, cache };
  const relay = startOutboxRelay(runtime);
  stoppers.push(() => database.close(), () => cache.close(), () => relay.stop());
  return runtime;
}

async function listen(app: HttpApp, port: number) {
  await app.listen({ port, host: config.HOST });
  stoppers.push(() => app.close());
  return `http://${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${port}`;
}

const prepaid = await runtimeFor('prepaid', config.PREPAID_DATABASE_URL, prepaidMigrations);
const cabinetBack = await runtimeFor('cabinet-back', config.CABINET_BACK_DATABASE_URL, cabinetBackMigrations);
const cabinetFront = await runtimeFor('cabinet-front', config.CABINET_FRONT_DATABASE_URL, cabinetFrontMigrations);

await Promise.all([seedPrepaidDemo(prepaid.database), seedCabinetBackDemo(cabinetBack.database), seedCabinetFrontDemo(cabinetFront.database)]);
const status = await answerStatusRequests(cabinetBack);
stoppers.push(() => status.close());
stoppers.push(...(await startPrepaidWorkers(prepaid, config)));

const urls = {
  prepaid: await listen(await createPrepaidApp(prepaid, config), config.PREPAID_PORT),
  cabinetBack: await listen(await createCabinetBackApp(cabinetBack, config), config.CABINET_BACK_PORT),
  cabinetFront: await listen(await createCabinetFrontApp(cabinetFront, config), config.CABINET_FRONT_PORT),
};
stopOnSignals(logger, stoppers);

const where = [
  config.DATABASE_URL ? 'PostgreSQL' : `PGlite in ${config.DATA_DIR}`,
  config.AMQP_URL ? 'RabbitMQ' : 'in-process bus',
  config.REDIS_URL ? 'Redis' : 'memory cache',
].join(', ');
const logins = (users: Array<{ login: string; password: string; roles: string[] }>) =>
  users.map((u) => `      ${u.login.padEnd(22)} ${u.password.padEnd(24)} ${u.roles.join(', ')}`).join('\n');

process.stdout.write(`
  Running on ${where}. Stop with Ctrl+C.

  Prepaid processing       ${urls.prepaid}        API docs ${urls.prepaid}/docs
    staff logins (login / password / role):
${logins(demoStaff)}

  Consumer cabinet (front) ${urls.cabinetFront}        API docs ${urls.cabinetFront}/docs
    consumer login:
${logins(demoConsumers)}

  Back office (LAN)        ${urls.cabinetBack}        API docs ${urls.cabinetBack}/docs
    staff logins:
${logins(demoBackOfficeStaff)}

  Log in:  curl -c jar -H 'content-type: application/json' -d '{"login":"admin","password":"Prepaid-2026!"}' ${urls.prepaid}/auth/login
  Health:  ${urls.prepaid}/health  ${urls.prepaid}/ready  ${urls.prepaid}/metrics

`);
