import { createBus } from '../bus/create-bus.js';
import { createCache } from '../cache/cache.js';
import type { CommonConfig } from '../config/common.js';
import type { MigrationSource } from '../db/migrate.js';
import { openServiceDatabase } from '../db/service-database.js';
import type { HttpApp } from '../http/app.js';
import { createLogger } from '../log/logger.js';
import { startOutboxRelay, stopOnSignals, type ServiceRuntime } from './runtime.js';
import { registerRuntimeMetrics } from './runtime-metrics.js';

/**
 * main.ts of a service in one call: settings → logger, own database (migrated), bus, cache, outbox relay,
 * the service's app on PORT, extra workers, and an orderly stop on SIGTERM.
 */
export async function runStandaloneService(options: {
  service: string;
  config: CommonConfig & { PORT: number };
  migrations: MigrationSource[];
  createApp: (runtime: ServiceRuntime) => Promise<HttpApp>;
  /** Consumers and responders the service runs besides HTTP; each returns its stopper. */
  workers?: (runtime: ServiceRuntime) => Promise<Array<() => Promise<unknown>>>;
}) {
  const { service, config } = options;
  const logger = createLogger({ service, level: config.LOG_LEVEL });
  const database = await openServiceDatabase({ service, url: config.DATABASE_URL, dataDir: config.DATA_DIR, migrations: options.migrations });
  const bus = createBus({ url: config.AMQP_URL, logger, service });
  const cache = createCache({ url: config.REDIS_URL, prefix: `${service}:` });
  const runtime: ServiceRuntime = { service, logger, database, bus, cache };
  const stoppers: Array<() => Promise<unknown>> = [() => database.close(), () => cache.close(), () => bus.close()];
  const relay = startOutboxRelay(runtime);
  stoppers.push(() => relay.stop());
  stoppers.push(...((await options.workers?.(runtime)) ?? []));
  const app = await options.createApp(runtime);
  registerRuntimeMetrics(app.metrics, runtime);
  await app.listen({ port: config.PORT, host: config.HOST });
  stoppers.push(() => app.close());
  stopOnSignals(logger, stoppers);
  return runtime;
}
