import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createDatabase, type Database } from '../db/database.js';
import { kernelMigrations, migrate, type MigrationSource } from '../db/migrate.js';

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
    await adminQuery(serverUrl, `create database ${name}`);
    url = withDatabase(serverUrl, name);
    database = await createDatabase<DB>({ url, poolSize: 5 });
    drop = () => adminQuery(serverUrl, `drop database if exists ${name} with (force)`);
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

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function adminQuery(url: string, text: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

export const usingRealServices = {
  postgres: Boolean(process.env.DATABASE_URL),
  rabbitmq: Boolean(process.env.AMQP_URL),
  redis: Boolean(process.env.REDIS_URL),
};
