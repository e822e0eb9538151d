import { randomBytes } from 'node:crypto';
import { createBus } from '../bus/create-bus.js';
import { createCache } from '../cache/cache.js';
import type { CommonConfig } from '../config/common.js';
import type { MigrationSource } from '../db/migrate.js';
import { createLogger } from '../log/logger.js';
import type { ServiceRuntime } from '../service/runtime.js';
import { createTestDatabase, type TestDatabase } from './database.js';

/**
 * A service runtime for tests on whatever the environment names: real PostgreSQL/RabbitMQ/Redis in CI,
 * PGlite/in-process/memory otherwise. Names on shared servers get a random suffix; close() removes them.
 */
export async function createTestRuntime(service: string, migrations: MigrationSource[] = []): Promise<ServiceRuntime & { database: TestDatabase; close(): Promise<void> }> {
  const suffix = randomBytes(4).toString('hex');
  const logger = createLogger({ service, level: 'silent' });
  const database = await createTestDatabase({ migrations });
  const bus = createBus({ url: process.env.AMQP_URL, logger, service, prefix: `test-${suffix}` });
  const cache = createCache({ url: process.env.REDIS_URL, prefix: `test-${suffix}:` });
  return {
    service,
    logger,
    database,
    bus,
    cache,
    close: async () => {
      await bus.close();
      await cache.close();
      await database.close();
    },
  };
}

export const testConfig: CommonConfig = {
  NODE_ENV: 'test',
  LOG_LEVEL: 'silent',
  HOST: '127.0.0.1',
  DATA_DIR: './data',
  SESSION_TTL_MINUTES: 60,
  LOGIN_MAX_FAILURES: 5,
  LOGIN_LOCKOUT_MINUTES: 15,
  COOKIE_SECURE: false,
};
