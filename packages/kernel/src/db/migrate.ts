import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import type { Database } from './database.js';

/**
 * Versioned SQL migrations, one folder per module (`NNNN_what.sql`), applied in order at start.
 *
 * Safe when several instances start at once: everything runs in one transaction that first takes a
 * transaction-level advisory lock, so the second instance waits, then sees the versions the first
 * applied and has nothing to do. An applied file whose text changed stops the start: migrations are
 * history, a change is a new file.
 */
export interface MigrationSource {
  module: string;
  dir: string;
}

export interface AppliedMigration {
  module: string;
  version: number;
  name: string;
}

const LOCK_KEY = 7_243_100_001; // any constant; shared by every service that migrates this database
const FILE = /^(\d{4})_([a-z0-9_]+)\.sql$/;

export const kernelMigrations: MigrationSource = {
  module: 'kernel',
  dir: fileURLToPath(new URL('../../migrations', import.meta.url)),
};

export function readMigrations(source: MigrationSource) {
  return readdirSync(source.dir)
    .filter((f) => f.endsWith('.sql'))
    .map((file) => {
      const match = FILE.exec(file);
      if (!match) throw new Error(`migration file name must look like 0001_name.sql: ${join(source.dir, file)}`);
      const text = readFileSync(join(source.dir, file), 'utf8');
      return {
        version: Number(match[1]),
        name: match[2]!,
        text,
        checksum: createHash('sha256').update(text).digest('hex'),
      };
    })
    .sort((a, b) => a.version - b.version);
}

export async function migrate<DB>(database: Database<DB>, sources: MigrationSource[]): Promise<AppliedMigration[]> {
  const plans = sources.map((source) => ({ source, files: readMigrations(source) }));
  return database.transaction(async (trx) => {
    await sql`select pg_advisory_xact_lock(${LOCK_KEY})`.execute(trx);
    await sql`create table if not exists schema_migrations (
      module text not null,
      version integer not null,
      name text not null,
      checksum text not null,
      applied_at timestamptz not null default now(),
      primary key (module, version)
    )`.execute(trx);
    const { rows } = await sql<{ module: string; version: number; checksum: string }>`
      select module, version, checksum from schema_migrations`.execute(trx);
    const applied = new Map(rows.map((r) => [`${r.module}/${r.version}`, r.checksum]));
    const done: AppliedMigration[] = [];
    for (const { source, files } of plans) {
      for (const file of files) {
        const key = `${source.module}/${file.version}`;
        const existing = applied.get(key);
        if (existing !== undefined) {
          if (existing !== file.checksum) {
            throw new Error(`migration ${source.module} ${file.version}_${file.name} was changed after it was applied; add a new migration instead`);
          }
          continue;
        }
        await sql.raw(file.text).execute(trx);
        await sql`insert into schema_migrations (module, version, name, checksum)
          values (${source.module}, ${file.version}, ${file.name}, ${file.checksum})`.execute(trx);
        done.push({ module: source.module, version: file.version, name: file.name });
      }
    }
    return done;
  });
}
