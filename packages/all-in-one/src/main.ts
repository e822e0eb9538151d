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
  registerRuntimeMetrics,
  stopOnSignals,
  startOutboxRelay,
  type HttpApp,
  type ServiceRuntime,
} from '@app/kernel';
import {
  cabinetBackMigrations,
  createCabinetBackApp,
  demoBackOfficeStaff,
  demoBillingContracts,
  openReferenceBilling,
  seedCabinetBackDemo,
  startCabinetBackWorkers,
} from '@app/cabinet-back';
import { acquiringFromEnv, cabinetFrontMigrations, createCabinetFrontApp, demoConsumers, seedCabinetFrontDemo, startTbankEmulator, TbankAcquiring } from '@app/cabinet-front';
import { createPrepaidApp, demoStaff, prepaidMigrations, prepaidWorkerSettings, seedPrepaidDemo, seedWorkplaceDemo, startPrepaidWorkers } from '@app/prepaid';
import { openDatabaseFor } from './databases.js';

const Settings = Type.Object({
  ...commonSettings,
  PREPAID_PORT: portSetting(3000),
  CABINET_FRONT_PORT: portSetting(3100),
  CABINET_BACK_PORT: portSetting(3200),
  PREPAID_DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  CABINET_FRONT_DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  CABINET_BACK_DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  BILLING_DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  BILLING_SYNC_INTERVAL_MS: Type.Integer({ minimum: 200, maximum: 3_600_000, default: 5_000 }),
  // Prepaid integration adapters and scheduled jobs, as in the standalone prepaid service.
  ...prepaidWorkerSettings,
});

const config = loadConfigOrExit(Settings);
const logger = createLogger({ service: 'all-in-one', level: config.LOG_LEVEL });
const bus = createBus({ url: config.AMQP_URL, logger, service: 'all-in-one' });
const stoppers: Array<() => Promise<unknown>> = [() => bus.close()];

async function runtimeFor(service: string, explicitUrl: string | undefined, migrations: Parameters<typeof openDatabaseFor>[0]['migrations']): Promise<ServiceRuntime & { nudge: () => void }> {
  const database = await openDatabaseFor({ service, explicitUrl, serverUrl: config.DATABASE_URL, dataDir: config.DATA_DIR, migrations });
  const cache = createCache({ url: config.REDIS_URL, prefix: `${service}:` });
  const runtime = { service, logger: createLogger({ service, level: config.LOG_LEVEL }), database, bus, cache };
  const relay = startOutboxRelay(runtime);
  stoppers.push(() => database.close(), () => cache.close(), () => relay.stop());
  return { ...runtime, nudge: () => relay.nudge() };
}

async function listen(app: HttpApp, port: number) {
  await app.listen({ port, host: config.HOST });
  stoppers.push(() => app.close());
  return `http://${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${port}`;
}

const prepaid = await runtimeFor('prepaid', config.PREPAID_DATABASE_URL, prepaidMigrations);
const cabinetBack = await runtimeFor('cabinet-back', config.CABINET_BACK_DATABASE_URL, cabinetBackMigrations);
const cabinetFront = await runtimeFor('cabinet-front', config.CABINET_FRONT_DATABASE_URL, cabinetFrontMigrations);

// The reference billing in its own database (<db>_billing on the server, or PGlite in DATA_DIR/billing), with
// demo data generated on first start; the front's demo consumer links its demo contract once.
const billing = await openReferenceBilling({ url: config.BILLING_DATABASE_URL, serverUrl: config.DATABASE_URL, dataDir: config.DATA_DIR, demo: true, logger });
stoppers.push(() => billing.close());
const demoContract = demoBillingContracts.organisation;
await Promise.all([seedPrepaidDemo(prepaid.database), seedCabinetBackDemo(cabinetBack.database)]);
// Clients, cards and operations for the staff workplace's screens (once; later starts keep what is there).
await seedWorkplaceDemo(prepaid.database as Parameters<typeof seedWorkplaceDemo>[0], prepaid.cache);
// Every consumer subscribes before anything is sent: the front's event consumer comes with its app, the
// back's command consumer with its workers (an in-process bus, like a fresh broker, keeps nothing for a
// queue nobody declared yet).
// Card payments: the bank ACQUIRING_URL names, or a local T-Bank emulator (payment page with Pay / Decline).
const frontUrl = process.env.CABINET_PUBLIC_URL ?? `http://${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${config.CABINET_FRONT_PORT}`;
const bank = acquiringFromEnv() ? null : await startTbankEmulator({ port: Number(process.env.ACQUIRING_EMULATOR_PORT ?? config.CABINET_FRONT_PORT + 200) });
if (bank) stoppers.push(() => bank.close());
const acquiring = acquiringFromEnv() ?? new TbankAcquiring({ url: bank!.apiUrl, terminalKey: bank!.terminalKey, password: bank!.password });
const apps = {
  prepaid: await createPrepaidApp(prepaid, config),
  cabinetBack: await createCabinetBackApp(cabinetBack, config, { billing: billing.adapter, nudge: cabinetBack.nudge, support: { frontUrl: () => frontUrl } }),
  cabinetFront: await createCabinetFrontApp(cabinetFront, config, { nudge: cabinetFront.nudge, selfService: { payments: { acquiring, publicUrl: frontUrl } }, invitations: { publicUrl: () => frontUrl } }),
};
stoppers.push(await startCabinetBackWorkers(cabinetBack, billing.adapter, { nudge: cabinetBack.nudge, syncIntervalMs: config.BILLING_SYNC_INTERVAL_MS }));
stoppers.push(...(await startPrepaidWorkers(prepaid, config)));
await seedCabinetFrontDemo(cabinetFront.database, { link: { contractNumber: demoContract.number, secret: demoContract.secret } });

registerRuntimeMetrics(apps.prepaid.metrics, prepaid);
registerRuntimeMetrics(apps.cabinetBack.metrics, cabinetBack);
registerRuntimeMetrics(apps.cabinetFront.metrics, cabinetFront);

const urls = {
  prepaid: await listen(apps.prepaid, config.PREPAID_PORT),
  cabinetBack: await listen(apps.cabinetBack, config.CABINET_BACK_PORT),
  cabinetFront: await listen(apps.cabinetFront, config.CABINET_FRONT_PORT),
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
    staff workplace (web)  ${urls.prepaid}/
    staff logins (login / password / role):
${logins(demoStaff)}

  Consumer cabinet (front) ${urls.cabinetFront}        API docs ${urls.cabinetFront}/docs
    consumer login (linked to the demo contract ${demoContract.number}; another one links with its number and secret):
${logins(demoConsumers)}
    billing demo contracts (number / secret): ${Object.values(demoBillingContracts).map((c) => `${c.number} / ${c.secret}`).join(', ')}

    card payments: ${bank ? `T-Bank emulator ${bank.url} (any card; Pay or Decline on its page)` : `acquiring ${process.env.ACQUIRING_URL}`}

  Back office (LAN)        ${urls.cabinetBack}        API docs ${urls.cabinetBack}/docs
    staff logins:
${logins(demoBackOfficeStaff)}
    two-factor login is required of staff: at first login the session can only enrol an authenticator
      (the back-office page shows the QR code; by API: POST /auth/totp/enrol → secret, then POST /auth/totp/confirm
      {"code":"123456"} → recovery codes); later logins answer 202 totp_required → POST /auth/login/totp {challenge, code}
    support "open as consumer": log in as support, POST /api/back-office/support/grants {consumerRef, reason} → a one-time cabinet link

  Log in:  curl -c jar -H 'content-type: application/json' -d '{"login":"admin","password":"Prepaid-2026!"}' ${urls.prepaid}/auth/login
  Health:  ${urls.prepaid}/health  ${urls.prepaid}/ready  ${urls.prepaid}/metrics

`);
