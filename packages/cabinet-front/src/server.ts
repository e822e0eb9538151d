import { authSettingsFrom, createHttpApp, registerAuth, type CommonConfig, type HttpApp, type PasswordHashing, type ServiceRuntime } from '@app/kernel';
import { registerStatusRoutes } from './status.routes.js';

/** The consumers' cabinet API (DMZ). Consumer registration, contracts, readings, requests and payments plug in here. */
export async function createCabinetFrontApp(runtime: ServiceRuntime, config: CommonConfig, options: { hashing?: PasswordHashing } = {}): Promise<HttpApp> {
  const app = await createHttpApp({
    service: 'cabinet-front',
    title: 'Energy consumer cabinet API',
    description: 'Self-service cabinet of energy consumers: contracts, metering, readings, requests, invoices and payments.',
    logger: runtime.logger,
    // Not the bus: with the broker or the back away the front still serves what it has and queues
    // commands in its outbox, so it must stay in the load balancer.
    readiness: { database: () => runtime.database.ping(), cache: () => runtime.cache.ping() },
    trustProxy: config.NODE_ENV === 'production',
  });
  await registerAuth(app, { database: runtime.database, cache: runtime.cache, settings: {
      ...authSettingsFrom(config),
      cookiePrefix: 'cabinet_',
      // Lax: the consumer comes back from the acquiring bank's payment page by a top-level redirect and
      // must still be logged in; state changes are covered by the CSRF token either way.
      sameSite: 'lax',
      hashing: options.hashing } });
  registerStatusRoutes(app, runtime);
  return app;
}
