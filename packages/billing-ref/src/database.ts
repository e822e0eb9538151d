import { join } from 'node:path';
import { createDatabase, databaseName, ensureDatabase, migrate, withDatabase, type Database } from '@app/kernel';
import { billingRefMigrations } from './migrations.js';
import type { BillingRefDb } from './tables.js';

/**
 * Opens the reference billing's own database and brings its schema up to date:
 * - `url`: that PostgreSQL database (BILLING_DATABASE_URL);
 * - else `serverUrl` (a DATABASE_URL of the all-in-one process): database `<db>_billing` on that server,
 *   created if missing;
 * - else embedded PGlite under `<dataDir>/billing`, kept across restarts.
 * Only billing's migrations run there: it is not a service database (no outbox, no users).
 */
export async function openBillingDatabase(options: { url?: string | undefined; serverUrl?: string | undefined; dataDir: string; poolSize?: number }): Promise<Database<BillingRefDb>> {
  let url = options.url;
  if (!url && options.serverUrl) {
    const name = `${databaseName(options.serverUrl)}_billing`;
    await ensureDatabase(options.serverUrl, name);
    url = withDatabase(options.serverUrl, name);
  }
  const database = await createDatabase<BillingRefDb>({
    url,
    dataDir: url ? undefined : join(options.dataDir, 'billing'),
    poolSize: options.poolSize,
    applicationName: 'billing-ref',
  });
  try {
    await migrate(database, billingRefMigrations);
  } catch (error) {
    await database.close();
    throw error;
  }
  return database;
}
