import { mkdirSync } from 'node:fs';
import { CompiledQuery, Kysely, PostgresDialect, sql, type Transaction } from 'kysely';
import pg from 'pg';
import { PGliteDialect } from './pglite-dialect.js';

/**
 * One typed query layer (Kysely) over either a real PostgreSQL server or embedded PGlite.
 * The same SQL, migrations and tests run on both; only the connection differs.
 *
 * Types are normalised so code never sees a driver's choice: int8/bigserial come back as `bigint`
 * (money is kopecks in int8), numeric as string, timestamps as Date, json/jsonb as objects.
 */
export type DatabaseKind = 'postgres' | 'pglite';

export interface Database<DB = unknown> {
  readonly kind: DatabaseKind;
  readonly db: Kysely<DB>;
  /** Runs `fn` in one transaction; everything it writes commits or rolls back together. */
  transaction<T>(fn: (trx: Transaction<DB>) => Promise<T>): Promise<T>;
  /**
   * Runs one statement as a named prepared statement on PostgreSQL, so the server plans it once per
   * connection instead of on every call — for hot paths whose statement is large and always the same.
   * On PGlite it runs as an ordinary query.
   */
  prepared<R>(name: string, compiled: { sql: string; parameters: readonly unknown[] }): Promise<R[]>;
  /** Liveness of the connection, for /ready. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export type Executor<DB = unknown> = Kysely<DB> | Transaction<DB>;

export interface DatabaseOptions {
  /** postgres://… of a real server; when absent, PGlite is used. */
  url?: string | undefined;
  /** PGlite data folder; absent means in memory (tests). */
  dataDir?: string | undefined;
  /** Pool size per instance on a real server. */
  poolSize?: number;
  applicationName?: string;
}

const INT8 = 20;
const NUMERIC = 1700;

export async function createDatabase<DB>(options: DatabaseOptions): Promise<Database<DB>> {
  if (options.url) return createPostgres<DB>(options.url, options);
  return createPGlite<DB>(options.dataDir);
}

function createPostgres<DB>(url: string, options: DatabaseOptions): Database<DB> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    application_name: options.applicationName,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
        if (oid === INT8) return (value: string) => BigInt(value);
        return pg.types.getTypeParser(oid, format);
      }) as typeof pg.types.getTypeParser,
    },
  });
  // A client losing its server (restart, failover) must not crash the process. The pool's own listener
  // covers idle clients; a client checked out between two statements of a transaction has no query to
  // hand the error to, and pg emits it on the client — with no listener, that kills the process (found by
  // the PostgreSQL-restart fault drill, docs/fault-drills.md). The transaction's next statement fails, it
  // rolls back, and the pool replaces the client.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  const prepared = async <R>(name: string, compiled: { sql: string; parameters: readonly unknown[] }) =>
    (await pool.query({ name, text: compiled.sql, values: compiled.parameters.map(toDriverValue) })).rows as R[];
  return wrap('postgres', db, prepared, async () => {
    await db.destroy();
  });
}

async function createPGlite<DB>(dataDir: string | undefined): Promise<Database<DB>> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  // Loaded only when used: the module alone costs ~140 MB of RSS, which a service on a real server never needs.
  const { PGlite } = await import('@electric-sql/pglite');
  // pg_trgm as on a real server, so a migration may `create extension pg_trgm` (fuzzy name search).
  const { pg_trgm } = await import('@electric-sql/pglite/contrib/pg_trgm');
  const pglite = await PGlite.create(dataDir, {
    extensions: { pg_trgm },
    parsers: { [INT8]: (value: string) => BigInt(value), [NUMERIC]: (value: string) => value },
    serializers: { [INT8]: (value: unknown) => String(value) },
  });
  const db = new Kysely<DB>({ dialect: new PGliteDialect(pglite) });
  // Through Kysely, so it waits its turn for the single PGlite session like every other query.
  const prepared = async <R>(_name: string, compiled: { sql: string; parameters: readonly unknown[] }) =>
    (await db.executeQuery<R>(CompiledQuery.raw(compiled.sql, [...compiled.parameters]))).rows;
  return wrap('pglite', db, prepared, async () => {
    await db.destroy();
    await pglite.close();
  });
}

// node-postgres sends bigint parameters as text already; kept explicit for arrays of bigint.
function toDriverValue(value: unknown) {
  return Array.isArray(value) ? value.map((v) => (typeof v === 'bigint' ? v.toString() : v)) : typeof value === 'bigint' ? value.toString() : value;
}

function wrap<DB>(kind: DatabaseKind, db: Kysely<DB>, prepared: Database<DB>['prepared'], close: () => Promise<void>): Database<DB> {
  return {
    kind,
    db,
    prepared,
    transaction: (fn) => db.transaction().execute(fn),
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close,
  };
}
