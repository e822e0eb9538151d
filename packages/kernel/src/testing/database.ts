import { randomBytes } from 'node:crypto';
import { createDatabase, type Database } from '../db/database.js';
import { kernelMigrations, migrate, type MigrationSource } from '../db/migrate.js';
import { dropDatabase, ensureDatabase, withDatabase } from '../db/service-database.js';

/**
 * A fresh, empty database for one test suite: a new database on the server named by
 * DATABASE_URL (dropped on close), or an in-memory PGlite when none is set. Suites therefore never
 * see each other's rows and run in parallel.
 */
export interface TestDatabase<DB = unknown> extends Database<DB> {
  /** Connection URL of the created database (postgres only), for tests that open a second instance. */
  readonly url: string | undefined;
}

export async function createTestDatabase<DB = unknown>(options: { migrations?: MigrationSource[] | false } = {}): Promise<TestDatabase<DB>> {
  const serverUrl = process.env.DATABASE_URL;
  let database: Database<DB>;
  let url: string | undefined;
  let drop = async () => {};
  if (serverUrl) {
    const name = `test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
    await ensureDatabase(serverUrl, name);
    url = withDatabase(serverUrl, name);
    database = await createDatabase<DB>({ url, poolSize: 5 });
    drop = () => dropDatabase(serverUrl, name);
  } else {
    database = await createDatabase<DB>({});
  }
  if (options.migrations !== false) await migrate(database, [kernelMigrations, ...(options.migrations ?? [])]);
  return {
    ...database,
    url,
    close: async () => {
      await database.close();
      await drop();
    },
  };
}

export const usingRealServices = {
  postgres: Boolean(process.env.DATABASE_URL),
  rabbitmq: Boolean(process.env.AMQP_URL),
  redis: Boolean(process.env.REDIS_URL),
};
