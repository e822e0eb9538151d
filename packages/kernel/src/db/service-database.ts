import { join } from 'node:path';
import pg from 'pg';
import { createDatabase, type Database } from './database.js';
import { migrate, kernelMigrations, type MigrationSource } from './migrate.js';

/**
 * Opens a service's own database and brings its schema up to date: the server named by `url`, or
 * an embedded PGlite under `<dataDir>/<service>` so that `npm start` needs no server and keeps data
 * across restarts.
 */
export async function openServiceDatabase<DB>(options: {
  service: string;
  url?: string | undefined;
  dataDir: string;
  migrations: MigrationSource[];
  poolSize?: number;
}): Promise<Database<DB>> {
  const database = await createDatabase<DB>({
    url: options.url,
    dataDir: options.url ? undefined : join(options.dataDir, options.service),
    poolSize: options.poolSize,
    applicationName: options.service,
  });
  try {
    await migrate(database, [kernelMigrations, ...options.migrations]);
  } catch (error) {
    await database.close();
    throw error;
  }
  return database;
}

/** The URL of database `name` on the same server as `url`. */
export function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

export function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, '')) || 'postgres';
}

/** Creates database `name` on the server of `serverUrl` unless it exists (safe to race: a lost race is ignored). */
export async function ensureDatabase(serverUrl: string, name: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`database name "${name}" must be lower-case letters, digits and _`);
  await withAdminClient(serverUrl, async (client) => {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (rowCount) return;
    try {
      await client.query(`create database ${name}`);
    } catch (error) {
      if ((error as { code?: string }).code !== '42P04') throw error; // created meanwhile by another instance
    }
  });
}

export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  await withAdminClient(serverUrl, (client) => client.query(`drop database if exists ${name} with (force)`));
}

// Creating and dropping databases happens from the server's maintenance database: the one named in
// the URL may be the very one that does not exist yet.
async function withAdminClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: withDatabase(url, 'postgres') });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
