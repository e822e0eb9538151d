import { databaseName, ensureDatabase, openServiceDatabase, withDatabase, type Database, type MigrationSource } from '@app/kernel';

/**
 * Each service keeps its own database even when all run in one process: an explicit URL, else a
 * database named `<db>_<service>` on the DATABASE_URL server (created if missing), else PGlite under
 * DATA_DIR/<service>.
 */
export async function openDatabaseFor(options: {
  service: string;
  explicitUrl: string | undefined;
  serverUrl: string | undefined;
  dataDir: string;
  migrations: MigrationSource[];
}): Promise<Database> {
  let url = options.explicitUrl;
  if (!url && options.serverUrl) {
    const name = `${databaseName(options.serverUrl)}_${options.service.replace(/-/g, '_')}`;
    await ensureDatabase(options.serverUrl, name);
    url = withDatabase(options.serverUrl, name);
  }
  return openServiceDatabase({ service: options.service, url, dataDir: options.dataDir, migrations: options.migrations });
}
